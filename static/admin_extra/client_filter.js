"use strict";
// The invoices list's client filter: type a client's name, pick it from the
// list, and the page shows its invoices (the filter's own link, other filters
// kept). Loaded in the page's head (the admin's Media).
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("client-filter-input");
  const options = document.getElementById("client-filter-options");
  if (!input || !options) {
    return;
  }
  function go() {
    for (const option of options.querySelectorAll("option")) {
      if (option.value === input.value && option.dataset.href) {
        window.location.assign(option.dataset.href);
        return;
      }
    }
  }
  input.addEventListener("change", go);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      go();
    }
  });
});

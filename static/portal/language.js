"use strict";
// The language menu applies a choice at once. Without JavaScript its button
// (in <noscript>) does. A keyboard user moving through a closed menu with the
// arrow keys is only browsing: the choice applies on Enter or on leaving it.
(() => {
  const select = document.querySelector("select[data-autosubmit]");
  if (!select || !select.form) {
    return;
  }
  const initial = select.value;
  const browsingKeys = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);
  let browsing = false;
  let sent = false;

  function apply() {
    if (sent || select.value === initial) {
      return;
    }
    sent = true;
    select.form.requestSubmit();
  }

  select.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      apply();
      return;
    }
    browsing = browsingKeys.has(event.key) || event.key.length === 1;
  });
  select.addEventListener("change", () => {
    if (!browsing) {
      apply();
    }
  });
  select.addEventListener("blur", apply);
  select.addEventListener("pointerdown", () => {
    browsing = false;
  });
})();

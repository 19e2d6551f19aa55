"use strict";
// Lines pick a product or service from the catalogue by name: each line's
// description lists the catalogue (a <datalist> the page renders), and picking
// one fills its unit price and VAT rate, which stay the owner's to change.
// Loaded in the page's head (the admin's Media), so it starts once the page is read.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("catalogue-items");
  if (!list) {
    return;
  }
  const items = new Map();
  for (const option of list.querySelectorAll("option")) {
    items.set(option.value, option.dataset);
  }

  function rowOf(input) {
    return input.closest("tr");
  }

  function fill(input) {
    const item = items.get(input.value);
    const row = rowOf(input);
    if (!item || !row) {
      return;
    }
    const price = row.querySelector("input[name$='-unit_price']");
    const rate = row.querySelector("select[name$='-vat_rate']");
    if (price) {
      price.value = item.unitPrice;
      price.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (rate) {
      rate.value = item.vatRate;
      rate.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function attach(input) {
    input.setAttribute("list", "catalogue-items");
    input.setAttribute("autocomplete", "off");
  }

  document.querySelectorAll("input[name$='-description']").forEach(attach);
  // A line added by the formset's own script gets the list too.
  document.addEventListener("formset:added", (event) => {
    event.target.querySelectorAll("input[name$='-description']").forEach(attach);
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("input[name$='-description']")) {
      fill(event.target);
    }
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("input[name$='-description']")) {
      fill(event.target);
    }
  });
});

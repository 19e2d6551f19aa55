"use strict";
// Pay several invoices at once: the total follows the ticks, in the page's
// language. The server adds them up again and refuses several currencies;
// without JavaScript the total shown is the one of the invoices ticked first.
(() => {
  function update() {
    const form = document.getElementById("pay-several-form");
    const total = document.getElementById("pay-several-total");
    if (!form || !total || !window.Intl) {
      return;
    }
    const sums = new Map();
    for (const box of form.querySelectorAll("input[name=invoice]:checked")) {
      const currency = box.dataset.currency;
      sums.set(currency, (sums.get(currency) || 0) + Number(box.dataset.minor));
    }
    const first = form.querySelector("input[name=invoice]");
    if (!sums.size && first) {
      sums.set(first.dataset.currency, 0); // nothing ticked: 0,00 €, not a blank
    }
    const language = document.documentElement.lang || undefined;
    const parts = [...sums.keys()].sort().map((currency) => {
      const format = new Intl.NumberFormat(language, { style: "currency", currency });
      const digits = format.resolvedOptions().maximumFractionDigits;
      return format.format(sums.get(currency) / 10 ** digits);
    });
    total.textContent = parts.join(" + ");
  }

  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === "invoice") {
      update();
    }
  });
  document.addEventListener("portal:updated", update);
})();

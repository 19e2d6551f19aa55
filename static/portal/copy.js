"use strict";
// Copy buttons for the bank transfer's details (IBAN, BIC, reference, amount),
// and the QR code shown at once on wide screens. Without JavaScript the
// details are plain text to select and the QR code sits behind its toggle:
// nothing is lost. The page's live update replaces <main>: done again then.
(() => {
  const WIDE = window.matchMedia("(min-width: 40rem)");

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP (a local demo): the older way, from a selection.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function enhance() {
    const details = document.getElementById("transfer-details");
    if (details) {
      const copyLabel = details.dataset.copyLabel || "Copy";
      const copiedLabel = details.dataset.copiedLabel || "Copied";
      for (const value of details.querySelectorAll("dd[data-copy]")) {
        if (value.querySelector(".copy-button")) {
          continue;
        }
        const term = value.parentElement.querySelector("dt");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button button--secondary copy-button";
        button.id = `copy-${value.id}`;
        button.textContent = copyLabel;
        button.setAttribute("aria-label", `${copyLabel} ${term ? term.textContent : ""}`.trim());
        const status = document.createElement("span");
        status.className = "visually-hidden";
        status.setAttribute("role", "status");
        button.addEventListener("click", () => {
          copyText(value.dataset.copy).then(() => {
            button.textContent = copiedLabel;
            status.textContent = copiedLabel;
            window.setTimeout(() => {
              button.textContent = copyLabel;
              status.textContent = "";
            }, 2000);
          }, () => {});
        });
        value.append(" ", button, status);
      }
    }
    const qr = document.getElementById("epc-qr-toggle");
    if (qr && WIDE.matches) {
      qr.open = true;
    }
  }

  enhance();
  document.addEventListener("portal:updated", enhance);
})();

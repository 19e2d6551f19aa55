"use strict";
// Copies a read-only field's value, e.g. a client's portal link, to the clipboard.
// <button data-copy-from="field-id" data-copied-label="Copied">
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy-from]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copyFrom);
  navigator.clipboard.writeText(field.value).then(() => {
    button.textContent = button.dataset.copiedLabel;
  });
});

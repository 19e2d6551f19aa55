"use strict";
// Asks before submitting a form that cannot be undone: <form data-confirm="…">.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

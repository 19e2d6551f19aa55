"use strict";
// Tells the portal that a real browser shows this page, once it is visible:
// the access log, and the first view of a document version. Mail scanners and
// link previews fetch the page without running this, so they count for nothing.
(() => {
  const reported = new Set();

  function report() {
    const url = document.body.dataset.beaconUrl;
    if (!url || document.visibilityState !== "visible") {
      return;
    }
    const article = document.getElementById("document");
    const body = new URLSearchParams();
    if (article && article.dataset.documentId) {
      body.set("document", article.dataset.documentId);
      body.set("version", article.dataset.version);
    }
    const key = `${location.pathname}|${body}`;
    if (reported.has(key)) {
      return;
    }
    reported.add(key);
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).catch(() => reported.delete(key));
  }

  document.addEventListener("visibilitychange", report);
  document.addEventListener("portal:updated", report);
  report();
})();

"use strict";
// Keeps an open portal page current: the server streams the client's portal
// revision (server-sent events); when it moves, the page fetches itself and
// swaps in the new content. Without JavaScript, a reload shows the same.
(() => {
  const body = document.body;
  const url = body.dataset.liveUrl;
  if (!url || !window.EventSource || !window.fetch) {
    return;
  }
  let latest = body.dataset.portalRevision;
  let busy = false;
  // A form on its way (the page is about to change anyway) or filled in by
  // hand (a signature, a name) is never pulled from under the person.
  let leaving = false;
  let edited = false;
  document.addEventListener("submit", () => {
    leaving = true;
  });
  window.addEventListener("pagehide", () => {
    leaving = true;
  });
  document.addEventListener("input", (event) => {
    if (event.target.closest && event.target.closest("main form")) {
      edited = true;
    }
  });

  function typing() {
    const active = document.activeElement;
    return (
      edited ||
      (active &&
        active.closest("main form") &&
        ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName))
    );
  }

  async function refresh() {
    if (busy || leaving) {
      return;
    }
    busy = true;
    try {
      const response = await fetch(location.href, {
        cache: "no-store",
        credentials: "same-origin",
      });
      if (leaving) {
        return;
      }
      if (!response.ok) {
        location.reload(); // the link or the document is gone: show the 404
        return;
      }
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const brand = document.getElementById("brand-style");
      const nextBrand = next.getElementById("brand-style");
      if (!brand || !nextBrand || brand.textContent !== nextBrand.textContent) {
        location.reload(); // new colours: their style needs the new page's nonce
        return;
      }
      if (typing()) {
        return; // never pull a form from under someone's fingers; next change retries
      }
      for (const id of ["main", "portal-header"]) {
        const here = document.getElementById(id);
        const there = next.getElementById(id);
        if (here && there) {
          here.replaceChildren(...document.adoptNode(there).childNodes);
        }
      }
      document.title = next.title;
      body.dataset.portalRevision = next.body.dataset.portalRevision;
      document.dispatchEvent(new Event("portal:updated"));
    } catch (error) {
      // Offline for a moment: the next message tries again.
    } finally {
      busy = false;
      if (latest !== body.dataset.portalRevision && !typing() && !leaving) {
        setTimeout(refresh, 250);
      }
    }
  }

  // Refused a stream (too many pages open on this link or this address) or
  // cut off: ask for the revision every few seconds, and try a stream again
  // now and then. A link that is gone answers 404: show it.
  const POLL_MILLISECONDS = 3000;
  const POLLS_BEFORE_STREAM = 10;
  const pollUrl = url + (url.includes("?") ? "&" : "?") + "poll=1";

  function poll(left) {
    fetch(pollUrl, { cache: "no-store" })
      .then((response) => {
        if (response.status === 404) {
          location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then((text) => {
        const found = /^data: (\d+)$/m.exec(text || "");
        if (found) {
          latest = found[1];
          if (latest !== body.dataset.portalRevision) {
            refresh();
          }
        }
      })
      .catch(() => null)
      .finally(() => {
        if (left > 0) {
          setTimeout(() => poll(left - 1), POLL_MILLISECONDS);
        } else {
          listen();
        }
      });
  }

  function listen() {
    const source = new EventSource(url);
    source.addEventListener("revision", (event) => {
      latest = event.data;
      if (latest !== body.dataset.portalRevision) {
        refresh();
      }
    });
    source.addEventListener("gone", () => {
      source.close();
      location.reload();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        poll(POLLS_BEFORE_STREAM);
      }
    };
  }

  listen();
})();

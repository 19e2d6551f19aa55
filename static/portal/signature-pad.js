"use strict";
// The signature pad of the quote signing form: draw with a finger, a stylus or
// the mouse, all through Pointer Events. The drawing goes into the hidden
// signature_data field as a PNG data URL. One way to sign at a time: the
// switch shows the pad or the typed name, and only the chosen one is sent
// (the server refuses both). Without this script the switch and the pad stay
// hidden and the typed name is the signature: the form works the same.
(function () {
  const pad = document.getElementById("signature-pad");
  const form = document.getElementById("sign-form");
  if (!pad || !form) {
    return;
  }
  const choice = document.getElementById("signature-switch");
  const typedBox = document.getElementById("signature-typed");
  const typedInput = form.elements.namedItem("typed_name");
  const methods = form.querySelectorAll("input[name=signing_method]");
  const canvas = document.getElementById("signature-canvas");
  const clear = document.getElementById("signature-clear");
  const state = document.getElementById("signature-state");
  const field = form.elements.namedItem("signature_data");
  const context = canvas.getContext("2d");
  // The server accepts up to 2000 × 1000 pixels: two device pixels per CSS
  // pixel are plenty for a signature.
  const MAX_RATIO = 2;
  const INK = "#111827";
  let drawing = false;
  let drawn = false;
  let last = null;
  let width = 0;

  function brush() {
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = INK;
    context.fillStyle = INK;
  }

  function announce() {
    state.textContent = drawn ? state.dataset.drawnText : state.dataset.emptyText;
  }

  function method() {
    const chosen = form.querySelector("input[name=signing_method]:checked");
    return chosen ? chosen.value : "typed";
  }

  function save() {
    field.value = drawn && method() === "drawn" ? canvas.toDataURL("image/png") : "";
  }

  // Only the chosen way shows, and the other's field is disabled so that
  // nothing of it is posted.
  function show() {
    const drawing = method() === "drawn";
    pad.hidden = !drawing;
    typedBox.hidden = drawing;
    typedInput.disabled = drawing;
    if (drawing) {
      resize();
    }
    save();
  }

  function resize() {
    const box = canvas.getBoundingClientRect();
    // A hidden pad has no size: keep the drawing for when it shows again.
    if (pad.hidden || Math.round(box.width) === width) {
      return;
    }
    // Keep what was drawn across a rotation: copy it, resize, draw it back.
    const copy = drawn ? document.createElement("canvas") : null;
    if (copy) {
      copy.width = canvas.width;
      copy.height = canvas.height;
      copy.getContext("2d").drawImage(canvas, 0, 0);
    }
    const ratio = Math.min(window.devicePixelRatio || 1, MAX_RATIO);
    width = Math.round(box.width);
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    brush();
    if (copy) {
      context.drawImage(copy, 0, 0, box.width, box.height);
      save();
    }
  }

  function reset() {
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.restore();
    drawn = false;
    save();
    announce();
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) {
      return;
    }
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    context.beginPath();
    context.arc(last.x, last.y, context.lineWidth / 2, 0, 2 * Math.PI);
    context.fill();
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) {
      return;
    }
    event.preventDefault();
    const coalesced = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const moved of coalesced.length ? coalesced : [event]) {
      const next = point(moved);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    }
    drawn = true;
  });

  function finish() {
    if (!drawing) {
      return;
    }
    drawing = false;
    save();
    announce();
  }

  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("lostpointercapture", finish);
  clear.addEventListener("click", reset);
  for (const radio of methods) {
    radio.addEventListener("change", show);
  }
  form.addEventListener("submit", save);
  window.addEventListener("resize", resize);

  choice.hidden = false;
  reset();
  show();
})();

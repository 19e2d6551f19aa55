/* Live preview of the portal header while the brand kit's colours change.
   The text colour and any darkening/lightening follow branding/colours.py
   exactly, so the preview shows what the portal will paint. No inline script:
   this file is loaded through the admin's Media. */
(function () {
  "use strict";

  var WHITE = "#FFFFFF";
  var NEAR_BLACK = "#111111";
  var AA = 4.5;
  var HEX = /^#[0-9A-Fa-f]{6}$/;

  function parse(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function format(rgb) {
    return "#" + rgb.map(function (c) {
      return ("0" + c.toString(16).toUpperCase()).slice(-2);
    }).join("");
  }
  function channel(value) {
    var s = value / 255;
    return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  }
  function luminance(hex) {
    var c = parse(hex);
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function roundHalfEven(x) {  // Python's round()
    var r = Math.round(x);
    if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) { r -= 1; }
    return r;
  }
  function mix(hex, target, amount) {
    var c = parse(hex);
    return format(c.map(function (v, i) { return roundHalfEven(v + (target[i] - v) * amount); }));
  }
  function surface(hex) {
    hex = hex.toUpperCase();
    var text = contrast(hex, WHITE) >= contrast(hex, NEAR_BLACK) ? WHITE : NEAR_BLACK;
    if (contrast(hex, text) >= AA) { return { background: hex, text: text }; }
    for (var step = 1; step <= 100; step++) {
      var darker = mix(hex, [0, 0, 0], step / 100);
      if (contrast(darker, WHITE) >= AA) { return { background: darker, text: WHITE }; }
      var lighter = mix(hex, [255, 255, 255], step / 100);
      if (contrast(lighter, NEAR_BLACK) >= AA) { return { background: lighter, text: NEAR_BLACK }; }
    }
    return { background: "#000000", text: WHITE };
  }

  function init() {
    var preview = document.getElementById("brand-preview");
    if (!preview) { return; }
    var header = document.getElementById("brand-preview-header");
    var button = document.getElementById("brand-preview-button");
    var tab = document.getElementById("brand-preview-tab");
    var name = document.getElementById("brand-preview-name");
    var logo = document.getElementById("brand-preview-logo");
    var note = document.getElementById("brand-preview-contrast");
    var adjustedPrimary = document.getElementById("brand-preview-adjusted-primary");
    var adjustedAccent = document.getElementById("brand-preview-adjusted-accent");
    var primaryInput = document.getElementById("id_primary_colour");
    var accentInput = document.getElementById("id_accent_colour");
    var nameInput = document.getElementById("id_display_name");
    var logoInput = document.getElementById("id_new_logo");

    function value(input, fallback) {
      return input && HEX.test(input.value) ? input.value : fallback;
    }
    function explain(element, picked, painted) {
      if (picked.toUpperCase() === painted.background) {
        element.hidden = true;
        return;
      }
      element.textContent = preview.dataset.labelAdjusted.replace("%(colour)s", painted.background);
      element.hidden = false;
    }
    function update() {
      var primaryPick = value(primaryInput, preview.dataset.primary);
      var accentPick = value(accentInput, preview.dataset.accent);
      var primary = surface(primaryPick);
      var accent = surface(accentPick);
      header.style.backgroundColor = primary.background;
      header.style.color = primary.text;
      button.style.backgroundColor = primary.text;
      button.style.color = primary.background;
      tab.style.backgroundColor = accent.background;
      tab.style.color = accent.text;
      tab.style.borderColor = accent.background;
      note.textContent = preview.dataset.labelContrast.replace(
        "%(ratio)s", contrast(primary.background, primary.text).toFixed(1)
      );
      explain(adjustedPrimary, primaryPick, primary);
      explain(adjustedAccent, accentPick, accent);
      if (nameInput && nameInput.value.trim()) { name.textContent = nameInput.value; }
    }

    [primaryInput, accentInput, nameInput].forEach(function (input) {
      if (input) { input.addEventListener("input", update); }
    });
    if (logoInput) {
      logoInput.addEventListener("change", function () {
        var file = logoInput.files && logoInput.files[0];
        if (file && /^image\/(png|jpeg|webp)$/.test(file.type)) {
          logo.src = URL.createObjectURL(file);
          logo.hidden = false;
        }
      });
    }
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

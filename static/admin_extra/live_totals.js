"use strict";
// A document's line totals, VAT and total, worked out as its lines are typed.
// The same rules as the server (documents/totals.py): each line rounded half-up
// to the currency's minor unit, then each VAT rate's tax on the sum of its
// lines, rounded half-up. Exact decimal arithmetic on BigInt, no floats. The
// server stays the authority: it computes everything again on save.
// Loaded in the page's head (the admin's Media), so it starts once the page is read.
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("live-totals");
  if (!panel) {
    return;
  }
  const lang = document.documentElement.lang || "en";
  const currencyInput = document.getElementById("id_currency");
  const currencyText = document.querySelector(".field-currency .readonly");
  const deductions = JSON.parse(panel.dataset.deductions || "{}");

  function currency() {
    const code = (currencyInput ? currencyInput.value : currencyText ? currencyText.textContent : "")
      .trim()
      .toUpperCase();
    return /^[A-Z]{3}$/.test(code) ? code : "EUR";
  }

  function minorDigits(code) {
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency: code })
        .resolvedOptions().maximumFractionDigits;
    } catch (error) {
      return 2;
    }
  }

  // "12.50" → {units: 1250n, scale: 2}; null when not a plain decimal.
  function parse(text) {
    const match = /^\s*(\d+)(?:[.,](\d+))?\s*$/.exec(text || "");
    if (!match) {
      return null;
    }
    const decimals = match[2] || "";
    return { units: BigInt(match[1] + decimals), scale: decimals.length };
  }

  // units × 10^-scale rounded half-up to `digits` decimals (never negative).
  function round(units, scale, digits) {
    if (scale <= digits) {
      return units * 10n ** BigInt(digits - scale);
    }
    const divisor = 10n ** BigInt(scale - digits);
    const quotient = units / divisor;
    return (units % divisor) * 2n >= divisor ? quotient + 1n : quotient;
  }

  function format(units, digits, code) {
    const negative = units < 0n;
    const text = (negative ? -units : units).toString().padStart(digits + 1, "0");
    const plain = digits ? text.slice(0, -digits) + "." + text.slice(-digits) : text;
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format((negative ? "-" : "") + plain);
  }

  function field(row, name) {
    return row.querySelector(`[name$="-${name}"]`);
  }

  function update() {
    const code = currency();
    const digits = minorDigits(code);
    const bases = new Map(); // rate text → {rate, base}
    for (const row of document.querySelectorAll("#lines-group tr.form-row:not(.empty-form)")) {
      const cell = row.querySelector("td.field-line_total p, td.field-line_total");
      const quantity = parse(field(row, "quantity") && field(row, "quantity").value);
      const price = parse(field(row, "unit_price") && field(row, "unit_price").value);
      const rate = parse(field(row, "vat_rate") && field(row, "vat_rate").value);
      const deleted = field(row, "DELETE");
      if (!quantity || !price || !rate || (deleted && deleted.checked)) {
        if (cell) {
          cell.textContent = "—";
        }
        continue;
      }
      const amount = round(quantity.units * price.units, quantity.scale + price.scale, digits);
      if (cell) {
        cell.textContent = format(amount, digits, code);
      }
      const key = field(row, "vat_rate").value;
      const entry = bases.get(key) || { rate: rate, base: 0n };
      entry.base += amount;
      bases.set(key, entry);
    }
    let deducted = 0n;
    for (const [key, text] of Object.entries(deductions)) {
      const base = parse(text);
      if (!base) {
        continue;
      }
      const amount = round(base.units, base.scale, digits);
      const rate = parse(key);
      const entry = bases.get(key) || { rate: rate, base: 0n };
      entry.base -= amount;
      bases.set(key, entry);
      deducted += amount;
    }
    let excl = 0n;
    let tax = 0n;
    const rows = [];
    const rates = [...bases.values()].sort((a, b) =>
      Number(a.rate.units) / 10 ** a.rate.scale - Number(b.rate.units) / 10 ** b.rate.scale
    );
    for (const entry of rates) {
      // base × rate / 100: two more decimals on top of the rate's own.
      const sign = entry.base < 0n ? -1n : 1n;
      const rateTax = sign * round(sign * entry.base * entry.rate.units, digits + entry.rate.scale + 2, digits);
      excl += entry.base;
      tax += rateTax;
      const rate = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(
        rateText(entry.rate)
      );
      const label = panel.dataset.vatLabel.replace("{rate}", rate);
      rows.push([label, format(rateTax, digits, code)]);
    }
    render(rows, excl, deducted, excl + tax, digits, code);
  }

  function rateText(rate) {
    const text = rate.units.toString().padStart(rate.scale + 1, "0");
    const whole = rate.scale ? text.slice(0, -rate.scale) : text;
    const decimals = rate.scale ? text.slice(-rate.scale).replace(/0+$/, "") : "";
    return decimals ? `${whole}.${decimals}` : whole;
  }

  function render(rows, excl, deducted, total, digits, code) {
    // With deposits, the lines' total comes first, then the deposits taken
    // off and what remains: the VAT is on that remainder. Showing the net as
    // "Total excl. VAT" above a deposit row read as deducting it twice.
    document.getElementById("live-total-excl").textContent = format(excl + deducted, digits, code);
    document.getElementById("live-total").textContent = format(total, digits, code);
    const body = document.getElementById("live-totals-rows");
    for (const old of body.querySelectorAll(".live-vat-row")) {
      old.remove();
    }
    const totalRow = body.querySelector(".live-total-row");
    const extra = deducted
      ? [
          [panel.dataset.deductedLabel, format(-deducted, digits, code)],
          [panel.dataset.netLabel, format(excl, digits, code)],
        ]
      : [];
    for (const [label, amount] of [...extra, ...rows]) {
      const row = document.createElement("tr");
      row.className = "live-vat-row";
      const head = document.createElement("th");
      head.scope = "row";
      head.textContent = label;
      const cell = document.createElement("td");
      cell.textContent = amount;
      row.append(head, cell);
      body.insertBefore(row, totalRow);
    }
  }

  document.addEventListener("input", (event) => {
    if (event.target.closest("#lines-group") || event.target.id === "id_currency") {
      update();
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.closest("#lines-group")) {
      update();
    }
  });
  document.addEventListener("formset:added", update);
  document.addEventListener("formset:removed", update);
  update();
});

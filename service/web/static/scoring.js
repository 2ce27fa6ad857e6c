// Live total and grade band of a scored form, and the browser's own check of each score
// (0 to the item's maximum, one decimal at most). The server checks the same again.
(function () {
  "use strict";
  var script = document.currentScript;
  var grades = JSON.parse(script.dataset.grades);
  var errors = JSON.parse(script.dataset.errors);

  // Tenths as integers, so 14.5 + 9.1 is exact, as the server's decimals are.
  function tenths(text) {
    if (!/^\d+(\.\d)?$/.test(text.trim())) return null;
    return Math.round(parseFloat(text) * 10);
  }
  function band(total) {
    if (total >= 900) return "excellent";
    if (total >= 800) return "qualified";
    if (total >= 700) return "basically_qualified";
    return "unqualified";
  }
  function check(input) {
    var value = input.value.trim();
    var t = tenths(value), max = Math.round(parseFloat(input.dataset.max) * 10);
    var message = "";
    if (value === "" || (t === null && !/^\d+\.\d{2,}$/.test(value))) message = errors.number;
    else if (t === null) message = errors.decimal;
    else if (t > max) message = errors.range;
    input.setCustomValidity(message);
    input.setAttribute("aria-invalid", message ? "true" : "false");
    input.closest(".field").classList.toggle("invalid", !!message);
    document.getElementById(input.id + "-error").textContent = message;
    return message ? null : t;
  }
  function update(form, report) {
    var sum = 0, complete = true;
    form.querySelectorAll("input[data-max]").forEach(function (input) {
      var t = input.value.trim() === "" && !report ? null : check(input);
      if (t === null) complete = false; else sum += t;
    });
    var output = form.querySelector("[data-total]"), badge = form.querySelector("[data-grade]");
    output.textContent = complete ? (sum / 10).toString() : "—";
    badge.className = complete ? "badge grade-" + band(sum) : "badge";
    badge.textContent = complete ? grades[band(sum)] : "";
    return complete;
  }
  document.querySelectorAll("form[data-scored]").forEach(function (form) {
    form.addEventListener("input", function (event) {
      if (event.target.dataset.max) check(event.target);
      update(form, false);
    });
    form.addEventListener("submit", function (event) {
      if (!update(form, true)) {
        event.preventDefault();
        var bad = form.querySelector("[aria-invalid=true]");
        if (bad) bad.focus();
      }
    });
    update(form, false);
  });
})();

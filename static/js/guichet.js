// Small behaviours that work without inline scripts (strict Content-Security-Policy).
(function () {
  "use strict";
  // Focus the error summary after a failed submission, so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
  // Buttons that ask for confirmation: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Disable a form's submit buttons once submitted, so a double click sends it once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });
  // Show or hide blocks by a radio/checkbox/select value: data-show-when="name=value".
  function refreshConditional() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      var parts = block.getAttribute("data-show-when").split("=");
      var inputs = document.querySelectorAll("[name='" + parts[0] + "']");
      var value = "";
      inputs.forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox")) { if (input.checked) { value = input.value; } }
        else { value = input.value; }
      });
      var shown = parts[1].split("|").indexOf(value) !== -1;
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !shown; });
    });
  }
  // A suggested category at the one-stop desk: open a case in it in one click.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-choose-category]");
    if (!button) { return; }
    var form = button.closest("form");
    var opening = form && form.querySelector("input[name='outcome'][value='case']");
    var select = form && form.querySelector("select[name='category']");
    if (!opening || !select) { return; }
    opening.checked = true;
    refreshConditional();
    select.value = button.getAttribute("data-choose-category");
    select.focus();
  });
  document.addEventListener("change", refreshConditional);
  document.addEventListener("DOMContentLoaded", refreshConditional);
  document.addEventListener("htmx:afterSwap", refreshConditional);
})();

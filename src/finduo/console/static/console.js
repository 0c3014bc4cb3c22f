// finduo console: keyboard shortcuts for the resolve form. Everything works
// without this file; it only saves key presses.
(function () {
  "use strict";
  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  // Offer only the reason codes that fit the chosen action.
  function fitReasonCodes() {
    var form = document.getElementById("resolve-form");
    if (!form) { return; }
    var chosen = form.querySelector('input[name="action"]:checked');
    var outcome = chosen ? (chosen.value === "decline" ? "decline" : "approve") : null;
    var select = form.querySelector("#reason_code");
    Array.prototype.forEach.call(select.options, function (option) {
      var applies = option.getAttribute("data-applies");
      var fits = !outcome || !applies || applies === "any" || applies === outcome;
      option.disabled = !fits;
      option.hidden = !fits;
      if (!fits && option.selected) { select.value = ""; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "action") { fitReasonCodes(); }
  });
  // Single-key shortcuts can be switched off (WCAG 2.1.4); the choice is
  // remembered in this browser.
  var STORE_KEY = "finduo.shortcuts";
  function shortcutsOn() {
    try { return window.localStorage.getItem(STORE_KEY) !== "off"; } catch (e) { return true; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("shortcuts-toggle");
    if (!toggle) { return; }
    document.getElementById("shortcuts-label").hidden = false;
    toggle.checked = shortcutsOn();
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(STORE_KEY, toggle.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  });
  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("resolve-form");
    if (!form) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.reportValidity()) { form.requestSubmit(); }
      return;
    }
    if (!shortcutsOn()) { return; }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.toLowerCase();
    var radio = form.querySelector('input[data-key="' + key + '"]');
    if (radio) {
      event.preventDefault();
      radio.checked = true;
      radio.focus();
      fitReasonCodes();
      return;
    }
    if (key === "r") { event.preventDefault(); form.querySelector("#reason_code").focus(); }
    if (key === "c") { event.preventDefault(); form.querySelector("#comment").focus(); }
  });
})();

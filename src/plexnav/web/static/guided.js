/* Guided examination: answer from the keyboard.  Each button carries its key (data-key);
   pressing the key clicks the button, so the same form posts whether typed or tapped. */
(function () {
  "use strict";
  var form = document.getElementById("guided-form");
  if (!form) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) { return; }
    var key = (event.key || "").toLowerCase();
    if (!/^[0-9a-z]$/.test(key)) { return; }
    var control = document.querySelector('[data-key="' + key + '"]');
    if (!control || control.disabled) { return; }
    event.preventDefault();
    if (form.dataset.sent) { return; }  // one answer per page: no double submissions
    if (control.tagName === "BUTTON") { form.dataset.sent = "1"; }
    control.click();
  });
  form.addEventListener("submit", function () { form.dataset.sent = "1"; });
}());

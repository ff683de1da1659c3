// The kiosk's thank-you screen returns to the start by itself after a few seconds.
(function () {
  "use strict";
  var box = document.getElementById("kiosk-thanks");
  if (!box) return;
  var seconds = parseInt(box.getAttribute("data-reset-seconds"), 10) || 5;
  window.setTimeout(function () {
    window.location.assign(box.getAttribute("data-reset-url"));
  }, seconds * 1000);
})();

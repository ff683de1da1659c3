// The kiosk is a shared tablet: each screen finds its way back to the start by itself.
// - the thank-you and refusal screens go to their data-reset-url after data-reset-seconds;
// - the start screen, when left in a customer's own language or half filled, goes back to the
//   kiosk's language (data-idle-url) after data-idle-seconds without a touch.
(function () {
  "use strict";
  var box = document.querySelector("[data-reset-url]");
  if (box) {
    var seconds = parseInt(box.getAttribute("data-reset-seconds"), 10) || 5;
    window.setTimeout(function () {
      window.location.assign(box.getAttribute("data-reset-url"));
    }, seconds * 1000);
    return;
  }
  var start = document.getElementById("kiosk-start");
  if (!start) return;
  var idle = (parseInt(start.getAttribute("data-idle-seconds"), 10) || 60) * 1000;
  var touched = false;
  var timer = null;
  function away() {
    var other = start.getAttribute("data-language") !== start.getAttribute("data-kiosk-language");
    if (other || touched) window.location.assign(start.getAttribute("data-idle-url"));
  }
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(away, idle);
  }
  ["pointerdown", "keydown", "input", "change"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.type === "input" || event.type === "change") touched = true;
      restart();
    });
  });
  restart();
})();

// Live "time to breach": counts down every <time data-sla-countdown datetime="…"> each second,
// negative and red once the deadline has passed. The server renders the same value, so the page
// reads correctly without JavaScript; the server's clock (data-server-now) corrects the browser's.
(function () {
  "use strict";

  var table = document.querySelector("[data-server-now]");
  var skew = 0;
  if (table) {
    var serverNow = Date.parse(table.getAttribute("data-server-now"));
    if (!isNaN(serverNow)) {
      skew = serverNow - Date.now();
    }
  }

  function pad(value) {
    return value < 10 ? "0" + value : String(value);
  }

  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var rest = Math.abs(seconds);
    var hours = Math.floor(rest / 3600);
    var minutes = Math.floor((rest % 3600) / 60);
    return sign + hours + ":" + pad(minutes) + ":" + pad(rest % 60);
  }

  function tick() {
    var now = Date.now() + skew;
    var clocks = document.querySelectorAll("time[data-sla-countdown]");
    for (var i = 0; i < clocks.length; i++) {
      var due = Date.parse(clocks[i].getAttribute("datetime"));
      if (isNaN(due)) {
        continue;
      }
      var seconds = Math.floor((due - now) / 1000);
      clocks[i].textContent = format(seconds);
      clocks[i].classList.toggle("text-danger", seconds < 0);
      clocks[i].classList.toggle("fw-semibold", seconds < 0);
    }
  }

  tick();
  window.setInterval(tick, 1000);
})();

// Live "time to breach": rewrites every <time data-sla-countdown datetime="…"> each second in
// words ("2 h 05 min left", "overdue by 1 d 4 h"), red once the deadline has passed. The server
// renders the same words (sla/durations.py), so the page reads correctly without JavaScript;
// the server's clock (data-server-now) corrects the browser's.
//
// The translated words come from <div id="sla-countdown-words" data-words="{JSON}">:
// each unit for the sample numbers 1, 2, 5 and 0; a number takes the sample of its own plural
// category (Intl.PluralRules in the page's language), exactly as gettext chooses on the server.
(function () {
  "use strict";

  var wordsNode = document.getElementById("sla-countdown-words");
  if (!wordsNode) {
    return;
  }
  var words = JSON.parse(wordsNode.getAttribute("data-words"));
  var language = document.documentElement.lang || "en";
  var rules;
  try {
    rules = new Intl.PluralRules(language);
  } catch (error) {
    rules = new Intl.PluralRules("en");
  }
  var samples = [1, 2, 5, 0];

  var clockNode = document.querySelector("[data-server-now]");
  var skew = 0;
  if (clockNode) {
    var serverNow = Date.parse(clockNode.getAttribute("data-server-now"));
    if (!isNaN(serverNow)) {
      skew = serverNow - Date.now();
    }
  }

  function unit(name, count, shown) {
    var forms = words.units[name];
    var category = rules.select(count);
    for (var i = 0; i < samples.length; i++) {
      if (rules.select(samples[i]) === category) {
        return forms[String(samples[i])].replace("{n}", shown);
      }
    }
    return forms["5"].replace("{n}", shown);
  }

  function duration(seconds) {
    var rest = Math.floor(Math.abs(seconds));
    if (rest < 60) {
      return words.less_than_a_minute;
    }
    var days = Math.floor(rest / 86400);
    var hours = Math.floor((rest % 86400) / 3600);
    var minutes = Math.floor((rest % 3600) / 60);
    if (days) {
      return hours ? unit("d", days, String(days)) + " " + unit("h", hours, String(hours))
        : unit("d", days, String(days));
    }
    if (hours) {
      return unit("h", hours, String(hours)) + " " +
        unit("min", minutes, (minutes < 10 ? "0" : "") + minutes);
    }
    return unit("min", minutes, String(minutes));
  }

  function format(seconds) {
    return (seconds < 0 ? words.overdue : words.left).replace("{duration}", duration(seconds));
  }

  function tick() {
    var now = Date.now() + skew;
    var clocks = document.querySelectorAll("time[data-sla-countdown]");
    for (var i = 0; i < clocks.length; i++) {
      var due = Date.parse(clocks[i].getAttribute("datetime"));
      if (isNaN(due)) {
        continue;
      }
      // Towards zero, as the server rounds: 59 s overdue is "less than a minute", not "1 min".
      var seconds = (due - now) / 1000;
      seconds = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds);
      var text = format(seconds);
      if (clocks[i].textContent !== text) {
        clocks[i].textContent = text;
      }
      clocks[i].classList.toggle("text-danger", seconds < 0);
      clocks[i].classList.toggle("fw-semibold", seconds < 0);
    }
  }

  tick();
  window.setInterval(tick, 1000);
})();

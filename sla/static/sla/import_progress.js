// The import's progress bar: asks the job's JSON endpoint every second and updates the bar and
// the line under it (text rendered by the server, in the page's language). When the pass ends
// the page reloads to show the findings. Without script the page refreshes itself (noscript).
(function () {
  "use strict";

  var section = document.getElementById("import-progress");
  if (!section) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("import-bar");
  var text = document.getElementById("import-progress-text");
  var failures = 0;

  function update(data) {
    if (!data.running) {
      window.location.reload();
      return;
    }
    bar.max = data.max;
    bar.value = data.value;
    bar.textContent = data.percent + "%";
    text.textContent = data.text;
    window.setTimeout(poll, 1000);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        update(data);
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 1000);
})();

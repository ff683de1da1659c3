// The standard editor: live Markdown preview and "add a row" for the criteria and situations.
// The preview is rendered on the server by the same renderer and sanitiser as the published
// page, so what the manager sees is exactly what staff will read.
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  if (!form) {
    return;
  }

  // --- Live preview ----------------------------------------------------------------------------
  var DELAY_MS = 300;
  var source = form.querySelector("[data-preview-source]");
  var target = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  var url = form.getAttribute("data-preview-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var controller = null;
  var lastSent = source ? source.value : null;

  function refresh() {
    var text = source.value;
    if (text === lastSent) {
      return;
    }
    lastSent = text;
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    var body = new FormData();
    body.append("body_markdown", text);
    form.setAttribute("data-preview-state", "loading");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value, Accept: "application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        // Sanitised on the server (nh3 allow-list) by the function that renders stored bodies.
        target.innerHTML = data.html;
        status.textContent = "";
        form.setAttribute("data-preview-state", "ready");
      })
      .catch(function (error) {
        if (error.name === "AbortError") {
          return;
        }
        lastSent = null;
        status.textContent = status.getAttribute("data-error-text");
        form.setAttribute("data-preview-state", "error");
      });
  }

  if (source && target && url && token) {
    source.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  }

  // --- Add a row to a formset ------------------------------------------------------------------
  form.querySelectorAll("[data-add-form]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-form");
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var maximum = form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var container = document.getElementById(prefix + "-forms");
    if (!total || !template || !container) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maximum && index >= parseInt(maximum.value, 10)) {
        return;
      }
      container.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var added = container.lastElementChild;
      var first = added && added.querySelector("input, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();

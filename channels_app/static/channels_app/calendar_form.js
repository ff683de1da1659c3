// The business-calendar page: add and remove rows in place, copy a day to other days, and say
// when a row runs into the next day. A static file because the CSP allows no inline script.
// Without it the page is a plain formset with blank rows and a "Copy" that the server performs;
// the server also judges every row on saving, so nothing here is trusted.
(function () {
  "use strict";

  function formsetOf(container) {
    var prefix = container.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var initial = document.getElementById("id_" + prefix + "-INITIAL_FORMS");
    var body = container.querySelector("[data-formset-body]");
    var template = container.querySelector("template[data-formset-template]");
    var removeLabel = container.getAttribute("data-remove-label");

    function field(row, name) {
      return row.querySelector("[name$='-" + name + "']");
    }

    function isBlank(row) {
      return Array.prototype.every.call(
        row.querySelectorAll("input:not([type=checkbox]), select"),
        function (input) { return input.value === ""; }
      );
    }

    function liveRows() {
      return Array.prototype.filter.call(
        body.querySelectorAll("tr[data-formset-row]"),
        function (row) { return !row.hidden; }
      );
    }

    // The "Remove" checkbox becomes a button that ticks it and hides the row; rows the server
    // never saw are simply dropped (they are blank or copies, so nothing is lost).
    function enhanceRow(row) {
      var cell = row.querySelector("[data-formset-delete]");
      var checkbox = cell && cell.querySelector("input[type=checkbox]");
      if (!checkbox || cell.querySelector("button")) {
        return;
      }
      checkbox.classList.add("d-none");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn-close";
      button.setAttribute("aria-label", removeLabel);
      button.addEventListener("click", function () { remove(row); });
      cell.appendChild(button);
    }

    function remove(row) {
      var checkbox = row.querySelector("[data-formset-delete] input[type=checkbox]");
      if (checkbox) {
        checkbox.checked = true;
      }
      row.hidden = true;
      if (!liveRows().length) {
        add();
      }
    }

    function add(values) {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      enhanceRow(row);
      Object.keys(values || {}).forEach(function (name) {
        field(row, name).value = values[name];
      });
      row.dispatchEvent(new Event("input", { bubbles: true }));
      return row;
    }

    // Blank spare rows at the end are the no-script fallback; with a script, "Add" replaces them.
    var rows = body.querySelectorAll("tr[data-formset-row]");
    var keep = parseInt(initial.value, 10);
    for (var i = rows.length - 1; i >= keep && isBlank(rows[i]); i -= 1) {
      rows[i].remove();
      total.value = String(i);
    }
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-formset-row]"), enhanceRow);
    if (!liveRows().length) {
      add();
    }
    var addButton = container.querySelector("[data-formset-add]");
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var last = liveRows().pop();
      var weekday = last && field(last, "weekday");
      var row = add(weekday ? { weekday: weekday.value } : {});
      var first = row.querySelector("input, select");
      if (first) {
        first.focus();
      }
    });

    return { add: add, remove: remove, liveRows: liveRows, field: field };
  }

  function minutes(value) {
    var match = /^(\d{1,2}):(\d{2})$/.exec(value || "");
    return match ? parseInt(match[1], 10) * 60 + parseInt(match[2], 10) : null;
  }

  // Mirrors channels_app.weekhours.is_overnight: 00:00 as the end is midnight of the same day.
  function updateOvernight(row, hours) {
    var hint = row.querySelector("[data-overnight-hint]");
    if (!hint) {
      return;
    }
    var start = minutes(hours.field(row, "start").value);
    var end = minutes(hours.field(row, "end").value);
    var overnight = start !== null && end !== null && end > 0 && end < start;
    hint.classList.toggle("d-none", !overnight);
  }

  // Copies land at the end of the table; put the week back in order (day, then opening time),
  // blank rows last. Moving rows keeps their field names, so the formset does not notice.
  function sortRows(hours) {
    var keyed = hours.liveRows().map(function (row, position) {
      var day = hours.field(row, "weekday").value;
      var start = minutes(hours.field(row, "start").value);
      return { row: row, day: day === "" ? 7 : parseInt(day, 10), start: start, position: position };
    });
    keyed.sort(function (a, b) {
      return a.day - b.day || (a.start === null ? 1440 : a.start) - (b.start === null ? 1440 : b.start) ||
        a.position - b.position;
    });
    keyed.forEach(function (item) { item.row.parentNode.appendChild(item.row); });
  }

  function setUpCopy(hours) {
    var box = document.getElementById("copy-day");
    if (!box) {
      return;
    }
    var source = box.querySelector("select");
    var targets = box.querySelectorAll("input[type=checkbox]");
    var status = box.querySelector("[data-copy-status]");
    var weekdays = box.querySelector("[data-copy-weekdays]");

    function showStatus(text, ok) {
      status.textContent = text;
      status.classList.toggle("text-success", ok);
      status.classList.toggle("text-danger", !ok);
    }

    weekdays.hidden = false;
    weekdays.addEventListener("click", function () {
      Array.prototype.forEach.call(targets, function (box) {
        box.checked = parseInt(box.value, 10) <= 4 && box.value !== source.value;
      });
    });

    box.querySelector("[data-copy-submit]").addEventListener("click", function (event) {
      event.preventDefault();
      var from = source.value;
      var chosen = Array.prototype.filter
        .call(targets, function (box) { return box.checked && box.value !== from; })
        .map(function (box) { return box.value; });
      if (!chosen.length) {
        showStatus(box.getAttribute("data-no-targets"), false);
        return;
      }
      // Same rule as channels_app.weekhours.copy_day: the targets' rows are replaced.
      var copies = [];
      hours.liveRows().forEach(function (row) {
        var day = hours.field(row, "weekday").value;
        if (day === from) {
          copies.push({ start: hours.field(row, "start").value, end: hours.field(row, "end").value });
        } else if (chosen.indexOf(day) !== -1) {
          hours.remove(row);
        }
      });
      chosen.forEach(function (day) {
        copies.forEach(function (copy) {
          hours.add({ weekday: day, start: copy.start, end: copy.end });
        });
      });
      // remove() may have left one blank row behind on an emptied table; drop it if unneeded.
      hours.liveRows().forEach(function (row) {
        if (!hours.field(row, "weekday").value && hours.liveRows().length > 1) {
          hours.remove(row);
        }
      });
      sortRows(hours);
      Array.prototype.forEach.call(targets, function (box) { box.checked = false; });
      showStatus(box.getAttribute("data-copied"), true);
    });
  }

  var hours = null;
  document.querySelectorAll("[data-formset]").forEach(function (container) {
    var formset = formsetOf(container);
    if (container.getAttribute("data-formset") === "hours") {
      hours = formset;
    }
  });
  if (hours) {
    var body = document.querySelector("[data-formset=hours] [data-formset-body]");
    body.addEventListener("input", function (event) {
      var row = event.target.closest("tr[data-formset-row]");
      if (row) {
        updateOvernight(row, hours);
      }
    });
    body.addEventListener("change", function (event) {
      var row = event.target.closest("tr[data-formset-row]");
      if (row) {
        updateOvernight(row, hours);
      }
    });
    setUpCopy(hours);
  }
})();

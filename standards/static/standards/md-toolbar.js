// The standard editor's formatting toolbar: buttons that write the Markdown for the manager.
// Each button wraps the selection in the text area (or inserts a sample to type over):
// bold **…**, italic _…_, a "## " heading, "- " list items, a [link](https://…), a table.
// A second press on bold, italic, heading or list takes the marks away again.
// Keyboard: Tab reaches the toolbar once, arrow keys move along it (the ARIA toolbar pattern);
// Ctrl/Cmd+B and Ctrl/Cmd+I work in the text area. No inline script: the CSP forbids it.
(function () {
  "use strict";

  var bar = document.querySelector("[data-md-toolbar]");
  if (!bar) {
    return;
  }
  var area = document.getElementById(bar.getAttribute("aria-controls"));
  if (!area) {
    return;
  }
  var buttons = Array.prototype.slice.call(bar.querySelectorAll("button[data-md]"));
  var words = function (name) {
    return bar.getAttribute("data-text-" + name) || name;
  };

  // Replace [start, end) with text, select [selStart, selEnd) of the new text, and let the
  // preview know. execCommand keeps the browser's undo (Ctrl+Z) working; setRangeText is the
  // fallback where it is missing.
  function replace(start, end, text, selStart, selEnd) {
    area.focus();
    area.setSelectionRange(start, end);
    var done = false;
    try {
      done = document.execCommand && document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || area.value.substring(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    area.setSelectionRange(start + selStart, start + selEnd);
  }

  function wrap(mark, sample) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var value = area.value;
    var selected = value.substring(start, end);
    var n = mark.length;
    // Already wrapped (marks just outside or just inside the selection): unwrap.
    if (value.substring(start - n, start) === mark && value.substring(end, end + n) === mark) {
      replace(start - n, end + n, selected, 0, selected.length);
      return;
    }
    if (selected.length > 2 * n && selected.slice(0, n) === mark && selected.slice(-n) === mark) {
      var inner = selected.slice(n, -n);
      replace(start, end, inner, 0, inner.length);
      return;
    }
    // Spaces stay outside the marks: "**bold **" is not bold in Markdown.
    var lead = selected.match(/^\s*/)[0];
    var trail = selected.slice(lead.length).match(/\s*$/)[0];
    var core = selected.slice(lead.length, selected.length - trail.length) || sample;
    var text = lead + mark + core + mark + trail;
    replace(start, end, text, lead.length + n, lead.length + n + core.length);
  }

  // The whole lines the selection touches.
  function lines() {
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var stop = area.selectionEnd;
    if (stop > area.selectionStart && value.charAt(stop - 1) === "\n") {
      stop -= 1;
    }
    var end = value.indexOf("\n", stop);
    if (end === -1) {
      end = value.length;
    }
    return { start: start, end: end, text: value.substring(start, end) };
  }

  function prefix(mark, pattern, sample) {
    var block = lines();
    var rows = block.text.split("\n");
    var all = rows.every(function (row) {
      return row.trim() === "" || pattern.test(row);
    });
    var out = rows.map(function (row) {
      if (all) {
        return row.replace(pattern, "");
      }
      if (row.trim() === "" && rows.length > 1) {
        return row;
      }
      return mark + row.replace(/^#{1,6}\s+|^\s*[-*+]\s+/, "");
    });
    var text = out.join("\n");
    if (!all && block.text.trim() === "") {
      text = mark + sample;
      replace(block.start, block.end, text, mark.length, text.length);
      return;
    }
    replace(block.start, block.end, text, 0, text.length);
  }

  function link() {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var selected = area.value.substring(start, end).trim();
    var looksLikeUrl = /^(https?:\/\/|mailto:)\S+$/i.test(selected);
    var label = looksLikeUrl ? words("link") : selected || words("link");
    var url = looksLikeUrl ? selected : "https://";
    var text = "[" + label + "](" + url + ")";
    if (looksLikeUrl || !selected) {
      replace(start, end, text, 1, 1 + label.length); // type the words over the sample
    } else {
      replace(start, end, text, label.length + 3, label.length + 3 + url.length); // the address
    }
  }

  function table() {
    var value = area.value;
    var start = area.selectionEnd;
    var one = words("column") + " 1";
    var two = words("column") + " 2";
    var body =
      "| " + one + " | " + two + " |\n" +
      "| --- | --- |\n" +
      "|  |  |\n";
    // A table needs a blank line before and after it to be read as one.
    var before = start === 0 || value.substring(start - 2, start) === "\n\n" ? "" :
      value.charAt(start - 1) === "\n" ? "\n" : "\n\n";
    var after = value.charAt(start) === "" || value.charAt(start) === "\n" ? "" : "\n";
    var text = before + body + after;
    replace(start, start, text, before.length + 2, before.length + 2 + one.length);
  }

  var actions = {
    bold: function () { wrap("**", words("bold")); },
    italic: function () { wrap("_", words("italic")); },
    heading: function () { prefix("## ", /^#{1,6}\s+/, words("heading")); },
    list: function () { prefix("- ", /^\s*[-*+]\s+/, words("item")); },
    link: link,
    table: table,
  };

  // Roving tab index: one stop in the tab order, arrows inside.
  function focusButton(index) {
    buttons.forEach(function (button, i) {
      button.tabIndex = i === index ? 0 : -1;
    });
    buttons[index].focus();
  }

  buttons.forEach(function (button, index) {
    button.tabIndex = index === 0 ? 0 : -1;
    button.addEventListener("click", function () {
      var action = actions[button.getAttribute("data-md")];
      if (action) {
        action();
      }
    });
    button.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight") next = (index + 1) % buttons.length;
      if (event.key === "ArrowLeft") next = (index - 1 + buttons.length) % buttons.length;
      if (event.key === "Home") next = 0;
      if (event.key === "End") next = buttons.length - 1;
      if (next !== null) {
        event.preventDefault();
        focusButton(next);
      }
    });
  });

  area.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
      return;
    }
    var key = event.key.toLowerCase();
    if (key === "b" || key === "i") {
      event.preventDefault();
      actions[key === "b" ? "bold" : "italic"]();
    }
  });

  bar.hidden = false;
})();

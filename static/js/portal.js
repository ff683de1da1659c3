// Site-wide behaviour for every page of templates/base.html (a static file: the CSP allows no
// inline script).
//
// A wide table scrolls sideways inside its .table-responsive box on a narrow screen; keyboard
// users can only scroll it if the box can take focus (WCAG 2.1.1, axe's
// "scrollable-region-focusable"). Only boxes that really overflow get a tab stop, so a desktop
// keyboard user does not tab through boxes that have nothing to scroll.
(function () {
  "use strict";
  function markScrollable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markScrollable, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollable);
  } else {
    markScrollable();
  }
})();

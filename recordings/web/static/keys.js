// Totalrec's keyboard access outside the player (whose keys app.js has): a
// box that scrolls sideways takes the focus.
"use strict";

(function () {
  // A table wider than its box scrolls sideways inside it (on a phone): such a
  // box takes the focus, so that the arrow keys can scroll it.
  function initScrollers() {
    var boxes = document.querySelectorAll(".table-wrap, table.results.compact");
    if (!boxes.length) return;
    function mark() {
      Array.prototype.forEach.call(boxes, function (b) {
        var scrolls = b.scrollWidth > b.clientWidth + 1 && getComputedStyle(b).overflowX !== "visible";
        if (scrolls) b.setAttribute("tabindex", "0"); else b.removeAttribute("tabindex");
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initScrollers();
  });
})();

// Totalrec's keyboard access outside the player (whose keys app.js has): ?
// shows the help the layout holds (<dialog id="keys">); on the search page /
// goes to the number box, j and k select a result, and Enter plays it; a box
// that scrolls sideways takes the focus. A key typed into a box is the box's,
// never a shortcut.
"use strict";

(function () {
  // typing tells whether a key pressed now goes into a box.
  function typing(e) {
    var t = e.target;
    if (!t || !t.tagName) return false;
    var tag = t.tagName.toLowerCase();
    return tag === "input" || tag === "select" || tag === "textarea" || t.isContentEditable;
  }

  function initHelp() {
    var dialog = document.getElementById("keys");
    var open = document.getElementById("keys-open");
    if (!dialog || !open || typeof dialog.showModal !== "function") return;
    open.hidden = false;
    function toggle() {
      if (dialog.open) dialog.close(); else dialog.showModal();
    }
    open.addEventListener("click", toggle);
    // A click on the backdrop (outside the dialog's box) closes it.
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog) {
        var r = dialog.getBoundingClientRect();
        if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) dialog.close();
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
      e.preventDefault();
      toggle();
    });
  }

  // The selected result is the row j and k moved to: it is marked, scrolled
  // into view, and its play button (its time link, when it cannot be played)
  // takes the focus, so that Enter is that button's own click: app.js plays
  // the row under it, or the link opens the player.
  function initResults() {
    var table = document.getElementById("results");
    var number = document.getElementById("number");
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
      if (e.key === "/" && number) {
        e.preventDefault();
        number.focus();
        number.select();
        return;
      }
      if (!table || (e.key !== "j" && e.key !== "k")) return;
      if (document.querySelector("dialog[open]")) return;
      var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-id]"));
      if (!rows.length) return;
      e.preventDefault();
      var cur = table.querySelector("tbody tr.selected");
      var i = rows.indexOf(cur);
      if (i < 0) i = e.key === "j" ? 0 : rows.length - 1;
      else i = Math.max(0, Math.min(rows.length - 1, i + (e.key === "j" ? 1 : -1)));
      if (cur) {
        cur.classList.remove("selected");
        cur.removeAttribute("aria-current");
      }
      var row = rows[i];
      row.classList.add("selected");
      row.setAttribute("aria-current", "true");
      var target = row.querySelector("a.play") || row.querySelector("td.time a");
      if (target) target.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    });
  }

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
    initHelp();
    initResults();
    initScrollers();
  });
})();

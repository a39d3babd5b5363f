// Totalrec's page script: clickable result rows, and the player (controls,
// keyboard shortcuts, waveform). Plain JavaScript, no dependencies. The pages
// work without it, with the browser's own audio controls.
// Every URL it uses comes from the page; the one it builds starts with the base
// path the server is under (<body data-base>, "" at the root, "/totalrec"
// behind FreePBX's Apache).
"use strict";

(function () {
  function base() {
    return document.body.getAttribute("data-base") || "";
  }

  // el makes an element with the properties props.
  function el(tag, props) {
    var e = document.createElement(tag);
    Object.keys(props).forEach(function (k) { e[k] = props[k]; });
    return e;
  }

  function fmt(t) {
    if (!isFinite(t) || t < 0) t = 0;
    t = Math.floor(t);
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h > 0) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  // Search results: a click anywhere on a row opens the recording; its play
  // button plays it in a player under the row, one row at a time.
  function initResults() {
    var table = document.getElementById("results");
    if (!table) return;
    var mini = null;
    function mark(link, playing) {
      link.textContent = playing ? "❚❚" : "▶";
      link.setAttribute("aria-label", table.getAttribute(playing ? "data-pause" : "data-play"));
      link.closest("tr").classList.toggle("playing", playing);
    }
    function playInline(link) {
      if (mini && mini.link === link) {
        if (mini.audio.paused) mini.audio.play(); else mini.audio.pause();
        return;
      }
      if (mini) {
        mini.audio.pause();
        mini.audio.removeAttribute("src");
        mini.row.remove();
        mark(mini.link, false);
      }
      var tr = link.closest("tr");
      var row = el("tr", { className: "mini" });
      var td = el("td", { colSpan: tr.children.length });
      var audio = el("audio", { controls: true, preload: "auto", src: link.getAttribute("data-audio") });
      var wrap = el("div", { className: "mini-wrap" });
      wrap.appendChild(audio);
      wrap.appendChild(el("a", { href: link.href, className: "button small", textContent: table.getAttribute("data-open") }));
      td.appendChild(wrap);
      row.appendChild(td);
      tr.parentNode.insertBefore(row, tr.nextSibling);
      mini = { row: row, audio: audio, link: link };
      audio.addEventListener("play", function () { mark(link, true); });
      audio.addEventListener("pause", function () { mark(link, false); });
      // What the browser cannot play, the player page explains.
      audio.addEventListener("error", function () { if (audio.getAttribute("src")) window.location.href = link.href; });
      audio.play().catch(function () { /* autoplay refused: the controls are there */ });
    }
    table.addEventListener("click", function (e) {
      var play = e.target.closest("a.play[data-audio]");
      if (play) {
        e.preventDefault();
        playInline(play);
        return;
      }
      if (e.target.closest("a, button, input, select, audio")) return;
      var tr = e.target.closest("tr[data-href]");
      if (tr) window.location.href = tr.getAttribute("data-href");
    });
  }

  // The search form puts only the filters that are set in the URL, so that a
  // link to a search is short enough to read; a quick range (Yesterday…) keeps
  // every other filter, typed but not yet searched for included. Without the
  // script the form and the quick ranges' links still work, with longer URLs.
  function initSearchForm() {
    var form = document.getElementById("search-form");
    if (!form) return;
    function params() {
      var q = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || el.name === "hide_empty") return;
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        var v = (el.value || "").trim();
        if (v !== "") q.append(el.name, v);
      });
      // Empty recordings are hidden unless the URL says hide_empty=0.
      var hide = form.querySelector('input[type="checkbox"][name="hide_empty"]');
      if (hide && !hide.checked) q.set("hide_empty", "0");
      return q;
    }
    function go(q) {
      var s = q.toString().replace(/%3A/gi, ":").replace(/%2C/gi, ",");
      window.location.assign(form.getAttribute("action") + (s ? "?" + s : ""));
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      go(params());
    });
    Array.prototype.forEach.call(form.querySelectorAll(".presets a"), function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        var preset = new URL(a.href).searchParams, q = params();
        ["since", "until"].forEach(function (k) {
          q.delete(k);
          if (preset.get(k)) q.set(k, preset.get(k));
        });
        go(q);
      });
    });
  }

  // The back link goes back in history when the search is where we came from,
  // so that the search keeps its page and scroll position.
  function initBack() {
    var back = document.getElementById("back");
    if (!back || !document.referrer) return;
    try {
      var ref = new URL(document.referrer);
      if (ref.origin === window.location.origin && ref.pathname === base() + "/") {
        back.href = ref.pathname + ref.search;
        back.addEventListener("click", function (e) {
          e.preventDefault();
          history.back();
        });
      }
    } catch (err) { /* an unparsable referrer: keep the plain link */ }
  }

  function initPlayer() {
    var box = document.getElementById("player");
    var audio = document.getElementById("audio");
    if (!box || !audio) return;
    var controls = document.getElementById("controls");
    var play = document.getElementById("play");
    var pos = document.getElementById("pos");
    var dur = document.getElementById("dur");
    var speed = document.getElementById("speed");
    var canvas = document.getElementById("wave");
    var status = document.getElementById("wave-status");
    var peaks = null, rms = null, peakMax = 32767, legs = [], pauses = [];
    try {
      legs = JSON.parse(box.getAttribute("data-legs") || "[]") || [];
    } catch (err) { legs = []; }
    try {
      pauses = JSON.parse(box.getAttribute("data-pauses") || "[]") || [];
    } catch (err) { pauses = []; }
    var fallbackDuration = parseFloat(box.getAttribute("data-duration")) || 0;

    audio.controls = false;
    audio.classList.add("custom");
    controls.hidden = false;

    function duration() {
      return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : fallbackDuration;
    }
    function seek(t) {
      var d = duration();
      audio.currentTime = Math.max(0, d ? Math.min(t, d) : t);
      draw();
    }
    function toggle() {
      if (audio.paused) audio.play(); else audio.pause();
    }
    function setSpeed(v) {
      audio.playbackRate = v;
      speed.value = String(v);
    }
    function stepSpeed(dir) {
      var opts = Array.prototype.map.call(speed.options, function (o) { return parseFloat(o.value); });
      var i = opts.indexOf(audio.playbackRate);
      if (i < 0) i = opts.indexOf(1);
      i = Math.max(0, Math.min(opts.length - 1, i + dir));
      setSpeed(opts[i]);
    }
    function updateButton() {
      play.innerHTML = audio.paused ? '<span class="icon-play">▶</span>' : "❚❚";
      play.setAttribute("aria-label", play.getAttribute(audio.paused ? "data-play" : "data-pause"));
    }

    play.addEventListener("click", toggle);
    document.getElementById("back10").addEventListener("click", function () { seek(audio.currentTime - 10); });
    document.getElementById("fwd10").addEventListener("click", function () { seek(audio.currentTime + 10); });
    speed.addEventListener("change", function () { setSpeed(parseFloat(speed.value)); });
    audio.addEventListener("play", function () { updateButton(); tick(); });
    audio.addEventListener("pause", updateButton);
    audio.addEventListener("ended", updateButton);
    audio.addEventListener("timeupdate", function () { pos.textContent = fmt(audio.currentTime); draw(); });
    // The clock's length is the header's (the catalogue's, cut to whole seconds
    // like every time here); the browser's own figure only when there is none.
    audio.addEventListener("loadedmetadata", function () { dur.textContent = fmt(fallbackDuration || duration()); draw(); });
    audio.addEventListener("ratechange", function () { speed.value = String(audio.playbackRate); });

    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var tag = (e.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea") return;
      if (e.key === " " || e.key === "k") {
        if (tag === "button" || tag === "a") return; // let a focused control act
        e.preventDefault();
        toggle();
      } else if (e.key === "ArrowLeft") {
        e.preventDefault();
        seek(audio.currentTime - 10);
      } else if (e.key === "ArrowRight") {
        e.preventDefault();
        seek(audio.currentTime + 10);
      } else if (e.key === "[") {
        stepSpeed(-1);
      } else if (e.key === "]") {
        stepSpeed(1);
      }
    });

    // Waveform: for each bar the loudness (RMS) of its stretch of audio, with
    // its peak as a thin line over it, both in decibels from -60 dB to full
    // scale: speech, silence and hold music differ at a glance, which a linear
    // scale flattens. The played part is blue; an amber line marks where each
    // CDR leg starts.
    function level(v) {
      if (!(v > 0)) return 0;
      var db = 20 * Math.log(v / peakMax) / Math.LN10;
      return Math.max(0, Math.min(1, (db + 60) / 60));
    }
    function draw() {
      if (!canvas) return;
      var ratio = window.devicePixelRatio || 1;
      var w = Math.max(1, Math.floor(canvas.clientWidth * ratio));
      var h = Math.max(1, Math.floor(canvas.clientHeight * ratio));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, w, h);
      var d = duration();
      var played = d ? audio.currentTime / d : 0;
      var bar = Math.max(2, Math.round(3 * ratio)), gap = Math.max(1, Math.round(ratio));
      var n = Math.floor(w / (bar + gap));
      var mid = h / 2, room = h - 8 * ratio, line = Math.max(1, Math.round(ratio));
      for (var i = 0; i < n; i++) {
        var loud = 0.02, high = 0;
        if (peaks && peaks.length) {
          var a = Math.floor(i * peaks.length / n), b = Math.max(a + 1, Math.floor((i + 1) * peaks.length / n));
          var m = 0, sq = 0, k = 0;
          for (var j = a; j < b && j < peaks.length; j++) {
            if (peaks[j] > m) m = peaks[j];
            var r = rms ? rms[j] : peaks[j] / 2;
            sq += r * r;
            k++;
          }
          loud = Math.max(0.02, level(Math.sqrt(sq / Math.max(1, k))));
          high = level(m);
        }
        var x = i * (bar + gap);
        var on = (i + 0.5) / n <= played;
        var bh = Math.max(ratio, loud * room);
        ctx.fillStyle = on ? "#4c8dff" : "#64748b";
        ctx.fillRect(x, mid - bh / 2, bar, bh);
        if (high > loud) {
          var ph = high * room;
          ctx.fillStyle = on ? "rgba(191, 219, 254, 0.75)" : "rgba(203, 213, 225, 0.55)";
          ctx.fillRect(x + Math.floor((bar - line) / 2), mid - ph / 2, line, ph);
        }
      }
      var marks = 0;
      if (d) {
        // Pauses for sensitive data: the recording holds silence there.
        ctx.fillStyle = "rgba(220, 38, 38, 0.22)";
        pauses.forEach(function (p) {
          if (!(p.to > p.from)) return;
          var px = Math.round(p.from / d * w);
          ctx.fillRect(px, 0, Math.max(2, Math.round((p.to - p.from) / d * w)), h);
        });
        canvas.setAttribute("data-pauses", String(pauses.length));
        ctx.fillStyle = "#f59e0b";
        legs.forEach(function (leg) {
          if (!(leg.at >= 0) || leg.at > d) return;
          var lx = Math.min(w - 2 * ratio, Math.round(leg.at / d * w));
          ctx.fillRect(lx, 0, Math.max(2, Math.round(2 * ratio)), h);
          ctx.beginPath();
          ctx.moveTo(lx, 0);
          ctx.lineTo(lx + 7 * ratio, 0);
          ctx.lineTo(lx, 7 * ratio);
          ctx.fill();
          marks++;
        });
        ctx.fillStyle = "#f8fafc";
        ctx.fillRect(Math.round(played * w), 0, Math.max(1, Math.round(ratio)), h);
      }
      canvas.setAttribute("data-marks", String(marks));
    }
    var ticking = false;
    function tick() {
      if (ticking) return;
      ticking = true;
      (function frame() {
        draw();
        if (!audio.paused) window.requestAnimationFrame(frame); else ticking = false;
      })();
    }
    if (canvas) {
      var dragging = false;
      var seekTo = function (e) {
        var r = canvas.getBoundingClientRect();
        var f = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
        seek(f * duration());
      };
      canvas.addEventListener("pointerdown", function (e) { dragging = true; seekTo(e); });
      canvas.addEventListener("pointermove", function (e) { if (dragging) seekTo(e); });
      window.addEventListener("pointerup", function () { dragging = false; });
      window.addEventListener("resize", draw);
      draw();
      var url = box.getAttribute("data-waveform");
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (w) {
        peaks = w.peaks;
        rms = w.rms && w.rms.length === w.peaks.length ? w.rms : null;
        peakMax = w.max || 32767;
        if (!fallbackDuration) fallbackDuration = w.duration;
        status.textContent = "";
        box.setAttribute("data-waveform-ready", "1");
        draw();
      }).catch(function () {
        status.textContent = status.getAttribute("data-failed") || "—";
      });
    }
    updateButton();
  }

  // Live calls: the signed-in user's answered calls, refreshed every few
  // seconds, each with a button that pauses or resumes its recording.
  function initLive() {
    var box = document.getElementById("live-calls");
    if (!box) return;
    var list = document.getElementById("live-list");
    function render(calls) {
      list.textContent = "";
      box.hidden = calls.length === 0;
      calls.forEach(function (c) {
        var li = el("li", {});
        li.setAttribute("data-channel", c.channel);
        li.appendChild(document.createTextNode(c.number + " ↔ " + (c.peer || "—") + " "));
        if (c.paused) {
          li.appendChild(el("span", { className: "paused", textContent: box.getAttribute("data-label-paused") }));
          li.appendChild(document.createTextNode(" "));
        }
        var b = el("button", { type: "button", className: "small" + (c.paused ? "" : " danger"),
          textContent: box.getAttribute(c.paused ? "data-label-resume" : "data-label-pause") });
        b.addEventListener("click", function () {
          var body = new FormData();
          body.append("channel", c.channel);
          body.append("state", c.paused ? "off" : "on");
          b.disabled = true;
          fetch(box.getAttribute("data-pause"), { method: "POST", body: body, credentials: "same-origin",
            headers: { "X-CSRF-Token": box.getAttribute("data-csrf"), "Accept": "application/json" } })
            .then(refresh, refresh);
        });
        li.appendChild(b);
        list.appendChild(li);
      });
    }
    function refresh() {
      fetch(box.getAttribute("data-calls"), { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (d) { render(d.calls || []); }, function () { render([]); });
    }
    refresh();
    window.setInterval(refresh, 5000);
  }

  // Share links: made and revoked without leaving the page, so that a playing
  // recording plays on; each has a Copy button.
  function initShares() {
    var list = document.getElementById("share-list"), form = document.getElementById("share-form");
    if (!list || !form) return;
    var none = document.getElementById("share-none");
    function post(f) {
      return fetch(f.action, { method: "POST", body: new FormData(f), credentials: "same-origin",
        headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r;
      });
    }
    function copy(btn) {
      var input = btn.parentNode.querySelector(".share-url");
      var done = function () {
        btn.textContent = list.getAttribute("data-copied");
        setTimeout(function () { btn.textContent = list.getAttribute("data-copy"); }, 2000);
      };
      var fallback = function () { input.select(); if (document.execCommand("copy")) done(); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, fallback);
      else fallback();
    }
    function add(sh) {
      var li = el("li", {});
      li.dataset.share = sh.id;
      var rf = el("form", { method: "post", action: sh.revoke, className: "inline" });
      rf.appendChild(el("input", { type: "hidden", name: "csrf", value: list.getAttribute("data-csrf") }));
      rf.appendChild(el("button", { type: "submit", className: "small ghost", textContent: list.getAttribute("data-revoke") }));
      [
        el("input", { type: "text", readOnly: true, className: "share-url", size: 60, value: sh.url, ariaLabel: list.getAttribute("data-url") }),
        el("button", { type: "button", className: "small copy", textContent: list.getAttribute("data-copy") }),
        el("span", { className: "muted", textContent: sh.expires + " · " + sh.creator }),
        rf
      ].forEach(function (n) { li.appendChild(n); li.appendChild(document.createTextNode(" ")); });
      list.appendChild(li);
      none.hidden = true;
    }
    Array.prototype.forEach.call(list.querySelectorAll("button.copy"), function (b) { b.hidden = false; });
    list.addEventListener("click", function (e) {
      var b = e.target.closest("button.copy");
      if (b) copy(b);
    });
    list.addEventListener("submit", function (e) {
      e.preventDefault();
      var li = e.target.closest("li");
      post(e.target).then(function () {
        li.remove();
        none.hidden = list.children.length > 0;
      }).catch(function () { e.target.submit(); });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      post(form).then(function (r) { return r.json(); }).then(add).catch(function () { form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initShares();
    initLive();
    initResults();
    initSearchForm();
    initBack();
    initPlayer();
  });
})();

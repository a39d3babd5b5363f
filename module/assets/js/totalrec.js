// Totalrec's FreePBX module: warns when this browser cannot reach Totalrec's UI,
// which would leave the Call Recordings page blank. FreePBX loads every file of
// the module's assets/js on its pages; views/reach.php renders the hidden
// warning with the URL to try (<UI>/healthz) and the reasons in the admin's
// language. Plain JavaScript, no inline script.
(function () {
	"use strict";
	if (window.totalrecReachChecked) {
		return;
	}
	window.totalrecReachChecked = true;

	function check() {
		var box = document.getElementById("totalrec-reach");
		if (!box || !window.fetch) {
			return;
		}
		var why = box.querySelector(".totalrec-reach-why");
		var target, same, timer, ctl = null;
		try {
			target = new URL(box.getAttribute("data-url"), window.location.href);
		} catch (e) {
			return;
		}
		same = target.origin === window.location.origin;
		function fail(reason) {
			clearTimeout(timer);
			if (why) {
				why.textContent = reason;
			}
			box.removeAttribute("hidden");
			box.style.display = "block";
		}
		var opts = { credentials: "omit", cache: "no-store", redirect: "follow" };
		if (window.AbortController) {
			ctl = new AbortController();
			opts.signal = ctl.signal;
		}
		// Another origin (daemon_url) answers without CORS headers: the answer
		// cannot be read, but a refused, blocked or timed-out request still fails.
		if (!same) {
			opts.mode = "no-cors";
		}
		timer = setTimeout(function () {
			if (ctl) {
				ctl.abort();
			}
		}, 10000);
		fetch(target.href, opts).then(function (r) {
			clearTimeout(timer);
			if (!same) {
				return;
			}
			// 503 is Totalrec answering that its catalogue is down: reachable.
			if (r.status !== 200 && r.status !== 503) {
				fail((box.getAttribute("data-status") || "HTTP %s").replace("%s", String(r.status)));
			} else if ((r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
				fail(box.getAttribute("data-foreign") || "not Totalrec");
			}
		}, function (err) {
			fail(err && err.name === "AbortError" ? box.getAttribute("data-timeout") || "timeout" : box.getAttribute("data-blocked") || "no connection");
		});
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", check);
	} else {
		check();
	}
})();

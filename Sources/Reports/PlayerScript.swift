/// The call page's script, one for both places a call page lives: served by the workspace
/// (`/static/callqa.js`) and written beside the call pages of a static report folder
/// (`callqa-report.js`). Loaded from a file, never inline, so a CSP without inline scripts
/// holds; it works from `file://` too (no fetch, no storage).
///
/// What it does, each part only where the page has the element: playback speed; the
/// channel switch (workspace: the server decodes one channel, the position is kept); the
/// timeline's playhead that follows playback and a click that seeks; a start second from
/// the player's `data-start` (workspace `?t=`) or the address's `#t=SECONDS` (static
/// pages), also when the hash changes; the transcript's words lit while they are said (a
/// click on a word plays from it); evidence links to the same page (`?t=` or `#t=`)
/// seek in place rather than reload.
public enum PlayerScript {
    public static let source = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var audio = document.getElementById("player");
          if (!audio) { return; }
          var select = document.getElementById("channel");
          var speed = document.getElementById("speed");
          var svg = document.getElementById("timeline");
          function seek(t, play) {
            var go = function () {
              audio.currentTime = t;
              if (play) { var p = audio.play(); if (p && p.catch) { p.catch(function () {}); } }
            };
            if (audio.readyState >= 1) { go(); } else {
              audio.addEventListener("loadedmetadata", function once() { audio.removeEventListener("loadedmetadata", once); go(); });
            }
          }
          var start = parseFloat(audio.getAttribute("data-start"));
          if (isFinite(start) && start >= 0) { seek(start, false); }
          // Static pages: `call-….html#t=12.5` starts there (and plays where the browser allows it).
          function hashSecond(hash) {
            var m = /^#t=([0-9]+(?:[.][0-9]+)?)$/.exec(hash || "");
            return m ? parseFloat(m[1]) : NaN;
          }
          var fromHash = hashSecond(window.location.hash);
          if (isFinite(fromHash)) { seek(fromHash, true); }
          window.addEventListener("hashchange", function () {
            var t = hashSecond(window.location.hash);
            if (isFinite(t)) { seek(t, true); }
          });
          if (select) {
            select.addEventListener("change", function () {
              var at = audio.currentTime, playing = !audio.paused, rate = audio.playbackRate;
              var base = audio.getAttribute("data-src");
              audio.src = base + "?channel=" + encodeURIComponent(select.value);
              audio.addEventListener("loadedmetadata", function once() {
                audio.removeEventListener("loadedmetadata", once);
                audio.currentTime = at;
                audio.playbackRate = rate;
                if (playing) { audio.play(); }
              });
            });
          }
          if (speed) {
            speed.addEventListener("change", function () { audio.playbackRate = parseFloat(speed.value) || 1; });
          }
          if (svg) {
            var duration = parseFloat(svg.getAttribute("data-duration"));
            var left = parseFloat(svg.getAttribute("data-left"));
            var width = parseFloat(svg.getAttribute("data-plot-width"));
            var top = parseFloat(svg.getAttribute("data-top"));
            var bottom = parseFloat(svg.getAttribute("data-bottom"));
            var ns = "http://www.w3.org/2000/svg";
            var head = document.createElementNS(ns, "line");
            head.setAttribute("class", "playhead");
            head.setAttribute("stroke", "#b3261e");
            head.setAttribute("stroke-width", "2");
            head.setAttribute("y1", String(top));
            head.setAttribute("y2", String(bottom));
            svg.appendChild(head);
            svg.style.cursor = "pointer";
            var place = function () {
              var t = Math.max(0, Math.min(duration, audio.currentTime || 0));
              var x = left + width * t / duration;
              head.setAttribute("x1", String(x));
              head.setAttribute("x2", String(x));
            };
            place();
            audio.addEventListener("timeupdate", place);
            audio.addEventListener("seeked", place);
            svg.addEventListener("click", function (ev) {
              var box = svg.getBoundingClientRect();
              var vb = svg.viewBox.baseVal;
              var x = (ev.clientX - box.left) * vb.width / box.width;
              var t = (x - left) / width * duration;
              if (t < 0 || t > duration) { return; }
              seek(t, !audio.paused);
              place();
            });
          }
          // The transcript: the words being said light up; a click on a word plays from it.
          var words = Array.prototype.slice.call(document.querySelectorAll("#transcript span.w"));
          if (words.length) {
            var box = document.querySelector("#transcript ol.turns");
            var spans = words.map(function (w) {
              return [parseFloat(w.getAttribute("data-s")), parseFloat(w.getAttribute("data-e"))];
            });
            var lit = [];
            var light = function () {
              var t = audio.currentTime || 0;
              lit.forEach(function (w) { w.classList.remove("now"); });
              lit = [];
              for (var i = 0; i < words.length; i++) {
                if (spans[i][0] <= t && t < spans[i][1] + 0.05) { words[i].classList.add("now"); lit.push(words[i]); }
              }
              if (lit.length && box) {
                var y = lit[0].offsetTop;
                if (y < box.scrollTop || y > box.scrollTop + box.clientHeight - 24) { box.scrollTop = Math.max(0, y - box.clientHeight / 3); }
              }
            };
            audio.addEventListener("timeupdate", light);
            audio.addEventListener("seeked", light);
            words.forEach(function (w, i) {
              w.addEventListener("click", function () { seek(spans[i][0], true); });
            });
          }
          // Evidence of this call: seek in place rather than reload the page.
          var here = window.location.pathname;
          document.querySelectorAll("a[href*='?t='], a[href*='#t=']").forEach(function (a) {
            var url = new URL(a.href, window.location.href);
            if (url.pathname !== here) { return; }
            a.addEventListener("click", function (ev) {
              var t = parseFloat(url.searchParams.get("t"));
              if (!isFinite(t)) { t = hashSecond(url.hash); }
              if (!isFinite(t)) { return; }
              ev.preventDefault();
              seek(t, true);
              audio.scrollIntoView({block: "center"});
            });
          });
        });
        """
}

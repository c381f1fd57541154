/// The stylesheet and script of the workspace, compiled into the binary: the pages load
/// nothing from anywhere else, and the CSP allows scripts from `'self'` only.
enum StaticAssets {
    struct Asset: Sendable {
        let contentType: String
        let body: String
    }

    /// `/static/NAME` → asset.
    static let files: [String: Asset] = [
        "callqa.css": Asset(contentType: "text/css; charset=utf-8", body: css),
        "callqa.js": Asset(contentType: "text/javascript; charset=utf-8", body: js),
        "favicon.svg": Asset(contentType: "image/svg+xml", body: icon),
    ]

    /// Two bars, agent and customer.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f5fbf"/>\
        <rect x="3" y="4" width="7" height="3" fill="#fff"/><rect x="6" y="9" width="7" height="3" fill="#cfe0fa"/></svg>
        """

    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d8dde6; --accent: #1f5fbf; --bad: #b3261e; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; letter-spacing: .02em; }
        header.top nav { display: flex; gap: 1rem; flex: 1; }
        header.top a { color: var(--accent); text-decoration: none; }
        header.top .who { color: var(--muted); }
        main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.2rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
        form.login { max-width: 22rem; margin: 4rem auto; }
        label { display: block; margin: .6rem 0 .2rem; color: var(--muted); }
        input[type=text], input[type=password] { width: 100%; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        button { margin-top: .9rem; padding: .45rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
        button.link { background: none; color: var(--accent); padding: 0; margin: 0; }
        .error { color: var(--bad); }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        #audit td:first-child, #users td:nth-child(6), #users td:nth-child(7) { white-space: nowrap; }
        audio { width: 100%; margin-top: .6rem; }
        .muted { color: var(--muted); }
        main { max-width: 90rem; }
        h2.section { font-size: 1.1rem; margin: 0 0 .5rem; }
        section.card h2 { font-size: 1rem; margin: .8rem 0 .3rem; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .row { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: flex-end; }
        .row label, label.check, label.choice { display: inline-block; margin: .3rem 0; }
        .row input[type=text] { width: auto; }
        form.filters button, form.period button { margin-top: 0; }
        .period-label { margin: 0 0 .4rem; }
        .call-grid { display: grid; grid-template-columns: minmax(0, 1fr) 24rem; gap: 1rem; align-items: start; }
        .call-grid .main { min-width: 0; }
        .call-grid.single { grid-template-columns: minmax(0, 1fr); }
        @media (max-width: 70rem) { .call-grid { grid-template-columns: minmax(0, 1fr); } }
        svg.timeline { width: 100%; height: auto; cursor: pointer; }
        svg.timeline .playhead { stroke: #b3261e; stroke-width: 2; }
        .notice.ok { border-color: #2e9e5b; background: #eef8f1; }
        .notice.error { border-color: var(--bad); background: #fbeeee; }
        fieldset.criterion { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; padding: .3rem .6rem .5rem; }
        fieldset.criterion legend { font-weight: 600; }
        fieldset.criterion input[type=text] { margin-top: .3rem; }
        label.choice { margin-right: .6rem; color: var(--ink); }
        form.inline { display: inline; }
        form.inline button { margin: 0; padding: .2rem .6rem; }
        tr.detail td { border-bottom: 1px solid var(--line); font-size: .9em; }
        table { margin-bottom: .6rem; }
        .scroll { overflow-x: auto; }
        #calls { font-size: .9em; }
        #calls td:nth-child(2) { white-space: nowrap; }
        tr.said td { color: var(--muted); }
        mark { background: #fff1a8; color: var(--ink); }
        input[type=search] { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        ol.turns { position: relative; list-style: none; padding: 0; margin: .4rem 0; max-height: 26rem; overflow-y: auto; }
        ol.turns li { margin: .2rem 0; padding: .15rem .5rem; border-left: 3px solid #5b8def; }
        ol.turns li.customer { border-left-color: #e8833a; }
        ol.turns li.mixed { border-left-color: var(--muted); }
        ol.turns .t { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .3rem; }
        ol.turns .who { color: var(--muted); font-size: .85em; margin-right: .3rem; }
        span.w { cursor: pointer; border-radius: 3px; }
        span.w.now { background: #ffe27a; }
        span.w.redacted { background: #eceff3; color: var(--muted); }
        fieldset.phrase p.heard { margin: .2rem 0; font-size: .9em; color: var(--muted); }
        """

    /// The call page's player: channel switch (keeps the position), playback speed, `?t=`
    /// start, the timeline (a playhead that follows playback; a click seeks), the transcript
    /// (the words being said lit; a click on a word seeks), evidence links of the same call
    /// that seek without reloading.
    static let js = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var audio = document.getElementById("player");
          if (!audio) { return; }
          var select = document.getElementById("channel");
          var speed = document.getElementById("speed");
          var svg = document.getElementById("timeline");
          function seek(t, play) {
            var go = function () { audio.currentTime = t; if (play) { audio.play(); } };
            if (audio.readyState >= 1) { go(); } else {
              audio.addEventListener("loadedmetadata", function once() { audio.removeEventListener("loadedmetadata", once); go(); });
            }
          }
          var start = parseFloat(audio.getAttribute("data-start"));
          if (isFinite(start) && start >= 0) { seek(start, false); }
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
            head.setAttribute("y1", String(top));
            head.setAttribute("y2", String(bottom));
            svg.appendChild(head);
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
          document.querySelectorAll("a[href*='?t=']").forEach(function (a) {
            var url = new URL(a.href, window.location.href);
            if (url.pathname !== here) { return; }
            a.addEventListener("click", function (ev) {
              var t = parseFloat(url.searchParams.get("t"));
              if (!isFinite(t)) { return; }
              ev.preventDefault();
              seek(t, true);
              audio.scrollIntoView({block: "center"});
            });
          });
        });
        """
}

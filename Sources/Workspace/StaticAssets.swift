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
        """

    /// The player's channel switch: changes the `<audio>` source and keeps the position.
    static let js = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var select = document.getElementById("channel");
          var audio = document.getElementById("player");
          if (!select || !audio) { return; }
          select.addEventListener("change", function () {
            var at = audio.currentTime, playing = !audio.paused;
            var base = audio.getAttribute("data-src");
            audio.src = base + "?channel=" + encodeURIComponent(select.value);
            audio.addEventListener("loadedmetadata", function once() {
              audio.removeEventListener("loadedmetadata", once);
              audio.currentTime = at;
              if (playing) { audio.play(); }
            });
          });
        });
        """
}

import Reports

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
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
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
        #calls td:nth-child(1), #calls td:nth-child(2) { white-space: nowrap; }
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
        textarea { width: 100%; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; display: block; }
        .two { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
        @media (max-width: 50rem) { .two { grid-template-columns: 1fr; } }
        .card.inset { background: var(--bg); margin-top: 1rem; }
        ol.history { margin: .1rem 0 .3rem; font-size: .9em; }
        form.decide { margin-top: .5rem; }
        form.decide label { display: inline-block; margin: .2rem .6rem .2rem 0; }
        form.decide button { margin-top: .3rem; }
        button.reject, button.withdraw { background: #6b7280; }
        table.notes a, #dispute-list td:first-child, #disputes-table a { white-space: nowrap; }
        table.notes td.text { max-width: 22rem; }
        form.follow input[type=text] { width: 12rem; margin-top: .3rem; }
        .state.accepted { color: #1e7b34; } .state.rejected { color: var(--bad); } .state.open { color: var(--accent); }
        .bad { color: var(--bad); }
        td.bad { color: var(--bad); font-weight: 600; }
        """

    /// The call page's player, shared with the static report folders' call pages
    /// (Reports' `PlayerScript`): channel switch (keeps the position), playback speed, `?t=`
    /// start, the timeline (a playhead that follows playback; a click seeks), evidence links
    /// of the same call that seek without reloading.
    static let js = PlayerScript.source
}

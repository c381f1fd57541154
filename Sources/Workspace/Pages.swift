import CallQAModel
import Store

/// The server-rendered pages. Every data-derived text goes through `HTML` interpolation,
/// which escapes it; no page has inline script or style (the CSP forbids both).
public enum Pages {
    /// The frame of every page: stylesheet, script, and for a logged-in user the navigation
    /// and the logout form (a POST carrying the session's CSRF token).
    static func layout(title: String, session: AuthenticatedSession?, body: HTML) -> HTML {
        var nav = HTML.empty
        if let session {
            let agentLink: HTML = session.account.agentID.map { "<a href=\"/agents/\(HTML.pathSegment($0))\" id=\"nav-me\">My page</a>" } ?? ""
            let calibration: HTML = session.account.role == .agent ? "" : "<a href=\"/calibration\" id=\"nav-calibration\">Calibration</a>"
            let admin: HTML = session.account.role == .admin
                ? "<a href=\"/admin/users\">Users</a><a href=\"/admin/audit\">Audit log</a>" : ""
            let alerts: HTML = session.account.role == .agent ? "" : "<a href=\"/alerts\" id=\"nav-alerts\">Alerts</a>"
            nav = """
                <header class="top"><span class="brand">callqa</span>
                <nav><a href="/" id="nav-overview">Overview</a><a href="/calls" id="nav-calls">Calls</a>\(alerts)\(agentLink)\
                <a href="/disputes" id="nav-disputes">Disputes</a><a href="/coaching" id="nav-coaching">Coaching</a>\(calibration)\(admin)</nav>
                <span class="who">\(session.account.name) · \(session.account.role.rawValue)</span>
                <form method="post" action="/logout"><input type="hidden" name="csrf" value="\(session.csrfToken)">\
                <button type="submit" class="link" id="logout">Log out</button></form>
                </header>
                """
        }
        let page: HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · callqa</title>
            <link rel="icon" href="/static/favicon.svg">
            <link rel="stylesheet" href="/static/callqa.css">
            <script src="/static/callqa.js" defer></script>
            </head><body>
            \(nav)<main>
            \(body)
            </main></body></html>
            """
        return page
    }

    /// The login form; `csrf` is the token of the login cookie set with it.
    public static func login(csrf: String, name: String = "", message: String? = nil) -> HTML {
        let error: HTML = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return layout(title: "Log in", session: nil, body: """
            <form class="login card" method="post" action="/login">
            <h1>callqa workspace</h1>
            \(error)
            <input type="hidden" name="csrf" value="\(csrf)">
            <label for="name">User name</label><input type="text" id="name" name="name" value="\(name)" autocomplete="username" required autofocus>
            <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
            <button type="submit" id="login">Log in</button>
            </form>
            """)
    }

    /// What an account may see, in words.
    public static func scopeDescription(_ a: Account) -> String {
        switch a.role {
        case .agent: "own calls only (agent \(a.agentID ?? "—"))"
        case .supervisor: "the calls of team\(a.teams.count == 1 ? "" : "s") \(a.teams.joined(separator: ", "))"
        case .qa: "every call; evaluates"
        case .admin: "every call; manages users and reads the audit log"
        }
    }

    /// Admin: every user.
    public static func users(_ session: AuthenticatedSession, users: [UserRecord]) -> HTML {
        let rows = users.map { u -> HTML in
            """
            <tr><td>\(u.account.name)</td><td>\(u.account.role.rawValue)</td><td>\(u.account.agentID)</td>\
            <td>\(u.account.teams.isEmpty ? nil : u.account.teams.joined(separator: ", "))</td>\
            <td>\(u.disabled ? "disabled" : "active")</td><td>\(u.createdAt)</td><td>\(u.lastLoginAt)</td></tr>
            """
        }
        return layout(title: "Users", session: session, body: """
            <h1>Users</h1>
            <p class="muted">Accounts are managed with <code>callqa users add|list|disable|enable|password</code>.</p>
            <table id="users"><thead><tr><th>name</th><th>role</th><th>agent</th><th>teams</th><th>status</th><th>created (UTC)</th><th>last login (UTC)</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }

    /// Admin: the audit log, newest last, within the period asked.
    public static func audit(_ session: AuthenticatedSession, entries: [AuditEntry], from: String?, to: String?, limit: Int) -> HTML {
        let rows = entries.map { e -> HTML in
            """
            <tr><td>\(e.at)</td><td>\(e.action.rawValue)</td><td>\(e.actor)</td><td>\(e.address)</td>\
            <td>\(e.callID)</td><td>\(e.target)</td><td>\(e.detail)</td></tr>
            """
        }
        let truncated: HTML = entries.count >= limit ? "<p class=\"muted\">Only the newest \(limit) rows are shown; narrow the period or use <code>callqa audit</code>.</p>" : ""
        return layout(title: "Audit log", session: session, body: """
            <h1>Audit log</h1>
            <form class="card" method="get" action="/admin/audit">
            <label for="from">From (date or ISO 8601, UTC)</label><input type="text" id="from" name="from" value="\(from ?? "")">
            <label for="to">To (inclusive)</label><input type="text" id="to" name="to" value="\(to ?? "")">
            <button type="submit">Show</button></form>
            \(truncated)
            <table id="audit"><thead><tr><th>time (UTC)</th><th>action</th><th>user</th><th>address</th><th>call</th><th>target</th><th>detail</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }

    /// The alerts `callqa watch` raised on calls the user may see, newest first.
    public static func alerts(_ session: AuthenticatedSession, alerts: [AlertRow], limit: Int) -> HTML {
        let rows = alerts.map { a -> HTML in
            let agent: HTML = a.agentID.map { "<a href=\"/agents/\(HTML.pathSegment($0))\">\($0)</a>" } ?? ""
            let notified: String = switch a.notifyStatus {
            case .none: "—"
            case .pending: a.notifyAttempts == 0 ? "waiting" : "retrying (\(a.notifyAttempts) failed)"
            case .sent: "sent"
            case .failed: "failed after \(a.notifyAttempts) attempts"
            }
            return """
                <tr><td>\(a.raisedAt)</td><td><a href="/calls/\(HTML.pathSegment(a.callID))">\(a.callID)</a></td><td>\(a.callStartedAt)</td>\
                <td>\(agent)</td><td>\(a.team)</td><td>\(a.ruleID)</td><td>\(a.reason)</td><td title="\(a.notifyError ?? "")">\(notified)</td></tr>
                """
        }
        let truncated: HTML = alerts.count >= limit ? "<p class=\"muted\">Only the newest \(limit) alerts are shown.</p>" : ""
        let empty: HTML = alerts.isEmpty ? "<p class=\"muted\" id=\"no-alerts\">No alerts on the calls you may see.</p>" : ""
        // No header row over nothing: the table only when there are alerts.
        let table: HTML = """
            <table id="alerts"><thead><tr><th>raised (UTC)</th><th>call</th><th>call started</th><th>agent</th><th>team</th><th>rule</th><th>reason</th><th>notification</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return layout(title: "Alerts", session: session, body: """
            <h1>Alerts</h1>
            <p class="muted">Raised by <code>callqa watch</code> as calls come in, by the rules of its settings file (dead air, a failed critical criterion, a detractor survey, …). Open the call to listen to it and call the customer back.</p>
            \(truncated)\(empty)\(alerts.isEmpty ? "" : table)
            """)
    }

    /// An error page. Every 404 — a missing object, one outside the user's scope, an unknown
    /// path — is this same page, byte for byte.
    public static func error(status: Int, title: String, message: String) -> HTML {
        layout(title: title, session: nil, body: """
            <div class="card"><h1>\(title)</h1><p>\(message)</p><p><a href="/">Home</a></p></div>
            """)
    }
}

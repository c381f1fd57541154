import Foundation
import HTTPTypes
import Store
import Testing
@testable import Workspace

/// Logins, throttling, sessions, cookies, CSRF and the security headers, through the router
/// in process.
@Suite struct AuthTests {
    @Test func loginSucceedsSetsAHardenedCookieAndShowsWhoIsLoggedIn() async throws {
        let f = try Fixture()
        let b = f.browser()
        let form = try await b.get("/login")
        #expect(form.status == .ok)
        let loginCookie = try #require(form.setCookies.first { $0.hasPrefix("callqa_login=") })
        #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict") && !loginCookie.contains("Secure"))
        let r = try await b.login("qa1", Fixture.password)
        #expect(r.status == .seeOther && r.header("Location") == "/")
        let session = try #require(r.setCookies.first { $0.hasPrefix("callqa_session=") })
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"))
        #expect(!session.contains("Secure"))
        // The token is 43 base64url characters; the database holds only its SHA-256.
        let token = try #require(b.cookies["callqa_session"])
        #expect(token.count == 43)
        let stored = try f.store.read { db in try String.fetchAll(db, sql: "SELECT token_sha256 FROM sessions") }
        #expect(stored == [Secrets.sha256Hex(token)] && !stored.contains(token))
        let home = try await b.get("/")
        #expect(home.status == .ok)
        #expect(home.text.contains("<span id=\"user\">qa1</span>") && home.text.contains("<strong id=\"role\">qa</strong>"))
        #expect(home.text.contains("every call; evaluates"))
        // Logged in, the login page sends home.
        #expect(try await b.get("/login").status == .seeOther)
    }

    @Test func theLoginFormKeepsItsTokenAndTheIconNeverRedirects() async throws {
        let f = try Fixture()
        let b = f.browser()
        let first = try #require(Browser.csrf(in: try await b.get("/login").text))
        // Whatever lands on the form meanwhile (a second tab) leaves the first form valid.
        let second = try #require(Browser.csrf(in: try await b.get("/login").text))
        #expect(first == second)
        let icon = try await b.get("/favicon.ico")
        #expect(icon.status == .notFound && icon.setCookies.isEmpty)
        #expect(try await b.get("/static/favicon.svg").header("Content-Type") == "image/svg+xml")
        let r = try await b.send(.post, "/login", body: "name=qa1&password=\(Browser.formEncode(Fixture.password))&csrf=\(first)")
        #expect(r.status == .seeOther)
    }

    @Test func secureCookiesUseHostPrefixAndSecure() async throws {
        let f = try Fixture(secureCookies: true)
        let b = f.browser()
        let form = try await b.get("/login")
        #expect(form.setCookies.contains { $0.hasPrefix("__Host-callqa_login=") && $0.contains("Secure") && $0.contains("Path=/") })
        let r = try await b.login("qa1", Fixture.password)
        let session = try #require(r.setCookies.first { $0.hasPrefix("__Host-callqa_session=") })
        #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"))
        #expect(!session.contains("Domain"))
        #expect(try await b.get("/").status == .ok)
    }

    @Test func wrongPasswordUnknownUserAndDisabledAccountFailAlikeAndAreAudited() async throws {
        let f = try Fixture()
        let wrong = try await f.browser().login("qa1", "not the password")
        #expect(wrong.status == .unauthorized && wrong.text.contains("Wrong user name or password."))
        #expect(!wrong.setCookies.contains { $0.hasPrefix("callqa_session=") })
        let unknown = try await f.browser().login("nobody", Fixture.password)
        #expect(unknown.status == .unauthorized && unknown.text.contains("Wrong user name or password."))
        _ = try f.store.setUserDisabled(name: "admin1", true)
        let disabled = try await f.browser().login("admin1", Fixture.password)
        #expect(disabled.status == .unauthorized && disabled.text.contains("Wrong user name or password."))
        let log = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        #expect(log.map(\.action) == [.loginFailed, .loginFailed, .loginFailed])
        #expect(log.map(\.actor) == ["qa1", "nobody", "admin1"])
        #expect(log.map(\.detail) == ["wrong password", "unknown user", "account disabled"])
        #expect(log.allSatisfy { $0.address == "192.0.2.10" && $0.atEpoch == f.clock.now })
    }

    @Test func fiveFailuresThrottleTheAccountEvenWithTheRightPasswordUntilTheWindowPasses() async throws {
        let f = try Fixture()
        for i in 0..<5 {
            let r = try await f.browser(address: "198.51.100.\(i)").login("qa1", "wrong \(i)")
            #expect(r.status == .unauthorized)
        }
        let blocked = try await f.browser(address: "198.51.100.99").login("qa1", Fixture.password)
        #expect(blocked.status == .tooManyRequests)
        #expect(blocked.header("Retry-After") == "900")
        #expect(blocked.text.contains("Too many failed logins"))
        #expect(!blocked.setCookies.contains { $0.hasPrefix("callqa_session=") })
        // Another account is not affected.
        #expect(try await f.browser(address: "198.51.100.99").login("admin1", Fixture.password).status == .seeOther)
        f.clock.advance(14 * 60)
        #expect(try await f.browser().login("qa1", Fixture.password).status == .tooManyRequests)
        f.clock.advance(61)
        #expect(try await f.browser().login("qa1", Fixture.password).status == .seeOther)
        let actions = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.actor == "qa1" }.map(\.action)
        #expect(actions == Array(repeating: .loginFailed, count: 5) + [.loginThrottled, .loginThrottled, .login])
    }

    @Test func aSuccessfulLoginResetsTheAccountCount() async throws {
        let f = try Fixture()
        for _ in 0..<4 { _ = try await f.browser().login("qa1", "wrong") }
        #expect(try await f.browser(address: "203.0.113.1").login("qa1", Fixture.password).status == .seeOther)
        for _ in 0..<4 { _ = try await f.browser(address: "203.0.113.2").login("qa1", "wrong") }
        #expect(try await f.browser(address: "203.0.113.3").login("qa1", Fixture.password).status == .seeOther)
    }

    @Test func manyFailuresFromOneAddressThrottleThatAddress() async throws {
        let f = try Fixture { $0.maxFailuresPerAddress = 6 }
        let names = ["qa1", "admin1", "agent1", "sup-blue", "qa1", "admin1"]
        for n in names { #expect(try await f.browser(address: "203.0.113.7").login(n, "wrong").status == .unauthorized) }
        #expect(try await f.browser(address: "203.0.113.7").login("agent1", Fixture.password).status == .tooManyRequests)
        #expect(try await f.browser(address: "203.0.113.8").login("agent1", Fixture.password).status == .seeOther)
    }

    @Test func clientAddressComesFromTheProxyOnlyWhenSaidSo() async throws {
        for fromProxy in [false, true] {
            let f = try Fixture { $0.clientAddressFromProxy = fromProxy }
            let b = f.browser(address: "127.0.0.1")
            let form = try await b.get("/login")
            let token = try #require(Browser.csrf(in: form.text))
            _ = try await b.send(.post, "/login", headers: [HTTPField.Name("X-Real-IP")!: "203.0.113.50"],
                                 body: "name=qa1&password=x&csrf=\(token)")
            let entry = try #require(try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).last)
            #expect(entry.address == (fromProxy ? "203.0.113.50" : "127.0.0.1"))
        }
    }

    @Test func logoutEndsTheSessionServerSide() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let oldCookie = try #require(b.cookies["callqa_session"])
        let out = try await b.logout()
        #expect(out.status == .seeOther && out.header("Location") == "/login")
        #expect(out.setCookies.contains { $0.hasPrefix("callqa_session=;") && $0.contains("Max-Age=0") })
        #expect(try f.store.sessionCount(userID: 3) == 0)
        // The old cookie, replayed, is worth nothing: pages redirect, audio answers 401.
        let replay = f.browser()
        replay.cookies["callqa_session"] = oldCookie
        let page = try await replay.get("/")
        #expect(page.status == .seeOther && page.header("Location") == "/login")
        #expect(try await replay.get("/calls/c-a1/audio").status == .unauthorized)
        let actions = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).map(\.action)
        #expect(actions == [.login, .logout])
    }

    @Test func idleSessionsExpireAndUsedOnesLastUntilTheirLifetime() async throws {
        let f = try Fixture { $0.idleTimeoutS = 30 * 60; $0.sessionLifetimeS = 2 * 3600 }
        let idle = try await f.loggedIn("qa1")
        f.clock.advance(29 * 60)
        #expect(try await idle.get("/").status == .ok)       // used: idle time starts again
        f.clock.advance(29 * 60)
        #expect(try await idle.get("/").status == .ok)
        f.clock.advance(30 * 60)
        let expired = try await idle.get("/")
        #expect(expired.status == .seeOther && expired.header("Location") == "/login")
        #expect(try f.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions") } == 0)

        let busy = try await f.loggedIn("admin1")
        for _ in 0..<11 {   // 110 minutes of use, every 10 minutes
            f.clock.advance(10 * 60)
            #expect(try await busy.get("/").status == .ok)
        }
        f.clock.advance(10 * 60)  // 2 h after login
        #expect(try await busy.get("/").status == .seeOther)
    }

    /// While another process holds the write lock (an ingest), a request does not wait to
    /// record its session's last-seen time: the session is answered from its read, and the
    /// time is written once the lock is free.
    @Test func aSessionIsAnsweredWithoutWaitingForAnotherWriter() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let hash = Secrets.sha256Hex(try #require(b.cookies[f.configuration.sessionCookieName]))
        let loggedInAt = f.clock.now
        f.clock.advance(120)
        let other = try CallStore(path: f.store.path, busyTimeoutS: 30)
        try other.write { db in
            // Holds the write lock from here on, as an ingest's transaction does.
            try db.execute(sql: "INSERT INTO audit_log (at, at_epoch, action, actor) VALUES ('1970-01-01T00:00:00Z', 0, 'audit_read', 'another process')")
            let started = Date()
            #expect(try f.store.touchSession(tokenSHA256: hash, nowEpoch: f.clock.now, wait: false) == false)
            let s = try #require(try f.store.session(tokenSHA256: hash, nowEpoch: f.clock.now, idleS: 1800))
            #expect(s.touchDue && s.lastSeenEpoch == loggedInAt && s.account.name == "qa1")
            // Gave up at once instead of the 30 s busy timeout.
            #expect(Date().timeIntervalSince(started) < 10)
        }
        let s = try #require(try f.store.session(tokenSHA256: hash, nowEpoch: f.clock.now, idleS: 1800))
        #expect(!s.touchDue && s.lastSeenEpoch == f.clock.now)
        // The time never moves back.
        #expect(try f.store.touchSession(tokenSHA256: hash, nowEpoch: loggedInAt, wait: true))
        #expect(try f.store.session(tokenSHA256: hash, nowEpoch: f.clock.now, idleS: 1800)?.lastSeenEpoch == f.clock.now)
    }

    @Test func disablingOrChangingThePasswordEndsSessions() async throws {
        let f = try Fixture()
        let a = try await f.loggedIn("qa1")
        _ = try f.store.setUserPassword(name: "qa1", passwordHash: Secrets.hashPassword("another password", cost: 4), nowEpoch: f.clock.now)
        #expect(try await a.get("/").status == .seeOther)
        let b = try await f.loggedIn("admin1")
        _ = try f.store.setUserDisabled(name: "admin1", true)
        #expect(try await b.get("/").status == .seeOther)
    }

    @Test func everyPostWithoutOrWithAWrongCSRFTokenIs403() async throws {
        let f = try Fixture()
        // POST /login: the token must match the login cookie.
        let visitor = f.browser()
        let form = try await visitor.get("/login")
        let token = try #require(Browser.csrf(in: form.text))
        for body in ["name=qa1&password=\(Browser.formEncode(Fixture.password))",
                     "name=qa1&password=\(Browser.formEncode(Fixture.password))&csrf=",
                     "name=qa1&password=\(Browser.formEncode(Fixture.password))&csrf=\(String(token.reversed()))"] {
            let r = try await visitor.send(.post, "/login", body: body)
            #expect(r.status == .forbidden && r.text.contains("Forbidden"), "\(body)")
        }
        // A token without its cookie (another browser's page) is refused too.
        let other = f.browser()
        #expect(try await other.send(.post, "/login", body: "name=qa1&password=x&csrf=\(token)").status == .forbidden)
        #expect(try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).isEmpty)  // never reached the password check

        // POST /logout: the session's token, in the form or the X-CSRF-Token header.
        let b = try await f.loggedIn("qa1")
        let home = try await b.get("/")
        let sessionToken = try #require(Browser.csrf(in: home.text))
        for (headers, body) in [([:], "csrf="), ([:], "x=1"), ([:], "csrf=\(token)"), ([HTTPField.Name("X-CSRF-Token")!: "nope"], "")] as [(HTTPFields, String)] {
            let r = try await b.send(.post, "/logout", headers: headers, body: body)
            #expect(r.status == .forbidden)
            #expect(try await b.get("/").status == .ok)  // still logged in
        }
        let viaHeader = try await b.send(.post, "/logout", headers: [HTTPField.Name("X-CSRF-Token")!: sessionToken], body: "")
        #expect(viaHeader.status == .seeOther)
        #expect(try await b.get("/").status == .seeOther)
        // A POST to a path that takes none still needs the token (403 before anything else).
        let c = try await f.loggedIn("admin1")
        #expect(try await c.send(.post, "/admin/users", body: "").status == .forbidden)
    }

    @Test func securityHeadersOnEveryResponse() async throws {
        let f = try Fixture()
        let anon = f.browser()
        let admin = try await f.loggedIn("admin1")
        var responses: [(String, TestResponse)] = []
        for path in ["/", "/login", "/static/callqa.css", "/static/callqa.js", "/static/nothing.css", "/admin/users", "/admin/audit",
                     "/calls/c-a1/audio", "/calls/missing/audio", "/no/such/page"] {
            responses.append(("anonymous GET \(path)", try await anon.get(path)))
            responses.append(("admin GET \(path)", try await admin.get(path)))
        }
        responses.append(("admin GET /?call=c-a1", try await admin.get("/?call=c-a1")))
        responses.append(("POST /login without token", try await anon.send(.post, "/login", body: "")))
        responses.append(("POST /logout without token", try await admin.send(.post, "/logout", body: "")))
        responses.append(("range 416", try await admin.get("/calls/c-a1/audio", headers: [.range: "bytes=999999999-"])))
        for (what, r) in responses {
            #expect(r.header("Content-Security-Policy") == "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'", "\(what)")
            #expect(r.header("X-Content-Type-Options") == "nosniff", "\(what)")
            #expect(r.header("Referrer-Policy") == "no-referrer", "\(what)")
            #expect(r.header("X-Frame-Options") == "DENY", "\(what)")
            let cache = r.header("Cache-Control")
            if what.contains("/static/callqa.") { #expect(cache == "public, max-age=3600", "\(what)") } else { #expect(cache == "no-store", "\(what)") }
            // No page carries inline script: every <script has a src from this site.
            #expect(!r.text.contains("<script>") && !r.text.contains("onload=") && !r.text.contains("javascript:"), "\(what)")
        }
        let css = try await anon.get("/static/callqa.css")
        #expect(css.status == .ok && css.header("Content-Type") == "text/css; charset=utf-8" && css.text.contains("--accent"))
        let js = try await anon.get("/static/callqa.js")
        #expect(js.status == .ok && js.header("Content-Type") == "text/javascript; charset=utf-8" && js.text.contains("channel"))
    }

    /// Another process (ingest, score) in the middle of a write transaction does not hold up
    /// pages: the server reads from its WAL snapshot.
    @Test func pagesAnswerWhileAnotherConnectionIsWriting() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let other = try CallStore(path: f.store.path)
        let release = DispatchSemaphore(value: 0)
        await withCheckedContinuation { (started: CheckedContinuation<Void, Never>) in
            Thread {
                _ = try? other.write { db in
                    try db.execute(sql: "INSERT INTO agents (agent_id, team, updated_at) VALUES ('w1', 'Blue', 'now')")
                    started.resume()
                    release.wait()
                }
            }.start()
        }
        let home = try await b.get("/")
        release.signal()
        #expect(home.status == .ok && home.text.contains("qa1"))
    }

    @Test func hostileNamesAreEscapedOnAdminPages() async throws {
        let f = try Fixture()
        let hostile = "<script>alert(1)</script>"
        _ = try f.store.addUser(name: hostile, role: .qa, agentID: nil, teams: [], passwordHash: "x", nowEpoch: f.clock.now)
        _ = try f.store.addUser(name: "sup\"><img src=x>", role: .supervisor, agentID: nil, teams: ["<b>Team</b>"], passwordHash: "x", nowEpoch: f.clock.now)
        _ = try await f.browser().login("<img src=x onerror=alert(2)>", "wrong")
        let admin = try await f.loggedIn("admin1")
        let users = try await admin.get("/admin/users")
        #expect(users.status == .ok)
        #expect(users.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !users.text.contains(hostile))
        #expect(users.text.contains("sup&quot;&gt;&lt;img src=x&gt;") && users.text.contains("&lt;b&gt;Team&lt;/b&gt;"))
        #expect(!users.text.contains("<img") && !users.text.contains("<b>"))
        let audit = try await admin.get("/admin/audit")
        #expect(audit.text.contains("&lt;img src=x onerror=alert(2)&gt;") && !audit.text.contains("<img"))
        // The calls page echoes filter values: escaped in text and attributes, percent-encoded in URLs.
        let calls = try await admin.get("/calls?dialed=%22%3E%3Cscript%3Ex%3C%2Fscript%3E")
        #expect(calls.status == .ok)
        #expect(!calls.text.contains("\"><script>") && calls.text.contains("&quot;&gt;&lt;script&gt;x&lt;/script&gt;"))
        #expect(calls.text.contains("dialed=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"))
    }

    @Test func adminPagesListUsersAndTheAuditLogAndReadingItIsAudited() async throws {
        let f = try Fixture()
        let admin = try await f.loggedIn("admin1")
        let users = try await admin.get("/admin/users")
        for u in Fixture.users { #expect(users.text.contains("<td>\(u.name)</td><td>\(u.role.rawValue)</td>")) }
        #expect(users.text.contains("<td>agent1</td><td>agent</td><td>a1</td>") && users.text.contains("<td>Blue</td>"))
        let audit = try await admin.get("/admin/audit?from=2026-11-01")
        #expect(audit.status == .ok && audit.text.contains("<td>login</td><td>admin1</td><td>192.0.2.10</td>"))
        #expect(try await admin.get("/admin/audit?from=yesterday").status == .badRequest)
        let read = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .auditRead }
        #expect(read.count == 1 && read[0].actor == "admin1" && read[0].detail == "web: from 2026-11-01 to now")
        // A period before everything shows nothing.
        let empty = try await admin.get("/admin/audit?to=2020-01-01")
        #expect(!empty.text.contains("<td>login</td>"))
    }
}

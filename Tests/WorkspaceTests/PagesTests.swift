import CallQAModel
import CallRecords
import Foundation
import HTTPTypes
import Pipeline
import Reports
import Store
import Testing
@testable import Workspace

/// The sample day (SampleAudio, ingested, scored, with its evaluations and surveys) plus a
/// card whose texts are hostile, hostile agent names and survey comments, and one user per
/// role: the pages over real report data.
struct SampleFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let password = "correct horse battery"
    static let hostile = "<script>alert(1)</script>"
    let store: CallStore
    let clock = TestClock(1_796_000_000)
    let server: WorkspaceServer
    let client: RouterClient
    /// The caller-hashing key the day was ingested with (the server's too).
    static let hashKey = Array("test key for callqa 0123456789".utf8)

    /// Users: name → (role, agent id, teams). a1 and a2 are in team Blue, a3 and a4 in Red.
    static let users: [(name: String, role: Role, agentID: String?, teams: [String])] = [
        ("agent1", .agent, "a1", []), ("sup-blue", .supervisor, nil, ["Blue"]), ("qa1", .qa, nil, []), ("admin1", .admin, nil, []),
    ]
    /// call → (agent, team).
    static let calls: [String: (agent: String?, team: String?)] = [
        "c-001": ("a1", "Blue"), "c-002": ("a1", "Blue"), "c-011": ("a1", "Blue"), "c-003": ("a2", "Blue"), "c-004": ("a2", "Blue"),
        "c-005": ("a3", "Red"), "c-006": ("a3", "Red"), "c-007": ("a4", "Red"), "c-008": ("a4", "Red"), "c-009": (nil, nil), "c-010": (nil, nil),
    ]

    static func visible(_ call: String, to role: Role) -> Bool {
        guard let c = calls[call] else { return false }
        switch role {
        case .agent: return c.agent == "a1"
        case .supervisor: return c.team == "Blue"
        case .qa, .admin: return true
        }
    }

    init(configure: (inout WorkspaceConfiguration) -> Void = { _ in }) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-pages-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("SampleAudio"), to: dir)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("callqa-report"))
        let cards = dir.appendingPathComponent("cards")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Scorecards"), to: cards)
        try """
            version: 1
            id: hostile-card
            name: "<script>alert('card')</script>"
            target: 90
            applies_to:
              queue: orders
            sections:
              - id: s1
                name: "<script>alert('section')</script>"
                criteria:
                  - id: c1
                    text: "<script>alert('criterion')</script>"
                    weight: 1
                    manual: yes_no
            """.write(to: cards.appendingPathComponent("hostile.yaml"), atomically: true, encoding: .utf8)
        store = try CallStore(path: dir.appendingPathComponent("day.sqlite").path)
        var o = RunOptions(folder: dir.path, scorecards: cards.path, out: dir.appendingPathComponent("out").path)
        o.ingest.jobs = 2
        _ = try await DailyRun.run(o, store: store, hasher: CallerHasher(key: Self.hashKey))
        try store.write { db in
            try db.execute(sql: "UPDATE agents SET agent_name = ? WHERE agent_id = 'a2'", arguments: [Self.hostile])
            try db.execute(sql: "UPDATE calls SET agent_name = ? WHERE agent_id = 'a2'", arguments: [Self.hostile])
            try db.execute(sql: "UPDATE surveys SET comment = ? WHERE call_id = 'c-003'", arguments: [Self.hostile])
        }
        let hash = Secrets.hashPassword(Self.password, cost: 4)
        for u in Self.users {
            _ = try store.addUser(name: u.name, role: u.role, agentID: u.agentID, teams: u.teams, passwordHash: hash, nowEpoch: clock.now)
        }
        var c = WorkspaceConfiguration()
        let clock = clock
        c.now = { clock.now }
        c.bcryptCost = 4
        // The clock stands still in tests: no API rate limit unless a test sets one.
        c.apiBurst = 1_000_000
        configure(&c)
        server = WorkspaceServer(store: store, configuration: c, callerKey: { Self.hashKey })
        client = RouterClient(responder: server.makeResponder())
    }

    func loggedIn(_ name: String) async throws -> Browser {
        let b = Browser(client)
        let r = try await b.login(name, Self.password)
        #expect(r.status == .seeOther, "login \(name): \(r.status.code)")
        return b
    }

    func role(_ r: Role) -> String { Self.users.first { $0.role == r }!.name }
}

@Suite struct PagesTests {
    /// Every new route × every role × in-scope / out-of-scope / missing objects and filter
    /// values: out of scope is the same 404, byte for byte, as missing.
    @Test func matrix() async throws {
        let f = try await SampleFixture()
        let calls = ["c-001", "c-003", "c-005", "c-009"]
        for role in Role.allCases {
            let b = try await f.loggedIn(f.role(role))
            let missing = try await b.get("/calls/c-missing")
            #expect(missing.status == .notFound)
            func expectNotFound(_ path: String) async throws {
                let r = try await b.get(path)
                #expect(r.status == .notFound && r.body == missing.body, "\(role) GET \(path): \(r.status.code)")
            }
            for path in ["/", "/calls", "/calls.csv", "/agents/a1"] {
                let r = try await b.get(path)
                #expect(r.status == .ok, "\(role) GET \(path): \(r.status.code)")
            }
            for call in calls {
                let want = SampleFixture.visible(call, to: role)
                if call != "c-009" {
                    // HEAD of the recording: the GET's status, no body (out of scope: the 404).
                    let head = try await b.send(.head, "/calls/\(call)/audio")
                    #expect(head.status == (want ? .ok : .notFound) && head.body.isEmpty, "\(role) HEAD \(call) audio: \(head.status.code)")
                }
                for path in ["/calls/\(call)", "/calls/\(call)?t=3"] + (call == "c-009" ? [] : ["/calls/\(call)/audio"]) {
                    if want {
                        let r = try await b.get(path)
                        #expect(r.status == .ok, "\(role) GET \(path): \(r.status.code)")
                    } else {
                        try await expectNotFound(path)
                    }
                }
            }
            // Agents: a1 is everyone's but a supervisor of Red's would not be; a2 is Blue's.
            let agentsVisible: [String: Bool] = ["a1": true, "a2": role != .agent, "a3": role == .qa || role == .admin]
            for (agent, visible) in agentsVisible {
                for path in ["/agents/\(agent)", "/calls?agent=\(agent)", "/calls.csv?agent=\(agent)"] {
                    if visible {
                        let r = try await b.get(path)
                        #expect(r.status == .ok, "\(role) GET \(path): \(r.status.code)")
                    } else {
                        try await expectNotFound(path)
                    }
                }
            }
            try await expectNotFound("/agents/nobody")
            try await expectNotFound("/calls?agent=nobody")
            try await expectNotFound("/calls?team=NoSuchTeam")
            try await expectNotFound("/calls?card=no-such-card")
            let everything = role == .qa || role == .admin
            for path in ["/calls?team=Red", "/calls?queue=support", "/calls?card=support-hotline", "/calls.csv?team=Red"] {
                if everything {
                    #expect(try await b.get(path).status == .ok, "\(role) GET \(path)")
                } else {
                    try await expectNotFound(path)
                }
            }
            // The evaluate and acknowledge forms answer 404 to everyone they are not for.
            let token = try #require(Browser.csrf(in: try await b.get("/").text))
            let eval = try await b.send(.post, "/calls/c-001/evaluate", body: "csrf=\(token)&card=order-confirmation&version=x")
            #expect(eval.status == (role == .qa ? .conflict : .notFound), "\(role) POST evaluate: \(eval.status.code)")
            if role != .qa { #expect(eval.body == missing.body) }
            let ack = try await b.send(.post, "/agents/a1/acknowledge", body: "csrf=\(token)&call=c-001&card=order-confirmation")
            #expect(ack.status == (role == .agent ? .seeOther : .notFound), "\(role) POST acknowledge: \(ack.status.code)")
        }
        // Without a session: pages go to the login form.
        for path in ["/", "/calls", "/calls.csv", "/calls/c-001", "/agents/a1"] {
            let r = try await Browser(f.client).get(path)
            #expect(r.status == .seeOther && r.header("Location") == "/login", "anonymous GET \(path)")
        }
    }

    @Test func anAgentListsAndExportsOnlyOwnCalls() async throws {
        let f = try await SampleFixture()
        let b = try await f.loggedIn("agent1")
        let page = try await b.get("/calls?period=all")
        let listed = Set(page.text.matches(of: /<tr><td><a href="\/calls\/([^"]+)">/).map { String($0.1) })
        #expect(listed == ["c-001", "c-002", "c-011"])
        let csv = try await b.get("/calls.csv?period=all")
        #expect(csv.header("Content-Type") == "text/csv; charset=utf-8")
        let lines = csv.text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("call_id,started_at,agent_id") == true)
        #expect(Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) }) == listed)
        // Filters narrow; they never widen.
        let blue = try await b.get("/calls.csv?period=all&team=Blue")
        #expect(blue.status == .ok && blue.text.split(separator: "\n").count == 4)
        let qa = try await f.loggedIn("qa1")
        let all = try await qa.get("/calls.csv?period=all")
        #expect(all.text.split(separator: "\n").count == 12)
        let critical = try await qa.get("/calls.csv?period=all&critical=1")
        #expect(critical.text.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",1,") })
        let sorted = try await qa.get("/calls.csv?period=all&sort=score&order=asc&card=order-confirmation")
        let scores = sorted.text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[13] }
        #expect(scores.compactMap { Double($0) } == scores.compactMap { Double($0) }.sorted())
    }

    /// Every CSV export is one audit row: who, from where, the period, the filters and the
    /// number of rows; an export the user may not make (404) or a malformed one (400) leaves none.
    @Test func anExportIsAuditedWithItsFiltersAndRowCount() async throws {
        let f = try await SampleFixture()
        func exports() throws -> [AuditEntry] { try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .export } }
        let b = try await f.loggedIn("agent1")
        let csv = try await b.get("/calls.csv?period=all&team=Blue")
        let rows = csv.text.split(separator: "\n").count - 1
        #expect(csv.status == .ok && rows == 3)
        var audited = try exports()
        #expect(audited.count == 1)
        let row = try #require(audited.first)
        #expect(row.actor == "agent1" && row.target == "calls.csv" && row.callID == nil && row.address != nil)
        #expect(row.detail == "all calls; team=Blue; sort started desc; 3 rows", "\(row.detail ?? "nil")")

        // Out of scope (another team's agent), unknown, malformed: the one 404 / a 400, no row.
        for (path, status) in [("/calls.csv?period=all&agent=a3", HTTPResponse.Status.notFound),
                               ("/calls.csv?team=NoSuchTeam", .notFound), ("/calls.csv?period=week&date=yesterday", .badRequest)] {
            #expect(try await b.get(path).status == status, "\(path)")
        }
        #expect(try exports().count == 1)

        // An empty export is recorded too (0 rows), with the period as chosen.
        let qa = try await f.loggedIn("qa1")
        let none = try await qa.get("/calls.csv?period=custom&from=2001-01-01&to=2001-01-31&critical=1")
        #expect(none.status == .ok && none.text.split(separator: "\n").count == 1)
        audited = try exports()
        #expect(audited.count == 2)
        #expect(audited.last?.actor == "qa1"
                && audited.last?.detail == "2001-01-01 to 2001-01-31 (custom); critical=1; sort started desc; 0 rows", "\(audited.last?.detail ?? "nil")")
        // Shown on the audit page.
        let admin = try await f.loggedIn("admin1")
        let page = try await admin.get("/admin/audit")
        #expect(page.status == .ok && page.text.contains("export") && page.text.contains("critical=1; sort started desc; 0 rows"))
        // And by `callqa audit` (the same rendering).
        let text = TextRendering.audit(audited, format: .csv)
        #expect(text.contains(",export,agent1,") && text.contains("all calls; team=Blue; sort started desc; 3 rows"), "\(text)")
    }

    @Test func keysetPagesWalkTheWholeListInEveryOrder() async throws {
        let f = try await SampleFixture()
        for sort in CallListSort.allCases {
            for descending in [false, true] {
                let full = try f.store.callList(CallListFilter(), sort: sort, descending: descending, after: nil, limit: 100, scope: .everything)
                var walked: [String] = [], after: CallListCursor?
                while true {
                    let page = try f.store.callList(CallListFilter(), sort: sort, descending: descending, after: after, limit: 3, scope: .everything)
                    walked += page.map(\.callID)
                    guard let last = page.last, page.count == 3 else { break }
                    after = CallListCursor(value: last.cursorValue(sort), callID: last.callID)
                }
                #expect(full.count == 11 && walked == full.map(\.callID), "\(sort) \(descending)")
                // The sorted walk along the key's index, capped at a few entries (then the
                // page is read the other way) or not, gives the same pages as no walk, with
                // and without a filter that leaves calls out.
                var outbound = CallListFilter()
                outbound.direction = .outbound
                var deadAir = CallListFilter()
                deadAir.minDeadAirS = 1
                for filter in [CallListFilter(), outbound, deadAir] {
                    let plain = try f.store.callList(filter, sort: sort, descending: descending, after: nil, limit: 100, scope: .everything,
                                                     walkCap: nil)
                    for cap in [1, 2, 5, 5_000] {
                        var pages: [String] = [], after: CallListCursor?
                        while true {
                            let page = try f.store.callList(filter, sort: sort, descending: descending, after: after, limit: 3,
                                                            scope: .everything, walkCap: cap)
                            pages += page.map(\.callID)
                            guard let last = page.last, page.count == 3 else { break }
                            after = CallListCursor(value: last.cursorValue(sort), callID: last.callID)
                        }
                        #expect(pages == plain.map(\.callID), "\(sort) \(descending) cap \(cap) filter \(filter)")
                    }
                }
            }
        }
        // Through the router: the next-page link carries the cursor.
        let qa = try await f.loggedIn("qa1")
        let first = try await qa.get("/calls?period=all&sort=handle&order=asc")
        #expect(first.status == .ok && !first.text.contains("id=\"next\""), "11 calls fit one page of 50")
    }

    /// Each filter of the calls list keeps exactly the calls whose shown values match it, and
    /// each sort orders by the shown value (then call id): what the page shows is what was
    /// filtered and sorted on, with and without a card.
    @Test func filtersAndSortsFollowTheShownValues() async throws {
        let f = try await SampleFixture()
        func list(_ filter: CallListFilter, _ sort: CallListSort = .started, descending: Bool = true) throws -> [CallListRow] {
            try f.store.callList(filter, sort: sort, descending: descending, after: nil, limit: 1000, scope: .everything)
        }
        let cards = try f.store.storedCards(scope: .everything).map(\.id)
        #expect(!cards.isEmpty)
        for card in [nil] + cards.map(Optional.some) {
            var base = CallListFilter()
            base.cardID = card
            let all = try list(base)
            if let card { #expect(!all.isEmpty && all.allSatisfy { $0.cardID == card }, "the filter's card is the one shown") }
            func check(_ name: String, nonTrivial: Bool = false, _ change: (inout CallListFilter) -> Void, _ keep: (CallListRow) -> Bool) throws {
                var filter = base
                change(&filter)
                let got = try list(filter).map(\.callID)
                #expect(got == all.filter(keep).map(\.callID), "\(name), card \(card ?? "any")")
                if nonTrivial { #expect(!got.isEmpty && got.count < all.count, "\(name) selects some calls of the sample day") }
            }
            try check("critical", nonTrivial: card == nil, { $0.criticalFail = true }) { $0.criticalFailed }
            try check("provisional", nonTrivial: card == nil, { $0.provisional = true }) { $0.provisional }
            try check("min score", nonTrivial: card == nil, { $0.minScore = 60 }) { ($0.score ?? -1) >= 60 }
            try check("max score", { $0.maxScore = 80 }) { $0.score.map { $0 <= 80 } ?? false }
            try check("score range", { $0.minScore = 20; $0.maxScore = 90 }) { $0.score.map { $0 >= 20 && $0 <= 90 } ?? false }
            try check("dead air", { $0.minDeadAirS = 5 }) { ($0.deadAirS ?? -1) >= 5 }
            try check("interruptions", { $0.minInterruptions = 1 }) { ($0.interruptions ?? -1) >= 1 }
            try check("detractor", nonTrivial: card == nil, { $0.detractor = true }) { ($0.nps ?? 99) <= 6 }
            try check("outbound", { $0.direction = .outbound }) { $0.direction == "outbound" }
            for flag in Set(all.flatMap(\.health)).sorted() {
                try check("health \(flag)", { $0.health = flag }) { $0.health.contains(flag) }
            }
            for sort in CallListSort.allCases {
                for descending in [false, true] {
                    let rows = try list(base, sort, descending: descending)
                    #expect(Set(rows.map(\.callID)) == Set(all.map(\.callID)), "\(sort)")
                    func key(_ r: CallListRow) -> String {
                        func n(_ x: Double?) -> String { String(format: "%012.4f", (x ?? -1) + 1) }
                        switch sort {
                        case .started: return n(r.startedEpoch)
                        case .score: return n(r.score)
                        case .agent: return r.agentID ?? ""
                        case .deadAir: return n(r.deadAirS)
                        case .interruptions: return n(r.interruptions.map(Double.init))
                        case .handle: return n(r.handleS)
                        }
                    }
                    let expected = rows.sorted { (key($0), $0.callID) < (key($1), $1.callID) }.map(\.callID)
                    #expect(rows.map(\.callID) == (descending ? expected.reversed() : expected), "\(sort) \(descending), card \(card ?? "any")")
                }
            }
        }
    }

    /// The overview's agents tables are `report agents` for the user's scope and period: the
    /// same renderer on the same figures, links aside.
    @Test func theOverviewShowsWhatReportAgentsSays() async throws {
        let f = try await SampleFixture()
        func unlinked(_ html: String) -> String {
            html.replacingOccurrences(of: #"<a href="[^"]*">"#, with: "", options: .regularExpression).replacingOccurrences(of: "</a>", with: "")
        }
        var compared = 0
        for role in Role.allCases {
            let b = try await f.loggedIn(f.role(role))
            let account = try #require(try f.store.users().first { $0.account.name == f.role(role) }).account
            for (query, period) in [("period=all", Period.all), ("period=day&date=2026-11-24", try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: nil).get()),
                                    ("period=month&date=2026-11-24", try Period.parse(from: "2026-11-01", to: "2026-11-30", zone: nil).get())] {
                let page = try await b.get("/?" + query)
                #expect(page.status == .ok, "\(role) \(query)")
                let report = try ReportBuilder.agents(f.store, period: period, scope: account.scope, minScored: 10)
                #expect(!report.tables.isEmpty)
                for (i, t) in report.tables.enumerated() {
                    let expected = unlinked(HTMLReport.table(t, id: "agents-\(i)"))
                    #expect(unlinked(page.text).contains(expected), "\(role) \(query) table \(i)")
                    compared += 1
                }
            }
        }
        #expect(compared >= 12)
    }

    /// The overview and the calls list come from the cache while the data is unchanged, and
    /// are computed again after any change, whoever makes it (here: a hand edit in SQL).
    @Test func repeatedPagesComeFromTheCacheUntilTheDataChanges() async throws {
        let f = try await SampleFixture()
        let qa = try await f.loggedIn("qa1")
        let cache = f.server.pageCache
        let first = try await qa.get("/calls?period=all&sort=score&order=asc")
        let overview = try await qa.get("/?period=all")
        let (hits, misses) = (cache.hits, cache.misses)
        #expect(try await qa.get("/calls?period=all&sort=score&order=asc").text == first.text)
        #expect(try await qa.get("/?period=all").text == overview.text)
        #expect(cache.hits == hits + 3 && cache.misses == misses, "known values, calls, overview: from the cache")
        // Another user with the same scope shares the figures, not the page.
        let admin = try await f.loggedIn("admin1")
        let adminPage = try await admin.get("/calls?period=all&sort=score&order=asc")
        #expect(cache.misses == misses && adminPage.text.contains("admin1") && !adminPage.text.contains(">qa1<"))
        // A supervisor's scope is another key.
        let sup = try await f.loggedIn("sup-blue")
        _ = try await sup.get("/calls?period=all&sort=score&order=asc")
        #expect(cache.misses == misses + 2)
        // A score changed by hand: the next request shows it.
        let version = try #require(try f.store.dataVersion())
        try f.store.write { db in
            try db.execute(sql: "UPDATE scores SET score = 3.7 WHERE rowid = (SELECT rowid FROM scores WHERE is_current = 1 AND score IS NOT NULL ORDER BY call_id LIMIT 1)")
        }
        #expect(try f.store.dataVersion() ?? 0 > version)
        #expect(!first.text.contains(">3.7<"))
        let after = try await qa.get("/calls?period=all&sort=score&order=asc")
        #expect(after.text.contains(">3.7<") && after.text != first.text)
        #expect(try await qa.get("/?period=all").text != overview.text, "the overview's figures include that score")
        #expect(cache.count <= 4, "entries of the older version are dropped")
    }

    @Test func filterAndSortValuesThatTrySQLAreRefused() async throws {
        let f = try await SampleFixture()
        let qa = try await f.loggedIn("qa1")
        for path in ["/calls?sort=started%3BDROP%20TABLE%20calls", "/calls?order=desc--", "/calls?min_score=1%20OR%201%3D1",
                     "/calls?dead_air=-1", "/calls?interruptions=1.5", "/calls?health=x%27--", "/calls?direction=in%27bound",
                     "/calls?critical=1%27", "/calls?sort=score&after=1e999&after_id=x", "/calls?period=year", "/calls?period=day&date=2026-02-30",
                     "/calls?period=custom&from=2026-12-01&to=2026-11-01", "/calls.csv?sort=(select%201)"] {
            let r = try await qa.get(path)
            #expect(r.status == .badRequest, "\(path): \(r.status.code)")
        }
        for path in ["/calls?agent=%27%20OR%201%3D1%20--", "/calls?team=x%27)%20OR%20(%271%27%3D%271", "/calls?card=%27%20OR%20%271"] {
            #expect(try await qa.get(path).status == .notFound, "\(path)")
        }
        let dialed = try await qa.get("/calls?period=all&dialed=%27%20OR%20%271%27%3D%271")
        #expect(dialed.status == .ok && dialed.text.contains("id=\"no-calls\""))
        // An agent's filters that try to reach other agents' calls find nothing they may see.
        let agent = try await f.loggedIn("agent1")
        #expect(try await agent.get("/calls?agent=a1%27%20OR%20agent_id%3D%27a2").status == .notFound)
        #expect(try f.store.callList(CallListFilter(), sort: .started, descending: true, after: nil, limit: 100, scope: .everything).count == 11)
    }

    @Test func hostileTextIsEscapedOnEveryPage() async throws {
        let f = try await SampleFixture()
        let qa = try await f.loggedIn("qa1")
        for path in ["/?period=all", "/calls?period=all", "/calls/c-003", "/calls/c-001", "/agents/a2?period=all", "/calls?period=all&sort=agent"] {
            let r = try await qa.get(path)
            #expect(r.status == .ok, "\(path)")
            #expect(!r.text.contains("<script>alert"), "\(path) has an unescaped script")
            #expect(r.text.contains("&lt;script&gt;alert("), "\(path) shows the hostile text, escaped")
        }
        // The only scripts are the static one.
        let page = try await qa.get("/calls/c-003")
        #expect(page.text.components(separatedBy: "<script").count == 2 && page.text.contains("<script src=\"/static/callqa.js\" defer></script>"))
        let sup = try await f.loggedIn("sup-blue")
        let own = try await sup.get("/agents/a2?period=all")
        #expect(own.status == .ok && !own.text.contains("<script>alert"))
    }

    @Test func theCallPageShowsPlayerTimelineScoresAndStartsAtT() async throws {
        let f = try await SampleFixture()
        let qa = try await f.loggedIn("qa1")
        let page = try await qa.get("/calls/c-001?t=12.5")
        let text = page.text
        #expect(text.contains("id=\"player\"") && text.contains("data-start=\"12.5\"") && text.contains("src=\"/calls/c-001/audio\""))
        #expect(text.contains("id=\"speed\"") && text.contains("id=\"channel\""))
        #expect(text.contains("<svg") && text.contains("id=\"timeline\"") && text.contains("data-duration="))
        #expect(text.contains("Sections of order-confirmation") && text.contains("href=\"/calls/c-001?t="), "evidence links seek")
        #expect(text.contains("Anna was quick and friendly"), "the NPS answer")
        #expect(text.contains("id=\"history\"") && text.contains("Maria Lopez"), "the evaluation history")
        #expect(text.contains("Conversation") && text.contains("Levels and health"), "grouped metrics")
        #expect(text.contains("id=\"evaluate\""), "qa gets the evaluate form")
        for bad in ["abc", "-3", "inf", "nan"] {
            #expect(try await qa.get("/calls/c-001?t=\(bad)").text.contains("data-start=\"\""))
        }
        let sup = try await f.loggedIn("sup-blue")
        let supPage = try await sup.get("/calls/c-001")
        #expect(supPage.status == .ok && !supPage.text.contains("id=\"evaluate\""), "only qa evaluates")
    }

    /// The manual criteria posted from the form of a page (every criterion `yes`).
    static func answers(in page: String, card: String) throws -> (body: String, version: String) {
        let form = try #require(page.range(of: "id=\"evaluate-\(card)\"").map { String(page[$0.lowerBound...]) })
        let end = form.range(of: "</form>").map { String(form[..<$0.lowerBound]) } ?? form
        let version = try #require(end.firstMatch(of: /name="version" value="([^"]*)"/)).1
        let ids = Set(end.matches(of: /name="answer\.([^"]+)"/).map { String($0.1) })
        #expect(!ids.isEmpty)
        return (ids.sorted().map { "answer.\($0)=yes&comment.\($0)=ok" }.joined(separator: "&"), String(version))
    }

    @Test func evaluatingStoresLikeTheImportRescoresAndRefusesAStaleForm() async throws {
        let f = try await SampleFixture()
        let qa = try await f.loggedIn("qa1")
        let page = try await qa.get("/calls/c-011")
        #expect(page.text.contains("provisional"))
        let token = try #require(Browser.csrf(in: page.text))
        let (answers, version) = try Self.answers(in: page.text, card: "order-confirmation")
        // CSRF first: missing or wrong saves nothing.
        #expect(try await qa.send(.post, "/calls/c-011/evaluate", body: "card=order-confirmation&version=\(version)&\(answers)").status == .forbidden)
        #expect(try await qa.send(.post, "/calls/c-011/evaluate", body: "csrf=x\(token)&card=order-confirmation&version=\(version)&\(answers)").status == .forbidden)
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything).isEmpty)
        // A save: stored as the import stores rows, the call rescored at once.
        f.clock.advance(60)
        let saved = try await qa.send(.post, "/calls/c-011/evaluate", body: "csrf=\(token)&card=order-confirmation&version=\(version)&\(answers)")
        #expect(saved.status == .ok)
        #expect(saved.text.contains("id=\"score-before\">") && saved.text.contains("(provisional)"))
        let after = try #require(saved.text.firstMatch(of: /id="score-after">([^<]*)</)).1
        #expect(after.contains("(complete)"), "\(after)")
        let stored = try f.store.evaluations(callID: "c-011", scope: .everything)
        #expect(!stored.isEmpty && stored.allSatisfy { $0.evaluator == "qa1" && $0.source == "web" && $0.answer == "yes" && $0.comment == "ok" })
        let score = try #require(try f.store.storedScores(callID: "c-011", scope: .everything).first { $0.cardID == "order-confirmation" })
        #expect(score.status == .complete)
        let audit = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .evaluation }
        #expect(audit.count == 1 && audit[0].callID == "c-011" && audit[0].target == "order-confirmation" && audit[0].actor == "qa1")
        // A second evaluator with the form rendered before that save: told, nothing overwritten.
        let other = answers.replacingOccurrences(of: "=yes", with: "=no")
        let stale = try await qa.send(.post, "/calls/c-011/evaluate", body: "csrf=\(token)&card=order-confirmation&version=\(version)&\(other)")
        #expect(stale.status == .conflict && stale.text.contains("id=\"stale\""))
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything) == stored)
        // Answers that do not fit their criterion: nothing stored.
        let fresh = try Self.answers(in: stale.text, card: "order-confirmation")
        let invalid = try await qa.send(.post, "/calls/c-011/evaluate",
                                        body: "csrf=\(token)&card=order-confirmation&version=\(fresh.version)&\(fresh.body.replacingOccurrences(of: "=yes", with: "=7"))")
        #expect(invalid.status == .badRequest && invalid.text.contains("id=\"invalid\""))
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything) == stored)
        // A card that does not apply to the call, or does not exist: 404.
        for card in ["support-hotline", "nope"] {
            #expect(try await qa.send(.post, "/calls/c-011/evaluate", body: "csrf=\(token)&card=\(card)&version=\(fresh.version)&answer.greeting=yes").status == .notFound)
        }
    }

    @Test func anAgentAcknowledgesOwnEvaluationsOnly() async throws {
        let f = try await SampleFixture()
        let agent = try await f.loggedIn("agent1")
        let page = try await agent.get("/agents/a1?period=all")
        #expect(page.text.contains("id=\"acknowledge\"") && page.text.contains("class=\"ack\""))
        let token = try #require(Browser.csrf(in: page.text))
        #expect(try await agent.send(.post, "/agents/a1/acknowledge", body: "call=c-001&card=order-confirmation").status == .forbidden)
        #expect(try await agent.send(.post, "/agents/a1/acknowledge", body: "csrf=\(token)&call=c-003&card=order-confirmation").status == .notFound)
        #expect(try await agent.send(.post, "/agents/a2/acknowledge", body: "csrf=\(token)&call=c-003&card=order-confirmation").status == .notFound)
        let ok = try await agent.send(.post, "/agents/a1/acknowledge", body: "csrf=\(token)&call=c-001&card=order-confirmation")
        #expect(ok.status == .seeOther)
        let again = try await agent.get("/agents/a1?period=all")
        #expect(again.text.contains("acknowledged by agent1"))
        let rows = try f.store.evaluationsToAcknowledge(agentID: "a1", period: .all, scope: .agent("a1"))
        #expect(rows.first { $0.callID == "c-001" }?.acknowledgedBy == "agent1" && rows.first { $0.callID == "c-002" }?.acknowledgedAt == nil)
        #expect(try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).contains { $0.action == .acknowledgement && $0.callID == "c-001" })
        // The supervisor sees the acknowledgement, and cannot make one.
        let sup = try await f.loggedIn("sup-blue")
        let seen = try await sup.get("/agents/a1?period=all")
        #expect(seen.text.contains("acknowledged by agent1") && !seen.text.contains("class=\"ack\""))
    }

    @Test func periodsAreDaysWeeksMonthsOrRanges() throws {
        func p(_ items: [String: String], latest: String? = "2026-11-24") throws -> WebPeriod {
            try WebPeriod.parse({ items[$0] }, latest: latest)
        }
        #expect(try p(["period": "day", "date": "2026-11-24"]).period == Period(fromDate: "2026-11-24", toDate: "2026-11-24"))
        #expect(try p(["period": "week", "date": "2026-11-26"]).period == Period(fromDate: "2026-11-23", toDate: "2026-11-29"))
        #expect(try p(["period": "week", "date": "2026-11-23"]).period == Period(fromDate: "2026-11-23", toDate: "2026-11-29"))
        #expect(try p(["period": "week", "date": "2026-11-29"]).period == Period(fromDate: "2026-11-23", toDate: "2026-11-29"))
        #expect(try p(["period": "month", "date": "2024-02-10"]).period == Period(fromDate: "2024-02-01", toDate: "2024-02-29"))
        #expect(try p([:]).period == Period(fromDate: "2026-11-01", toDate: "2026-11-30"), "default: the month of the latest call")
        #expect(try p(["from": "2026-11-02", "to": "2026-11-05"]).period == Period(fromDate: "2026-11-02", toDate: "2026-11-05"))
        #expect(try p(["period": "all"]).period == .all)
        #expect(try p(["period": "week", "date": "2026-11-26"]).label == "2026-11-23 to 2026-11-29 (week)")
        for bad in [["period": "year"], ["period": "day", "date": "24.11.2026"], ["period": "custom", "from": "2026-11-05", "to": "2026-11-01"],
                    ["period": "day", "date": "2026-13-01"]] {
            #expect(throws: BadQuery.self) { try p(bad) }
        }
    }
}

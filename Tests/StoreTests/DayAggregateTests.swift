import Analytics
import CallQAModel
import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// Reports read the day aggregates for the days that are up to date and compute the days a
/// writer has marked (`agg_dirty`) from the base tables, in one statement. On a database with
/// one clean day and one marked day whose stored aggregate rows are wrong (its calls, scores
/// and surveys changed after they were built), every figure read that way equals the figure
/// computed from the base tables alone, and the reports equal those made after the rebuild.
@Suite struct DayAggregateTests {
    static let clean = "2026-11-23", dirty = "2026-11-24"

    /// The sample day (2026-11-24) and a copy of it one day earlier (calls `d-…`), with their
    /// analyses, scores and surveys, aggregates built; then the sample day changed without a
    /// rebuild: a score lowered, a call's wait and answer changed, a survey removed.
    static func twoDays() async throws -> CallStore {
        let store = try await AggregateTests.sampleDay()
        try store.write { db in
            func columns(_ table: String) throws -> [String] {
                try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
            }
            func copy(_ table: String, _ replace: [String: String], where condition: String) throws {
                let cols = try columns(table)
                let exprs = cols.map { replace[$0] ?? $0 }
                try db.execute(sql: "INSERT INTO \(table) (\(cols.joined(separator: ", "))) SELECT \(exprs.joined(separator: ", ")) FROM \(table) WHERE \(condition)")
            }
            let day = "call_id IN (SELECT call_id FROM calls WHERE local_date = '\(dirty)')"
            try copy("calls", ["call_id": "'d-' || call_id", "started_epoch": "started_epoch - 86400",
                               "started_at": "replace(started_at, '\(dirty)', '\(clean)')", "local_date": "'\(clean)'",
                               "local_weekday": "local_weekday - 1", "next_call_gap_s": "NULL"], where: "local_date = '\(dirty)'")
            try copy("analyses", ["call_id": "'d-' || call_id"], where: day)
            try copy("party_metrics", ["call_id": "'d-' || call_id"], where: day)
            try copy("scores", ["call_id": "'d-' || call_id"], where: day)
            try copy("surveys", ["survey_key": "'d-' || survey_key", "survey_id": "'d-' || survey_id", "call_id": "'d-' || call_id",
                                 "linked_call_id": "'d-' || linked_call_id"],
                     where: "linked_call_id IN (SELECT call_id FROM calls WHERE local_date = '\(dirty)')")
        }
        try store.refreshAggregates()
        #expect(try !store.aggregatesStale())
        // The sample day changes; its aggregate rows are left as they were.
        try store.write { db in
            try db.execute(sql: """
                UPDATE scores SET score = max(0, score - 30), critical_failed = 1
                WHERE rowid = (SELECT s.rowid FROM scores s JOIN calls c USING (call_id)
                               WHERE c.local_date = '\(dirty)' AND s.is_current = 1 AND s.status = 'complete' AND s.score > 50 ORDER BY s.call_id LIMIT 1);
                UPDATE calls SET wait_s = coalesce(wait_s, 0) + 45
                WHERE call_id = (SELECT call_id FROM calls WHERE local_date = '\(dirty)' AND answered = 1 ORDER BY call_id LIMIT 1);
                DELETE FROM surveys WHERE rowid = (SELECT v.rowid FROM surveys v JOIN calls c ON c.call_id = v.linked_call_id
                                                   WHERE c.local_date = '\(dirty)' AND v.answered = 1 ORDER BY v.survey_key LIMIT 1);
                """)
        }
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT local_date FROM agg_dirty") } == [dirty])
        return store
    }

    static func periods() throws -> [Period] {
        [.all, try Period.parse(from: clean, to: clean, zone: nil).get(), try Period.parse(from: dirty, to: dirty, zone: nil).get(),
         try Period.parse(from: clean, to: dirty, zone: nil).get(), try Period.parse(from: "2026-11-25", to: nil, zone: nil).get()]
    }

    static let scopes: [Scope] = [.everything, Scope(team: "Blue"), Scope(queue: "orders"), .agent("a1"), .teams(["Blue", "Red"]),
                                  Scope(access: .teams(["Red"]), queue: "support")]

    static func close(_ a: Double?, _ b: Double?) -> Bool { (a == nil && b == nil) || (a != nil && b != nil && abs(a! - b!) < 1e-9) }

    @Test func theFastPathEqualsTheBaseTablesWithACleanAndAMarkedDay() async throws {
        let store = try await Self.twoDays()
        // The stored rows of the marked day are wrong: reading them would give other numbers.
        let storedSum = try store.read { db in
            try Double.fetchOne(db, sql: "SELECT total(score_sum) FROM agg_scores_day WHERE local_date = ?", arguments: [Self.dirty]) ?? 0
        }
        let cards = try store.storedCards(scope: .everything)
        #expect(!cards.isEmpty)
        let trueSum = try cards.reduce(0.0) { sum, card in
            let day = try Period.parse(from: Self.dirty, to: Self.dirty, zone: nil).get()
            return sum + (try store.agentAggregates(period: day, cardID: card.id, scope: .everything).reduce(0) { $0 + $1.scoreSum })
        }
        #expect(abs(storedSum - trueSum) > 1, "the marked day's stored aggregates differ from its calls")
        var compared = 0, commentsWalked = 0
        for period in try Self.periods() {
            for scope in Self.scopes {
                let what = "\(period) \(scope)"
                for card in cards {
                    let fast = try #require(try store.agentAggregatesFromDays(period: period, cardID: card.id, scope: scope))
                    let base = try store.agentAggregates(period: period, cardID: card.id, scope: scope)
                    #expect(fast.map(\.agentID) == base.map(\.agentID), "\(what)")
                    for (a, b) in zip(fast, base) {
                        #expect(a.calls == b.calls && a.scored == b.scored && a.provisional == b.provisional && a.atTarget == b.atTarget
                            && a.criticalFails == b.criticalFails && a.name == b.name && a.team == b.team, "\(what) \(a.agentID)")
                        #expect(Self.close(a.scoreSum, b.scoreSum) && Self.close(a.scoreSquares, b.scoreSquares) && Self.close(a.talkRatio, b.talkRatio)
                            && Self.close(a.silenceRatio, b.silenceRatio) && Self.close(a.overtalkRatio, b.overtalkRatio) && Self.close(a.ahtS, b.ahtS),
                                "\(what) \(a.agentID)")
                    }
                    let (fb, fd) = try store.scoreDistribution(period: period, cardID: card.id, scope: scope, aggregates: true)
                    let (bb, bd) = try store.scoreDistribution(period: period, cardID: card.id, scope: scope, aggregates: false)
                    #expect(fb == bb, "\(what)")
                    let key = { (d: [(agent: String, date: String, n: Int, sum: Double)]) in d.sorted { ($0.agent, $0.date) < ($1.agent, $1.date) } }
                    #expect(key(fd).map { "\($0.agent) \($0.date) \($0.n)" } == key(bd).map { "\($0.agent) \($0.date) \($0.n)" }, "\(what)")
                    #expect(zip(key(fd), key(bd)).allSatisfy { abs($0.sum - $1.sum) < 1e-9 }, "\(what)")
                }
                for dims in [[String](), ["agent"], ["day"], ["team"], ["queue", "day"]] {
                    // The figures; a name only where the groups are agents (the per-call path
                    // also fills it for other groups, where no one reads it); the per-call path's
                    // one empty group of a period without answers is no figure either.
                    func figures(_ g: [NPSGroupCounts]) -> [String] {
                        g.filter { $0.nps.promoters + $0.nps.passives + $0.nps.detractors + $0.csatN > 0 }.map { "\($0.key) \($0.nps) \($0.csatN) \($0.csatTop) \(dims == ["agent"] ? $0.agentName ?? "-" : "")" }
                    }
                    let fast = try store.npsGroups(period: period, by: dims, scope: scope, aggregates: true)
                    let base = try store.npsGroups(period: period, by: dims, scope: scope, aggregates: false)
                    #expect(figures(fast) == figures(base), "\(what) \(dims)")
                }
                #expect(try store.npsByAgent(period: period, scope: scope, aggregates: true) == store.npsByAgent(period: period, scope: scope, aggregates: false),
                        "\(what)")
                #expect(try store.npsDistributionAndComments(period: period, scope: scope, limit: 50, aggregates: true).dist
                    == store.npsDistributionAndComments(period: period, scope: scope, limit: 50, aggregates: false).dist, "\(what)")
                // The latest detractor comments: the same rows in the same order whether walked
                // along the index by answer time (capped at a few entries or not) or found by
                // probing the period's calls.
                for limit in [1, 2, 3, 50] {
                    let probed = try store.npsDistributionAndComments(period: period, scope: scope, limit: limit, aggregates: true, walk: .none).comments
                    for walk in [CallStore.CommentWalk.automatic, .cap(1), .cap(2), .cap(4)] {
                        let got = try store.npsDistributionAndComments(period: period, scope: scope, limit: limit, aggregates: true, walk: walk).comments
                        #expect(got == probed, "\(what) limit \(limit) \(walk)")
                    }
                    if limit == 2, probed.count == 2 { commentsWalked += 1 }
                }
                #expect(try store.callSpan(period: period, scope: scope, aggregates: true) == store.callSpan(period: period, scope: scope, aggregates: false),
                        "\(what)")
                for dims in [[KPIDimension](), [.hour], [.day], [.weekday, .queue], [.team, .hour], [.day, .team]] {
                    guard let fast = try store.kpiGroupsFromHours(period: period, by: dims, settings: KPISettings(), scope: scope) else {
                        #expect(scope.namesAgent, "\(what): the hourly aggregates answer every scope but one agent's")
                        continue
                    }
                    let base = try store.kpiGroups(period: period, by: dims, settings: KPISettings(), scope: scope)
                    #expect(fast.map(\.key) == base.map(\.key), "\(what) \(dims)")
                    for (a, b) in zip(fast, base) {
                        #expect(a.offered == b.offered && a.answered == b.answered && a.abandoned == b.abandoned && a.outbound == b.outbound
                            && a.shortAbandons == b.shortAbandons && a.answeredWithinT == b.answeredWithinT && a.abandonedWithinT == b.abandonedWithinT
                            && a.fcrN == b.fcrN && a.fcrResolved == b.fcrResolved && a.ahtN == b.ahtN, "\(what) \(dims)")
                        #expect(Self.close(a.asaS, b.asaS) && Self.close(a.ahtS, b.ahtS) && Self.close(a.callsPerAgentDay, b.callsPerAgentDay), "\(what) \(dims)")
                    }
                }
                compared += 1
            }
        }
        #expect(compared == 30)
        #expect(commentsWalked > 0, "some periods hold detractor comments to walk to")
        // Reading wrote nothing: the day is still marked.
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT local_date FROM agg_dirty") } == [Self.dirty])
    }

    @Test func reportsWithAMarkedDayEqualTheReportsAfterItsRebuild() async throws {
        let store = try await Self.twoDays()
        func reports() throws -> String {
            var out = ""
            for period in try Self.periods().prefix(4) {
                for scope in [Scope.everything, Scope(team: "Blue"), .agent("a2")] {
                    for r in [try ReportBuilder.agents(store, period: period, scope: scope, minScored: 10),
                              try ReportBuilder.kpi(store, period: period, zone: nil, by: [.day, .queue], settings: KPISettings(), scope: scope),
                              try ReportBuilder.nps(store, period: period, by: [.agent], minimumN: 30, scope: scope)] {
                        out += r.tables.map { $0.text() }.joined() + r.charts
                    }
                }
            }
            return out
        }
        let marked = try reports()
        #expect(try store.refreshAggregates() == 1)
        #expect(try !store.aggregatesStale())
        #expect(try reports() == marked)
        #expect(marked.contains(Self.clean) && marked.contains(Self.dirty))
    }

    /// A rebuild is one short transaction per day: a reader between two of them sees the days
    /// already rebuilt from their new rows and the others computed, with the same figures.
    @Test func aRebuildGoesDayByDay() async throws {
        let store = try await Self.twoDays()
        try store.write { db in try db.execute(sql: "UPDATE calls SET wait_s = wait_s + 1 WHERE local_date = ? AND wait_s IS NOT NULL", arguments: [Self.clean]) }
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT local_date FROM agg_dirty ORDER BY 1") } == [Self.clean, Self.dirty])
        #expect(try store.refreshAggregates() == 2)
        #expect(try !store.aggregatesStale())
        #expect(try store.refreshAggregates() == 0)
    }

    /// The data version moves on with every insert, update and delete of the tables the
    /// workspace's cached pages read, and not with the aggregates rebuilt from them.
    @Test func theDataVersionMovesOnWithEveryChangeOfWhatPagesShow() async throws {
        let store = try await AggregateTests.sampleDay()
        var last = try #require(try store.dataVersion())
        func moved(_ what: String, _ sql: String) throws {
            try store.write { db in try db.execute(sql: sql) }
            let now = try #require(try store.dataVersion())
            #expect(now > last, "\(what)")
            last = now
        }
        for table in ["calls", "agents", "analyses", "party_metrics", "scores", "scorecards", "surveys"] {
            let column = try store.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }.last! }
            try moved("\(table) update", "UPDATE \(table) SET \(column) = \(column)")
        }
        try moved("calls insert", "INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, started_at, started_epoch, utc_offset_s, local_date, local_hour, local_weekday, answered, recording_status, ingested_at) VALUES ('v-1', 'manifest', 'x.csv', 2, 'f', '2026-11-24T09:00:00Z', 1795510800, 0, '2026-11-24', 9, 2, 0, 'none', '2026-11-24T10:00:00Z')")
        try moved("calls delete", "DELETE FROM calls WHERE call_id = 'v-1'")
        try moved("surveys delete", "DELETE FROM surveys WHERE rowid = (SELECT min(rowid) FROM surveys)")
        // Rebuilding the aggregates changes no figure: the version stays.
        #expect(try store.aggregatesStale())
        try store.refreshAggregates()
        #expect(try store.dataVersion() == last)
        // Accounts, sessions and the audit log are no page's figures.
        _ = try store.addUser(name: "u", role: .qa, agentID: nil, teams: [], passwordHash: "x", nowEpoch: 0)
        try store.appendAudit(AuditEntry(atEpoch: 0, action: .login, actor: "u"))
        #expect(try store.dataVersion() == last)
    }

    /// The known agents, teams and queues, read by seeking through the (team, queue, agent)
    /// index, are those of a DISTINCT over every call in scope, with calls without a team,
    /// with an empty team and without an agent among them.
    @Test func knownValuesAreTheDistinctValuesOfTheCallsInScope() async throws {
        let store = try await AggregateTests.sampleDay()
        try store.write { db in
            for agent in ["a9", "a8", "a7", ""] {
                try db.execute(sql: "INSERT OR IGNORE INTO agents (agent_id, agent_name, team, updated_at) VALUES (?, ?, NULL, '2026-11-24T09:00:00Z')",
                               arguments: [agent, "Agent \(agent)"])
            }
            for (id, agent, team, queue) in [("k-1", nil, "", "q-empty-team"), ("k-2", "a9", nil, "q-no-team"), ("k-3", "a8", "Blue", nil),
                                             ("k-4", "", "Teal", ""), ("k-5", "a7", "Blue", "")] as [(String, String?, String?, String?)] {
                try db.execute(sql: """
                    INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, agent_id, team, queue, started_at,
                        started_epoch, utc_offset_s, local_date, local_hour, local_weekday, answered, recording_status, ingested_at)
                    VALUES (?, 'manifest', 'x.csv', 2, 'f', ?, ?, ?, '2026-11-24T09:00:00Z', 1795510800, 0, '2026-11-24', 9, 2, 0, 'none', '2026-11-24T10:00:00Z')
                    """, arguments: [id, agent, team, queue])
            }
        }
        for scope in [Scope.everything, .teams(["Blue"]), .teams(["Blue", "Red", "Nope", ""]), .teams([]), .agent("a1"), .agent("a9"),
                      Scope(team: "Blue"), Scope(access: .teams(["Red"]), queue: "support")] {
            for column in [CallStore.KnownColumn.agent, .team, .queue] {
                let (sc, sa) = scope.sql()
                let distinct = try store.read { db in
                    try String.fetchAll(db, sql: """
                        SELECT DISTINCT c.\(column.rawValue) FROM calls c
                        WHERE c.\(column.rawValue) IS NOT NULL AND c.\(column.rawValue) <> '' AND \(sc) ORDER BY 1
                        """, arguments: StatementArguments(sa))
                }
                #expect(try store.knownValues(column, scope: scope) == distinct, "\(scope) \(column)")
            }
        }
        #expect(try store.knownValues(.queue, scope: .everything).contains("q-empty-team"))
        #expect(try store.knownValues(.queue, scope: .everything).contains("q-no-team"))
    }
}

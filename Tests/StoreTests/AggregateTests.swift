import Analytics
import CallQAModel
import CallRecords
import Foundation
import Pipeline
import Reports
import Store
import Testing
import GRDB

/// The SQL aggregates that make reports fast at scale give the same figures as the
/// per-call computation they replace, on the sample day.
@Suite struct AggregateTests {
    static func sampleDay() async throws -> CallStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-day-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("SampleAudio"), to: dir)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("callqa-report"))
        let store = try CallStore(path: dir.appendingPathComponent("day.sqlite").path)
        var o = RunOptions(folder: dir.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: dir.appendingPathComponent("out").path)
        o.ingest.jobs = 2
        _ = try await DailyRun.run(o, store: store, hasher: testKey)
        return store
    }

    @Test func sqlKPIsEqualThePerCallComputation() async throws {
        let store = try await Self.sampleDay()
        var settings = KPISettings()
        for dims in [[], [KPIDimension.hour], [.day, .agent], [.weekday, .queue], [.dialed, .team]] {
            for t in [20.0, 10] {
                settings.slThresholdS = t
                let sql = try store.kpiGroups(period: .all, by: dims, settings: settings, scope: Scope())
                let swift = KPI.aggregate(try store.kpiRows(period: .all, zone: nil, fcrWindowS: settings.fcrWindowS, scope: .everything), by: dims, settings: settings)
                #expect(sql.map(\.key) == swift.map(\.key), "\(dims)")
                for (a, b) in zip(sql, swift) {
                    #expect(a.offered == b.offered && a.answered == b.answered && a.abandoned == b.abandoned && a.outbound == b.outbound)
                    #expect(a.shortAbandons == b.shortAbandons && a.answeredWithinT == b.answeredWithinT && a.abandonedWithinT == b.abandonedWithinT)
                    #expect(a.fcrN == b.fcrN && a.fcrResolved == b.fcrResolved && a.ahtN == b.ahtN)
                    #expect(abs((a.asaS ?? -1) - (b.asaS ?? -1)) < 1e-9 && abs((a.ahtS ?? -1) - (b.ahtS ?? -1)) < 1e-9)
                    #expect(abs((a.callsPerAgentDay ?? -1) - (b.callsPerAgentDay ?? -1)) < 1e-9)
                }
            }
        }
        let filtered = try store.kpiGroups(period: .all, by: [], settings: KPISettings(), scope: Scope(queue: "orders"))
        #expect(filtered.first?.offered == 6)
        // The hourly aggregates (default settings, whole days) give the same groups.
        try store.refreshAggregates()
        let day = try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: nil).get()
        #expect(try store.kpiGroupsFromHours(period: .all, by: [.day, .agent], settings: KPISettings(), scope: Scope()) == nil)
        #expect(try store.kpiGroupsFromHours(period: .all, by: [], settings: KPISettings(), scope: Scope(agent: "a1")) == nil)
        for dims in [[], [KPIDimension.hour], [.day], [.weekday, .queue], [.team, .hour], [.day, .team]] {
            for (period, f) in [(Period.all, Scope()), (day, Scope(team: "Blue"))] {
                let agg = try #require(try store.kpiGroupsFromHours(period: period, by: dims, settings: KPISettings(), scope: f))
                let one = try store.kpiGroups(period: period, by: dims, settings: KPISettings(), scope: f)
                #expect(agg.map(\.key) == one.map(\.key), "\(dims)")
                for (a, b) in zip(agg, one) {
                    #expect(a.offered == b.offered && a.answered == b.answered && a.abandoned == b.abandoned && a.outbound == b.outbound
                        && a.shortAbandons == b.shortAbandons && a.answeredWithinT == b.answeredWithinT && a.abandonedWithinT == b.abandonedWithinT
                        && a.fcrN == b.fcrN && a.fcrResolved == b.fcrResolved && a.ahtN == b.ahtN, "\(dims)")
                    #expect(abs((a.asaS ?? -1) - (b.asaS ?? -1)) < 1e-9 && abs((a.ahtS ?? -1) - (b.ahtS ?? -1)) < 1e-9)
                    #expect(abs((a.callsPerAgentDay ?? -1) - (b.callsPerAgentDay ?? -1)) < 1e-9)
                }
            }
        }
        var other = KPISettings()
        other.slThresholdS = 30
        #expect(try store.kpiGroupsFromHours(period: .all, by: [], settings: other, scope: Scope()) == nil)
    }

    @Test func sqlAgentSummariesEqualThePerCallComputation() async throws {
        let store = try await Self.sampleDay()
        let surveys = try store.surveyFacts(period: .all, scope: .everything)
        let nps = try store.npsByAgent(period: .all, scope: Scope())
        for card in try store.storedCards(scope: .everything) {
            let rows = try store.agentCallRows(period: .all, cardID: card.id, scope: .everything)
            let scored = Set(rows.filter { $0.status != nil }.map(\.agentID))
            let perCall = AgentReport.summaries(rows.filter { scored.contains($0.agentID) }, surveys: surveys, target: card.target, minScored: 10)
            let sql = AgentReport.summaries(try store.agentAggregates(period: .all, cardID: card.id, scope: Scope()), nps: nps,
                                            target: card.target, minScored: 10)
            #expect(sql.map(\.agentID) == perCall.map(\.agentID), "\(card.id)")
            for (a, b) in zip(sql, perCall) {
                #expect(a.calls == b.calls && a.scored == b.scored && a.provisional == b.provisional && a.criticalFails == b.criticalFails)
                #expect(abs((a.quality ?? -1) - (b.quality ?? -1)) < 1e-9)
                #expect(abs((a.qualityLow ?? -1) - (b.qualityLow ?? -1)) < 1e-6 && abs((a.qualityHigh ?? -1) - (b.qualityHigh ?? -1)) < 1e-6)
                #expect(a.npsN == b.npsN && a.nps == b.nps && a.verdict == b.verdict)
                #expect(abs((a.talkRatio ?? -1) - (b.talkRatio ?? -1)) < 1e-9 && abs((a.ahtS ?? -1) - (b.ahtS ?? -1)) < 1e-9)
            }
            // The day aggregates give the same sums.
            try store.refreshAggregates()
            let days = try #require(try store.agentAggregatesFromDays(period: .all, cardID: card.id, scope: Scope()))
            let onePass = try store.agentAggregates(period: .all, cardID: card.id, scope: Scope())
            #expect(days.sorted { $0.agentID < $1.agentID }.map(\.calls) == onePass.sorted { $0.agentID < $1.agentID }.map(\.calls))
            for (a, b) in zip(days.sorted { $0.agentID < $1.agentID }, onePass.sorted { $0.agentID < $1.agentID }) {
                #expect(a.scored == b.scored && a.provisional == b.provisional && a.atTarget == b.atTarget && a.criticalFails == b.criticalFails)
                #expect(abs(a.scoreSum - b.scoreSum) < 1e-6 && abs(a.scoreSquares - b.scoreSquares) < 1e-3)
                #expect(abs((a.talkRatio ?? -1) - (b.talkRatio ?? -1)) < 1e-9 && abs((a.ahtS ?? -1) - (b.ahtS ?? -1)) < 1e-9)
            }
        }
        // NPS groups from the day aggregates equal the one-pass query (an instant period forces it).
        let wide = try Period.parse(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", zone: nil).get()
        for dims in [[], ["agent"], ["day", "queue"], ["team"]] {
            let agg = try store.npsGroups(period: .all, by: dims, scope: Scope())
            let one = try store.npsGroups(period: wide, by: dims, scope: Scope())
            #expect(agg.map(\.key) == one.map(\.key) && agg.map(\.nps) == one.map(\.nps), "\(dims)")
        }
        #expect(try store.npsDistributionAndComments(period: .all, scope: Scope(), limit: 10).dist
            == (try store.npsDistributionAndComments(period: wide, scope: Scope(), limit: 10).dist))
        // NPS groups by SQL equal the per-answer computation.
        let groups = try store.npsGroups(period: .all, by: ["agent"], scope: Scope())
        let fromFacts = NPSReport.tables(surveys, by: [.agent], minimumN: 30)[0].rows.map { $0[0] }
        #expect(groups.map { Cell.text($0.key[0]) } == fromFacts)
    }
}

@Suite struct PrivacyTests {
    /// Caller numbers and the hashing key never reach the database in clear, nor any report.
    @Test func callerNumbersAndTheKeyStayOut() async throws {
        let store = try await AggregateTests.sampleDay()
        let dir = URL(fileURLWithPath: store.path).deletingLastPathComponent()
        let key = "test key for callqa 0123456789"
        let keyHex = SHA256.hexString(Array(key.utf8))
        var texts: [String] = []
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("out/") }
        for f in files { texts.append((try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)) ?? "") }
        #expect(files.count >= 10)
        // The database holds the sample day's caller numbers only as hashes.
        let dump = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM calls").map { r in r.databaseValues.map { "\($0)" }.joined(separator: "|") }.joined(separator: "\n")
        }
        texts.append(dump)
        for t in texts {
            #expect(!t.contains(key) && !t.contains(keyHex))
            #expect(!t.contains("5550101") && !t.contains("+49 30"), "a caller number appears in clear")
        }
        #expect(try count(store, "SELECT count(*) FROM calls WHERE customer_hash IS NOT NULL") == 11)
    }
}

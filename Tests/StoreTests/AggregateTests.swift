import Analytics
import CallRecords
import Foundation
import Pipeline
import Reports
import Store
import Testing

/// The SQL aggregates that make reports fast at scale give the same figures as the
/// per-call computation they replace, on the sample day.
@Suite struct AggregateTests {
    static func sampleDay() throws -> CallStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-day-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("SampleAudio"), to: dir)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("callqa-report"))
        let store = try CallStore(path: dir.appendingPathComponent("day.sqlite").path)
        var o = RunOptions(folder: dir.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: dir.appendingPathComponent("out").path)
        o.ingest.jobs = 2
        _ = try DailyRun.run(o, store: store, hasher: testKey)
        return store
    }

    @Test func sqlKPIsEqualThePerCallComputation() throws {
        let store = try Self.sampleDay()
        var settings = KPISettings()
        for dims in [[], [KPIDimension.hour], [.day, .agent], [.weekday, .queue], [.dialed, .team]] {
            for t in [20.0, 10] {
                settings.slThresholdS = t
                let sql = try store.kpiGroups(period: .all, by: dims, settings: settings, filter: CallFilter())
                let swift = KPI.aggregate(try store.kpiRows(period: .all, zone: nil, fcrWindowS: settings.fcrWindowS), by: dims, settings: settings)
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
        let filtered = try store.kpiGroups(period: .all, by: [], settings: KPISettings(), filter: CallFilter(queue: "orders"))
        #expect(filtered.first?.offered == 6)
    }

    @Test func sqlAgentSummariesEqualThePerCallComputation() throws {
        let store = try Self.sampleDay()
        let surveys = try store.surveyFacts(period: .all)
        let nps = try store.npsByAgent(period: .all, filter: CallFilter())
        for card in try store.storedCards() {
            let rows = try store.agentCallRows(period: .all, cardID: card.id)
            let scored = Set(rows.filter { $0.status != nil }.map(\.agentID))
            let perCall = AgentReport.summaries(rows.filter { scored.contains($0.agentID) }, surveys: surveys, target: card.target, minScored: 10)
            let sql = AgentReport.summaries(try store.agentAggregates(period: .all, cardID: card.id, filter: CallFilter()), nps: nps,
                                            target: card.target, minScored: 10)
            #expect(sql.map(\.agentID) == perCall.map(\.agentID), "\(card.id)")
            for (a, b) in zip(sql, perCall) {
                #expect(a.calls == b.calls && a.scored == b.scored && a.provisional == b.provisional && a.criticalFails == b.criticalFails)
                #expect(abs((a.quality ?? -1) - (b.quality ?? -1)) < 1e-9)
                #expect(abs((a.qualityLow ?? -1) - (b.qualityLow ?? -1)) < 1e-6 && abs((a.qualityHigh ?? -1) - (b.qualityHigh ?? -1)) < 1e-6)
                #expect(a.npsN == b.npsN && a.nps == b.nps && a.verdict == b.verdict)
                #expect(abs((a.talkRatio ?? -1) - (b.talkRatio ?? -1)) < 1e-9 && abs((a.ahtS ?? -1) - (b.ahtS ?? -1)) < 1e-9)
            }
        }
    }
}

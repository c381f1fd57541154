import Analytics
import CallQAModel
import Foundation
import GRDB
import Pipeline
import Reports
@testable import Store
import Testing

/// Reports only read: they never rebuild the aggregates (the writers do), and while days are
/// marked changed and not yet rebuilt (an ingest in progress, a killed one) they compute
/// from the base tables, with the same numbers.
@Suite struct ReportsNeverWriteTests {
    static func everyReport(_ store: CallStore) throws -> String {
        var out = ""
        for r in [try ReportBuilder.agents(store, period: .all, scope: .everything, minScored: 10),
                  try ReportBuilder.agent(store, agentID: "a2", period: .all, scope: .everything, minScored: 10),
                  try ReportBuilder.kpi(store, period: .all, zone: nil, by: [.day, .queue], settings: KPISettings(), scope: .everything),
                  try ReportBuilder.nps(store, period: .all, by: [.agent], minimumN: 30, scope: .everything)] {
            out += r.tables.map { $0.text() }.joined()
        }
        out += try ReportBuilder.call(store, callID: "c-003", period: .all, scope: .everything).tables(forPeople: false, evidence: true)
            .map { $0.text() }.joined()
        return out
    }

    @Test func reportsWriteNothingAndAgreeWhileAggregatesAreStale() async throws {
        let store = try await AggregateTests.sampleDay()
        let fresh = try Self.everyReport(store)
        #expect(try !store.aggregatesStale())
        // A writer has marked the day changed and not rebuilt it yet.
        try store.write { db in try db.execute(sql: "INSERT OR IGNORE INTO agg_dirty (local_date) VALUES ('2026-11-24')") }
        store.checkpoint()
        func fileState() throws -> [Int64] {
            try [store.path, store.path + "-wal"].map { p in
                ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.int64Value ?? -1
            }
        }
        let before = try fileState()
        let stale = try Self.everyReport(store)
        #expect(try store.aggregatesStale(), "a report rebuilt the aggregates")
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_dirty") } == 1)
        #expect(try fileState() == before, "the database or its WAL grew while reporting")
        // Computed from the base tables: the same reports, but for the time they were made.
        #expect(stale == fresh)
        // The writer's refresh clears the mark; the reports stay the same.
        try store.refreshAggregates()
        #expect(try !store.aggregatesStale())
        #expect(try Self.everyReport(store) == fresh)
    }
}

import Analytics
import CallQAModel
import Foundation
import GRDB
import Pipeline
import Reports
@testable import Store
import Testing

/// Issue 27: the KPI thresholds are baked into the sums of `agg_kpi_hour`, so the rows are
/// only read for exactly the thresholds they were built with (`agg_kpi_settings`), and a
/// refresh with other thresholds (a changed default) rebuilds every day.
@Suite struct KPIThresholdTests {
    /// Thresholds a future callqa might make its defaults.
    static var changed: KPISettings {
        var s = KPISettings()
        s.slThresholdS = 10
        s.shortAbandonS = 3
        s.fcrWindowS = 3600
        return s
    }

    static let groupings: [[KPIDimension]] = [[], [.hour], [.day], [.weekday, .queue], [.team, .hour], [.day, .team]]

    static func close(_ a: Double?, _ b: Double?) -> Bool { abs((a ?? -1) - (b ?? -1)) < 1e-9 }

    /// The same groups, counts exactly and means to rounding.
    static func same(_ a: [KPIGroup], _ b: [KPIGroup]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.key == y.key && x.offered == y.offered && x.answered == y.answered && x.abandoned == y.abandoned
                && x.outbound == y.outbound && x.shortAbandons == y.shortAbandons && x.answeredWithinT == y.answeredWithinT
                && x.abandonedWithinT == y.abandonedWithinT && x.fcrN == y.fcrN && x.fcrResolved == y.fcrResolved && x.ahtN == y.ahtN
                && close(x.asaS, y.asaS) && close(x.ahtS, y.ahtS) && close(x.callsPerAgentDay, y.callsPerAgentDay)
        }
    }

    /// Every table of the KPI report as CSV, and its HTML page.
    static func kpiReport(_ store: CallStore, _ settings: KPISettings) throws -> [String] {
        var out: [String] = []
        for by in [[], [KPIDimension.queue, .hour], [.day, .team]] {
            let r = try ReportBuilder.kpi(store, period: .all, zone: nil, by: by, settings: settings, scope: Scope())
            out += r.tables.map { $0.csv() } + [r.html.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT[0-9:]{8}Z"#, with: "", options: .regularExpression)]
        }
        return out
    }

    @Test func rowsBuiltWithOtherThresholdsAreNotRead() async throws {
        let store = try await AggregateTests.sampleDay()
        let old = KPISettings(), new = Self.changed
        // Built with today's defaults (the run refreshed them).
        #expect(try store.refreshAggregates(kpi: old) == 0)
        #expect(try store.kpiGroupsFromHours(period: .all, by: [], settings: old, scope: Scope()) != nil)
        // The stored rows disagree with the new thresholds: reading them would be wrong.
        let truth = try store.kpiGroups(period: .all, by: [], settings: new, scope: Scope())
        let stale = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT sum(answered_within_t) AS a, sum(short_abandons) AS s, sum(fcr_resolved) AS f FROM agg_kpi_hour")
        }
        #expect((stale?["a"] as Int?) != truth.first?.answeredWithinT)
        #expect((stale?["s"] as Int?) != truth.first?.shortAbandons)
        #expect((stale?["f"] as Int?) != truth.first?.fcrResolved)
        // Read with the new thresholds: not from the aggregates; the report equals the
        // base-table computation.
        for dims in Self.groupings {
            #expect(try store.kpiGroupsFromHours(period: .all, by: dims, settings: new, scope: Scope()) == nil, "\(dims)")
        }
        let report = try ReportBuilder.kpi(store, period: .all, zone: nil, by: [], settings: new, scope: Scope())
        #expect(report.tables.map(\.rows) == KPIReport.tables(truth, by: [], settings: new).map(\.rows))

        // A callqa whose defaults are the new thresholds refreshes: every day is rebuilt
        // although none was marked, and the rows answer for the new thresholds only.
        let days = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(DISTINCT local_date) FROM calls") }
        #expect(try store.refreshAggregates(kpi: new) == days)
        #expect(try store.refreshAggregates(kpi: new) == 0)
        let recorded = try store.read { db in try Row.fetchOne(db, sql: "SELECT * FROM agg_kpi_settings") }
        #expect((recorded?["sl_threshold_s"] as Double?) == 10 && (recorded?["short_abandon_s"] as Double?) == 3
            && (recorded?["fcr_window_s"] as Double?) == 3600)
        let day = try Period.parse(from: "2026-11-24", to: "2026-11-24", zone: nil).get()
        for dims in Self.groupings {
            for (period, scope) in [(Period.all, Scope()), (day, Scope(team: "Blue"))] {
                let agg = try #require(try store.kpiGroupsFromHours(period: period, by: dims, settings: new, scope: scope))
                #expect(Self.same(agg, try store.kpiGroups(period: period, by: dims, settings: new, scope: scope)), "\(dims)")
                #expect(try store.kpiGroupsFromHours(period: period, by: dims, settings: old, scope: scope) == nil, "\(dims)")
            }
        }
        // Whichever thresholds the aggregates hold, every report is the base-table one.
        var oneThreshold = old
        oneThreshold.fcrWindowS = new.fcrWindowS
        for s in [old, new, oneThreshold] {
            #expect(try Self.kpiReport(store, s) == Self.kpiReport(try AggregateTests.baseOnly(store), s))
        }
    }

    @Test func aDatabaseOfThePreviousVersionUpgradesToTheSameNumbers() async throws {
        let path: String, before: [String], beforeGroups: [[KPIGroup]], days: Int?
        do {
            let store = try await AggregateTests.sampleDay()
            path = store.path
            before = try Self.kpiReport(store, KPISettings())
            beforeGroups = try Self.groupings.map { try store.kpiGroups(period: .all, by: $0, settings: KPISettings(), scope: Scope()) }
            days = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(DISTINCT local_date) FROM calls") }
        }

        // Back to the schema version before the KPI settings (dropping what that migration and
        // the ones after it added), with up-to-date aggregates whose KPI rows were built with
        // other thresholds, as by a callqa with other defaults.
        let list = Migrations.migrator()
        let kpiMigration = "2026-12-05-kpi-aggregate-settings"
        let index = try #require(list.items.firstIndex { $0.identifier == kpiMigration })
        let later = list.items[(index + 1)...].map(\.identifier)
        #expect(later == ["2026-12-06-accounts-sessions-audit", "2026-12-07-workspace-evaluations", "2026-12-08-watch-and-alerts",
                          "2026-12-08-disputes-calibration-coaching", "2026-12-08-api-tokens", "2026-12-08-tone-events",
                          "2026-12-08-workspace-indexes", "2026-12-08-data-version", "2026-12-08-detractor-comments-by-time",
                          "2026-12-08-calls-list-sort-keys", "2026-12-08-transcripts", "2026-12-09-export-audit",
                          "2026-12-09-transcript-index-rebuild"],
               "a newer migration: undo what it adds here too (the tone events migration adds nothing to undo: it rebuilds audio_events; the export audit only widens the audit log's CHECK, dropped with the table below)")
        let removed = [kpiMigration] + later
        let previousVersion = index
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: """
                DROP TABLE data_version;
                DROP INDEX calls_by_start_id; CREATE INDEX calls_by_start ON calls(started_epoch);
                DROP INDEX calls_by_team; DROP INDEX surveys_detractor_comments; DROP INDEX surveys_detractor_comments_by_time;
                DROP INDEX calls_by_handle; DROP INDEX calls_by_agent_key; DROP INDEX analyses_by_dead_air; DROP INDEX analyses_by_interruptions;
                DROP TABLE agg_kpi_settings;
                DROP TABLE coaching_refs; DROP TABLE coaching_notes; DROP TABLE calibration_answers; DROP TABLE calibration_members;
                DROP TABLE calibration_calls; DROP TABLE calibration_sessions; DROP TABLE dispute_events; DROP TABLE disputes;
                DROP TRIGGER evaluations_keep_history; DROP TABLE evaluation_history;
                DROP TABLE api_tokens;
                DROP TABLE audit_log; DROP TABLE sessions; DROP TABLE user_teams; DROP TABLE users; DROP TABLE evaluation_acknowledgements;
                DROP TABLE alerts; DROP TABLE watch_lines; DROP TABLE watch_sources; DROP TABLE watch_state;
                DROP TABLE transcript_fts; DROP TABLE transcript_parties; DROP TABLE transcripts;
                DELETE FROM grdb_migrations WHERE identifier IN (\(removed.map { "'\($0)'" }.joined(separator: ", ")));
                PRAGMA user_version = \(previousVersion);
                UPDATE agg_kpi_hour SET answered_within_t = 0, short_abandons = offered, fcr_resolved = 0;
                """)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_kpi_hour") ?? 0 > 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_dirty") == 0)
        }
        try queue.close()
        // Reports do not upgrade: they ask for a writer first.
        #expect { _ = try CallStore(path: path, readOnly: true) } throws: { "\($0)".contains("written by an older callqa") }

        // A writer opens it: migrated, no KPI row of unknown thresholds left, every day marked.
        let upgraded = try CallStore(path: path)
        try upgraded.read { db throws in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == list.items.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_kpi_hour") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_kpi_settings") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM agg_dirty") == days)
        }
        // Before any refresh (a report reading it now): the base tables, the same numbers.
        let reader = try CallStore(path: path, readOnly: true)
        #expect(try Self.kpiReport(reader, KPISettings()) == before)
        // After the writer's refresh: from rebuilt aggregates, the same numbers.
        #expect(try upgraded.refreshAggregates() == days)
        for (dims, groups) in zip(Self.groupings, beforeGroups) {
            let agg = try #require(try upgraded.kpiGroupsFromHours(period: .all, by: dims, settings: KPISettings(), scope: Scope()))
            #expect(Self.same(agg, groups), "\(dims)")
        }
        #expect(try Self.kpiReport(upgraded, KPISettings()) == before)
    }
}

extension AggregateTests {
    /// A read-only copy of the store's database with the aggregates marked stale, so every
    /// read computes from the base tables.
    static func baseOnly(_ store: CallStore) throws -> CallStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-base-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let copy = dir.appendingPathComponent("base.sqlite").path
        let source = try DatabaseQueue(path: store.path)
        try source.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
        try source.close()
        let queue = try DatabaseQueue(path: copy)
        try queue.write { db in try db.execute(sql: "INSERT INTO agg_dirty SELECT DISTINCT local_date FROM calls") }
        try queue.close()
        return try CallStore(path: copy, readOnly: true)
    }
}

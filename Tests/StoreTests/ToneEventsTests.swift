import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// Tones as events (`audio_events.kind = 'tone'`, migration 2026-12-08-tone-events): a
/// database of the version before keeps its events and takes tones after the upgrade, and
/// its calls, analysed by analyzer version 13, get their tone events when ingested again
/// (the analyzer version changed: each call of the folder is analysed again).
@Suite struct ToneEventsTests {
    /// 10 s of 8 kHz 16-bit stereo: line noise at about −60 dBFS; six DTMF digits on the right
    /// channel from 2.0 s and a 440 + 480 Hz ring-back tone on the left from 5.0 to 7.0 s.
    static func toneWAV() -> Data {
        let rate = 8000, n = 10 * rate
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var left = (0..<n).map { _ in uniform() * 0.0017 }, right = (0..<n).map { _ in uniform() * 0.0017 }
        let rows: [Double] = [697, 770, 852, 941], cols: [Double] = [1209, 1336, 1477, 1633]
        for d in 0..<6 {
            for i in 0..<800 {
                let t = Double(i) / Double(rate)
                right[16_000 + d * 1600 + i] += 0.03 * (sin(2 * .pi * rows[d % 4] * t) + sin(2 * .pi * cols[(d * 3) % 4] * t))
            }
        }
        for i in 40_000..<56_000 {
            let t = Double(i) / Double(rate)
            left[i] += 0.05 * (sin(2 * .pi * 440 * t) + sin(2 * .pi * 480 * t))
        }
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + n * 4)); data.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(2); u32(UInt32(rate)); u32(UInt32(rate * 4)); u16(4); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(n * 4))
        for i in 0..<n {
            for v in [left[i], right[i]] { u16(UInt16(bitPattern: Int16(max(-32767, min(32767, (v * 32767).rounded()))))) }
        }
        return data
    }

    static let migration = "2026-12-08-tone-events"

    @Test func anOlderDatabaseKeepsItsEventsAndGetsTonesWhenIngestedAgain() async throws {
        let dir = try batchFolder()
        try Self.toneWAV().write(to: dir.appendingPathComponent("tones.wav"))
        try write(manifestHeader + """
            c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,,
            t1,tones.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:10:00+01:00,3,true,10,0,5,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (first, store) = try await ingest(dir)
        #expect(first.analysed == 2)
        let path = store.path
        let eventsBefore = try count(store, "SELECT count(*) FROM audio_events WHERE kind <> 'tone'")
        #expect(eventsBefore > 0)
        #expect(try count(store, "SELECT count(*) FROM audio_events WHERE kind = 'tone' AND call_id = 't1'") >= 2)

        // Back to the version before: the old CHECK, no tone rows, analyses of analyzer 13.
        let list = Migrations.migrator()
        let index = try #require(list.items.firstIndex { $0.identifier == Self.migration })
        let later = list.items[(index + 1)...].map(\.identifier)
        #expect(later == ["2026-12-08-workspace-indexes", "2026-12-08-data-version", "2026-12-08-detractor-comments-by-time",
                          "2026-12-08-calls-list-sort-keys", "2026-12-08-transcripts", "2026-12-09-export-audit",
                          "2026-12-09-transcript-index-rebuild"],
                "a newer migration: undo what it adds here too (the export audit widens the audit log's CHECK again, which keeps what it allows)")
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in
            // The workspace's migrations after it (indexes, the data version), undone first.
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(sql: """
                DROP TABLE data_version;
                DROP INDEX calls_by_start_id; CREATE INDEX calls_by_start ON calls(started_epoch);
                DROP INDEX calls_by_team; DROP INDEX surveys_detractor_comments; DROP INDEX surveys_detractor_comments_by_time;
                DROP INDEX calls_by_handle; DROP INDEX calls_by_agent_key; DROP INDEX analyses_by_dead_air; DROP INDEX analyses_by_interruptions;
                DELETE FROM grdb_migrations WHERE identifier IN (\(later.map { "'\($0)'" }.joined(separator: ", ")));
                """)
            try db.execute(sql: """
                CREATE TABLE audio_events_old (
                    call_id TEXT NOT NULL REFERENCES analyses(call_id) ON DELETE CASCADE,
                    kind    TEXT NOT NULL CHECK (kind IN ('dead_air', 'hold', 'overtalk', 'interruption')),
                    party   TEXT CHECK (party IN ('agent', 'customer')),
                    start_s REAL NOT NULL,
                    end_s   REAL NOT NULL CHECK (end_s >= start_s)
                );
                INSERT INTO audio_events_old SELECT call_id, kind, party, start_s, end_s FROM audio_events WHERE kind <> 'tone';
                DROP TABLE audio_events;
                ALTER TABLE audio_events_old RENAME TO audio_events;
                CREATE INDEX audio_events_by_call ON audio_events(call_id, kind, start_s);
                UPDATE analyses SET analyzer_version = 'callqa-analysis 13';
                DROP TABLE transcript_fts; DROP TABLE transcript_parties; DROP TABLE transcripts;
                DELETE FROM grdb_migrations WHERE identifier IN (\(([Self.migration] + later).map { "'\($0)'" }.joined(separator: ", ")));
                PRAGMA user_version = \(index);
                """)
            // That schema has no room for a tone.
            #expect(throws: (any Error).self) {
                try db.execute(sql: "INSERT INTO audio_events (call_id, kind, start_s, end_s) VALUES ('t1', 'tone', 1, 2)")
            }
        }
        try queue.close()

        // A writer upgrades it: every event kept, tones accepted; no tone rows yet.
        let upgraded = try CallStore(path: path)
        #expect(try count(upgraded, "SELECT count(*) FROM audio_events") == eventsBefore)
        #expect(try count(upgraded, "PRAGMA user_version") == list.items.count)
        let detail = try #require(try upgraded.callDetail("t1", scope: .everything))
        #expect(!detail.events.contains { $0.kind == .tone } && (detail.audio?.toneS ?? 0) > 2.5)
        try upgraded.write { db in
            try db.execute(sql: "INSERT INTO audio_events (call_id, kind, start_s, end_s) VALUES ('t1', 'tone', 1, 2)")
            try db.execute(sql: "DELETE FROM audio_events WHERE kind = 'tone'")
        }

        // Ingested again: the analyzer version changed, so both calls are analysed again and
        // the tone call gets its tone events, whose total is its tone_s.
        let (again, store2) = try await ingest(dir)
        #expect(again.analysed == 2 && again.unchanged == 0)
        let toneS = try store2.read { db in try Double.fetchOne(db, sql: "SELECT tone_s FROM analyses WHERE call_id = 't1'") } ?? 0
        let total = try store2.read { db in
            try Double.fetchOne(db, sql: "SELECT sum(end_s - start_s) FROM audio_events WHERE call_id = 't1' AND kind = 'tone'")
        } ?? 0
        #expect(toneS > 2.5 && abs(total - toneS) < 0.02, "tone_s \(toneS), events \(total)")
        #expect(try count(store2, "SELECT count(*) FROM analyses WHERE analyzer_version = '\(analyzerVersion)'") == 2)
        // And a third run changes nothing.
        let (third, _) = try await ingest(dir)
        #expect(third.analysed == 0 && third.unchanged == 2)
    }
}

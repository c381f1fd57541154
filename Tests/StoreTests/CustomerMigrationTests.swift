import CallRecords
import Foundation
import GRDB
@testable import Store
import Testing

/// Issue 21: a database of the previous version (customer numbers of outbound calls in
/// clear in `dialed`, withheld numbers hashed as one caller) is rewritten by the migration
/// `2026-12-05-customer-number` in one transaction.
@Suite struct CustomerMigrationTests {
    static let key = CallerHasher(key: Array("test key for callqa 0123456789".utf8))

    /// A database with the migrations before the customer-number one, and old-style rows.
    static func oldDatabase() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: path)
        let list = Migrations.migrator()
        let old = list.items.prefix { $0.identifier != "2026-12-05-customer-number" }
        #expect(old.count == 7)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            for (id, body) in old {
                try body(db)
                try db.execute(sql: "INSERT INTO grdb_migrations VALUES (?)", arguments: [id])
            }
            func call(_ id: String, _ direction: String, _ hour: Int, callerHash: String?, callerClear: String?, dialed: String?) throws {
                try db.execute(sql: """
                    INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, direction, started_at,
                        started_epoch, utc_offset_s, local_date, local_hour, local_weekday, answered, caller_hash, caller_clear,
                        dialed, recording_status, ingested_at)
                    VALUES (?, 'manifest', 'm.csv', 2, 'fp', ?, ?, ?, 0, '2026-11-24', ?, 2, 1, ?, ?, ?, 'none', '2026-11-24T00:00:00Z')
                    """, arguments: [id, direction, String(format: "2026-11-24T%02d:00:00Z", hour), 1_764_000_000 + hour * 3600, hour,
                                     callerHash, callerClear, dialed])
            }
            try call("in1", "inbound", 9, callerHash: key.hash("+4915112345678"), callerClear: nil, dialed: "+49800111222")
            try call("out1", "outbound", 10, callerHash: key.hash("+49800111222"), callerClear: "+49800111222", dialed: "+49 151 1234 5678")
            try call("w1", "inbound", 11, callerHash: key.unfilteredHash("anonymous"), callerClear: nil, dialed: "+49800111222")
            try call("w2", "inbound", 12, callerHash: key.unfilteredHash("Anonymous"), callerClear: nil, dialed: "+49800111222")
            try db.execute(sql: "INSERT INTO import_runs (import_id, import_kind, source_file, started_at) VALUES (1, 'surveys', 's.csv', 'x')")
            try db.execute(sql: """
                INSERT INTO surveys (survey_key, caller_hash, linked_call_id, link_method, answered, score, answered_at, answered_epoch,
                                     row_fingerprint, source_file, source_line, imported_at, import_id)
                VALUES ('caller:x', ?, 'w2', 'caller_window', 1, 3, '2026-11-24T12:05:00Z', ?, 'f', 's.csv', 2, '2026-11-24T13:00:00Z', 1)
                """, arguments: [key.unfilteredHash("anonymous"), 1_764_000_000 + 12 * 3600 + 300])
        }
        try queue.close()
        return path
    }

    @Test func outboundNumbersAreHashedAndClearValuesDropped() throws {
        let path = try Self.oldDatabase()
        // Without the key the upgrade cannot hash: it says so and changes nothing.
        #expect { _ = try CallStore(path: path) } throws: { "\($0)".contains("needs the caller-hashing key") }
        let store = try CallStore(path: path, hasher: Self.key)
        let rows = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT call_id, customer_hash, customer_clear, dialed, next_call_gap_s FROM calls").map {
                ($0["call_id"] as String, $0)
            })
        }
        let customer = Self.key.hash("+4915112345678")
        #expect(rows["out1"]?["customer_hash"] == customer)
        #expect((rows["out1"]?["dialed"] as String?) == nil && (rows["out1"]?["customer_clear"] as String?) == nil)
        #expect((rows["in1"]?["dialed"] as String?) == "+49800111222", "the contact center's own number stays")
        #expect((rows["in1"]?["next_call_gap_s"] as Double?) == 3600, "in1 and out1 are the same customer")
        #expect((rows["w1"]?["customer_hash"] as String?) == nil && (rows["w2"]?["customer_hash"] as String?) == nil)
        #expect((rows["w1"]?["next_call_gap_s"] as Double?) == nil)
        let survey = try store.read { db in try Row.fetchOne(db, sql: "SELECT caller_hash, linked_call_id FROM surveys") }
        #expect((survey?["caller_hash"] as String?) == nil && (survey?["linked_call_id"] as String?) == nil)
        let version = try store.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == Migrations.migrator().items.count)
        // Nothing of the clear number is left in the file (secure_delete zeroes old values).
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for spelling in ["+49 151 1234 5678", "+4915112345678", "1234 5678"] {
                #expect(bytes.range(of: Data(spelling.utf8)) == nil, "\(spelling) left in \(file)")
            }
        }
    }
}

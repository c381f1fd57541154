import CallRecords
import Foundation
import Store
import Testing

/// Issue 21: real inputs that were misread, and clear errors for what users send.
@Suite struct Round2InputTests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-round2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func hexadecimalSecondsAndDateOnlyStartsAreRejected() throws {
        let dir = try Self.folder()
        try """
            call_id,agent_id,started_at,wait_s,answered
            h1,a1,2026-11-24T09:00:00+01:00,0x10,true
            h2,a1,2026-11-24T09:00:00+01:00,0x1p3,true
            d1,a1,2026-11-24,5,true
            ok,a1,2026-11-24T09:00:00+01:00,1e1,true

            """.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let parsed = Manifest.parse(path: dir.appendingPathComponent("m.csv").path, zone: nil)
        #expect(parsed.records.map(\.callID) == ["ok"])
        #expect(parsed.records.first?.waitS == 10)
        #expect(parsed.errors.map(\.field) == ["wait_s", "wait_s", "started_at"])
        #expect(parsed.errors[0].message == "expected seconds ≥ 0, got \"0x10\"")
        #expect(parsed.errors[2].message.contains("a date without a time of day"))
    }

    @Test func zonesWestOfUTCAndEmptyPeriods() throws {
        let dir = try Self.folder()
        try "call_id,agent_id,started_at,wait_s,answered\nc1,a1,2026-11-24T09:00:00,5,true\n"
            .write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let ingest = try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db, "--tz", "-05:00"], cwd: dir)
        #expect(ingest.status == 0, "\(ingest.output)")
        let store = try CallStore(path: db)
        let start = try store.read { db in try String.fetchOne(db, sql: "SELECT started_at FROM calls") }
        #expect(start == "2026-11-24T09:00:00-05:00")
        let report = try HostileCorpusTests.runCallqa(["report", "kpi", "--db", db, "--tz", "-05:00", "--format", "json"], cwd: dir)
        #expect(report.status == 0, "\(report.output)")
        let backwards = try HostileCorpusTests.runCallqa(["report", "kpi", "--db", db, "--from", "2026-11-25", "--to", "2026-11-24"], cwd: dir)
        #expect(backwards.status == 64 && backwards.output.contains("is before --from 2026-11-25"), "\(backwards.output)")
        #expect(Period.parse(from: "2026-11-24T10:00:00Z", to: "2026-11-24T09:00:00Z", zone: nil).isFailure)
        #expect(!Period.parse(from: "2026-11-24", to: "2026-11-24", zone: nil).isFailure)
    }

    @Test func queueLogCallIDsFollowTheManifestRule() throws {
        let dir = try Self.folder()
        let long = String(repeating: "9", count: 5000)
        try """
            1764000000|1764000000.1|support|NONE|ENTERQUEUE||+4930111|1
            1764000001|1764000000.1|support|Agent/1001|CONNECT|5|1764000000.2|3
            1764000000|bad\u{1B}[2Jid|support|NONE|ENTERQUEUE||+4930111|1
            1764000000|\(long)|support|NONE|ENTERQUEUE||+4930111|1

            """.write(to: dir.appendingPathComponent("queue_log"), atomically: true, encoding: .utf8)
        let parsed = QueueLog.parse(path: dir.appendingPathComponent("queue_log").path, zone: .fixed(offsetS: 0))
        #expect(parsed.records.map(\.callID) == ["1764000000.1"])
        #expect(parsed.errors.count == 2 && parsed.errors.allSatisfy { $0.field == "callid" })
    }

    /// Manifest values, file names and queue_log ids reach the terminal with their control
    /// characters shown, never acted on.
    @Test func noEscapeSequenceReachesTheTerminal() throws {
        let dir = try Self.folder()
        try "call_id,recording,agent_id,started_at,wait_s,answered\nc\u{1B}[31m1,x\u{1B}]0;owned\u{07}.wav,a1,2026-11-24T09:00:00+01:00,-3\u{1B}[2J,true\n"
            .write(to: dir.appendingPathComponent("m\u{1B}[1m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let o = try HostileCorpusTests.runCallqa(["ingest", "m\u{1B}[1m.csv", "--db", db], cwd: dir)
        #expect(o.status == 1)
        #expect(!o.output.contains("\u{1B}") && !o.output.contains("\u{07}"), "\(o.output.debugDescription)")
        #expect(o.output.contains("\\u{1B}"), "\(o.output)")
        let a = try HostileCorpusTests.runCallqa(["analyze", "y\u{1B}[2J.wav"], cwd: dir)
        #expect(!a.output.contains("\u{1B}"), "\(a.output.debugDescription)")
    }
}

extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}

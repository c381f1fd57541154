import CallQAModel
import CallRecords
import Foundation
import GRDB
import Pipeline
import Scorecard
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
            1764000100|1764000100.7|support|NONE|ENTERQUEUE||+4930333|1
            1764000105|1764000100.7|support|Agent/1001|CONNECT|0x10|1764000100.8|3
            0x1p3|1764000100.9|support|NONE|ENTERQUEUE||+4930333|1

            """.write(to: dir.appendingPathComponent("queue_log"), atomically: true, encoding: .utf8)
        let parsed = QueueLog.parse(path: dir.appendingPathComponent("queue_log").path, zone: .fixed(offsetS: 0))
        #expect(parsed.records.map(\.callID) == ["1764000000.1", "1764000100.7"])
        #expect(parsed.errors.map { $0.field ?? "-" } == ["callid", "callid", "holdtime", "time"])
        #expect(parsed.records.last?.waitS == nil, "0x10 is not 16 seconds")
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

@Suite struct SplitDirNameTests {
    /// A 300-character agent id gave a raw NSCocoaErrorDomain error and no file.
    @Test func longAndOddAgentIDsGiveSafeFiles() throws {
        let dir = try Round2InputTests.folder()
        let long = String(repeating: "a", count: 300)
        try "call_id,agent_id,started_at,wait_s,answered,talk_s\nc1,\(long),2026-11-24T09:00:00+01:00,5,true,60\nc2,x/../y,2026-11-24T09:05:00+01:00,5,true,60\n"
            .write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir).status == 0)
        let out = dir.appendingPathComponent("split").path
        let o = try HostileCorpusTests.runCallqa(["report", "agents", "--db", db, "--split-dir", out], cwd: dir)
        #expect(o.status == 0 && o.output.contains("wrote 2 agent file(s)"), "\(o.output)")
        // Each agent's file and, beside it, the folder of the same name with its call pages.
        let entries = try FileManager.default.contentsOfDirectory(atPath: out)
        let files = entries.filter { $0.hasSuffix(".html") }
        #expect(files.count == 2 && entries.count == 4 && entries.allSatisfy { $0.count < 70 && !$0.contains("/") }, "\(entries)")
        for f in files {
            let calls = try FileManager.default.contentsOfDirectory(atPath: out + "/" + f.dropLast(5)).filter { $0.hasPrefix("call-") }
            #expect(calls.count == 1, "\(f): \(calls)")
        }
        // A folder that cannot be made: a plain message.
        try Data().write(to: dir.appendingPathComponent("afile"))
        let bad = try HostileCorpusTests.runCallqa(["report", "agents", "--db", db, "--split-dir", dir.appendingPathComponent("afile/sub").path], cwd: dir)
        #expect(bad.status != 0 && bad.output.contains("cannot create the folder") && !bad.output.contains("NSCocoaErrorDomain"), "\(bad.output)")
    }
}

@Suite struct AsteriskLegTests {
    /// Terminal output with its wrapped lines joined again.
    func flat(_ s: String) -> String {
        s.replacingOccurrences(of: #"\n\s+"#, with: " ", options: .regularExpression)
    }

    static func cdr(_ src: String, _ dst: String, _ channel: String, _ dstchannel: String, _ app: String, _ data: String,
                    _ start: String, _ answer: String, _ end: String, _ duration: Int, _ billsec: Int, _ uid: String, linked: String) -> String {
        "\"\",\"\(src)\",\"\(dst)\",\"agents\",\"\",\"\(channel)\",\"\(dstchannel)\",\"\(app)\",\"\(data)\",\"\(start)\",\"\(answer)\",\"\(end)\",\(duration),\(billsec),\"ANSWERED\",\"DOCUMENTATION\",\"\(uid)\",\"\",\"\",\"\(linked)\",\"1\""
    }

    /// Asterisk 12+: a transfer writes two rows with the same uniqueid (agent 1001 for 100 s,
    /// then 1002 for 295 s). One call with two legs, not a rejected duplicate.
    @Test func perBridgeRowsAreLegsOfOneCall() throws {
        let dir = try Round2InputTests.folder()
        let rows = [
            Self.cdr("+4930111", "800", "PJSIP/trunk-00000001", "PJSIP/1001-00000002", "Queue", "support,,,,60",
                     "2026-11-24 09:00:00", "2026-11-24 09:00:20", "2026-11-24 09:02:00", 120, 100, "1764000000.1", linked: "1764000000.1"),
            Self.cdr("+4930111", "800", "PJSIP/trunk-00000001", "PJSIP/1002-00000003", "Queue", "support,,,,60",
                     "2026-11-24 09:02:00", "2026-11-24 09:02:00", "2026-11-24 09:06:55", 295, 295, "1764000000.1", linked: "1764000000.1"),
            // The same transfer seen from the second agent's channel: another uniqueid, the same linkedid.
            Self.cdr("+4930222", "800", "PJSIP/trunk-00000004", "PJSIP/1001-00000005", "Queue", "support,,,,60",
                     "2026-11-24 10:00:00", "2026-11-24 10:00:05", "2026-11-24 10:01:05", 65, 60, "1764003600.4", linked: "1764003600.4"),
            Self.cdr("+4930222", "800", "PJSIP/1001-00000005", "PJSIP/1003-00000006", "Dial", "PJSIP/1003",
                     "2026-11-24 10:01:05", "2026-11-24 10:01:10", "2026-11-24 10:03:10", 125, 120, "1764003665.6", linked: "1764003600.4"),
        ]
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("Master.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let o = try HostileCorpusTests.runCallqa(["ingest", "Master.csv", "--db", db], cwd: dir)
        #expect(o.status == 0 && !o.output.contains("duplicate"), "\(o.output)")
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM calls") == 2)
        let call = try store.read { db in try Row.fetchOne(db, sql: "SELECT agent_id, talk_s, answered FROM calls WHERE call_id = '1764000000.1'") }
        #expect((call?["agent_id"] as String?) == "PJSIP/1002" && (call?["talk_s"] as Double?) == 395)
        let legs = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT agent_id, talk_s FROM call_legs WHERE call_id = '1764000000.1' ORDER BY leg").map {
                "\($0["agent_id"] as String) \($0["talk_s"] as Double)"
            }
        }
        #expect(legs == ["PJSIP/1001 100.0", "PJSIP/1002 295.0"])
        // A restricted reader sees the legs' agents within their access only.
        let ownLegs = try #require(try store.callDetail("1764000000.1", scope: .agent("PJSIP/1002"))).legs.map(\.agentID)
        #expect(ownLegs == [CallStore.otherAgent, "PJSIP/1002"])
        #expect(try store.callDetail("1764000000.1", scope: .everything)?.legs.map(\.agentID) == ["PJSIP/1001", "PJSIP/1002"])
        #expect(try store.callDetail("1764000000.1", scope: .teams(["nobody's team"])) == nil)
        #expect(try count(store, "SELECT count(*) FROM call_legs WHERE call_id = '1764003600.4'") == 2)
        // Re-running the same file changes nothing.
        let again = try HostileCorpusTests.runCallqa(["ingest", "Master.csv", "--db", db], cwd: dir)
        #expect(again.status == 0 && again.output.contains("skipped as unchanged  2"), "\(again.output)")
        // explain and report call show the transfer and whose the scores are.
        let explain = try HostileCorpusTests.runCallqa(["explain", "1764000000.1", "--db", db], cwd: dir)
        #expect(flat(explain.output).contains("transferred: leg 1 PJSIP/1001 100 s → leg 2 PJSIP/1002 295 s; no recording: scores are PJSIP/1002's (most talk)"), "\(explain.output)")
        let report = try HostileCorpusTests.runCallqa(["report", "call", "1764000000.1", "--db", db], cwd: dir)
        #expect(report.status == 0 && report.output.contains("transferred: leg 1") && report.output.contains("(the call's)"), "\(report.output)")
        let json = try HostileCorpusTests.runCallqa(["explain", "1764000000.1", "--db", db, "--format", "json"], cwd: dir)
        #expect(json.output.contains("\"scored\":true") || json.output.contains("\"scored\": true"), "\(json.output)")
    }

    /// Legs that carry their own recordings (`recordingfile`, FreePBX-style bare names filed
    /// under YYYY/MM/DD): the call is analysed on the recording of the leg with the most talk
    /// among those with one and scored for that leg's agent; no agent is credited twice.
    @Test func legsWithTheirOwnRecordingsCreditTheirAgent() throws {
        let dir = try Round2InputTests.folder()
        let day = dir.appendingPathComponent("2026/11/24")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        for name in ["leg1-1001.wav", "a-1001.wav", "b-1003.wav"] {
            try HostileRound2Tests.wav(rate: 8000).write(to: day.appendingPathComponent(name))
        }
        let rows = [
            // Only the first agent's leg was recorded: the call is 1001's, although 1002 talked longer.
            Self.cdr("+4930111", "800", "PJSIP/trunk-00000001", "PJSIP/1001-00000002", "Queue", "support,,,,60",
                     "2026-11-24 09:00:00", "2026-11-24 09:00:20", "2026-11-24 09:02:00", 120, 100, "1764000000.1", linked: "1764000000.1") + ",\"leg1-1001.wav\"",
            Self.cdr("+4930111", "800", "PJSIP/trunk-00000001", "PJSIP/1002-00000003", "Queue", "support,,,,60",
                     "2026-11-24 09:02:00", "2026-11-24 09:02:00", "2026-11-24 09:06:55", 295, 295, "1764000000.1", linked: "1764000000.1") + ",\"\"",
            // Both legs recorded: the call is analysed on the longer leg's file, 1003's.
            Self.cdr("+4930222", "800", "PJSIP/trunk-00000004", "PJSIP/1001-00000005", "Queue", "support,,,,60",
                     "2026-11-24 10:00:00", "2026-11-24 10:00:05", "2026-11-24 10:01:05", 65, 60, "1764003600.4", linked: "1764003600.4") + ",\"a-1001.wav\"",
            Self.cdr("+4930222", "800", "PJSIP/1001-00000005", "PJSIP/1003-00000006", "Dial", "PJSIP/1003",
                     "2026-11-24 10:01:05", "2026-11-24 10:01:10", "2026-11-24 10:03:10", 125, 120, "1764003665.6", linked: "1764003600.4") + ",\"b-1003.wav\"",
        ]
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("Master.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let columns = (AsteriskCDR.defaultColumns + ["recordingfile"]).joined(separator: ",")
        let o = try HostileCorpusTests.runCallqa(["ingest", "Master.csv", "--db", db, "--input", "asterisk-cdr", "--cdr-columns", columns], cwd: dir)
        #expect(o.status == 0, "\(o.output)")
        let store = try CallStore(path: db)
        let calls = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT call_id, agent_id, recording, talk_s FROM calls ORDER BY call_id").map {
                "\($0["call_id"] as String) \($0["agent_id"] as String) \($0["recording"] as String? ?? "-") \($0["talk_s"] as Double)"
            }
        }
        #expect(calls == ["1764000000.1 PJSIP/1001 2026/11/24/leg1-1001.wav 395.0", "1764003600.4 PJSIP/1003 2026/11/24/b-1003.wav 180.0"])
        #expect(try count(store, "SELECT count(*) FROM analyses") == 2)
        let legs = try store.callLegs("1764003600.4", scope: .everything)
        #expect(legs.map(\.scored) == [false, true] && legs.map(\.recording) == ["2026/11/24/a-1001.wav", "2026/11/24/b-1003.wav"])
        // Each call is one agent's: 1002 has no call, 1001 one (not two).
        #expect(try count(store, "SELECT count(*) FROM calls WHERE agent_id = 'PJSIP/1002'") == 0)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE agent_id = 'PJSIP/1001'") == 1)
        let explain = try HostileCorpusTests.runCallqa(["explain", "1764000000.1", "--db", db], cwd: dir)
        #expect(flat(explain.output).contains("transferred: leg 1 PJSIP/1001 100 s → leg 2 PJSIP/1002 295 s; the recording covers leg 1: scores are PJSIP/1001's (not scored: leg 2 has no recording)"), "\(explain.output)")
        let other = try HostileCorpusTests.runCallqa(["explain", "1764003600.4", "--db", db], cwd: dir)
        #expect(flat(other.output).contains("the recording covers leg 2: scores are PJSIP/1003's (not scored: leg 1 has its own recording 2026/11/24/a-1001.wav)"), "\(other.output)")
    }
}

@Suite struct EvaluationAndCardRound2Tests {
    /// An answer dated 2062 was stored and then blocked every correction as "older".
    @Test func evaluationsFromTheFutureAreRefused() async throws {
        let (dir, store, card) = try await scoredBatch()
        try write("""
            call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment
            c1,qa,greeting,no,Maria,2062-01-01T12:00:00+01:00,
            c1,qa,greeting,yes,Maria,2026-11-24T12:00:00+01:00,

            """, to: dir.appendingPathComponent("evaluations.csv"))
        let imp = try EvaluationsImport.run(path: dir.appendingPathComponent("evaluations.csv").path, cards: [card], store: store)
        #expect(imp.stored == 1)
        #expect(imp.rejected.map(\.field) == ["evaluated_at"])
        #expect(imp.rejected.first?.message.contains("is in the future") == true)
    }

    /// Weights of 1e-200 passed lint and made every call "not scorable".
    @Test func weightsTooSmallToMatterAreLintErrors() throws {
        let yaml = cardYAML.replacingOccurrences(of: "weight: 2", with: "weight: 1e-200")
            .replacingOccurrences(of: "- id: talk", with: "- id: talk\n    weight: 0.0000001")
        do {
            _ = try CardLoader.parse(text: yaml, file: "tiny.yaml", contentHash: "x")
            Issue.record("a card with weights of 1e-200 passed lint")
        } catch {
            let text = error.issues.map(\.description).joined(separator: "\n")
            #expect(text.contains("criterion weight: expected 0 or a number between 0.001 and 1000000") || text.contains("weight: expected 0 or a number between 0.001"), "\(text)")
            #expect(error.issues.count == 2, "\(text)")
        }
    }
}

@Suite struct ManifestEncodingTests {
    static let rows = "call_id,recording,agent_id,started_at,wait_s,answered\nc1,,a1,2026-11-24T09:00:00+01:00,5,true\nc2,Müller.wav,a1,2026-11-24T09:05:00+01:00,5,true\n"

    /// Excel's "Unicode text" (UTF-16 with BOM) and classic-Mac CR-only files are read, with a warning.
    @Test func utf16AndCROnlyManifestsAreRead() throws {
        let dir = try Round2InputTests.folder()
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(Self.rows.data(using: .utf16LittleEndian)!)
        try utf16.write(to: dir.appendingPathComponent("unicode.csv"))
        try Data(Self.rows.replacingOccurrences(of: "\n", with: "\r").utf8).write(to: dir.appendingPathComponent("mac.csv"))
        for (file, notice) in [("unicode.csv", "UTF-16 text"), ("mac.csv", "CR only")] {
            let reader = try Manifest.Reader(path: dir.appendingPathComponent(file).path, zone: nil)
            var errors: [CallRecords.RecordError] = []
            var ids: [String] = []
            while let r = reader.next(errors: &errors) { ids.append(r.callID) }
            #expect(ids == ["c1", "c2"] && errors.isEmpty, "\(file): \(errors)")
            #expect(reader.notice?.contains(notice) == true, "\(file)")
        }
    }

    /// A recording named in NFD (copied from a Mac) is found under its NFC name, and back.
    @Test func decomposedNamesFindComposedFiles() throws {
        let dir = try Round2InputTests.folder()
        try HostileRound2Tests.wav(rate: 8000).write(to: dir.appendingPathComponent("M\u{FC}ller.wav"))
        let nfd = "Mu\u{308}ller.wav"
        #expect(nfd.utf8.count != "M\u{FC}ller.wav".utf8.count)
        try Data("call_id,recording,agent_id,started_at,wait_s,answered\nc1,\(nfd),a1,2026-11-24T09:00:00+01:00,5,true\n".utf8)
            .write(to: dir.appendingPathComponent("m.csv"))
        let db = dir.appendingPathComponent("q.sqlite").path
        let o = try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir)
        #expect(o.status == 0 && o.output.contains("analysed and stored   1"), "\(o.output)")
    }

    /// A German Excel export: every row says which setting fixes it.
    @Test func germanExcelExportSaysWhatToChange() throws {
        let dir = try Round2InputTests.folder()
        try "call_id;agent_id;started_at;wait_s;answered\nc1;a1;24.11.2026 09:18;5;true\nc2;a1;2026-11-24T09:18:00+01:00;43,7;true\n"
            .write(to: dir.appendingPathComponent("de.csv"), atomically: true, encoding: .utf8)
        let parsed = Manifest.parse(path: dir.appendingPathComponent("de.csv").path, zone: nil)
        #expect(parsed.errors.count == 2)
        #expect(parsed.errors[0].message.contains("day.month.year date") && parsed.errors[0].message.contains("--tz"))
        #expect(parsed.errors[1].message.contains("decimal comma") && parsed.errors[1].message.contains("Use system separators"))
    }

    /// `ingest --locale de --tz Europe/Berlin` reads a German Excel export as it is: a
    /// semicolon-separated file with a BOM and CRLF, `43,7` seconds, `1.234,5` with a
    /// thousands dot and `24.11.2026 09:18` start times; ISO times still work; what is not
    /// German notation is refused with the row, the column and what is allowed.
    @Test func germanExcelExportIsReadWithLocaleDe() throws {
        let dir = try Round2InputTests.folder()
        let rows = [
            "call_id;agent_id;agent_name;team;queue;direction;started_at;wait_s;answered;talk_s;hold_s;acw_s",
            "de-1;a1;Jürgen Müller;Team Süd;support;inbound;24.11.2026 09:18;43,7;true;312,4;0;25",
            "de-2;a1;Jürgen Müller;Team Süd;support;inbound;24.11.2026 09:31:05;3;true;1.234,5;12,25;30,0",
            "de-3;a2;Anna Weiß;Team Süd;support;inbound;2026-11-24T10:00:00+01:00;0,5;false;;;",
            "de-4;a2;Anna Weiß;Team Süd;support;inbound;24.11.2026 10:05;43.7;true;60;0;0",
            "de-5;a2;Anna Weiß;Team Süd;support;inbound;31.02.2026 10:05;4;true;60;0;0",
        ]
        let data = Data([0xEF, 0xBB, 0xBF]) + Data((rows.joined(separator: "\r\n") + "\r\n").utf8)
        try data.write(to: dir.appendingPathComponent("Export.csv"))
        let path = dir.appendingPathComponent("Export.csv").path
        let berlin = Timestamp.Zone("Europe/Berlin")
        let reader = try Manifest.Reader(path: path, zone: berlin, locale: .german)
        var errors: [CallRecords.RecordError] = []
        var calls: [CallRecord] = []
        while let r = reader.next(errors: &errors) { calls.append(r) }
        #expect(calls.map(\.callID) == ["de-1", "de-2", "de-3"])
        #expect(calls.map(\.waitS) == [43.7, 3, 0.5] && calls.map(\.talkS) == [312.4, 1234.5, nil] && calls[1].holdS == 12.25)
        #expect(calls[0].startedAt?.iso8601 == "2026-11-24T09:18:00+01:00" && calls[1].startedAt?.iso8601 == "2026-11-24T09:31:05+01:00")
        #expect(calls[2].startedAt?.iso8601 == "2026-11-24T10:00:00+01:00")
        #expect(errors.map(\.source.line) == [5, 6] && errors.map(\.field) == ["wait_s", "started_at"], "\(errors)")
        #expect(errors[0].message.contains("decimal comma (--locale de)") && errors[0].message.contains("43,7"), "\(errors[0].message)")
        #expect(errors[1].message.contains("day.month.year"), "\(errors[1].message)")
        // Without --tz a day.month.year time has no offset: said per row.
        let noZone = try Manifest.Reader(path: path, zone: nil, locale: .german)
        var e2: [CallRecords.RecordError] = []
        while noZone.next(errors: &e2) != nil {}
        #expect(e2.first?.message.contains("pass --tz") == true, "\(e2)")
        // The command: exit 1 for the two bad rows, three calls stored.
        let db = dir.appendingPathComponent("q.sqlite").path
        let o = try HostileCorpusTests.runCallqa(["ingest", "Export.csv", "--db", db, "--locale", "de", "--tz", "Europe/Berlin"], cwd: dir)
        #expect(o.status == 1 && o.output.contains("Export.csv:5") && o.output.contains("Export.csv:6"), "\(o.output)")
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM calls") == 3)
        // Without --locale de, the rejection names the option.
        let plain = Manifest.parse(path: path, zone: berlin)
        #expect(plain.errors.first?.message.contains("--locale de") == true, "\(plain.errors)")
    }
}

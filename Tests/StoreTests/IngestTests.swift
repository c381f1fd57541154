import CallQAModel
import CallAnalysis
import CallRecords
import FileDigest
import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// The package root, from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh folder with copies of the sample recordings (a.wav µ-law, b.wav A-law, c.wav PCM16, g.wav mono GSM).
func batchFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-ingest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let sample = packageRoot.appendingPathComponent("SampleAudio")
    for (from, to) in [("c-001-ulaw.wav", "a.wav"), ("c-002-alaw.wav", "b.wav"),
                       ("c-004-pcm16.wav", "c.wav"), ("c-008-gsm.wav", "g.wav")] {
        try FileManager.default.copyItem(at: sample.appendingPathComponent(from), to: dir.appendingPathComponent(to))
    }
    return dir
}

let manifestHeader = "call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s,caller,dialed\n"

func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

let testKey = CallerHasher(key: Array("test key for callqa 0123456789".utf8))

func ingest(_ dir: URL, _ manifest: String = "manifest.csv", configure: (inout IngestOptions) -> Void = { _ in }) async throws -> (IngestSummary, CallStore) {
    let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
    var options = IngestOptions(inputs: [dir.appendingPathComponent(manifest).path])
    options.jobs = 2
    configure(&options)
    return (try await Ingest.run(options, store: store, hasher: testKey), store)
}

func count(_ store: CallStore, _ sql: String) throws -> Int {
    try store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
}

@Suite struct IngestTests {
    @Test func storesCallsAnalysesEventsAndRejectedRows() async throws {
        let dir = try batchFolder()
        try write(manifestHeader + """
            c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,+49 30 1234567,0800111
            c2,b.wav,a2,Ben,Blue,orders,inbound,2026-11-24T09:05:00+01:00,4,true,30,5,15,,0800111
            c3,,a1,Anna,Blue,orders,inbound,2026-11-24T09:07:00+01:00,40,false,,,,030 999,0800111
            c4,g.wav,a3,Cleo,Red,support,outbound,2026-11-24T09:12:00Z,3,true,30,0,10,,
            c5,gone.wav,a3,Cleo,Red,support,outbound,2026-11-24T09:13:00Z,3,true,30,0,10,,
            c6,,a3,Cleo,Red,support,inbound,2026-11-24T09:14:00Z,3,true,30,0,10,,
            ,a.wav,a3,Cleo,Red,support,inbound,2026-11-24T09:15:00Z,3,true,30,0,10,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (s, store) = try await ingest(dir)
        #expect(s.calls == 6)
        #expect(s.analysed == 3)
        #expect(s.recordingsFailed == 1)
        #expect(s.rowsRejected == 1)
        #expect(s.answeredWithoutRecording == 1)
        #expect(s.anyFailed)
        #expect(try count(store, "SELECT count(*) FROM calls") == 6)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 3)
        // Stereo calls have agent + customer rows; the mono GSM call a 'mixed' row only.
        #expect(try count(store, "SELECT count(*) FROM party_metrics WHERE call_id IN ('c1','c2') AND party IN ('agent','customer')") == 4)
        #expect(try count(store, "SELECT count(*) FROM party_metrics WHERE call_id = 'c4' AND party = 'mixed'") == 1)
        #expect(try count(store, "SELECT count(*) FROM analyses WHERE call_id = 'c4' AND overtalk_s IS NULL AND interruptions_by_agent IS NULL") == 1)
        #expect(try count(store, "SELECT count(*) FROM audio_events WHERE kind = 'overtalk'") > 0)
        // Status of calls without a usable recording.
        let status = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT call_id, recording_status FROM calls").map {
                ($0["call_id"] as String, $0["recording_status"] as String)
            })
        }
        #expect(status == ["c1": "analysed", "c2": "analysed", "c3": "none", "c4": "analysed", "c5": "missing", "c6": "missing"])
        // Callers are hashed, never stored in clear by default.
        #expect(try count(store, "SELECT count(*) FROM calls WHERE customer_clear IS NOT NULL") == 0)
        let hash = try store.read { db in try String.fetchOne(db, sql: "SELECT customer_hash FROM calls WHERE call_id = 'c1'") }
        #expect(hash == testKey.hash("+49301234567"))
        // Rejected rows and failed recordings are in ingest_errors with file and line.
        let errors = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT stage, line, field FROM ingest_errors ORDER BY line").map {
                "\($0["stage"] as String) \($0["line"] as Int) \($0["field"] as String)"
            }
        }
        #expect(errors == ["recording 6 recording", "record 8 call_id"])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func secondRunStoresNothingTwiceAndChangesNothing() async throws {
        let dir = try batchFolder()
        try write(manifestHeader + """
            c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,,
            c2,c.wav,a2,Ben,Blue,orders,inbound,2026-11-24T09:05:00+01:00,4,true,30,5,15,,
            c3,,a1,Anna,Blue,orders,inbound,2026-11-24T09:07:00+01:00,40,false,,,,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (first, store) = try await ingest(dir)
        #expect(first.analysed == 2 && !first.anyFailed)
        let dump = "SELECT group_concat(call_id || content_sha256 || analysed_at || duration_s, '|') FROM analyses"
        let before = try store.read { db in try String.fetchOne(db, sql: dump) }
        let (second, _) = try await ingest(dir)
        #expect(second.analysed == 0)
        #expect(second.unchanged == 3)
        #expect(second.recordsStored == 0)
        #expect(try store.read { db in try String.fetchOne(db, sql: dump) } == before)
        #expect(try count(store, "SELECT count(*) FROM calls") == 3)
        #expect(try count(store, "SELECT count(*) FROM party_metrics") == 4)
    }

    @Test func changedRecordingOrParametersAreReanalysedAndReplaced() async throws {
        let dir = try batchFolder()
        try write(manifestHeader + """
            c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,,
            c2,c.wav,a2,Ben,Blue,orders,inbound,2026-11-24T09:05:00+01:00,4,true,30,5,15,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (_, store) = try await ingest(dir)
        let sha = "SELECT content_sha256 FROM analyses WHERE call_id = 'c1'"
        let oldSHA = try store.read { db in try String.fetchOne(db, sql: sha) }
        // Replace c1's recording with other audio.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("a.wav"))
        try FileManager.default.copyItem(at: dir.appendingPathComponent("b.wav"), to: dir.appendingPathComponent("a.wav"))
        let (changed, _) = try await ingest(dir)
        #expect(changed.analysed == 1)
        #expect(changed.unchanged == 1)
        #expect(try store.read { db in try String.fetchOne(db, sql: sha) } != oldSHA)
        #expect(try count(store, "SELECT count(*) FROM party_metrics WHERE call_id = 'c1'") == 2)
        // Touching a file without changing it: hashed again, found equal, not re-analysed.
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: dir.appendingPathComponent("c.wav").path)
        let (touched, _) = try await ingest(dir)
        #expect(touched.analysed == 0 && touched.unchanged == 2)
        // New parameters: every recording again.
        let (reparam, _) = try await ingest(dir) { $0.analysis.parameters.deadAirS = 5 }
        #expect(reparam.analysed == 2)
        let params = try store.read { db in try String.fetchOne(db, sql: "SELECT parameters FROM analyses WHERE call_id = 'c2'") }
        #expect(params?.contains("\"dead_air_s\":5.0") == true)
        // A corrected call record alone: the record is updated, the analysis kept.
        try write(manifestHeader + """
            c1,a.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,13,true,30,0,20,,
            c2,c.wav,a2,Ben,Blue,orders,inbound,2026-11-24T09:05:00+01:00,4,true,30,5,15,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (record, _) = try await ingest(dir) { $0.analysis.parameters.deadAirS = 5 }
        #expect(record.analysed == 0 && record.recordsStored == 1)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE call_id = 'c1' AND wait_s = 13 AND recording_status = 'analysed'") == 1)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 2)
    }

    @Test func recordingPathsThatLeaveTheAudioRootAreRefused() async throws {
        let dir = try batchFolder()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-outside-\(UUID().uuidString).wav")
        try FileManager.default.copyItem(at: dir.appendingPathComponent("a.wav"), to: outside)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.wav").path, withDestinationPath: outside.path)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try write(manifestHeader + """
            c1,../\(outside.lastPathComponent),a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,
            c2,\(outside.path),a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,
            c3,link.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,
            c4,sub/../a.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,
            c5,\(dir.appendingPathComponent("b.wav").path),a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,
            c6,sub,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00Z,1,true,30,0,0,,

            """, to: dir.appendingPathComponent("manifest.csv"))
        let (s, store) = try await ingest(dir)
        #expect(s.analysed == 2)
        #expect(s.recordingsFailed == 4)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE recording_status = 'outside_root'") == 4)
        let messages = s.problems.map(\.message).joined(separator: "\n")
        #expect(messages.contains("resolves outside the audio root"))
        #expect(messages.contains("is a link to"))
        #expect(messages.contains("is a folder"))
    }

    @Test func asteriskCallsFindTheirRecordingsByUniqueID() async throws {
        let dir = try batchFolder()
        try FileManager.default.moveItem(at: dir.appendingPathComponent("a.wav"), to: dir.appendingPathComponent("q-support-1764000000.11.wav"))
        try FileManager.default.moveItem(at: dir.appendingPathComponent("b.wav"), to: dir.appendingPathComponent("q-support-1764000000.1.wav"))
        try write(#"""
            "","+4930111222","5000","from-pstn","x","PJSIP/trunk-1","PJSIP/agent1001-2","Queue","support,t","2026-11-24 09:00:00","2026-11-24 09:00:18","2026-11-24 09:05:18",318,300,"ANSWERED","DOCUMENTATION","1764000000.11",""
            "","+4930333444","5000","from-pstn","x","PJSIP/trunk-3","","Queue","support,t","2026-11-24 09:01:00","","2026-11-24 09:01:40",40,0,"NO ANSWER","DOCUMENTATION","1764000060.12",""

            """#, to: dir.appendingPathComponent("Master.csv"))
        try write("1764000000|1764000000.11|support|NONE|ENTERQUEUE||+4930111222|1\n1764000018|1764000000.11|support|PJSIP/agent1001|CONNECT|17|x|3\n",
                  to: dir.appendingPathComponent("queue_log"))
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        var options = IngestOptions(inputs: [dir.appendingPathComponent("Master.csv").path, dir.appendingPathComponent("queue_log").path])
        options.zone = .named("Europe/Berlin")
        let s = try await Ingest.run(options, store: store, hasher: testKey)
        #expect(s.calls == 2)
        #expect(s.analysed == 1)
        let row = try store.read { db in try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE call_id = '1764000000.11'") }
        #expect((row?["recording"] as String?) == "q-support-1764000000.11.wav")
        #expect((row?["wait_s"] as Double?) == 17)
        #expect((row?["source_kind"] as String?) == "asterisk-cdr")
        #expect((row?["started_at"] as String?) == "2026-11-24T09:00:00+01:00")
        #expect(try count(store, "SELECT answered FROM calls WHERE call_id = '1764000060.12'") == 0)
    }

    @Test func unreadableInputsAndBadDatabases() async throws {
        let dir = try batchFolder()
        let (s, _) = try await ingest(dir, "no-such-manifest.csv")
        #expect(s.filesFailed == 1 && s.anyFailed)
        #expect(s.problems.first?.message.contains("no such file") == true)
        // Not a database.
        let junk = dir.appendingPathComponent("junk.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: junk)
        #expect(throws: StoreError.cannotOpen(path: junk.path, reason: "not a callqa database (or the file is damaged)")) {
            _ = try CallStore(path: junk.path)
        }
        #expect(throws: StoreError.cannotOpen(path: "/nonexistent-dir/x.sqlite", reason: "folder '/nonexistent-dir' does not exist")) {
            _ = try CallStore(path: "/nonexistent-dir/x.sqlite")
        }
    }
}

@Suite struct RecordingDigestTests {
    /// libcrypto's digest of a recording equals the Swift SHA-256 (CallRecords) of its bytes.
    @Test func contentHashMatchesReference() throws {
        let dir = try batchFolder()
        for name in ["a.wav", "g.wav"] {
            let path = dir.appendingPathComponent(name).path
            let d = try FileDigest.sha256(path: path)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(d.sha == SHA256.hex(Array(bytes)))
            #expect(d.size == Int64(bytes.count))
        }
        #expect(throws: (any Error).self) { try FileDigest.sha256(path: dir.appendingPathComponent("none.wav").path) }
    }
}

/// Cancelling the task of an ingest (issue 27, step 4): it stops between recordings, what it
/// stored is whole, the run is recorded with what it did, and the next run does the rest.
@Suite struct CancelledIngestTests {
    /// Runs an ingest in a task of its own that cancels itself when `stopAfter` recordings
    /// are stored (the progress callback runs on the ingest's task).
    static func ingestCancelled(after stopAfter: Int, manifest: String, store: CallStore, jobs: Int) async throws -> IngestSummary {
        var options = IngestOptions(inputs: [manifest])
        options.jobs = jobs
        options.chunkSize = 4
        return try await Task {
            try await Ingest.run(options, store: store, hasher: testKey) { p in
                if p.done == stopAfter { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }.value
    }

    /// One job at a time: exactly the five recordings done before the cancellation are
    /// stored (the second chunk of four was under way), each call whole; a second run
    /// analyses the other seven and finds the five unchanged.
    @Test func cancelledAfterFiveRecordingsThenCompleted() async throws {
        let (dir, manifest) = try copiedBatch(calls: 12)
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        let first = try await Self.ingestCancelled(after: 5, manifest: manifest, store: store, jobs: 1)
        #expect(first.cancelled)
        #expect(first.analysed == 5 && first.calls == 8 && !first.anyFailed)
        #expect(try count(store, "SELECT count(*) FROM calls") == 5)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 5)
        try expectWholeCalls(store)
        // The run is closed with what it did.
        #expect(try count(store, "SELECT calls_stored FROM ingest_runs WHERE run_id = \(first.runID) AND finished_at IS NOT NULL") == 5)
        // No warning about recordings no row references: not every row was read.
        #expect(first.warnings.isEmpty)

        var options = IngestOptions(inputs: [manifest])
        options.jobs = 1
        let second = try await Ingest.run(options, store: store, hasher: testKey)
        #expect(!second.cancelled)
        #expect(second.calls == 12 && second.analysed == 7 && second.unchanged == 5)
        #expect(try count(store, "SELECT count(*) FROM calls") == 12)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 12)
        try expectWholeCalls(store)
    }

    /// Two jobs at a time: the recording in flight when the task is cancelled is finished
    /// and stored, no other is started.
    @Test func cancelledWithTwoJobsFinishesTheOneInFlight() async throws {
        let (dir, manifest) = try copiedBatch(calls: 12)
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        let first = try await Self.ingestCancelled(after: 3, manifest: manifest, store: store, jobs: 2)
        #expect(first.cancelled)
        #expect((3...4).contains(first.analysed))
        #expect(try count(store, "SELECT count(*) FROM analyses") == first.analysed)
        try expectWholeCalls(store)
        let (second, _) = try await ingest(dir)
        #expect(second.analysed == 12 - first.analysed && second.unchanged == first.analysed && !second.cancelled)
        try expectWholeCalls(store)
    }

    /// A task cancelled before the ingest starts stores no call, and says so.
    @Test func cancelledBeforeItStarts() async throws {
        let (dir, manifest) = try copiedBatch(calls: 4)
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Ingest.run(IngestOptions(inputs: [manifest]), store: store, hasher: testKey)
        }
        let s = try await task.value
        #expect(s.cancelled && s.calls == 0)
        #expect(try count(store, "SELECT count(*) FROM calls") == 0)
    }
}

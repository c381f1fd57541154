import Foundation
import GRDB
import Store
import Testing

/// The built `callqa` executable next to the test bundle (swift build --build-tests builds it).
func callqaExecutable() throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callqa"),
        packageRoot.appendingPathComponent(".build/debug/callqa"),
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "callqa executable not built (run swift build --build-tests): looked at \(candidates.map(\.path))"])
    }
    return found
}

/// `batchFolder()` plus `calls` copies of its four recordings (r0.wav …) and a manifest of
/// them; returns (folder, manifest path).
func copiedBatch(calls: Int) throws -> (URL, String) {
    let dir = try batchFolder()
    var rows = manifestHeader
    let sources = ["a.wav", "b.wav", "c.wav", "g.wav"]
    for i in 0..<calls {
        let name = "r\(i).wav"
        try FileManager.default.copyItem(at: dir.appendingPathComponent(sources[i % 4]), to: dir.appendingPathComponent(name))
        rows += "k\(i),\(name),a\(i % 3),Agent \(i % 3),Blue,q,inbound,2026-11-24T09:\(String(format: "%02d", i)):00+01:00,5,true,30,0,10,+4930\(i),0800\n"
    }
    let manifest = dir.appendingPathComponent("manifest.csv")
    try write(rows, to: manifest)
    return (dir, manifest.path)
}

/// The database is sound and holds only whole calls: every analysed call has its analysis
/// and its party rows.
func expectWholeCalls(_ store: CallStore) throws {
    #expect(try store.integrityCheck() == "ok")
    #expect(try count(store, """
        SELECT count(*) FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
        WHERE c.recording_status = 'analysed' AND a.call_id IS NULL
        """) == 0)
    #expect(try count(store, """
        SELECT count(*) FROM analyses a
        WHERE (SELECT count(*) FROM party_metrics p WHERE p.call_id = a.call_id) != (CASE a.channels WHEN 1 THEN 1 ELSE 2 END)
        """) == 0)
}

/// A deterministic generator, so a failing kill schedule can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct KillTests {
    /// SIGKILLs a real `callqa ingest` at random moments until ten runs died mid-way; after
    /// every kill the database is sound and holds only whole calls; a final run completes the batch.
    @Test func killedIngestLeavesAConsistentDatabase() throws {
        let exe = try callqaExecutable()
        let calls = 24
        let (dir, _) = try copiedBatch(calls: calls)
        let db = dir.appendingPathComponent("db.sqlite").path

        func start(db: String) throws -> Process {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["ingest", dir.appendingPathComponent("manifest.csv").path, "--db", db, "--jobs", "2", "--format", "json"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // Kill moments are drawn over the length of an uninterrupted run on a scratch
        // database, so the test does not depend on the machine's speed; a database that a run
        // completed is started afresh, until ten runs were killed mid-way (60 runs at most).
        let scratch = dir.appendingPathComponent("scratch.sqlite").path
        let t0 = Date()
        let full = try start(db: scratch)
        full.waitUntilExit()
        let runS = max(0.05, Date().timeIntervalSince(t0))
        var rng = SplitMix64(state: 20261125)
        var killedMidRun = 0
        for _ in 0..<60 where killedMidRun < 10 {
            let p = try start(db: db)
            let delay = Double.random(in: 0.02...runS, using: &rng)
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killedMidRun += 1
            }
            p.waitUntilExit()
            try expectWholeCalls(try CallStore(path: db))
            if p.terminationReason == .exit {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            }
        }
        #expect(killedMidRun >= 10, "kills should land while the ingest runs (\(killedMidRun) did)")
        let final = try start(db: db)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        let store = try CallStore(path: db)
        #expect(try store.integrityCheck() == "ok")
        #expect(try count(store, "SELECT count(*) FROM calls") == calls)
        #expect(try count(store, "SELECT count(*) FROM analyses") == calls)
        #expect(try count(store, "SELECT count(*) FROM party_metrics") == calls / 4 * 7)
        print("kill test: \(killedMidRun) runs killed mid-run, final database complete and consistent")
    }
}

extension KillTests {
    /// Starts `callqa` with `args`; its standard error goes to `stderr` when given.
    static func run(_ exe: URL, _ args: [String], stderr: URL? = nil) throws -> Process {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr.path, contents: nil)
            p.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    /// SIGKILLs `callqa score` and `callqa nps import` at random moments (10 times each):
    /// scores are whole (every stored score has all its criterion rows), a survey file is
    /// imported whole or not at all, and a final run completes both.
    @Test func killedScoreAndImportLeaveAConsistentDatabase() throws {
        let exe = try callqaExecutable()
        let dir = try batchFolder()
        let calls = 3000
        var manifest = "call_id,agent_id,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s\n"
        var surveys = "survey_id,call_id,score,answered_at,comment\n"
        for i in 0..<calls {
            let t = String(format: "2026-11-24T%02d:%02d:%02d+01:00", 8 + i / 3600, (i / 60) % 60, i % 60)
            manifest += "k\(i),a\(i % 7),Blue,orders,inbound,\(t),\(i % 40),\(i % 11 == 0 ? "false" : "true"),\(60 + i % 300),\(i % 5 == 0 ? 30 : 0),20\n"
            for j in 0..<10 { surveys += "s\(i)-\(j),k\(i),\((i + j) % 11),\(t),comment \(i)\n" }
        }
        try write(manifest, to: dir.appendingPathComponent("m.csv"))
        try write(surveys, to: dir.appendingPathComponent("surveys.csv"))
        try write("""
            version: 1
            id: records
            name: Records only
            sections:
              - id: s
                criteria:
                  - { id: wait, text: Answered within 20 s, auto: { metric: call.wait_s, at_most: 20 } }
                  - { id: handle, text: Handle within 5 min, auto: { metric: call.handle_s, bands: [{ at_most: 300, credit: 1 }, { credit: 0.5 }] } }
                  - { id: hold, text: Short hold, auto: { metric: call.hold_s, at_most: 20 }, na_when: [{ metric: call.hold_s, at_most: 0 }] }
            """, to: dir.appendingPathComponent("records.yaml"))
        let db = dir.appendingPathComponent("k.sqlite").path
        let ingest = try Self.run(exe, ["ingest", dir.appendingPathComponent("m.csv").path, "--db", db])
        ingest.waitUntilExit()
        #expect(ingest.terminationStatus == 0)
        var rng = SplitMix64(state: 99)
        var killed = 0
        for round in 0..<20 {
            let scoring = round % 2 == 0
            let args = scoring
                ? ["score", "--scorecards", dir.appendingPathComponent("records.yaml").path, "--db", db]
                : ["nps", "import", dir.appendingPathComponent("surveys.csv").path, "--db", db]
            let p = try Self.run(exe, args)
            Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.6, using: &rng))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            p.waitUntilExit()
            let store = try CallStore(path: db)
            #expect(try store.integrityCheck() == "ok")
            #expect(try count(store, """
                SELECT count(*) FROM scores s WHERE (SELECT count(*) FROM criterion_results r
                WHERE r.call_id = s.call_id AND r.card_id = s.card_id AND r.card_hash = s.card_hash) != 3
                """) == 0)
            let stored = try count(store, "SELECT count(*) FROM surveys")
            #expect(stored == 0 || stored == calls * 10, "surveys are imported whole or not at all (\(stored))")
        }
        #expect(killed >= 8, "kills should land while the commands run (\(killed) of 20 did)")
        for args in [["score", "--scorecards", dir.appendingPathComponent("records.yaml").path, "--db", db],
                     ["nps", "import", dir.appendingPathComponent("surveys.csv").path, "--db", db]] {
            let p = try Self.run(exe, args)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM surveys") == calls * 10)
        #expect(try count(store, "SELECT count(*) FROM scores WHERE is_current = 1") == calls - (calls + 10) / 11)
        print("kill test (score, nps import): 20 runs, \(killed) killed mid-run, database whole")
    }

    /// A reader during an ingest sees consistent snapshots and never 'database is locked';
    /// two ingests at once both finish (the second waits) without duplicates.
    @Test func readersAndTwoWritersAtOnce() throws {
        let exe = try callqaExecutable()
        let dir = try batchFolder()
        var rows = manifestHeader
        let sources = ["a.wav", "b.wav", "c.wav", "g.wav"]
        for i in 0..<16 {
            try FileManager.default.copyItem(at: dir.appendingPathComponent(sources[i % 4]), to: dir.appendingPathComponent("w\(i).wav"))
            rows += "w\(i),w\(i).wav,a\(i % 3),Agent,Blue,q,inbound,2026-11-24T10:\(String(format: "%02d", i)):00+01:00,5,true,30,0,10,,\n"
        }
        try write(rows, to: dir.appendingPathComponent("manifest.csv"))
        let db = dir.appendingPathComponent("c.sqlite").path
        _ = try CallStore(path: db)
        let args = ["ingest", dir.appendingPathComponent("manifest.csv").path, "--db", db, "--jobs", "1"]
        // Each ingest's messages go to a file: a failure says why (it failed once in about
        // thirty suite runs, in CI, with the whole suite running beside it).
        let logs = ["first", "second"].map { dir.appendingPathComponent("\($0).log") }
        let first = try Self.run(exe, args, stderr: logs[0])
        let second = try Self.run(exe, args, stderr: logs[1])
        let reader = try CallStore(path: db)
        var reads = 0, last = 0
        while first.isRunning || second.isRunning {
            let (calls, parties) = try reader.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM analyses") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM party_metrics") ?? 0)
            }
            // A snapshot never shows an analysis without its party rows.
            #expect(parties >= calls)
            #expect(calls >= last)
            last = calls
            reads += 1
            Thread.sleep(forTimeInterval: 0.005)
        }
        first.waitUntilExit()
        second.waitUntilExit()
        func outcome(_ p: Process, _ log: URL) -> String {
            let how = p.terminationReason == .exit ? "exit \(p.terminationStatus)" : "signal \(p.terminationStatus)"
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return "\(how): \(text.suffix(2000))"
        }
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0,
                "first ingest \(outcome(first, logs[0]))\nsecond ingest \(outcome(second, logs[1]))")
        #expect(try reader.integrityCheck() == "ok")
        #expect(try count(reader, "SELECT count(*) FROM analyses") == 16)
        #expect(try count(reader, "SELECT count(*) FROM calls") == 16)
        print("concurrency: \(reads) consistent reads during two concurrent ingests, no lock errors")
    }
}

@Suite struct SplitDirTests {
    /// `report agents --split-dir`: each file holds its agent's own data only — no other
    /// agent's id, name or call id appears in it.
    @Test func eachAgentFileHoldsOnlyThatAgent() async throws {
        let exe = try callqaExecutable()
        let store = try await AggregateTests.sampleDay()
        let split = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-split-\(UUID().uuidString)")
        let p = try KillTests.run(exe, ["report", "agents", "--db", store.path, "--split-dir", split.path])
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let agents = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT agent_id, agent_name FROM agents").map { ($0["agent_id"] as String, $0["agent_name"] as String) }
        }
        let calls = try store.read { db in try Row.fetchAll(db, sql: "SELECT call_id, agent_id FROM calls WHERE agent_id IS NOT NULL").map { ($0["call_id"] as String, $0["agent_id"] as String) } }
        let files = try FileManager.default.contentsOfDirectory(atPath: split.path).filter { $0.hasSuffix(".html") }
        #expect(files.count == agents.count)
        for file in files {
            let html = try String(contentsOf: split.appendingPathComponent(file), encoding: .utf8)
            let owners = agents.filter { file.hasPrefix("agent-\($0.0)-") }
            #expect(owners.count == 1, "\(file)")
            guard let (me, myName) = owners.first else { continue }
            #expect(html.contains(me) && html.contains(myName))
            for (other, name) in agents where other != me {
                #expect(!html.contains(">\(other)<") && !html.contains("(\(other))") && !html.contains(name), "\(file) mentions \(other)")
            }
            for (call, owner) in calls where owner != me {
                #expect(!html.contains(call), "\(file) mentions call \(call) of \(owner)")
            }
            #expect(calls.contains { $0.1 == me && html.contains($0.0) } || !calls.contains { $0.1 == me })
        }
    }
}

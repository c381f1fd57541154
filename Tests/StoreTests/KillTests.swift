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
    /// SIGKILLs a real `callqa ingest` 20 times at random moments; after every kill the
    /// database is sound and holds only whole calls; a final run completes the batch.
    @Test func killedIngestLeavesAConsistentDatabase() throws {
        let exe = try callqaExecutable()
        let dir = try batchFolder()
        var rows = manifestHeader
        let sources = ["a.wav", "b.wav", "c.wav", "g.wav"]
        let calls = 24
        for i in 0..<calls {
            let name = "r\(i).wav"
            try FileManager.default.copyItem(at: dir.appendingPathComponent(sources[i % 4]), to: dir.appendingPathComponent(name))
            rows += "k\(i),\(name),a\(i % 3),Agent \(i % 3),Blue,q,inbound,2026-11-24T09:\(String(format: "%02d", i)):00+01:00,5,true,30,0,10,+4930\(i),0800\n"
        }
        try write(rows, to: dir.appendingPathComponent("manifest.csv"))
        let db = dir.appendingPathComponent("db.sqlite").path

        func start() throws -> Process {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["ingest", dir.appendingPathComponent("manifest.csv").path, "--db", db, "--jobs", "2", "--format", "json"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        var rng = SplitMix64(state: 20261125)
        var killedMidRun = 0
        for _ in 0..<20 {
            let p = try start()
            let delay = Double.random(in: 0.02...0.9, using: &rng)
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killedMidRun += 1
            }
            p.waitUntilExit()
            let store = try CallStore(path: db)
            #expect(try store.integrityCheck() == "ok")
            // Only whole calls: every analysed call has its analysis and its party rows.
            #expect(try count(store, """
                SELECT count(*) FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
                WHERE c.recording_status = 'analysed' AND a.call_id IS NULL
                """) == 0)
            #expect(try count(store, """
                SELECT count(*) FROM analyses a
                WHERE (SELECT count(*) FROM party_metrics p WHERE p.call_id = a.call_id) != (CASE a.channels WHEN 1 THEN 1 ELSE 2 END)
                """) == 0)
        }
        #expect(killedMidRun >= 10, "most kills should land while the ingest runs (\(killedMidRun) of 20 did)")
        let final = try start()
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        let store = try CallStore(path: db)
        #expect(try store.integrityCheck() == "ok")
        #expect(try count(store, "SELECT count(*) FROM calls") == calls)
        #expect(try count(store, "SELECT count(*) FROM analyses") == calls)
        #expect(try count(store, "SELECT count(*) FROM party_metrics") == calls / 4 * 7)
        print("kill test: 20 runs, \(killedMidRun) killed mid-run, final database complete and consistent")
    }
}

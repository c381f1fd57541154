import CallQAModel
import Foundation
import GRDB
import Store
import Testing

/// The second red-team pass (issue 21): cases that need the file system at test time
/// (FIFOs cannot be committed) or a resource limit, run through the real binary.
@Suite struct HostileRound2Tests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-hostile2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A 16-bit PCM WAV whose header says `rate` Hz, with `dataBytes` of silence.
    static func wav(rate: UInt32, channels: UInt16 = 2, dataBytes: Int = 16_000, declaredDataBytes: UInt32? = nil) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + dataBytes)); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(rate)
        u32(rate &* UInt32(channels) &* 2); u16(channels * 2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(declaredDataBytes ?? UInt32(dataBytes))
        d.append(Data(count: dataBytes))
        return d
    }

    static let header = "call_id,recording,agent_id,started_at,wait_s,answered\n"

    /// Runs callqa under a virtual-memory limit (KiB), through bash's `ulimit -v`.
    static func runLimited(_ args: [String], cwd: URL, limitKiB: Int) throws -> HostileCorpusTests.Outcome {
        let exe = try callqaExecutable().path
        let quoted = ([exe] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script = cwd.appendingPathComponent("limited.sh")
        try "ulimit -v \(limitKiB)\nexec \(quoted)\n".write(to: script, atomically: true, encoding: .utf8)
        return try HostileCorpusTests.runCallqaProcess("/bin/bash", [script.path], cwd: cwd, timeoutS: 120)
    }

    /// A header claiming 2,147,483,647 Hz (and others at the edge) is a failed recording,
    /// never an allocation: `ingest --jobs 4` finishes under a 1 GiB address-space limit
    /// (on the unbounded reader it aborted with "failed to allocate", exit 134, every rerun).
    @Test func declaredSampleRateNeverSizesMemory() throws {
        let dir = try Self.folder()
        var rows = Self.header
        let rates: [(String, UInt32)] = [("max-int", 2_147_483_647), ("one-ghz", 1_000_000_000), ("rate-1hz", 1), ("rate-200k", 200_000)]
        for (i, (name, rate)) in rates.enumerated() {
            try Self.wav(rate: rate).write(to: dir.appendingPathComponent("\(name).wav"))
            rows += "r\(i),\(name).wav,a1,2026-11-24T09:0\(i):00+01:00,5,true\n"
        }
        // Supported rates at both ends, with a data size that lies (claims 2 GB).
        try Self.wav(rate: 192_000, dataBytes: 192_000 * 4, declaredDataBytes: 0x7FFF_FFF0).write(to: dir.appendingPathComponent("hi.wav"))
        try Self.wav(rate: 4_000, dataBytes: 4_000 * 4).write(to: dir.appendingPathComponent("lo.wav"))
        rows += "ok1,hi.wav,a1,2026-11-24T09:10:00+01:00,5,true\nok2,lo.wav,a1,2026-11-24T09:11:00+01:00,5,true\n"
        try rows.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        for _ in 0..<2 {
            let o = try Self.runLimited(["ingest", "manifest.csv", "--db", db, "--jobs", "4"], cwd: dir, limitKiB: 1 << 20)
            #expect(!o.crashed && o.status == 1, "\(o.output)")
            #expect(o.output.contains("sample rate 2147483647 Hz is outside the supported range 4000–192000 Hz"), "\(o.output)")
            #expect(!o.output.contains("failed to allocate"))
        }
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM calls") == 6)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE recording_status = 'failed'") == 4)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 2)
        let a = try HostileCorpusTests.runCallqa(["analyze", "max-int.wav", "--format", "json"], cwd: dir)
        #expect(a.status == 1 && a.output.contains("outside the supported range"), "\(a.output)")
    }

    /// FIFOs (and other special files) named like inputs are refused at once with what they
    /// are; the rest of the batch goes on. Before, each of these hung forever.
    @Test func fifosAndSpecialFilesAreRefusedNotWaitedOn() throws {
        let dir = try Self.folder()
        for name in ["x.wav", "fifo-manifest.csv", "card.yaml"] {
            #expect(mkfifo(dir.appendingPathComponent(name).path, 0o644) == 0)
        }
        try Self.wav(rate: 8000).write(to: dir.appendingPathComponent("ok.wav"))
        try (Self.header + "f1,x.wav,a1,2026-11-24T09:01:00+01:00,5,true\nf2,ok.wav,a1,2026-11-24T09:02:00+01:00,5,true\n")
            .write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let ingest = try HostileCorpusTests.runCallqa(["ingest", "manifest.csv", "--db", db, "--jobs", "2"], cwd: dir, timeoutS: 60)
        #expect(ingest.status == 1 && ingest.output.contains("is a FIFO (named pipe), not a regular file"), "\(ingest.output)")
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM analyses") == 1)

        let analyze = try HostileCorpusTests.runCallqa(["analyze", "x.wav", "ok.wav", "--format", "json"], cwd: dir, timeoutS: 60)
        #expect(analyze.status == 1 && analyze.output.contains("is a FIFO") && analyze.output.contains("\"file\":\"ok.wav\",\"format\""), "\(analyze.output)")

        let manifest = try HostileCorpusTests.runCallqa(["ingest", "fifo-manifest.csv", "--db", db], cwd: dir, timeoutS: 60)
        #expect(manifest.status == 1 && manifest.output.contains("is a FIFO"), "\(manifest.output)")

        let lint = try HostileCorpusTests.runCallqa(["scorecard", "lint", "card.yaml"], cwd: dir, timeoutS: 60)
        #expect(lint.status == 1 && lint.output.contains("is a FIFO (named pipe)") && !lint.output.contains("permission"), "\(lint.output)")

        // `run` on a day folder whose surveys.csv is a FIFO: everything else is done.
        let day = dir.appendingPathComponent("day")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        try Self.wav(rate: 8000).write(to: day.appendingPathComponent("ok.wav"))
        try (Self.header + "d1,ok.wav,a1,2026-11-24T09:02:00+01:00,5,true\n")
            .write(to: day.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        #expect(mkfifo(day.appendingPathComponent("surveys.csv").path, 0o644) == 0)
        let cards = packageRoot.appendingPathComponent("Scorecards").path
        let run = try HostileCorpusTests.runCallqa(["run", day.path, "--db", dir.appendingPathComponent("run.sqlite").path, "--scorecards", cards],
                                                   cwd: dir, timeoutS: 120)
        #expect(!run.crashed && run.output.contains("is a FIFO") && run.output.contains("agents.html"), "\(run.output)")
    }
}

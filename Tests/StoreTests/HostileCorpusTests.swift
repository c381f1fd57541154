import CallQAModel
import Foundation
import GRDB
import Store
import Testing

/// Runs every case of Tests/Corpus/hostile (made by scripts/make-hostile-corpus.py) through
/// the real `callqa` binary: each must end with its expected status and a specific message;
/// never a crash (a signal), a hang, or a half-written database.
@Suite struct HostileCorpusTests {
    struct Outcome {
        var status: Int32
        var crashed: Bool
        var output: String
    }

    static func runCallqa(_ args: [String], cwd: URL, timeoutS: Double = 180) throws -> Outcome {
        try runCallqaProcess(try callqaExecutable().path, args, cwd: cwd, timeoutS: timeoutS)
    }

    /// Runs `executable` with `args` in `cwd`; a run longer than `timeoutS` is killed and reported as a hang.
    static func runCallqaProcess(_ executable: String, _ args: [String], cwd: URL, timeoutS: Double = 180) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = cwd
        let log = cwd.appendingPathComponent("out-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let out = try FileHandle(forWritingTo: log)
        defer { try? out.close() }
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let deadline = Date().addingTimeInterval(timeoutS)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return Outcome(status: -1, crashed: true, output: "hang: killed after \(timeoutS) s")
        }
        p.waitUntilExit()
        let data = (try? Data(contentsOf: log)) ?? Data()
        return Outcome(status: p.terminationStatus, crashed: p.terminationReason == .uncaughtSignal,
                       output: String(decoding: data, as: UTF8.self))
    }

    @Test func everyHostileInputEndsWithAClearError() throws {
        let corpus = packageRoot.appendingPathComponent("Tests/Corpus/hostile")
        let lines = try String(contentsOf: corpus.appendingPathComponent("cases.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let db = work.appendingPathComponent("hostile.sqlite").path
        // The survey cases need their calls.
        let setup = try Self.runCallqa(["ingest", corpus.appendingPathComponent("surveys/calls.csv").path, "--db", db], cwd: work)
        #expect(setup.status == 0, "\(setup.output)")
        var tried = 0, clean = 0, crashes = 0
        for line in lines {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4 else { continue }
            let (command, file, expected, text) = (f[0], corpus.appendingPathComponent(f[1]).path, Int32(f[2])!, f[3])
            let args: [String]
            switch command {
            case "analyze": args = ["analyze", file, "--format", "json", "--jobs", "1"]
            case "ingest": args = ["ingest", file, "--db", db, "--jobs", "1"]
            case "lint": args = ["scorecard", "lint", file]
            case "nps": args = ["nps", "import", file, "--db", db, "--strict"]
            default: Issue.record("unknown command \(command)"); continue
            }
            tried += 1
            let o = try Self.runCallqa(args, cwd: work)
            if o.crashed { crashes += 1 }
            let ok = !o.crashed && o.status == expected && o.output.contains(text) && !o.output.contains("Fatal error")
            if ok { clean += 1 }
            #expect(ok, "\(command) \(f[1]): status \(o.status) (expected \(expected)), expected text '\(text)' in:\n\(o.output.prefix(1500))")
            if command != "analyze" && command != "lint" {
                let store = try CallStore(path: db)
                #expect(try store.integrityCheck() == "ok", "\(f[1])")
            }
        }
        // What the injection case stored is exactly what was written, and nothing was dropped.
        let store = try CallStore(path: db)
        let comments = try store.read { db in try String.fetchAll(db, sql: "SELECT comment FROM surveys ORDER BY survey_key") }
        #expect(comments.contains("'); DROP TABLE calls; --"))
        #expect(comments.contains { $0.hasPrefix("<script>alert(1)</script>") && $0.contains("\u{1B}[31m") })
        #expect(try count(store, "SELECT count(*) FROM calls") > 0)
        // Paths: nothing outside the root was read; control characters in names are refused.
        let refused = try count(store, "SELECT count(*) FROM calls WHERE recording_status = 'outside_root'")
        #expect(refused == 5)
        print("hostile corpus: \(tried) cases tried, \(clean) clean errors or clean results, \(crashes) crashes")
        #expect(crashes == 0)
        #expect(tried >= 46)
    }
}

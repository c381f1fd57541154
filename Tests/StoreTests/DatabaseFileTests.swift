import Foundation
import GRDB
@testable import Store
import Testing

/// Issue 21: the database file under concurrency, versions and damage.
@Suite struct DatabaseFileTests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-dbfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let manifest = """
        call_id,agent_id,started_at,wait_s,answered,talk_s,caller
        c1,a1,2026-11-24T09:00:00+01:00,5,true,60,+4930111
        c2,a1,2026-11-24T10:00:00+01:00,5,true,60,+4930222

        """

    /// Starts all processes before waiting for any.
    static func runTogether(_ commands: [[String]], cwd: URL) throws -> [(status: Int32, output: String)] {
        let exe = try callqaExecutable()
        var running: [(Process, URL)] = []
        for args in commands {
            let p = Process()
            p.executableURL = exe
            p.arguments = args
            p.currentDirectoryURL = cwd
            let log = cwd.appendingPathComponent("out-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let h = try FileHandle(forWritingTo: log)
            p.standardOutput = h
            p.standardError = h
            running.append((p, log))
        }
        for (p, _) in running { try p.run() }
        return running.map { p, log in
            p.waitUntilExit()
            return (p.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }

    /// Three writers started together on a new database, 12 times: the check-and-migrate is
    /// one exclusive transaction, so none fails with "table … already exists".
    @Test func migrationsAreSerialisedBetweenProcesses() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        try "survey_id,call_id,score,answered_at\ns1,c1,9,2026-11-24T09:10:00+01:00\n"
            .write(to: dir.appendingPathComponent("s.csv"), atomically: true, encoding: .utf8)
        for i in 0..<12 {
            let db = dir.appendingPathComponent("race-\(i).sqlite").path
            let results = try Self.runTogether([
                ["ingest", "m.csv", "--db", db], ["ingest", "m.csv", "--db", db], ["nps", "import", "s.csv", "--db", db],
            ], cwd: dir)
            for (n, r) in results.enumerated() {
                #expect(!r.output.contains("already exists") && r.status != 2, "try \(i), process \(n): \(r.output)")
            }
            let store = try CallStore(path: db)
            #expect(try store.integrityCheck() == "ok")
            #expect(try count(store, "SELECT count(*) FROM calls") == 2)
        }
    }

    /// A database with a migration this version does not know is never written; reports
    /// read it with a warning.
    @Test func aDatabaseFromTheFutureIsNotWritten() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir).status == 0)
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-from-the-future')")
            try db.execute(sql: "PRAGMA user_version = 99")
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let ingest = try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir)
        #expect(ingest.status == 2 && ingest.output.contains("made by a newer callqa"), "\(ingest.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let report = try HostileCorpusTests.runCallqa(["report", "kpi", "--db", db], cwd: dir)
        #expect(report.status == 0 && report.output.contains("made by a newer callqa"), "\(report.output)")
    }

    /// Reports never create, migrate or write; a missing file is an error.
    @Test func reportsOnlyRead() throws {
        let dir = try Self.folder()
        let typo = dir.appendingPathComponent("typo.sqlite").path
        for args in [["report", "kpi"], ["report", "agents"], ["report", "nps"], ["explain", "c1"]] {
            let o = try HostileCorpusTests.runCallqa(args + ["--db", typo], cwd: dir)
            #expect(o.status == 2 && o.output.contains("no database at '\(typo)'; run callqa ingest first"), "\(args): \(o.output)")
            #expect(!FileManager.default.fileExists(atPath: typo))
        }
        // A snapshot taken while the aggregates were dirty (an ingest killed before its end),
        // on a file this user cannot write: the same numbers, from the base tables.
        try Self.manifest.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir).status == 0)
        let fresh = try HostileCorpusTests.runCallqa(["report", "kpi", "--by", "day", "--format", "json", "--db", db], cwd: dir)
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO agg_dirty (local_date) VALUES ('2026-11-24')")
            try db.execute(sql: "DELETE FROM agg_kpi_hour")
            try db.execute(sql: "DELETE FROM agg_calls_day")
        }
        try queue.close()
        let snapshot = dir.appendingPathComponent("snapshot")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let copy = snapshot.appendingPathComponent("q.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let stale = try HostileCorpusTests.runCallqa(["report", "kpi", "--by", "day", "--format", "json", "--db", copy], cwd: dir)
        #expect(stale.status == 0, "\(stale.output)")
        #expect(stale.output == fresh.output)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before, "a report wrote to the database")
    }

    @Test func emptyAndDamagedFilesAreNotWrittenInto() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let empty = dir.appendingPathComponent("empty.sqlite").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let o = try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", empty], cwd: dir)
        #expect(o.status == 2 && o.output.contains("an empty file (0 bytes)"), "\(o.output)")
        #expect(((try FileManager.default.attributesOfItem(atPath: empty))[.size] as? NSNumber)?.intValue == 0)

        // A database whose index pages are overwritten: quick_check fails; no ingest goes in.
        let db = dir.appendingPathComponent("q.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir).status == 0)
        let pages = try DatabaseQueue(path: db).read { db in
            try Int.fetchAll(db, sql: "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = 'calls_by_start_id'")
        }
        let pageSize = 4096
        var bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        let at = (pages[0] - 1) * pageSize
        bytes.replaceSubrange((at + 8)..<(at + 200), with: Data(repeating: 0x5A, count: 192))
        try bytes.write(to: URL(fileURLWithPath: db))
        let damaged = try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir)
        #expect(damaged.status == 2 && damaged.output.contains("is damaged"), "\(damaged.output)")
        let check = try HostileCorpusTests.runCallqa(["check", "--db", db], cwd: dir)
        #expect(check.status == 2 && check.output.contains("integrity_check") && check.output.contains("is damaged"), "\(check.output)")
        let sound = dir.appendingPathComponent("sound.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", sound], cwd: dir).status == 0)
        let ok = try HostileCorpusTests.runCallqa(["check", "--db", sound], cwd: dir)
        #expect(ok.status == 0 && ok.output.contains("is sound: integrity_check ok, schema version 25, 2 calls"), "\(ok.output)")
    }

    /// A WAL that another process has open is that process's live log, not one left behind
    /// by a writer that died: a writable open while the workspace serves does not run
    /// `quick_check` (10 s of CPU on a 2.3 GB database, at every ingest) again.
    @Test func aWALOpenInAnotherProcessIsTold() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("live.sqlite").path
        #expect(try HostileCorpusTests.runCallqa(["ingest", "m.csv", "--db", db], cwd: dir).status == 0)
        #expect(!CallStore.walOpenInAnotherProcess(db), "nothing has it open")
        let serve = Process()
        serve.executableURL = try callqaExecutable()
        serve.arguments = ["serve", "--db", db, "--port", "0"]
        let out = Pipe()
        serve.standardOutput = out
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate(); serve.waitUntilExit() } }
        // Serving once it prints its address.
        var printed = Data()
        while !String(decoding: printed, as: UTF8.self).contains("callqa workspace:") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        #expect(String(decoding: printed, as: UTF8.self).contains("callqa workspace:"))
        #expect(FileManager.default.fileExists(atPath: db + "-wal"))
        #expect(CallStore.walOpenInAnotherProcess(db), "the server holds it open")
        // This process's own stores are known without asking the file.
        #expect(!CallStore.openPaths.contains(db))
        do {
            let store = try CallStore(path: db)
            #expect(CallStore.openPaths.contains(db))
            #expect(try store.check().isSound)
        }
        #expect(!CallStore.openPaths.contains(db))
        serve.terminate()
        serve.waitUntilExit()
        #expect(!CallStore.walOpenInAnotherProcess(db), "the server has closed it")
    }
}

import CallQAModel
import CallRecords
import Foundation
import Testing
@testable import Watch

/// A scratch folder per test.
func scratch(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-watch-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func append(_ text: String, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    let h = try #require(FileHandle(forWritingAtPath: path))
    try h.seekToEnd()
    h.write(Data(text.utf8))
    try h.close()
}

/// Follows a file until nothing more comes: every record's (file name, line, first field).
func drain(_ log: FollowedLog, now: Double, grace: Double = 0) -> [(String, Int, String)] {
    var out: [(String, Int, String)] = []
    while let b = log.poll(now: now, graceS: grace, maxBytes: 7) {
        out += b.records.map { ((b.file as NSString).lastPathComponent, $0.line, $0.fields[0]) }
        if b.records.isEmpty && b.notes.isEmpty { break }
    }
    return out
}

@Suite struct FollowedLogTests {
    @Test func readsCompleteRecordsOnlyAndResumesFromItsStoredPosition() throws {
        let dir = try scratch("follow")
        let path = dir.appendingPathComponent("queue_log").path
        try append("a|1\nb|2\nc|", to: path)
        let log = FollowedLog(path: path, kind: .queueLog, stored: nil)
        // Tiny reads (7 bytes at most): records cut anywhere still come out whole.
        #expect(drain(log, now: 0).map(\.2) == ["a", "b"])
        #expect(log.state.offset == 8 && log.state.nextLine == 3, "the partial last line is not consumed")
        try append("3\n\nd|\"x\ny\"|4\n", to: path)
        let more = drain(log, now: 1)
        #expect(more.map(\.2) == ["c", "d"] && more.map(\.1) == [3, 5], "blank lines count, a quoted line break is inside its record")
        // A new follower from the stored position repeats nothing and skips nothing.
        try append("e|5\n", to: path)
        let again = FollowedLog(path: path, kind: .queueLog, stored: log.state)
        #expect(drain(again, now: 2).map(\.1) == [7])
    }

    @Test func aQuotedFieldStillOpenWaitsForTheRest() throws {
        let dir = try scratch("quote")
        let path = dir.appendingPathComponent("Master.csv").path
        try append("\"a\",\"multi\nline", to: path)
        let log = FollowedLog(path: path, kind: .asteriskCDR, stored: nil)
        #expect(drain(log, now: 0).isEmpty && log.state.offset == 0)
        try append("\"\n", to: path)
        #expect(drain(log, now: 1).map(\.1) == [1])
    }

    @Test func followsARenamedLogToItsEndThenTheNewFile() throws {
        let dir = try scratch("rotate")
        let path = dir.appendingPathComponent("Master.csv").path
        try append("r1\nr2\n", to: path)
        let log = FollowedLog(path: path, kind: .asteriskCDR, stored: nil)
        #expect(drain(log, now: 0).map(\.2) == ["r1", "r2"])
        try append("r3\nr4-partial", to: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append("n1\n", to: path)
        // Within the grace period the old file is still read (the writer may add to it), the new one not yet.
        #expect(drain(log, now: 1, grace: 5).map(\.2) == ["r3"])
        try append("\n", to: path + ".1")
        let rest = drain(log, now: 10, grace: 5)
        #expect(rest.map(\.2) == ["r4-partial", "n1"])
        #expect(rest.map(\.0) == ["Master.csv", "Master.csv"], "lines are named by the file they were read from when read")
    }

    @Test func afterARestartARotatedFileIsFoundByItsInode() throws {
        let dir = try scratch("restart-rotate")
        let path = dir.appendingPathComponent("queue_log").path
        try append("a|1\n", to: path)
        let first = FollowedLog(path: path, kind: .queueLog, stored: nil)
        _ = drain(first, now: 0)
        // Not running: lines added, then rotated.
        try append("b|2\n", to: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + "-20261208")
        try append("c|3\n", to: path)
        let second = FollowedLog(path: path, kind: .queueLog, stored: first.state)
        let got = drain(second, now: 100, grace: 0)
        #expect(got.map(\.2) == ["b", "c"] && got.map(\.0) == ["queue_log-20261208", "queue_log"])
    }

    @Test func copytruncateIsRecoveredFromTheCopy() throws {
        let dir = try scratch("copytruncate")
        let path = dir.appendingPathComponent("queue_log").path
        try append("a|1\nb|2\n", to: path)
        let log = FollowedLog(path: path, kind: .queueLog, stored: nil)
        #expect(drain(log, now: 0).map(\.2) == ["a", "b"])
        // Written after the last read, then copied and truncated before the next one.
        try append("c|3\n", to: path)
        try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
        try Data().write(to: URL(fileURLWithPath: path))
        try append("d|4\n", to: path)
        let got = drain(log, now: 1)
        #expect(got.map(\.2) == ["c", "d"] && got.map(\.0) == ["queue_log.1", "queue_log"] && got.map(\.1) == [3, 1])
    }

    @Test func truncatedWithoutACopyIsReadAgainFromItsStart() throws {
        let dir = try scratch("truncate")
        let path = dir.appendingPathComponent("queue_log").path
        try append("a|1\nb|2\n", to: path)
        let log = FollowedLog(path: path, kind: .queueLog, stored: nil)
        _ = drain(log, now: 0)
        try Data().write(to: URL(fileURLWithPath: path))
        // Written again past the old position, with other bytes: still a truncation.
        try append("x|1\ny|2\nz|3\n", to: path)
        let got = drain(log, now: 1)
        #expect(got.map(\.2) == ["x", "y", "z"] && got.map(\.1) == [1, 2, 3])
    }

    /// A Master.csv read in pieces of every size through the watcher's fold gives exactly
    /// the batch parser's calls and errors.
    @Test func foldingPiecesEqualsTheBatchParse() throws {
        let dir = try scratch("fold")
        let path = dir.appendingPathComponent("Master.csv").path
        var text = ""
        for i in 0..<40 {
            let uid = "17640000\(String(format: "%02d", i)).\(i)"
            let disp = i == 7 ? "MAYBE" : (i % 5 == 0 ? "NO ANSWER" : "ANSWERED")
            text += "\"\",\"+4930\(i)\",\"5000\",\"from-pstn\",\"\"\"x\"\" <1>\",\"PJSIP/t-\(i)\",\"PJSIP/100\(i % 3)-0\(i)\",\"Queue\",\"support,t\",\"2026-11-24 09:\(String(format: "%02d", i)):00\",\"2026-11-24 09:\(String(format: "%02d", i)):10\",\"2026-11-24 09:\(String(format: "%02d", i)):50\",50,40,\"\(disp)\",\"DOCUMENTATION\",\"\(uid)\",\"\"\n"
            // A second leg (transfer) of some calls, and an exact repeat of one row.
            if i % 9 == 4 {
                text += "\"\",\"+4930\(i)\",\"5000\",\"from-pstn\",\"x\",\"PJSIP/t-\(i)\",\"PJSIP/1009-0\(i)\",\"Queue\",\"support,t\",\"2026-11-24 09:\(String(format: "%02d", i)):30\",\"2026-11-24 09:\(String(format: "%02d", i)):31\",\"2026-11-24 09:\(String(format: "%02d", i)):55\",25,24,\"ANSWERED\",\"DOCUMENTATION\",\"\(uid)\",\"\"\n"
            }
            if i == 11 { text += text.split(separator: "\n").last! + "\n" }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let batch = AsteriskCDR.parse(path: path, zone: .fixed(offsetS: 3600))
        for size in [1, 13, 200, 1 << 20] {
            let log = FollowedLog(path: path, kind: .asteriskCDR, stored: nil)
            var rows = try AsteriskCDR.Rows(zone: .fixed(offsetS: 3600))
            var errors: [RecordError] = []
            while let b = log.poll(now: 0, graceS: 0, maxBytes: size) {
                errors += b.errors
                for r in b.records { errors += rows.add(r, file: b.file).errors }
            }
            #expect(rows.records.map(\.fingerprint) == batch.records.map(\.fingerprint), "pieces of \(size) bytes")
            #expect(rows.records.map(\.source) == batch.records.map(\.source))
            #expect(errors == batch.errors)
        }
        #expect(batch.records.contains { $0.legs.count == 2 } && batch.errors.count == 1)
    }
}

import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// Issue 21: the customer is the remote party; no customer number is stored or shown in
/// clear, in any column, attribute, free page, WAL or report, whatever the spelling.
@Suite struct CustomerPrivacyTests {
    /// Every spelling of the test customers' numbers that could leak.
    static let spellings = [
        "+4915112345678", "004915112345678", "015112345678", "4915112345678", "15112345678", "+49 151 1234 5678", "0151 1234 5678",
        "0151-12345678", "12345678",
        "+4930987654", "004930987654", "030987654", "4930987654", "30987654",
    ]

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-privacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let manifest = """
        call_id,agent_id,direction,started_at,wait_s,answered,talk_s,caller,dialed,note
        in1,a1,inbound,2026-11-24T09:00:00+01:00,5,true,60,+49 151 1234 5678,+49800111222,customer said call back on 0151 1234 5678
        out1,a2,outbound,2026-11-24T10:00:00+01:00,0,true,90,+49800111222,0151-12345678,
        out2,a2,outbound,2026-11-25T10:00:00+01:00,0,true,90,+49800111222,004930987654,
        in2,a1,inbound,2026-11-26T09:00:00+01:00,5,true,60,030987654,+49800111222,
        w1,a1,inbound,2026-11-24T11:00:00+01:00,5,true,60,anonymous,+49800111222,
        w2,a1,inbound,2026-11-24T11:30:00+01:00,5,true,60,Anonymous,+49800111222,
        w3,a1,inbound,2026-11-24T12:00:00+01:00,5,true,60,0000,+49800111222,
        w4,a1,inbound,2026-11-24T12:30:00+01:00,5,true,60,restricted,+49800111222,

        """

    /// Asterisk outbound (agent 1001 dials the customer) and inbound CDRs with the number in the channel and userfield.
    static let master = [
        #""","1001","+4915112345678","from-internal","""Agent"" <1001>","PJSIP/1001-00000001","PJSIP/trunk-00000002","Dial","PJSIP/+4915112345678@trunk","2026-11-24 13:00:00","2026-11-24 13:00:10","2026-11-24 13:02:00",120,110,"ANSWERED","DOCUMENTATION","1764000000.1","cb 015112345678""#,
        #""","+4915112345678","800","agents","""""" <+4915112345678>","PJSIP/+4915112345678-00000003","PJSIP/1002-00000004","Queue","support,,,,60","2026-11-24 14:00:00","2026-11-24 14:00:20","2026-11-24 14:05:00",300,280,"ANSWERED","DOCUMENTATION","1764000001.1","+49 151 1234 5678""#,
    ].joined(separator: "\n") + "\n"

    static func leaks(in data: Data) -> [String] {
        spellings.filter { data.range(of: Data($0.utf8)) != nil }
    }

    @Test func customerNumbersNeverInClearAnywhere() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        try Self.master.write(to: dir.appendingPathComponent("Master.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        for input in ["manifest.csv", "Master.csv"] {
            let o = try HostileCorpusTests.runCallqa(["ingest", input, "--db", db, "--tz", "+01:00", "--country-code", "49"], cwd: dir)
            #expect(o.status == 0, "\(input): \(o.output)")
            #expect(Self.leaks(in: Data(o.output.utf8)).isEmpty, "\(o.output)")
        }
        var outputs: [String: Data] = [:]
        let reports: [[String]] = [
            ["report", "kpi", "--by", "dialed"], ["report", "kpi", "--by", "dialed", "--format", "json"],
            ["report", "kpi", "--by", "agent", "--format", "csv"], ["report", "agents", "--format", "json"],
            ["report", "call", "in1", "--format", "json"], ["report", "call", "1764000000.1", "--format", "json"],
            ["report", "call", "1764000001.1", "--format", "html"], ["report", "kpi", "--format", "html"],
        ]
        for r in reports {
            let o = try HostileCorpusTests.runCallqa(r + ["--db", db], cwd: dir)
            #expect(o.status == 0, "\(r): \(o.output)")
            outputs[r.joined(separator: " ")] = Data(o.output.utf8)
        }
        // The database, its WAL (while a connection holds it open) and every report.
        let store = try CallStore(path: db)
        let wal = db + "-wal"
        _ = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") }
        for path in [db, wal] where FileManager.default.fileExists(atPath: path) {
            outputs[path] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        for (name, data) in outputs {
            #expect(Self.leaks(in: data).isEmpty, "clear number in \(name): \(Self.leaks(in: data))")
        }
        // The customer of an outbound call is the dialed number, linked with the same customer's inbound call.
        let hashes = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT call_id, customer_hash FROM calls").map {
                ($0["call_id"] as String, $0["customer_hash"] as String?)
            })
        }
        #expect(hashes["out1"]! != nil && hashes["out1"]! == hashes["in1"]!)
        #expect(hashes["out2"]! != nil && hashes["out2"]! == hashes["in2"]!)
        #expect(hashes["1764000000.1"]! == hashes["in1"]!, "Asterisk outbound: the customer is dst")
        #expect(hashes["1764000001.1"]! == hashes["in1"]!)
        // Withheld numbers are no one's: no hash, no repeat-call grouping.
        for w in ["w1", "w2", "w3", "w4"] { #expect(hashes[w]! == nil, "\(w)") }
        #expect(try count(store, "SELECT count(*) FROM calls WHERE call_id LIKE 'w%' AND next_call_gap_s IS NOT NULL") == 0)
        // Repeat calls across directions: in1 is followed by out1 one hour later.
        let gap = try store.read { db in try Double.fetchOne(db, sql: "SELECT next_call_gap_s FROM calls WHERE call_id = 'in1'") }
        #expect(gap == 3600)
        // The contact center's own numbers stay in clear (inbound dialed), outbound dialed does not.
        #expect(try count(store, "SELECT count(*) FROM calls WHERE direction = 'outbound' AND dialed IS NOT NULL") == 0)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE dialed = '+49800111222'") == 6)
        // The Asterisk outbound call belongs to the agent who dialled.
        let agent = try store.read { db in try String.fetchOne(db, sql: "SELECT agent_id FROM calls WHERE call_id = '1764000000.1'") }
        #expect(agent == "PJSIP/1001")
    }

    @Test func storingInClearIsNotSticky() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        let first = try HostileCorpusTests.runCallqa(["ingest", "manifest.csv", "--db", db, "--store-caller-in-clear", "--country-code", "49"], cwd: dir)
        #expect(first.status == 0, "\(first.output)")
        do {
            let store = try CallStore(path: db)
            #expect(try count(store, "SELECT count(*) FROM calls WHERE customer_clear = '+4915112345678'") == 2)
            #expect(try count(store, "SELECT count(*) FROM calls WHERE customer_clear IS NOT NULL AND call_id LIKE 'w%'") == 0)
        }
        // Another connection stays open meanwhile (a BI tool, a report): the closing writer is
        // then not the last connection and would leave the old pages in the main file.
        let bystander = try DatabaseQueue(path: db)
        _ = try bystander.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") }
        let second = try HostileCorpusTests.runCallqa(["ingest", "manifest.csv", "--db", db, "--country-code", "49"], cwd: dir)
        #expect(second.status == 0, "\(second.output)")
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let leaks = Self.leaks(in: try Data(contentsOf: URL(fileURLWithPath: file)))
            #expect(leaks.isEmpty, "clear numbers left in \(file) after an ingest without the flag: \(leaks)")
        }
        try bystander.close()
        let store = try CallStore(path: db)
        #expect(try count(store, "SELECT count(*) FROM calls WHERE customer_clear IS NOT NULL") == 0)
        let third = try HostileCorpusTests.runCallqa(["ingest", "manifest.csv", "--db", db, "--country-code", "49"], cwd: dir)
        #expect(third.output.contains("skipped as unchanged  8"), "\(third.output)")
        // Zeroed, not left in free pages.
        #expect(Self.leaks(in: try Data(contentsOf: URL(fileURLWithPath: db))).isEmpty)
    }

    @Test func withheldSurveysAreNotLinkedByCaller() throws {
        let dir = try Self.folder()
        try Self.manifest.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        try """
            survey_id,caller,score,answered_at
            s1,anonymous,3,2026-11-24T11:05:00+01:00
            s2,0151 1234 5678,9,2026-11-24T10:05:00+01:00

            """.write(to: dir.appendingPathComponent("surveys.csv"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("q.sqlite").path
        _ = try HostileCorpusTests.runCallqa(["ingest", "manifest.csv", "--db", db, "--country-code", "49"], cwd: dir)
        let o = try HostileCorpusTests.runCallqa(["nps", "import", "surveys.csv", "--db", db, "--country-code", "49"], cwd: dir)
        #expect(o.status == 0 && o.output.contains("the caller is withheld (anonymous)"), "\(o.output)")
        let store = try CallStore(path: db)
        let links = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT survey_id, linked_call_id FROM surveys").map {
                ($0["survey_id"] as String, $0["linked_call_id"] as String?)
            })
        }
        #expect(links["s1"] ?? nil == nil, "a withheld caller is no one")
        #expect(links["s2"]! == "out1", "an outbound call's customer is linked by the dialed number")
    }
}

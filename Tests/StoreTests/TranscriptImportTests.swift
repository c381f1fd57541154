import CallQAModel
import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// `transcribe --shard I/N` on copies of a database, then `transcribe --import` of the
/// copies: every call's transcript comes back once, searchable; a second import changes
/// nothing; a call analysed differently here is not taken.
@Suite struct TranscriptImportTests {
    @Test func shardDatabasesMergeBackIntoTheOriginal() async throws {
        let main = try await AggregateTests.sampleDay()
        main.checkpoint()
        let all = try main.transcriptionCandidates(scope: .everything).map(\.callID)
        #expect(all.count >= 4)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var shards: [String] = []
        var taken: [String] = []
        for i in 1...2 {
            let path = dir.appendingPathComponent("shard-\(i).sqlite").path
            try FileManager.default.copyItem(atPath: main.path, toPath: path)
            let shard = try CallStore(path: path)
            for id in all where Transcribe.shard(of: id, count: 2) == i {
                try FactSchemaTests.saveTranscript(shard, callID: id)
                taken.append(id)
            }
            shard.checkpoint()
            shards.append(path)
        }
        #expect(taken.sorted() == all.sorted(), "the two shards split the calls without overlap or gap")
        #expect(try main.transcriptTotals(scope: .everything).calls == 0)
        var imported = 0
        for path in shards {
            let s = try main.importTranscripts(fromDatabase: path)
            #expect(s.notMatching.isEmpty && s.unchanged == 0)
            imported += s.imported
        }
        #expect(imported == all.count)
        for id in all {
            let t = try #require(try main.transcript(callID: id, scope: .everything))
            #expect(t.transcript.wordCount > 0)
        }
        let hello = try #require(TranscriptQuery("hello"))
        #expect(Set(try main.searchTranscripts(hello, scope: .everything).map(\.callID)) == Set(all))
        // Again: nothing to copy.
        let again = try main.importTranscripts(fromDatabase: shards[0])
        #expect(again.imported == 0 && again.unchanged > 0 && again.notMatching.isEmpty)
        // A call analysed here with other parameters: its shard transcript no longer fits.
        let changed = try #require(all.first { Transcribe.shard(of: $0, count: 2) == 1 })
        try main.write { db in try db.execute(sql: "UPDATE analyses SET parameters_hash = 'other' WHERE call_id = ?", arguments: [changed]) }
        let third = try main.importTranscripts(fromDatabase: shards[0])
        #expect(third.notMatching == [changed] && third.imported == 0)
        // A file that is not a callqa database is an error, and nothing is written.
        let bogus = dir.appendingPathComponent("bogus.sqlite").path
        try Data("not sqlite".utf8).write(to: URL(fileURLWithPath: bogus))
        #expect(throws: StoreError.self) { try main.importTranscripts(fromDatabase: bogus) }
    }
}

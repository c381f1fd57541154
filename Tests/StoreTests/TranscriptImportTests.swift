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

    /// Saves a transcript whose every party says `words`, made with these settings.
    static func save(_ store: CallStore, callID: String, words: [String], settings: String) throws {
        let c = try #require(try store.transcriptionCandidates(callIDs: [callID], scope: .everything).first)
        let parties = c.parties.map { p in
            PartyTranscript(party: p.party, words: words.enumerated().map { i, w in
                TranscriptWord(text: w, startS: Double(i), endS: Double(i) + 0.5, confidence: 0.9)
            }, speechS: 2, talkS: p.talkS, redactions: 0)
        }
        let provenance = TranscriptProvenance(model: "test.bin", modelSHA256: "m", engine: "test", settings: settings,
                                              settingsHash: SHA256.hex(Array(settings.utf8)) + words.joined(),
                                              contentSHA256: c.contentSHA256, analysisHash: c.analysisHash)
        #expect(try store.saveTranscript(CallTranscript(callID: callID, language: "en", languageSource: "setting", parties: parties),
                                         provenance: provenance, wallS: 0.1))
    }

    /// The database file and its WAL, as bytes: whether `token` is anywhere in them.
    static func fileHolds(_ store: CallStore, _ token: String) throws -> Bool {
        store.checkpoint()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: store.path + "-wal")) { bytes += wal }
        return bytes.range(of: Data(token.utf8)) != nil
    }

    /// A shard run with `redact: false` keeps card numbers in clear: a redacting import
    /// refuses its transcripts (named, nothing of them written) and takes the others.
    @Test func shardTranscriptsMadeWithoutRedactionAreRefused() async throws {
        let main = try await AggregateTests.sampleDay()
        main.checkpoint()
        let all = try main.transcriptionCandidates(scope: .everything).map(\.callID)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-unredacted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("shard.sqlite").path
        try FileManager.default.copyItem(atPath: main.path, toPath: path)
        let shard = try CallStore(path: path)
        try Self.save(shard, callID: all[0], words: ["card", "4111111111111111"], settings: #"{"gap_s":0.3,"redact":false}"#)
        try Self.save(shard, callID: all[1], words: ["card", "[redacted]"], settings: #"{"gap_s":0.3,"redact":true}"#)
        shard.checkpoint()
        let s = try main.importTranscripts(fromDatabase: path, requireRedaction: true)
        #expect(s.unredacted == [all[0]] && s.imported == 1 && s.notMatching.isEmpty)
        #expect(try main.transcript(callID: all[0], scope: .everything) == nil)
        #expect(try main.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM transcript_parties WHERE call_id = ?", arguments: [all[0]]) } == 0)
        #expect(try main.transcript(callID: all[1], scope: .everything) != nil)
        #expect(!(try Self.fileHolds(main, "4111111111111111")))
        // A run that does not redact itself takes it (the command warns).
        let open = try main.importTranscripts(fromDatabase: path, requireRedaction: false)
        #expect(open.imported == 1 && open.unredacted.isEmpty)
        #expect(try main.transcript(callID: all[0], scope: .everything) != nil)
    }

    /// The full-text index keeps a replaced transcript's tokens until a merge: after a
    /// transcript is replaced (by `transcribe`'s save or by an import) and the index
    /// compacted, the database file no longer holds the old words.
    @Test func replacedTranscriptWordsLeaveTheDatabaseFile() async throws {
        let main = try await AggregateTests.sampleDay()
        let id = try #require(try main.transcriptionCandidates(scope: .everything).first?.callID)
        try Self.save(main, callID: id, words: ["qzxjvkwtoken", "said"], settings: #"{"redact":true}"#)
        #expect(try Self.fileHolds(main, "qzxjvkwtoken"))
        try Self.save(main, callID: id, words: ["hello", "there"], settings: #"{"redact":true}"#)
        #expect(try Self.fileHolds(main, "qzxjvkwtoken"), "without the merge the index still holds the replaced words")
        try main.compactTranscriptIndex()
        #expect(!(try Self.fileHolds(main, "qzxjvkwtoken")))
        #expect(try main.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
        #expect(try main.searchTranscripts(try #require(TranscriptQuery("qzxjvkwtoken")), scope: .everything).isEmpty)
        #expect(try main.searchTranscripts(try #require(TranscriptQuery("hello")), scope: .everything).map(\.callID) == [id])

        // An import replacing a transcript compacts by itself.
        try Self.save(main, callID: id, words: ["pqwmbtoken", "said"], settings: #"{"redact":true}"#)
        main.checkpoint()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-fts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("shard.sqlite").path
        try FileManager.default.copyItem(atPath: main.path, toPath: path)
        let shard = try CallStore(path: path)
        try Self.save(shard, callID: id, words: ["good", "morning"], settings: #"{"redact":true}"#)
        shard.checkpoint()
        #expect(try main.importTranscripts(fromDatabase: path).imported == 1)
        #expect(!(try Self.fileHolds(main, "pqwmbtoken")))

        // A database that leaked before this version: the index-rebuild migration cleans it.
        try Self.save(main, callID: id, words: ["vbnqltoken", "said"], settings: #"{"redact":true}"#)
        try Self.save(main, callID: id, words: ["hello", "again"], settings: #"{"redact":true}"#)
        #expect(try Self.fileHolds(main, "vbnqltoken"))
        try main.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = '2026-12-09-transcript-index-rebuild'")
            try db.execute(sql: "PRAGMA user_version = \(Migrations.migrator().items.count - 1)")
        }
        main.checkpoint()
        let reopened = try CallStore(path: main.path)
        #expect(!(try Self.fileHolds(reopened, "vbnqltoken")))
        #expect(try reopened.searchTranscripts(try #require(TranscriptQuery("again")), scope: .everything).map(\.callID) == [id])
    }
}

import Foundation
import Testing

/// `callqa learn-hold-music` as a site runs it: a day's recordings in, the music on hold out as
/// WAV files that `analyze --hold-music` uses; a broken recording named and the rest learned.
@Suite struct LearnHoldMusicCommandTests {
    @Test func learnsTheSampleDaysMusicAndNamesABrokenRecording() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-learn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let broken = work.appendingPathComponent("broken.wav")
        try Data("RIFF....WAVEjunk".utf8).write(to: broken)
        let sample = packageRoot.appendingPathComponent("SampleAudio")
        let calls = ["c-001-ulaw.wav", "c-002-alaw.wav", "c-008-gsm.wav"].map { sample.appendingPathComponent($0).path }
        // Staged pieces a killed run left a day ago are removed; a fresh run's are not.
        let temporary = FileManager.default.temporaryDirectory
        let stale = temporary.appendingPathComponent("callqa-learn-stale-\(UUID().uuidString)")
        let fresh = temporary.appendingPathComponent("callqa-learn-fresh-\(UUID().uuidString)")
        for d in [stale, fresh] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try Data([1, 2]).write(to: stale.appendingPathComponent("x.wav"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -2 * 86_400)], ofItemAtPath: stale.path)
        defer { for d in [stale, fresh] { try? FileManager.default.removeItem(at: d) } }
        // Alone, c-002's music is heard in no other recording: nothing is kept, and the note says why.
        let alone = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "alone"] + calls, cwd: work)
        #expect(!FileManager.default.fileExists(atPath: stale.path) && FileManager.default.fileExists(atPath: fresh.path))
        #expect(alone.status == 0 && alone.output.contains("c-002-alaw.wav\t0\t0.0\t9.0\t8.0\n"), "\(alone.output)")
        #expect(alone.output.contains("8.0 s of the 8.0 s checked not kept: played in fewer than 1 other recording(s) or the folder's files (--recurrence)"), "\(alone.output)")
        // Nothing but the folder's key (hidden; it names the files).
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("alone").path) == [".callqa-learn-key"])
        // Another recording of the same music (a copy of the call) beside it: both kept whole.
        let copy = work.appendingPathComponent("c-102.wav").path
        try FileManager.default.copyItem(atPath: calls[1], toPath: copy)
        let learn = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "learned", "--jobs", "2"] + calls + [broken.path, copy], cwd: work)
        // Exit 1: one recording failed, named; the others learned (c-002's nine seconds of music).
        #expect(learn.status == 1 && !learn.crashed, "\(learn.output)")
        #expect(learn.output.contains("broken.wav") && learn.output.contains("1 of 5 recording(s) could not be learned from"), "\(learn.output)")
        #expect(learn.output.contains("c-002-alaw.wav\t1\t8.0\t9.0\t8.0\n") && learn.output.contains("c-102.wav\t1\t8.0\t9.0\t8.0\n"), "\(learn.output)")
        #expect(learn.output.contains("c-001-ulaw.wav\t0\t0.0\t0.0"), "\(learn.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("learned").path).filter { !$0.hasPrefix(".") }.sorted()
        // A file per recording: a digest of its path, the party, the start (its judged hold, 22.62 s, plus 0.5 s).
        #expect(files.count == 2 && files.allSatisfy { $0.hasSuffix("-agent-23.12.wav") && !$0.contains("c-002") && !$0.contains("c-102") && !$0.contains("alaw") }, "\(files)")
        // Pieces of calls: the files readable by their owner only, as the folder made for them.
        let learnedFolder = work.appendingPathComponent("learned").path
        for name in files + [""] {
            let mode = try FileManager.default.attributesOfItem(atPath: (learnedFolder as NSString).appendingPathComponent(name))[.posixPermissions] as? Int
            #expect(mode == (name.isEmpty ? 0o700 : 0o600), "\(name): \(String(mode ?? 0, radix: 8))")
        }
        // The copy learned again alone: the folder's file from c-002 plays its music.
        let relearnCopy = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "learned", copy], cwd: work)
        #expect(relearnCopy.status == 0 && relearnCopy.output.contains("c-102.wav\t1\t8.0\t9.0\t8.0\n") && relearnCopy.output.contains("(the folder holds 2 audio file(s))"), "\(relearnCopy.output)")
        try FileManager.default.removeItem(atPath: copy)

        // The library learned finds the music in the call: hold, never talk.
        let analyze = try HostileCorpusTests.runCallqa(["analyze", "--format", "json", "--hold-music", "learned", calls[1]], cwd: work)
        #expect(analyze.status == 0, "\(analyze.output)")
        let line = try #require(analyze.output.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let music = try #require(object["hold_music"] as? [String: Any])
        let found = try #require(music["found"] as? [[String: Any]])
        #expect(found.count >= 1 && found.allSatisfy { ($0["party"] as? String) == "agent" }, "\(found)")
        // As a table, a note says the library was used and where its audio was found.
        let table = try HostileCorpusTests.runCallqa(["analyze", "--hold-music", "learned", calls[1], calls[0]], cwd: work)
        #expect(table.status == 0 && table.output.contains("hold-music library (2 file(s)): its audio found in 1 of 2 recording(s)"), "\(table.output)")

        // Learning again replaces the recording's files, whatever their names now (no trim: the
        // stretch starts 0.5 s earlier); the same recording named twice, through a link too, is
        // learned once.
        try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("link.wav").path, withDestinationPath: calls[1])
        let again = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "learned", "--recurrence", "0", "--trim-s", "0", calls[1], "link.wav", calls[1]], cwd: work)
        #expect(again.status == 0 && again.output.contains("learned 1 stretch(es) of hold, 9.0 s, from 1 recording(s)"), "\(again.output)")
        #expect(again.output.contains("2 recording(s) named again (the same path, another path to it or a link): learned once"), "\(again.output)")
        let relearned = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("learned").path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(relearned.count == 2 && relearned.contains { $0.hasSuffix("-agent-22.62.wav") && files.contains($0.prefix(12) + "-agent-23.12.wav") }, "\(relearned)")
        // A folder that cannot take the files stops the command before any recording (exit 2).
        try Data().write(to: work.appendingPathComponent("afile"))
        let blocked = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "afile/sub", calls[1]], cwd: work)
        #expect(blocked.status == 2 && blocked.output.contains("--out 'afile/sub': cannot make or write into the folder: 'afile' is a file, not a folder"), "\(blocked.output)")
        // A library given is refused (it learns from the analysis' own judgement), as are lengths
        // that leave nothing or overflow.
        let huge = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "x", "--min-s", "1e18", calls[1]], cwd: work)
        #expect(huge.status == 64 && huge.output.contains("--min-s: expected a length of 1.5 s to 86400 s"), "\(huge.output)")
        let withLibrary = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "x", "--hold-music", "learned", calls[1]], cwd: work)
        #expect(withLibrary.status == 64 && withLibrary.output.contains("learns from the analysis' own judgement of hold"), "\(withLibrary.output)")
        let negative = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "x", "--recurrence=-1", calls[1]], cwd: work)
        #expect(negative.status == 64 && negative.output.contains("--recurrence: expected a number of recordings ≥ 0, got -1"), "\(negative.output)")
        let noJobs = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "x", "--jobs", "0", calls[1]], cwd: work)
        #expect(noJobs.status == 64 && noJobs.output.contains("--jobs: expected a number ≥ 1, got 0"), "\(noJobs.output)")
        let badTrim = try HostileCorpusTests.runCallqa(["learn-hold-music", "--out", "x", "--min-s", "2", "--trim-s", "1", calls[1]], cwd: work)
        #expect(badTrim.status == 64 && badTrim.output.contains("--trim-s: expected 0 s or more and under 1.0 s (half of --min-s), got 1.0"), "\(badTrim.output)")
    }
}

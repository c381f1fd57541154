import AudioIO
import CSndFile
import CallAnalysis
import Foundation
@testable import Pipeline
import Testing

/// The site's hold music learned from its own recordings (`HoldMusicLearning`,
/// `callqa learn-hold-music`): what step 6 judged hold as a whole, trimmed, written as WAV
/// files that the hold-music library reads back and finds the music with.
@Suite struct HoldMusicLearningTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let key = Array("test key".utf8)
    static func sample(_ name: String) -> String { root.appendingPathComponent("SampleAudio/\(name)").path }

    static func folder() throws -> String {
        let d = Fixtures.dir + "/learned-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// The sample day's c-002 holds nine seconds of music on hold on the agent leg (22.64–31.64 s
    /// in its truth), which step 6 judges hold as a whole: it is learned less 0.5 s at each end,
    /// the file holds the recording's own samples, and the library made of it finds that music in
    /// the call again — and nothing in c-001, which has no music.
    @Test func theSampleCallsMusicIsLearnedAndFoundAgain() throws {
        let path = Self.sample("c-002-alaw.wav")
        let analysis = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let kept = HoldMusicLearning.stretches(of: analysis)
        #expect(kept.count == 1, "\(kept)")
        guard let s = kept.first else { return }
        #expect(s.party == .agent && s.channel == 0)
        #expect(abs(Double(s.span.start) / 100 - 23.14) <= 0.3 && abs(Double(s.span.end) / 100 - 31.14) <= 0.3, "\(s.span)")
        let judged = analysis.judgedHold[0]
        #expect(judged.contains { $0.start + 50 == s.span.start && $0.end - 50 == s.span.end }, "\(judged)")

        let out = try Self.folder()
        let learned = try HoldMusicLearning.write(recording: path, stretches: kept, into: out, key: Self.key)
        #expect(learned.count == 1)
        let file = try #require(learned.first).file
        #expect((file as NSString).lastPathComponent == HoldMusicLearning.fileName(recording: path, party: .agent, startS: Double(s.span.start) / 100, key: Self.key))
        // The recording's own samples (A-law decoded), through 16-bit PCM.
        let written = DecodeEquivalenceTests.viaLibsndfile(file)[0]
        let leg = DecodeEquivalenceTests.viaLibsndfile(path)[0]
        #expect(written.count == s.span.length * 80)
        let from = s.span.start * 80
        let worst = zip(written, leg[from..<(from + written.count)]).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1.0 / 32768 + 1e-6, "largest difference \(worst)")

        var options = AnalysisOptions()
        options.knownAudio = try HoldMusicLibrary.load(paths: [out])
        let again = try RecordingAnalyzer.analyze(path: path, options: options)
        let found = again.metrics.knownAudio[.agent] ?? []
        let covered = SpanMath.total(SpanMath.intersection(SpanMath.normalize(found.map(\.span)), [s.span]))
        #expect(Double(covered) >= 0.9 * Double(s.span.length), "found \(found.map(\.span)) of \(s.span)")

        let other = try RecordingAnalyzer.analyze(path: Self.sample("c-001-ulaw.wav"), options: options)
        let plain = try RecordingAnalyzer.analyze(path: Self.sample("c-001-ulaw.wav"), options: AnalysisOptions())
        #expect((other.metrics.knownAudio[.agent] ?? []).isEmpty && (other.metrics.knownAudio[.customer] ?? []).isEmpty)
        #expect(other.metrics.parties == plain.metrics.parties && other.metrics.hold == plain.metrics.hold)
    }

    /// Only judged hold of `minS` or more is kept, less `trimS` at each end, on the file's channel
    /// of each party (a stereo file whose agent is on the right; a mono one), and none of a line
    /// with voices behind its talker.
    @Test func keptStretchesAreLongJudgedHoldLessTheTrim() throws {
        var a = try RecordingAnalyzer.analyze(path: Self.sample("c-001-ulaw.wav"), options: AnalysisOptions())
        a.channelsUsed = [1, 0]
        a.judgedHold = [[FrameSpan(100, 450), FrameSpan(600, 1100)], [FrameSpan(0, 2000)]]
        let kept = HoldMusicLearning.stretches(of: a, minS: 4, trimS: 0.5)
        #expect(kept.map { $0.party } == [.agent, .customer])
        #expect(kept.map { $0.channel } == [1, 0])
        #expect(kept.map { $0.span } == [FrameSpan(650, 1050), FrameSpan(50, 1950)])
        // A line that carried voices behind its talker more than a tenth of the call is not
        // learned from (the voices are under its music too); at a tenth it is.
        var voices = a
        voices.metrics.parties[.agent]?.backgroundVoicesShare = 0.11
        #expect(HoldMusicLearning.stretches(of: voices, minS: 4, trimS: 0.5).map { $0.party } == [.customer])
        let left = HoldMusicLearning.leftOutForVoices(of: voices, minS: 4)
        #expect(left.count == 1 && left[0].party == .agent && left[0].share == 0.11 && abs(left[0].seconds - 5) < 1e-9, "\(left)")
        voices.metrics.parties[.agent]?.backgroundVoicesShare = 0.1
        #expect(HoldMusicLearning.stretches(of: voices, minS: 4, trimS: 0.5).map { $0.party } == [.agent, .customer])
        #expect(HoldMusicLearning.leftOutForVoices(of: voices, minS: 4).isEmpty)
        a.channelsUsed = [0]
        a.judgedHold = [[FrameSpan(0, 399), FrameSpan(500, 900)]]
        let mono = HoldMusicLearning.stretches(of: a, minS: 4, trimS: 0.5)
        #expect(mono.map { $0.party } == [.mixed] && mono.map { $0.span } == [FrameSpan(550, 850)])
        // A call with no hold keeps nothing, and nothing is written (nor the file read).
        let none = try RecordingAnalyzer.analyze(path: Self.sample("c-004-pcm16.wav"), options: AnalysisOptions())
        #expect(HoldMusicLearning.stretches(of: none).isEmpty)
        #expect(try HoldMusicLearning.write(recording: "/no/such/file.wav", stretches: [], into: "/no/such/folder", key: Self.key).isEmpty)
    }

    /// The file name carries nothing of the recording's name (a digest of its absolute path),
    /// and the same recording gives the same names.
    @Test func fileNamesCarryNoPartOfTheRecordingsName() {
        let a = HoldMusicLearning.fileName(recording: "/rec/out-4915112345678-20261207.wav", party: .agent, startS: 12.3, key: Self.key)
        #expect(!a.contains("4915112345678") && a.hasSuffix("-agent-12.30.wav") && a.count == 12 + "-agent-12.30.wav".count)
        #expect(a == HoldMusicLearning.fileName(recording: "/rec/./out-4915112345678-20261207.wav", party: .agent, startS: 12.3, key: Self.key))
        #expect(a != HoldMusicLearning.fileName(recording: "/rec/out-4915112345679-20261207.wav", party: .agent, startS: 12.3, key: Self.key))
    }

    /// Of a stretch judged hold, only the seconds other recordings play too are kept: each source
    /// counted once however often it plays them (a loop), the ends that lie inside the stretch
    /// trimmed, parts shorter than the shortest stretch kept left out. A stretch that ran on from
    /// the music into a prompt keeps its music only.
    @Test func onlyTheSecondsOtherRecordingsPlayAreKept() {
        // 10 s: recording b plays its 0–6 s, recording c its 3–7 s and, a loop, 6.5–9.9 s.
        let heard: [(source: String, span: FrameSpan)] = [("b", FrameSpan(0, 600)), ("c", FrameSpan(300, 700)), ("c", FrameSpan(650, 990))]
        // One other recording: all of it (9.9 s is within half the trim of the end, 10 s).
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: heard, recurrence: 1) == [FrameSpan(0, 1000)])
        // Two: 3–6 s, less 0.5 s at both ends inside the stretch: 2 s, under the 3 s of the
        // shortest stretch kept (4 s judged, less 0.5 s at each end)…
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: heard, recurrence: 2).isEmpty)
        // …kept with a shorter minimum.
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: heard, recurrence: 2, minS: 2.5) == [FrameSpan(350, 550)])
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: heard, recurrence: 3).isEmpty)
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: [], recurrence: 0) == [FrameSpan(0, 1000)])
        #expect(HoldMusicLearning.recurringParts(length: 1000, occurrences: [], recurrence: 1).isEmpty)
        // 12 s judged hold whose first 8.1 s are music another call played, then a prompt: 0–7.6 s.
        #expect(HoldMusicLearning.recurringParts(length: 1200, occurrences: [("b", FrameSpan(0, 810))], recurrence: 1) == [FrameSpan(0, 760)])
        // 6 s whose first 2.7 s are music: nothing (2.2 s left).
        #expect(HoldMusicLearning.recurringParts(length: 600, occurrences: [("b", FrameSpan(0, 270))], recurrence: 1).isEmpty)
        // A library file's source: the recording digest its name starts with, else its own name.
        #expect(HoldMusicLearning.source(ofFile: "/x/0123456789ab-agent-1.00.wav") == "0123456789ab")
        #expect(HoldMusicLearning.source(ofFile: "/x/macroform-cold_day.wav") == "macroform-cold_day.wav")
        #expect(HoldMusicLearning.source(ofFile: "0123456789AB-agent-1.00.wav") == "0123456789AB-agent-1.00.wav")
        // The digest is the HMAC-SHA-256 of the path under the folder's key (Python's
        // `hmac.new(b"test key", b"/rec/a.wav", "sha256")`), another key another digest.
        #expect(HoldMusicLearning.digest(recording: "/rec/a.wav", key: Self.key) == "cf5af97a16e3")
        #expect(HoldMusicLearning.digest(recording: "/rec/a.wav", key: Array("other".utf8)) != "cf5af97a16e3")
    }

    /// A learned folder's key: made once (64 hex digits, readable by its owner only), read back
    /// the same; a key file that is not one is an error naming it.
    @Test func theFoldersKeyIsMadeOnceAndReadBack() throws {
        let out = try Self.folder()
        let key = try HoldMusicLearning.folderKey(out)
        let path = out + "/" + HoldMusicLearning.keyFileName
        let again = try HoldMusicLearning.folderKey(out)
        #expect(key.count == 32 && again == key)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600, "\(String(mode, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [HoldMusicLearning.keyFileName])
        let other = try HoldMusicLearning.folderKey(try Self.folder())
        #expect(other != key)
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: HoldMusicError.self) { try HoldMusicLearning.folderKey(out) }
        do { _ = try HoldMusicLearning.folderKey(out) } catch {
            #expect(error.message.contains(path) && error.message.contains("64 hex digits"), "\(error.message)")
        }
    }

    /// c-002's music, staged from the call and from a copy of it (another recording of the same
    /// music): each is heard in the other, so each is kept whole; alone, nothing is; and a file the
    /// folder holds from another recording counts as that recording.
    @Test func aStretchIsKeptWhereAnotherRecordingPlaysIt() throws {
        let path = Self.sample("c-002-alaw.wav")
        let staging = try Self.folder()
        let copy = staging + "/copy.wav"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let analysis = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let kept = HoldMusicLearning.stretches(of: analysis)
        let a = try HoldMusicLearning.write(recording: path, stretches: kept, into: staging, key: Self.key)
        let b = try HoldMusicLearning.write(recording: copy, stretches: kept, into: staging, key: Self.key)
        #expect(a.count == 1 && b.count == 1)
        var passedOver: [HoldMusicError] = []
        // The stretch in 10 ms frames (its judged hold, 9.02 s, less the trims).
        let n = Int(((a[0].endS - a[0].startS) * 100).rounded())
        #expect(n == 802)
        let both = try HoldMusicLearning.recurringParts(of: a + b, others: [], recurrence: 1, passedOver: &passedOver)
        #expect(both == [[FrameSpan(0, n)], [FrameSpan(0, n)]], "\(both)")
        #expect(try HoldMusicLearning.recurringParts(of: a, others: [], recurrence: 1, passedOver: &passedOver) == [[]])
        #expect(try HoldMusicLearning.recurringParts(of: a + b, others: [], recurrence: 2, passedOver: &passedOver) == [[], []])
        // The copy's file as one the folder holds; a file there that cannot be decoded is passed over.
        let junk = staging + "/junk.wav"
        try Data("RIFF....WAVEjunk".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try HoldMusicLearning.recurringParts(of: a, others: [b[0].file, junk], recurrence: 1, passedOver: &passedOver) == [[FrameSpan(0, n)]])
        #expect(passedOver.count == 1 && passedOver[0].message.contains("junk.wav"), "\(passedOver)")
        // Placed: the part's samples, named by the recording; the staged files stay.
        let out = try Self.folder()
        let placed = try HoldMusicLearning.place(a, parts: [[FrameSpan(100, 500)]], recording: path, into: out, key: Self.key)
        #expect(placed.count == 1 && abs(placed[0].startS - (a[0].startS + 1)) < 1e-9 && abs(placed[0].endS - placed[0].startS - 4) < 1e-9)
        let written = DecodeEquivalenceTests.viaLibsndfile(placed[0].file)[0]
        let staged = DecodeEquivalenceTests.viaLibsndfile(a[0].file)[0]
        #expect(written.count == 32_000 && zip(written, staged[8_000..<40_000]).allSatisfy { abs($0 - $1) <= 1.0 / 32768 + 1e-6 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [(placed[0].file as NSString).lastPathComponent])
    }

    /// A recording learned again replaces all its earlier files (other lengths, other names; or
    /// none left when nothing is kept now), and leaves other recordings' files alone; a link to a
    /// recording is the recording.
    @Test func learningAgainReplacesTheRecordingsFiles() throws {
        let path = Self.sample("c-002-alaw.wav")
        let out = try Self.folder()
        let other = out + "/000000000000-agent-1.00.wav"
        try WAVWriter.writeMono16(path: other, samples: [0.1, 0.2], sampleRate: 8000)
        let analysis = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        _ = try HoldMusicLearning.write(recording: path, stretches: HoldMusicLearning.stretches(of: analysis, trimS: 0), into: out, key: Self.key)
        _ = try HoldMusicLearning.write(recording: path, stretches: HoldMusicLearning.stretches(of: analysis), into: out, key: Self.key)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names.count == 2 && names.contains("000000000000-agent-1.00.wav") && names.contains { $0.hasSuffix("-agent-23.12.wav") }, "\(names)")
        let link = out + "/link.wav"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(HoldMusicLearning.digest(recording: link, key: Self.key) == HoldMusicLearning.digest(recording: path, key: Self.key))
        _ = try HoldMusicLearning.write(recording: link, stretches: [], into: out, key: Self.key)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["000000000000-agent-1.00.wav", "link.wav"])
    }

    /// `WAVWriter`: mono 16-bit PCM at the rate given, full scale clipped (not wrapped), and a
    /// folder that does not exist an error naming the path.
    @Test func wavWriterWritesMono16AndNamesAPathItCannotWrite() throws {
        let out = try Self.folder() + "/tone.wav"
        var x = (0..<1600).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        x[10] = 1.5
        x[11] = -1.5
        try WAVWriter.writeMono16(path: out, samples: x, sampleRate: 16000)
        let source = try SndFileSource(path: out)
        #expect(source.format.sampleRate == 16000 && source.format.channels == 1 && source.format.frames == 1600)
        let back = DecodeEquivalenceTests.viaLibsndfile(out)[0]
        #expect(back[10] >= 0.9999 && back[10] <= 1 && back[11] <= -0.9999)
        let worst = zip(back, x).enumerated().filter { $0.offset != 10 && $0.offset != 11 }.map { abs($0.element.0 - $0.element.1) }.max() ?? 1
        #expect(worst <= 1.0 / 32768 + 1e-6, "largest difference \(worst)")
        #expect(throws: AudioWriteError.self) { try WAVWriter.writeMono16(path: "/no/such/folder/x.wav", samples: x, sampleRate: 8000) }
        do {
            try WAVWriter.writeMono16(path: "/no/such/folder/x.wav", samples: x, sampleRate: 8000)
        } catch {
            #expect(error.description.hasPrefix("cannot write '/no/such/folder/x.wav': "), "\(error.description)")
        }
    }
}

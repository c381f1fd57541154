import AudioIO
import CSndFile
import CallAnalysis
import Foundation
@testable import Pipeline
import Reports
import Testing

/// The site's hold music read from files (`HoldMusicLibrary`): folders with their subfolders,
/// one file per name, any rate brought to 8 kHz, errors that name the path; and a recording
/// on disk whose music is one of them analysed with it.
@Suite struct HoldMusicLibraryTests {
    /// A melody over a bass line, notes of 0.2–0.5 s with four harmonics: the same piece at
    /// every rate for one seed.
    static func piece(seed: UInt64, seconds: Double, rate: Int) -> [Float] {
        var g = SeededNoise(seed: seed)
        let scale: [Float] = [196, 220, 247, 294, 330, 392, 440, 494, 587, 659]
        let n = Int(seconds * Double(rate)), sr = Float(rate)
        var x = [Float](repeating: 0, count: n)
        for voice in 0..<2 {
            var t = 0.0
            while t < seconds {
                let length = 0.2 + 0.3 * Double(g.uniform() + 1) / 2
                let f = scale[Int((g.uniform() + 1) / 2 * 9.99)] * (voice == 1 ? 0.5 : 1)
                let a = Int(t * Double(rate)), b = min(n, Int((t + length) * Double(rate)))
                for i in a..<b {
                    let u = Float(i - a) / sr
                    var v: Float = 0
                    for h in 1...4 { v += sin(2 * .pi * f * Float(h) * Float(i) / sr) / Float(h) }
                    x[i] += 0.05 * v * min(1, u / 0.01) * exp(-3 * u)
                }
                t += length
            }
        }
        return x
    }

    static func folder() -> String {
        let d = Fixtures.dir + "/hold-music-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d + "/sales", withIntermediateDirectories: true)
        return d
    }

    @Test func foldersWithSubfoldersOneFilePerNameAnyRate() throws {
        let d = Self.folder()
        let music = Self.piece(seed: 1, seconds: 12, rate: 44100)
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/welcome.wav", [music], rate: 44100, format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        // The same name in GSM too (Asterisk installs both): the WAV is taken.
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/welcome.gsm",
                       [Self.piece(seed: 2, seconds: 12, rate: 8000)], rate: 8000, format: Int32(SF_FORMAT_RAW | SF_FORMAT_GSM610))
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/sales/jazz.flac",
                       [Self.piece(seed: 3, seconds: 10, rate: 16000)], rate: 16000, format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16))
        FileManager.default.createFile(atPath: d + "/README", contents: Data("music on hold".utf8))
        let library = try HoldMusicLibrary.load(paths: [d])
        #expect(library.tracks.map(\.name) == ["jazz.flac", "welcome.wav"])
        #expect(abs(library.tracks[1].durationS - 12) < 0.01 && abs(library.tracks[0].durationS - 10) < 0.01)
        #expect(library.tracks.allSatisfy { $0.landmarks > 300 })
        // The digest names the content: the same files give the same one, another file another.
        #expect(try HoldMusicLibrary.load(paths: [d]).digest == library.digest)
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/sales/jazz.flac",
                       [Self.piece(seed: 4, seconds: 10, rate: 16000)], rate: 16000, format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16))
        #expect(try HoldMusicLibrary.load(paths: [d]).digest != library.digest)
    }

    /// A link to a folder is followed (Debian links /var/lib/asterisk/moh to /usr/share), and
    /// a folder reached twice is read once.
    @Test func linkedFoldersAreFollowedOnce() throws {
        let d = Self.folder()
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/sales/jazz.wav",
                       [Self.piece(seed: 3, seconds: 6, rate: 8000)], rate: 8000, format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        let link = Fixtures.dir + "/moh-link-\(UUID().uuidString)"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: d)
        try FileManager.default.createSymbolicLink(atPath: d + "/again", withDestinationPath: d + "/sales")
        let library = try HoldMusicLibrary.load(paths: [link])
        #expect(library.tracks.map(\.name) == ["jazz.wav"])
        #expect(try HoldMusicLibrary.load(paths: [link + "/"]).tracks.count == 1)
        // A file named beside the folder that holds it is read once.
        #expect(try HoldMusicLibrary.load(paths: [link, d + "/sales/jazz.wav"]).tracks.count == 1)
    }

    @Test func errorsNameThePath() throws {
        #expect(throws: HoldMusicError(message: "hold music '/no/such/moh': no such file or folder")) {
            try HoldMusicLibrary.load(paths: ["/no/such/moh"])
        }
        let empty = Self.folder()
        FileManager.default.createFile(atPath: empty + "/notes.txt", contents: Data("x".utf8))
        do {
            _ = try HoldMusicLibrary.load(paths: [empty])
            Issue.record("a folder without audio was taken")
        } catch {
            #expect(error.message.contains("'\(empty)'") && error.message.contains("no audio file"))
        }
        let broken = Fixtures.writeBytes("broken-moh-\(UUID().uuidString).wav", Array("RIFF....WAVEjunk".utf8))
        do {
            _ = try HoldMusicLibrary.load(paths: [broken])
            Issue.record("a broken file was taken")
        } catch {
            #expect(error.message.hasPrefix("hold music '\(broken)': "))
        }
    }

    /// 44.1 kHz → 8 kHz keeps a 1 kHz tone's frequency and level and removes a 6 kHz one
    /// (which would fold to 2 kHz).
    @Test func resamplingKeepsThePassbandAndRemovesWhatWouldFold() {
        func tone(_ hz: Double, rate: Int) -> [Float] {
            (0..<rate).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
        }
        func rms(_ x: ArraySlice<Float>) -> Double { (x.reduce(0.0) { $0 + Double($1 * $1) } / Double(x.count)).squareRoot() }
        let low = HoldMusicLibrary.resample(tone(1000, rate: 44100), from: 44100, to: 8000)
        #expect(low.count == 8000)
        let mid = low[400..<7600]
        #expect(abs(rms(mid) - 0.5 / 2.0.squareRoot()) < 0.005)
        var crossings = 0
        for i in mid.indices.dropFirst() where (mid[i - 1] < 0) != (mid[i] < 0) { crossings += 1 }
        #expect(abs(Double(crossings) / 2 / 0.9 - 1000) < 3)
        let high = HoldMusicLibrary.resample(tone(6000, rate: 44100), from: 44100, to: 8000)
        #expect(rms(high[400..<7600]) < 0.005)
    }

    /// A µ-law call on disk with 10 s of a 44.1 kHz library file in it: found and named in the
    /// analysis and its JSON.
    @Test func aRecordingWithTheMusicInItIsAnalysedWithIt() throws {
        let d = Self.folder()
        let track = Self.piece(seed: 7, seconds: 30, rate: 44100)
        Fixtures.write(String(d.dropFirst(Fixtures.dir.count + 1)) + "/queue.wav", [track], rate: 44100, format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        let library = try HoldMusicLibrary.load(paths: [d])
        var call = Fixtures.call(rate: 8000, seconds: 30)
        let at8k = Self.piece(seed: 7, seconds: 30, rate: 8000)
        for i in 0..<(10 * 8000) { call[0][12 * 8000 + i] += at8k[5 * 8000 + i] }
        let path = Fixtures.write("hold-music-call-\(UUID().uuidString).wav", call, rate: 8000, format: Fixtures.wav(Int32(SF_FORMAT_ULAW)))
        var options = AnalysisOptions()
        options.knownAudio = library
        let a = try RecordingAnalyzer.analyze(path: path, options: options)
        let found = a.metrics.knownAudio[.agent] ?? []
        #expect(found.count == 1)
        if let m = found.first {
            #expect(m.name == "queue.wav" && abs(m.span.startS - 12) < 0.15 && abs(m.span.endS - 22) < 0.15 && abs(m.trackOffsetS - 5) < 0.1,
                    "\(m.name) \(m.span.startS)–\(m.span.endS) from \(m.trackOffsetS)")
        }
        #expect(a.metrics.holdS >= 9.8)
        let json = AnalysisRendering.json(a, analyzerVersion: analyzerVersion, segments: false).rendered()
        #expect(json.contains("\"hold_music\":{\"library\":\"\(library.digest)\",\"files\":1,\"found\":[{\"party\":\"agent\""))
        #expect(json.contains("\"file\":\"queue.wav\""))
        // Without the library: no match and no such key.
        let plain = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        #expect(plain.metrics.knownAudio.isEmpty)
        #expect(!AnalysisRendering.json(plain, analyzerVersion: analyzerVersion, segments: false).rendered().contains("hold_music"))
    }
}

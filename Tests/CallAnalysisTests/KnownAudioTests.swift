@testable import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The site's own hold music (`KnownAudioLibrary`): found where it plays, through a codec
/// and under noise, at 8 and 16 kHz; nothing else found; the echo of it on the other line
/// not taken for it; where it plays, hold and never talk.
@Suite struct KnownAudioTests {
    /// A piece of music: a melody over chords, notes of 0.15–0.45 s from a pentatonic scale,
    /// each with four harmonics and a struck envelope; the same piece at every `sampleRate`
    /// for one `seed`.
    static func piece(seed: UInt64, seconds: Double, sampleRate: Int = 8000, dbfs: Float = -20) -> [Float] {
        var g = Signals(seed: seed)
        let scale: [Float] = [196, 220, 247, 294, 330, 392, 440, 494, 587, 659]
        let n = Int(seconds * Double(sampleRate)), sr = Float(sampleRate)
        var x = [Float](repeating: 0, count: n)
        for voice in 0..<3 {
            var t = 0.0
            while t < seconds {
                let length = 0.15 + 0.3 * Double(g.uniform() + 1) / 2 * (voice == 0 ? 1 : 2)
                let f = scale[Int((g.uniform() + 1) / 2 * 9.99)] * (voice == 2 ? 0.5 : 1)
                let a = Int(t * Double(sampleRate)), b = min(n, Int((t + length) * Double(sampleRate)))
                for i in a..<b {
                    let u = Float(i - a) / sr
                    let env = min(1, u / 0.01) * exp(-3 * u)
                    var v: Float = 0
                    for h in 1...4 where f * Float(h) < 3600 { v += sin(2 * .pi * f * Float(h) * Float(i) / sr) / Float(h) }
                    x[i] += v * env * (voice == 0 ? 1 : 0.5)
                }
                t += length
            }
        }
        let rms = (x.reduce(0) { $0 + $1 * $1 } / Float(n)).squareRoot()
        let k = pow(10, dbfs / 20) / rms
        return x.map { $0 * k }
    }

    /// G.711 µ-law there and back (the recording's codec).
    static func mulaw(_ x: [Float]) -> [Float] {
        x.map { v in
            let m: Float = 255, c = max(-1, min(1, v))
            let y = (c < 0 ? -1 : 1) * log(1 + m * abs(c)) / log(1 + m)
            let q = (y * 127).rounded() / 127
            return (q < 0 ? -1 : 1) * (pow(1 + m, abs(q)) - 1) / m
        }
    }

    static let library = KnownAudioLibrary(tracks: [("opening.wav", piece(seed: 1, seconds: 40)),
                                                    ("loop.wav", piece(seed: 3, seconds: 30))], digest: "test")

    /// The agent's line: words 1–6 s and 22–28 s, `music` from 8 s on, noise at −55 dBFS;
    /// the customer's: words 3–5 s and 24–27 s (and whatever `customerExtra` adds).
    static func call(music: [Float], sampleRate: Int = 8000, customerExtra: [Float]? = nil) -> [[Float]] {
        let sr = Double(sampleRate)
        var agent = Signals.voice(seconds: 30, spans: [(1, 6), (22, 28)], f0Hz: 120, dbfs: -22, seed: 5, sampleRate: sampleRate)
        var customer = Signals.voice(seconds: 30, spans: [(3, 5), (24, 27)], f0Hz: 210, dbfs: -26, seed: 6, sampleRate: sampleRate)
        mix(music, into: &agent, at: Int(8 * sr))
        var g = Signals(seed: 9)
        let noise = g.noise(count: agent.count, rms: pow(10, -55 / 20))
        for i in agent.indices { agent[i] += noise[i]; customer[i] += noise[agent.count - 1 - i] }
        if let customerExtra { for i in customer.indices where i < customerExtra.count { customer[i] += customerExtra[i] } }
        return [mulaw(agent), mulaw(customer)]
    }

    @Test func aTrackPlayingIsFoundWhereItPlaysAndIsHoldNotTalk() {
        // 12 s of the first track from 12 s into it, at 8–20 s of the call.
        let track = Self.piece(seed: 1, seconds: 40)
        let music = Array(track[(12 * 8000)..<(24 * 8000)])
        let outcome = analyze(Self.call(music: music), knownAudio: Self.library)
        let found = outcome.channels[0].knownAudio
        #expect(found.count == 1)
        guard let m = found.first else { return }
        #expect(m.name == "opening.wav" && m.track == 0)
        #expect(abs(m.span.startS - 8) <= 0.15 && abs(m.span.endS - 20) <= 0.15, "\(m.span.startS)–\(m.span.endS)")
        #expect(abs(m.trackOffsetS - 12) <= 0.1, "\(m.trackOffsetS)")
        #expect(m.landmarks > 100)
        // Hold over the music, no talk in it; the words around it are talk.
        let inner = FrameSpan(815, 1985)
        #expect(SpanMath.intersection(outcome.channels[0].speech, [inner]).isEmpty)
        #expect(SpanMath.total(SpanMath.intersection(outcome.channels[0].hold, [inner])) == inner.length)
        #expect(SpanMath.total(SpanMath.intersection(outcome.channels[0].speech, [FrameSpan(150, 550), FrameSpan(2250, 2750)])) > 800)
        #expect(outcome.channels[1].knownAudio.isEmpty)
        #expect(outcome.knownAudioNote == nil)
    }

    /// `occurrences`: every track heard in a signal, each where it plays, also where another track
    /// holds the same music (the analysis keeps the one that explains it best); a track left out
    /// is not heard, and music no track holds gives nothing.
    @Test func occurrencesFindEveryTrackThatPlaysAndLeaveOutWhatIsExcluded() {
        let track = Self.piece(seed: 1, seconds: 40)
        // Track 0 the whole piece, track 1 its seconds 10–25 (another call's stretch of it), track 2 other music.
        let library = KnownAudioLibrary(tracks: [("whole.wav", track), ("part.wav", Array(track[(10 * 8000)..<(25 * 8000)])),
                                                 ("other.wav", Self.piece(seed: 2, seconds: 20))], digest: "t")
        // The signal: the piece's seconds 5–20 through µ-law.
        let signal = Self.mulaw(Array(track[(5 * 8000)..<(20 * 8000)]))
        let all = library.occurrences(in: signal, sampleRate: 8000)
        #expect(Set(all.map(\.track)) == [0, 1], "\(all)")
        let whole = all.filter { $0.track == 0 }, part = all.filter { $0.track == 1 }
        #expect(SpanMath.total(SpanMath.normalize(whole.map(\.span))) >= 1_400, "\(whole)")
        // The part plays from 5 s into the signal (its 10 s) to the end.
        let p = SpanMath.normalize(part.map(\.span))
        #expect(p.count == 1 && abs(p[0].start - 500) <= 15 && p[0].end >= 1_400, "\(p) \(part)")
        let withoutWhole = library.occurrences(in: signal, sampleRate: 8000, excluding: { $0 == 0 })
        #expect(!withoutWhole.isEmpty && withoutWhole.allSatisfy { $0.track == 1 }, "\(withoutWhole)")
        #expect(library.occurrences(in: signal, sampleRate: 8000, excluding: { $0 < 2 }).isEmpty)
        #expect(library.occurrences(in: Self.piece(seed: 4, seconds: 15), sampleRate: 8000).isEmpty)
        #expect(library.occurrences(in: signal, sampleRate: 11025).isEmpty)
    }

    @Test func otherMusicAndVoicesMatchNothingAndChangeNothing() {
        // Another piece (same scale, same instruments) where the hold music would be.
        let other = Self.piece(seed: 2, seconds: 12)
        let channels = Self.call(music: other)
        let with = analyze(channels, knownAudio: Self.library)
        let without = analyze(channels)
        #expect(with.channels.allSatisfy { $0.knownAudio.isEmpty })
        #expect(with.channels.map(\.speech) == without.channels.map(\.speech))
        #expect(with.channels.map(\.hold) == without.channels.map(\.hold))
    }

    @Test func theEchoOfTheMusicOnTheOtherLineIsNotAMatch() {
        let track = Self.piece(seed: 3, seconds: 30)
        let music = Array(track[(2 * 8000)..<(14 * 8000)])
        // The agent's line (music included) heard on the customer's at −30 dB, 20 ms late.
        let first = Self.call(music: music)
        var echo = [Float](repeating: 0, count: first[0].count)
        let gain = pow(10, Float(-30) / 20)
        for i in 160..<echo.count { echo[i] = first[0][i - 160] * gain }
        let outcome = analyze(Self.call(music: music, customerExtra: echo), knownAudio: Self.library)
        #expect(outcome.channels[0].knownAudio.map(\.name) == ["loop.wav"])
        #expect(outcome.channels[1].knownAudio.isEmpty)
    }

    @Test func wideband16kHzRecordingsMatchAn8kHzLibrary() {
        let track = Self.piece(seed: 1, seconds: 40, sampleRate: 16000)
        let music = Array(track[(12 * 16000)..<(24 * 16000)])
        let outcome = analyze(Self.call(music: music, sampleRate: 16000), sampleRate: 16000, knownAudio: Self.library)
        let m = outcome.channels[0].knownAudio
        #expect(m.count == 1 && m.first?.name == "opening.wav")
        if let m = m.first { #expect(abs(m.span.startS - 8) <= 0.15 && abs(m.span.endS - 20) <= 0.15 && abs(m.trackOffsetS - 12) <= 0.1) }
    }

    /// 11,025, 24,000 and 48,000 Hz are not 8 kHz times a power of two: analysed without the
    /// library (no crash), and said, also as a health flag.
    @Test(arguments: [11025, 24000, 48000])
    func aRateTheLibraryCannotMatchIsSaid(rate: Int) {
        let x = Signals.voice(seconds: 3, spans: [(0.5, 2.5)], f0Hz: 120, dbfs: -22, seed: 5, sampleRate: rate)
        let outcome = analyze([x, x.map { $0 * 0.01 }], sampleRate: rate, knownAudio: Self.library)
        #expect(outcome.knownAudioNote?.contains("\(rate) Hz") == true)
        #expect(outcome.channels.allSatisfy { $0.knownAudio.isEmpty })
        let metrics = ConversationMetrics(outcome: outcome, agentChannel: 0, parameters: AnalysisParameters())
        #expect(metrics.health.contains(.holdMusicNotApplied))
        #expect(!ConversationMetrics(outcome: analyze([x, x.map { $0 * 0.01 }], sampleRate: rate), agentChannel: 0,
                                     parameters: AnalysisParameters()).health.contains(.holdMusicNotApplied))
    }

    /// A library piece heard on the customer's line only (the customer's radio: the site's
    /// hold music plays to the caller and is recorded on the agent's side): hold there, but
    /// the agent's words over it stay talk; the same match on the agent's line is hold for
    /// both (the caller's words over their own hold music are not talk, as with any hold).
    @Test func aMatchOnTheCustomersLineOnlyLeavesTheAgentsTalk() {
        let music = FrameSpan(800, 2000)
        func outcome(matchOn line: Int) -> AnalysisOutcome {
            var channels = [ChannelActivity(speech: [FrameSpan(100, 600), FrameSpan(900, 1900)], levels: ChannelLevels()),
                            ChannelActivity(speech: [FrameSpan(1000, 1500), FrameSpan(2200, 2700)], levels: ChannelLevels())]
            channels[line].speech = SpanMath.subtract(channels[line].speech, [music])
            channels[line].takeKnownAudio([KnownAudioMatch(span: music, track: 0, name: "opening.wav", trackOffsetS: 12, landmarks: 400)],
                                          frames: 3000)
            return AnalysisOutcome(durationS: 30, frameCount: 3000, channels: channels, envelopeCorrelation: 0)
        }
        let p = AnalysisParameters()
        let onCustomer = ConversationMetrics(outcome: outcome(matchOn: 1), agentChannel: 0, parameters: p)
        #expect(onCustomer.holdS == 12)
        #expect(onCustomer.parties[.agent]!.talkS == 15, "the agent's words over the customer's music")
        #expect(onCustomer.parties[.customer]!.talkS == 5)
        let onAgent = ConversationMetrics(outcome: outcome(matchOn: 0), agentChannel: 0, parameters: p)
        #expect(onAgent.holdS == 12)
        #expect(onAgent.parties[.agent]!.talkS == 5)
        #expect(onAgent.parties[.customer]!.talkS == 5, "the customer's words over the hold music are not talk")
        // The customer's line on the left: the rule follows the agent's channel, not the side.
        let swapped = ConversationMetrics(outcome: outcome(matchOn: 1), agentChannel: 1, parameters: p)
        #expect(swapped.parties[.customer]!.talkS == 5 && swapped.parties[.agent]!.talkS == 5)
    }

    /// The landmarks do not depend on how the samples arrive (blocks of any size).
    @Test func landmarksDoNotDependOnTheBlocks() {
        let x = Self.piece(seed: 3, seconds: 6)
        func landmarks(block: Int) -> [String] {
            var e = LandmarkExtractor(sampleRate: 8000)!
            var out: [String] = []
            var i = 0
            while i < x.count {
                let m = min(block, x.count - i)
                x[i..<(i + m)].withUnsafeBufferPointer { e.consume($0) { out.append("\($0)@\($1)") } }
                i += m
            }
            e.finish { out.append("\($0)@\($1)") }
            return out
        }
        let whole = landmarks(block: x.count)
        #expect(whole.count > 300)
        #expect(landmarks(block: 333) == whole)
        #expect(landmarks(block: 4096) == whole)
    }

    /// The FFT against a direct DFT of a few bins.
    @Test func fftAgreesWithTheDefinition() {
        var g = Signals(seed: 4)
        let n = 64
        let x = g.noise(count: n, rms: 0.3)
        var re = x, im = [Float](repeating: 0, count: n)
        ComplexFFT(size: n).transform(&re, &im)
        for k in [0, 1, 5, 31, 32, 50] {
            var r: Double = 0, i: Double = 0
            for t in 0..<n {
                r += Double(x[t]) * cos(2 * .pi * Double(k * t) / Double(n))
                i -= Double(x[t]) * sin(2 * .pi * Double(k * t) / Double(n))
            }
            #expect(abs(Double(re[k]) - r) < 1e-3 && abs(Double(im[k]) - i) < 1e-3, "bin \(k)")
        }
    }
}

extension KnownAudioTests {
    /// The frame's spectrum through the half-size FFT against the definition (a direct DFT
    /// of the windowed frame), at 8 and 16 kHz.
    @Test func theSpectrumIsTheWindowedFramesDFT() {
        for rate in [8000, 16000] {
            var g = Signals(seed: 11)
            let n = 512 * rate / 8000
            var x = g.noise(count: n, rms: 0.1)
            for t in 0..<n { x[t] += 0.3 * sin(2 * .pi * 1000 * Float(t) / Float(rate)) }
            let got = LandmarkExtractor.powerSpectrum(x, sampleRate: rate)
            let w = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
            let scale = 1 / pow(w.reduce(0, +), 2) * 4
            for b in [LandmarkExtractor.lowBin, 64, 100, LandmarkExtractor.highBin - 1] {
                var r = 0.0, i = 0.0
                for t in 0..<n {
                    r += Double(x[t]) * w[t] * cos(2 * .pi * Double(b * t) / Double(n))
                    i -= Double(x[t]) * w[t] * sin(2 * .pi * Double(b * t) / Double(n))
                }
                let db = 10 * log10(max((r * r + i * i) * scale, 1e-12))
                #expect(abs(Double(got[b - LandmarkExtractor.lowBin]) - db) < 0.01, "rate \(rate) bin \(b): \(got[b - LandmarkExtractor.lowBin]) vs \(db)")
            }
        }
    }
}

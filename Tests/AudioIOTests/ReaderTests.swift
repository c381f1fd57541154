import AudioIO
import CSndFile
import CallAnalysis
import Foundation
import Pipeline
import Reports
import Testing

@Suite struct ReaderTests {
    static let codecs: [(String, Int32, Bool)] = [
        ("pcm8.wav", Fixtures.wav(Int32(SF_FORMAT_PCM_U8)), true),
        ("pcm16.wav", Fixtures.wav(Int32(SF_FORMAT_PCM_16)), true),
        ("pcm24.wav", Fixtures.wav(Int32(SF_FORMAT_PCM_24)), true),
        ("pcm32.wav", Fixtures.wav(Int32(SF_FORMAT_PCM_32)), true),
        ("float.wav", Fixtures.wav(Int32(SF_FORMAT_FLOAT)), true),
        ("ulaw.wav", Fixtures.wav(Int32(SF_FORMAT_ULAW)), true),
        ("alaw.wav", Fixtures.wav(Int32(SF_FORMAT_ALAW)), true),
        ("ima.wav", Fixtures.wav(Int32(SF_FORMAT_IMA_ADPCM)), true),
        ("msadpcm.wav", Fixtures.wav(Int32(SF_FORMAT_MS_ADPCM)), true),
        ("gsm.wav", Fixtures.wav(Int32(SF_FORMAT_GSM610)), false),
        ("call.flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), true),
        ("call.ogg", Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), true),
        ("call.mp3", Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III), true),
    ]

    /// Every codec decodes to the same conversation: talk within 0.25 s of the truth
    /// (the SNR smoothing moves each sharp synthetic edge by up to 45 ms)
    /// (agent 4 s, customer 2 s; mono GSM: 6 s of anyone talking).
    @Test(arguments: codecs.map(\.0))
    func codecRoundTrip(name: String) throws {
        let (_, format, stereo) = Self.codecs.first { $0.0 == name }!
        let call = Fixtures.call()
        let channels = stereo ? call : [zip(call[0], call[1]).map { $0 + $1 }]
        let path = Fixtures.write(name, channels, format: format)
        let r = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        #expect(r.format.sampleRate == 8000)
        #expect(r.format.channels == channels.count)
        #expect(abs(r.metrics.durationS - 10) < 0.2)
        // Lossy codecs on this synthetic call (−60 dBFS white noise, which IMA, GSM, Vorbis
        // and MP3 reshape or gate) still stray: known limit, measured on the harness instead.
        let tolerance = ["ima.wav", "gsm.wav", "call.ogg", "call.mp3"].contains(name) ? 1.3 : 0.25
        if stereo {
            let agent = try #require(r.metrics.parties[.agent]), customer = try #require(r.metrics.parties[.customer])
            #expect(abs(agent.talkS - 4) <= tolerance, "agent talk \(agent.talkS) in \(name)")
            if name == "call.mp3" {
                // libsndfile's MP3 encoder writes joint stereo: the agent's bursts leak into
                // the customer channel (codec crosstalk, no bleed suppression yet). Leaks add talk.
                #expect(customer.talkS >= 1.75, "customer talk \(customer.talkS) in \(name)")
            } else {
                #expect(abs(customer.talkS - 2) <= tolerance, "customer talk \(customer.talkS) in \(name)")
            }
            if tolerance < 1 { #expect(agent.segmentCount == 2) }
        } else {
            let mixed = try #require(r.metrics.parties[.mixed])
            #expect(abs(mixed.talkS - 6) <= tolerance, "mixed talk \(mixed.talkS) in \(name)")
            #expect(r.metrics.parties[.agent] == nil)
        }
        #expect(!r.metrics.health.contains(.agentChannelSilent) && !r.metrics.health.contains(.noSpeech))
    }

    @Test func agentChannelRightSwapsParties() throws {
        let path = Fixtures.write("swap.wav", Fixtures.call(), format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        var options = AnalysisOptions()
        options.agentChannel = .right
        let r = try RecordingAnalyzer.analyze(path: path, options: options)
        #expect(abs((r.metrics.parties[.agent]?.talkS ?? 0) - 2) <= 0.25)
        #expect(abs((r.metrics.parties[.customer]?.talkS ?? 0) - 4) <= 0.25)
    }

    /// Low-frequency line noise under a quiet talker on G.711 only toggles the codec's last
    /// codes: frame power jumps 10–15 dB with the number of flips and, measured against the
    /// quiet frames, read as talk all call long. Frames within `codecIdleSteps` quantizer
    /// steps are codec idle noise. With a DC offset the toggling sits on higher codes.
    @Test(arguments: [(Int32(SF_FORMAT_ALAW), Float(0.00004), Float(0.00003)), (Int32(SF_FORMAT_ULAW), Float(0.00012), Float(0.00006)),
                      (Int32(SF_FORMAT_ULAW), Float(0.0063), Float(0.00005)), (Int32(SF_FORMAT_ULAW), Float(0.0063), Float(0.00008))])
    func g711IdleCodesAreNotTalk(format: Int32, dc: Float, hiss: Float) throws {
        var noise = SeededNoise(seed: 7)
        func gauss() -> Float { noise.sum(of: 3) }
        let rate = 8000, n = 30 * rate
        var x = [Float](repeating: 0, count: n)
        var walk: Float = 0
        for i in 0..<n {
            walk = 0.995 * walk + gauss() * 0.000006           // brown noise, RMS ≈ 6·10⁻⁵ (−84 dBFS)
            x[i] = walk + dc + gauss() * hiss
        }
        let bursts: [(Int, Int)] = [(4, 6), (12, 15), (20, 21)]   // 6 s of "speech" at about −56 dBFS
        for (a, b) in bursts {
            for i in (a * rate)..<(b * rate) {
                let t = Float(i) / Float(rate)
                x[i] += gauss() * 0.0016 * (0.55 + 0.45 * sin(2 * .pi * 4 * t))
            }
        }
        let path = Fixtures.write("idle-\(format)-\(dc)-\(hiss).wav", [x], format: Fixtures.wav(format))
        let r = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let talk = r.metrics.parties[.mixed]?.talkS ?? 0
        #expect(abs(talk - 6) <= 1, "talk \(talk) s, expected 6 s")
        // The same file with the rule off: the failure it prevents.
        var off = AnalysisOptions()
        off.parameters.codecIdleSteps = 0
        let offTalk = try RecordingAnalyzer.analyze(path: path, options: off).metrics.parties[.mixed]?.talkS ?? 0
        #expect(offTalk > 12, "without the rule: \(offTalk) s")
        // PCM16 has no coarse last codes: the rule does not apply, and the noise is below the floor.
        let pcm = Fixtures.write("idle-pcm16-\(dc)-\(hiss).wav", [x], format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        let pcmTalk = try RecordingAnalyzer.analyze(path: pcm, options: AnalysisOptions()).metrics.parties[.mixed]?.talkS ?? 0
        #expect(abs(pcmTalk - 6) <= 1, "PCM16: talk \(pcmTalk) s")
    }

    /// The sample day's call c-002 has nine seconds of real music on hold (Debian's opsound)
    /// on the agent leg. Held notes pass the tone test in places; they must stay part of the
    /// hold span, not become tones (and the music between them talk).
    @Test func sampleMusicOnHoldStaysHold() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let r = try RecordingAnalyzer.analyze(path: root.appendingPathComponent("SampleAudio/c-002-alaw.wav").path,
                                              options: AnalysisOptions())
        #expect(abs(r.metrics.holdS - 9) <= 0.6, "hold \(r.metrics.hold)")
        #expect(r.metrics.toneS == 0)
    }

    /// Words running straight into music on hold on one line: the sample day's c-002 agent
    /// leg with the pause between the agent's last words (18.76–22.07 s) and the music cut to
    /// 0.2 s, and the music cut to `seconds`. The pause rule joins words and music, and the
    /// whole was judged hold (3.3 s of words lost as hold); the words must stay talk and the
    /// music be hold.
    /// The sample day's call c-002, agent leg (left channel), as decoded by libsndfile.
    static func c002AgentLeg() -> [Float] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return DecodeEquivalenceTests.viaLibsndfile(root.appendingPathComponent("SampleAudio/c-002-alaw.wav").path)[0]
    }

    /// The call metrics of one 8 kHz channel, analysed from memory.
    static func analyzedMono(_ x: [Float]) throws -> ConversationMetrics {
        var source = MemorySource(samples: [x], sampleRate: 8000)
        return try RecordingAnalyzer.analyze(source: &source, file: "mono.wav", options: AnalysisOptions()).metrics
    }

    @Test(arguments: [3.5, 5.0, 9.0])
    func wordsRunningIntoMusicOnHold(seconds: Double) throws {
        let agent = Self.c002AgentLeg()
        func analyzed(_ x: [Float]) throws -> ConversationMetrics { try Self.analyzedMono(x) }
        let original = try analyzed(agent)
        let joined = try analyzed(Array(agent[0..<Int(22.27 * 8000)] + agent[Int(22.64 * 8000)..<Int((22.64 + seconds) * 8000)]
            + agent[Int(31.64 * 8000)...]))
        let hold = try #require(joined.hold.first)
        #expect(joined.hold.count == 1 && abs(hold.startS - 22.27) <= 0.1 && abs(joined.holdS - seconds) <= 0.3,
                "hold \(joined.hold)")
        let talk = try #require(joined.parties[.mixed]?.talkS), before = try #require(original.parties[.mixed]?.talkS)
        #expect(abs(talk - before) <= 0.3, "talk \(talk) s, \(before) s before the pause was cut")
    }

    /// Speech-like words (noise under a 4 Hz syllable envelope that never falls to the
    /// line's noise) and c-002's 9 s of music at the same level, on one line.
    /// - 4 s of words with no pause at all before the music, no line noise (200 dB under): one detector
    ///   region of words and the music's first 2 s, judged hold with the music after it, and
    ///   2.8 s of words were lost to hold. The region is split where its dips change from
    ///   speech to music (at 0.25 s marks: where one side dips like speech and the other,
    ///   `min_hold_s` long, like music, then on while the next 0.5 s dips like syllables).
    ///   The music's last 2.5 s, after a quiet passage, stand alone under `min_hold_s`:
    ///   tone, neither talk nor hold.
    /// - 8 or 16 s of words, a 0.2 s pause, and white noise 20 dB under the music: the
    ///   music's quiet passages (under `merge_gap_s`) cut it into regions shorter than
    ///   `min_hold_s`, and the pause joins them to the words. After 8 s of words the splits
    ///   that were there before find the music (the case guards them); after 16 s the whole
    ///   dips like words, and no hold was found at all. Split where the music starts, as a
    ///   hold utterance is, its music side being at least twice `min_hold_s`.
    @Test(arguments: [(4.0, 0.0, Float(200), 5.5), (8.0, 0.2, 20, 8.5), (16.0, 0.2, 20, 8.5)])
    func wordsAndMusicOnOneLine(wordsS: Double, pauseS: Double, musicToNoiseDB: Float, minHoldS: Double) throws {
        let agent = Self.c002AgentLeg()
        let music = Array(agent[Int(22.64 * 8000)..<Int(31.64 * 8000)])
        let rms = (music.reduce(Float(0)) { $0 + $1 * $1 } / Float(music.count)).squareRoot()
        var seeded = SeededNoise(seed: 77)
        let words: [Float] = (0..<Int(wordsS * 8000)).map { n in
            seeded.uniform() * 1.7 * rms * (0.55 + 0.45 * sin(2 * .pi * 4 * Float(n) / 8000))
        }
        let quiet = [Float](repeating: 0, count: 8000)
        var x = quiet + words + [Float](repeating: 0, count: Int(pauseS * 8000)) + music + quiet
        let noise = rms * pow(10, -musicToNoiseDB / 20)
        for i in x.indices { x[i] += noise * seeded.sum(of: 4) * 0.866 }
        let m = try Self.analyzedMono(x)
        let musicStart = 1 + wordsS + pauseS
        let hold = try #require(m.hold.first)
        #expect(m.hold.count == 1 && abs(hold.startS - musicStart) <= 0.4 && m.holdS >= minHoldS,
                "hold \(m.hold), tones \(m.toneS) s")
        let talk = try #require(m.parties[.mixed]?.talkS)
        #expect(abs(talk - wordsS) <= 0.4, "talk \(talk) s")
    }

    /// `tone` (peak `amplitude`) with 1 s of silence either side, white hiss `snrDB` under
    /// the tone's power added throughout (seeded), written as a GSM 6.10 WAV.
    static func gsmToneInHiss(_ name: String, _ tone: [Float], amplitude: Double, snrDB: Double,
                              seed: UInt64) -> String {
        var seeded = SeededNoise(seed: seed)
        var x = [Float](repeating: 0, count: 8000) + tone + [Float](repeating: 0, count: 8000)
        let noise = Float(amplitude / 2.0.squareRoot()) * pow(10, Float(-snrDB / 20))
        for i in x.indices { x[i] += noise * (seeded.sum(of: 4) * 0.866) }
        return Fixtures.write(name, [x], format: Fixtures.wav(Int32(SF_FORMAT_GSM610)))
    }

    /// `seconds` of a sine at `hz` (8 kHz).
    static func sine(_ hz: Double, seconds: Double, amplitude: Double) -> [Float] {
        (0..<Int(seconds * 8000)).map { Float(amplitude * sin(2 * .pi * hz * Double($0) / 8000)) }
    }

    /// A 1 kHz tone 10 dB over white hiss, through GSM 6.10: the codec rebuilds the sine
    /// with a level that jumps by several dB from frame to frame, breaking the exact
    /// repetition the periodic test needs; over 80 ms windows the sine still holds most of
    /// the energy at one frequency (step 5d). Not talk; without the window fits, talk.
    @Test func sineThroughGSMInHissIsNoTalk() throws {
        let amplitude = 0.05 * 2.0.squareRoot()
        let path = Self.gsmToneInHiss("sine-1k-gsm.wav", Self.sine(1000, seconds: 2, amplitude: amplitude),
                                      amplitude: amplitude, snrDB: 10, seed: 5)
        let m = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()).metrics
        let talk = try #require(m.parties[.mixed]?.talkS)
        #expect(talk == 0 && m.toneS >= 1.6, "talk \(talk) s, tones \(m.toneS) s")
        var off = AnalysisOptions()
        off.parameters.callToneShare = 1
        let offTalk = try #require(try RecordingAnalyzer.analyze(path: path, options: off).metrics.parties[.mixed]?.talkS)
        #expect(offTalk >= 0.5, "without the window fits: talk \(offTalk) s")
    }

    /// Beeps and fax calling tones 5 dB over hiss through GSM 6.10: the codec breaks the
    /// sine's phase and level from one 20 ms frame to the next and leaves windows where a
    /// single sinusoid explains little; sinusoids fitted per 10 ms at the window's
    /// frequency still explain most of it (step 5d). Each was talk before (0.5–1.6 s).
    @Test(arguments: [(1100.0, 0.5), (850.0, 0.5), (1000.0, 2.0)])
    func sinesThroughGSMAt5dBAreNoTalk(hz: Double, seconds: Double) throws {
        let path = Self.gsmToneInHiss("sine-\(Int(hz))-5db-gsm.wav", Self.sine(hz, seconds: seconds, amplitude: 0.1),
                                      amplitude: 0.1, snrDB: 5, seed: 11)
        let m = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()).metrics
        let talk = try #require(m.parties[.mixed]?.talkS)
        #expect(talk == 0 && m.toneS >= 0.7 * seconds, "\(hz) Hz: talk \(talk) s, tones \(m.toneS) s")
    }

    /// A 3.2 kHz tone 10 dB over hiss through GSM 6.10: GSM rebuilds it with a level that
    /// jumps 1–4 dB from frame to frame, so only the high-sine cue (its raw shape) starts
    /// the fit in time. No talk inside the tone (without the cue its first 80 ms were talk
    /// here, and 0.36 s of the stress set's 3.2 kHz tone).
    @Test func highSineThroughGSMIsNoTalk() throws {
        let path = Self.gsmToneInHiss("sine-3200-10db-gsm.wav", Self.sine(3200, seconds: 1, amplitude: 0.1),
                                      amplitude: 0.1, snrDB: 10, seed: 17)
        let m = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()).metrics
        let segments = try #require(m.parties[.mixed]?.segments)
        let inTone = SpanMath.total(SpanMath.intersection(segments, [FrameSpan(100, 200)]))
        #expect(inTone == 0 && m.toneS >= 0.9, "talk \(segments), tones \(m.toneS) s")
    }

    /// Sines above 1.8 kHz over hiss through GSM 6.10, where two things broke them up:
    /// - 2 kHz folds onto the 400 Hz tone plan (`CallProgressToneTest` uses every fifth
    ///   sample), so plan and sine windows took turns and neither made a run; the fit now
    ///   also holds a window the plan explained while its run is open (0.4 s of talk here
    ///   before: the whole tone);
    /// - GSM rebuilds 2.6 kHz at 5 dB with its frequency wandering 1–2 % from one 10 ms to
    ///   the next, so a fit at one frequency explained 0.3–0.4 of a window; above 1.8 kHz
    ///   each 10 ms is also fitted ±2 % off, runs hold within 3 % and go on at 0.2
    ///   (1 s of talk here before).
    @Test(arguments: [(2000.0, 0.4, 10.0, UInt64(21)), (2600, 0.4, 10, 23), (2600, 1, 5, 25)])
    func highSinesThroughGSMAreNoTalk(hz: Double, seconds: Double, snrDB: Double, seed: UInt64) throws {
        let path = Self.gsmToneInHiss("sine-\(Int(hz))-\(seconds)-\(Int(snrDB))db-gsm.wav",
                                      Self.sine(hz, seconds: seconds, amplitude: 0.1),
                                      amplitude: 0.1, snrDB: snrDB, seed: seed)
        let m = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()).metrics
        let segments = try #require(m.parties[.mixed]?.segments)
        let end = 100 + Int(seconds * 100)
        let inTone = SpanMath.total(SpanMath.intersection(segments, [FrameSpan(100, end)]))
        #expect(inTone == 0 && m.toneS >= seconds - 0.08, "\(hz) Hz: talk \(segments), tones \(m.toneS) s")
    }

    /// The special information tone (913.8, 1370.6, 1776.7 Hz, 0.33 s each) 10 and 5 dB over
    /// hiss through GSM 6.10: a tone, no talk within it. Each segment alone can fall short
    /// of a tone's 7 windows (the window straddling each change fails, and at 5 dB the third
    /// explains only 0.4–0.7 of its windows); back to back they are one (a chain). The talk
    /// tested is inside the tone: the hiss before it is a known false alarm of GSM-coded
    /// white hiss (README, limitations), 1 s of talk in these files, and the region it makes
    /// may run 0.1 s into the tone (at 5 dB it does: 80 ms).
    @Test(arguments: [10.0, 5.0])
    func informationToneThroughGSMIsNoTalk(snrDB: Double) throws {
        var tone: [Float] = []
        var phase = 0.0
        for hz in [913.8, 1370.6, 1776.7] {
            for _ in 0..<2640 {
                tone.append(Float(0.1 * sin(phase)))
                phase += 2 * .pi * hz / 8000
            }
        }
        let path = Self.gsmToneInHiss("sit-\(Int(snrDB))db-gsm.wav", tone, amplitude: 0.1, snrDB: snrDB, seed: 13)
        let m = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()).metrics
        let segments = try #require(m.parties[.mixed]?.segments)
        let inTone = SpanMath.total(SpanMath.intersection(segments, [FrameSpan(110, 199)]))
        #expect(inTone == 0 && m.toneS >= 0.9, "\(snrDB) dB: talk \(segments), tones \(m.toneS) s")
    }

    /// libsndfile counts the last GSM block of a WAV whole and decodes one block more where
    /// the data chunk was padded to an even length (its own files and sox's): that block
    /// decodes from nothing into a burst near full scale, 60 ms of talk at the end of every
    /// such call. The reader stops at the WAV fact chunk's count.
    @Test(arguments: [20_000, 20_160, 32_000])
    func gsmEndsWhereTheFactChunkSays(samples: Int) throws {
        var seeded = SeededNoise(seed: 9)
        let hiss = (0..<samples).map { _ in 0.003 * seeded.sum(of: 3) }
        let path = Fixtures.write("gsm-\(samples).wav", [hiss], format: Fixtures.wav(Int32(SF_FORMAT_GSM610)))
        let r = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let mixed = try #require(r.metrics.parties[.mixed])
        #expect(r.metrics.durationS == Double(samples) / 8000)
        #expect(mixed.talkS == 0 && (mixed.levels.peakDBFS ?? 0) < -30, "talk \(mixed.talkS) s, peak \(mixed.levels.peakDBFS ?? 0) dBFS")
        #expect(!r.metrics.health.contains(.truncated))
    }

    /// A fact chunk of 0 (a writer that never filled it in) or far short of the data is not
    /// believed: the whole recording is read.
    @Test(arguments: [0, 1000])
    func gsmFactChunkFarShortIsIgnored(declared: UInt32) throws {
        var seeded = SeededNoise(seed: 9)
        let hiss = (0..<32_000).map { _ in 0.003 * seeded.sum(of: 3) }
        // One source file per case: the cases run in parallel (a shared name raced: one case
        // read the file while the other was writing it).
        let path = Fixtures.write("gsm-fact-source-\(declared).wav", [hiss], format: Fixtures.wav(Int32(SF_FORMAT_GSM610)))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let fact = try #require((0..<(bytes.count - 12)).first { bytes[$0..<($0 + 4)].elementsEqual("fact".utf8) })
        for k in 0..<4 { bytes[fact + 8 + k] = UInt8(truncatingIfNeeded: declared >> (8 * UInt32(k))) }
        let patched = Fixtures.writeBytes("gsm-fact-\(declared).wav", bytes)
        let r = try RecordingAnalyzer.analyze(path: patched, options: AnalysisOptions())
        #expect(r.metrics.durationS == 4)
    }

    @Test func sameFileSameBytes() throws {
        let path = Fixtures.write("repeat.wav", Fixtures.call(), format: Fixtures.wav(Int32(SF_FORMAT_ULAW)))
        let a = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let b = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        let ja = AnalysisRendering.json(a, analyzerVersion: analyzerVersion, segments: true).rendered()
        let jb = AnalysisRendering.json(b, analyzerVersion: analyzerVersion, segments: true).rendered()
        #expect(ja == jb)
        #expect(ja.hasPrefix("{\"file\":"))
        for key in ["\"format\"", "\"sample_rate\"", "\"channels\"", "\"duration_s\"", "\"parties\"", "\"silence_s\"",
                    "\"silence_ratio\"", "\"non_talk_s\"", "\"overtalk_s\"", "\"interruptions\":{\"by_agent\"",
                    "\"dead_air\"", "\"longest_silence_s\"", "\"longest_silence_start_s\"", "\"health\"",
                    "\"parameters\"", "\"segments\":[["] {
            #expect(ja.contains(key), "missing \(key)")
        }
    }

    // MARK: - Broken files

    @Test func randomBytesGiveAClearError() {
        var seed: UInt64 = 7
        let bytes = (0..<5000).map { _ -> UInt8 in
            seed = seed &* 6364136223846793005 &+ 1
            return UInt8(truncatingIfNeeded: seed >> 33)
        }
        let path = Fixtures.writeBytes("random.wav", bytes)
        #expect(throws: AnalysisError.self) { try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()) }
        do {
            _ = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        } catch {
            #expect(error.description.hasPrefix("cannot decode '\(path)': "))
        }
    }

    @Test func emptyAndMissingFiles() {
        let empty = Fixtures.writeBytes("empty.wav", [])
        do {
            _ = try RecordingAnalyzer.analyze(path: empty, options: AnalysisOptions())
            Issue.record("empty file accepted")
        } catch {
            #expect(error == .audio(.unsupportedFormat(path: empty, reason: "file is empty")))
        }
        let missing = Fixtures.dir + "/nope.wav"
        do {
            _ = try RecordingAnalyzer.analyze(path: missing, options: AnalysisOptions())
            Issue.record("missing file accepted")
        } catch {
            #expect(error == .audio(.cannotOpen(path: missing, reason: "no such file or directory")))
        }
    }

    @Test func g729InWavIsRejected() {
        // A WAV header announcing format tag 0x0133 (G.729), as some PBXs write.
        var h: [UInt8] = Array("RIFF".utf8) + le32(36 + 100) + Array("WAVE".utf8) + Array("fmt ".utf8) + le32(20)
        h += le16(0x0133) + le16(1) + le32(8000) + le32(1000) + le16(10) + le16(0) + le16(2) + le16(0)
        h += Array("data".utf8) + le32(100) + [UInt8](repeating: 0x55, count: 100)
        let path = Fixtures.writeBytes("g729.wav", h)
        do {
            _ = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
            Issue.record("G.729 accepted")
        } catch {
            #expect(error.description.contains("g729.wav"))
        }
    }

    @Test func truncatedRecordingIsFlagged() throws {
        let full = Fixtures.write("full.wav", Fixtures.call(), format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let cut = Fixtures.writeBytes("truncated.wav", Array(data.prefix(data.count / 2)))
        let r = try RecordingAnalyzer.analyze(path: cut, options: AnalysisOptions())
        #expect(r.metrics.health.contains(.truncated))
        #expect(r.truncation != nil)
        #expect(abs(r.metrics.durationS - 5) < 0.1)
        let ok = try RecordingAnalyzer.analyze(path: full, options: AnalysisOptions())
        #expect(!ok.metrics.health.contains(.truncated))
    }

    @Test func moreThanTwoChannelsNeedAChoice() throws {
        let call = Fixtures.call()
        let eight = (0..<8).map { $0 < 2 ? call[$0] : [Float](repeating: 0, count: call[0].count) }
        let path = Fixtures.write("eight.wav", eight, format: Fixtures.wav(Int32(SF_FORMAT_PCM_16)))
        do {
            _ = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
            Issue.record("8 channels accepted")
        } catch {
            #expect(error == .tooManyChannels(path: path, channels: 8))
        }
        var options = AnalysisOptions()
        options.channelSelection = [0, 1]
        let r = try RecordingAnalyzer.analyze(path: path, options: options)
        #expect(abs((r.metrics.parties[.agent]?.talkS ?? 0) - 4) <= 0.25)
        options.channelSelection = [0, 9]
        #expect(throws: AnalysisError.badChannelSelection(path: path, selection: [0, 9], channels: 8)) {
            try RecordingAnalyzer.analyze(path: path, options: options)
        }
    }

    @Test func nanSamplesAreReplacedAndFlagged() throws {
        var call = Fixtures.call()
        call[0][100] = .nan
        call[1][200] = .infinity
        let path = Fixtures.write("nan.wav", call, format: Fixtures.wav(Int32(SF_FORMAT_FLOAT)))
        let r = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions())
        #expect(r.nonFiniteSamples == 2)
        #expect(r.metrics.health.contains(.nonFiniteSamples))
        #expect(abs((r.metrics.parties[.agent]?.talkS ?? 0) - 4) <= 0.25)
    }

    @Test func errorLineNamesTheFile() {
        let line = AnalysisRendering.errorJSON(file: "a\"b.wav", error: "cannot decode").rendered()
        #expect(line == "{\"file\":\"a\\\"b.wav\",\"error\":\"cannot decode\"}")
    }
}

private func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
private func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }

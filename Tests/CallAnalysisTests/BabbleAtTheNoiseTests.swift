import Testing
@testable import CallAnalysis

/// Voices behind the talker at the level of the line's noise (analyzer 21, step 1c's narrowed
/// margin): the accuracy harness's hardest calls put 3–8 voices 5–20 dB under the agent on a
/// line whose noise is as loud as they are. Neither of step 1b's signs rises there (the noise
/// floor sits under voices and noise together), and every burst of the voices came within
/// 15 dB of the agent's loud level: as talk. On such a line (its background, the 30th
/// percentile of its smoothed power, within 21 dB of the loud level) a run must also stand
/// `background_talker_over_db` (6 dB) over the background, but need never come closer to the
/// loud level than `background_talker_near_db` (8 dB).
@Suite struct BabbleAtTheNoiseTests {
    static let agentTalk: [(Double, Double)] = [(4, 6.5), (10, 13), (24, 27.5), (41, 44)]
    static let customerTalk: [(Double, Double)] = [(0.5, 3), (7, 9.5), (14, 23), (28, 40), (45, 59)]

    /// The agent's voice at −18 dBFS; five voices behind it at −30 dBFS and the line's noise
    /// at −32 dBFS (12 and 14 dB under the voice) all minute; the customer on a quiet line.
    static func call() -> [[Float]] {
        var agent = channel(seconds: 60, noiseDBFS: -32, bursts: [], burstDBFS: 0, seed: 41)
        mix(Signals.voice(seconds: 60, spans: agentTalk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
        mix(Signals.babble(seconds: 60, voices: 5, dbfs: -30, seed: 43), into: &agent, at: 0)
        var customer = channel(seconds: 60, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
        mix(Signals.voice(seconds: 60, spans: customerTalk, f0Hz: 210, dbfs: -20, seed: 45), into: &customer, at: 0)
        return [agent, customer]
    }

    static let truth = agentTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }

    /// Talk more than 2 s from any of the agent's turns (36 s of the minute): only the voices
    /// behind it (a burst within a second after a turn is confirmed as the talker's soft
    /// words would be).
    static func awayFromTheTurns(_ speech: [FrameSpan]) -> Int {
        let near = SpanMath.normalize(truth.map { FrameSpan(max(0, $0.start - 200), $0.end + 200) })
        return SpanMath.total(SpanMath.subtract(speech, near))
    }

    @Test func theVoicesAtTheNoiseAreNoTalk() {
        let out = analyze(Self.call())
        let speech = out.channels[0].speech
        let kept = SpanMath.total(SpanMath.intersection(speech, Self.truth))
        #expect(kept == SpanMath.total(Self.truth), "kept \(kept) of \(SpanMath.total(Self.truth))")
        #expect(Self.awayFromTheTurns(speech) == 0, "\(speech)")
        // Neither sign of step 1b rises: it is step 1c that tells them apart.
        #expect(out.channels[0].backgroundVoicesShare == 0)
        #expect(TalkerOverBabbleTests.quarters(speech, seconds: 60) == Self.golden,
                "\(TalkerOverBabbleTests.quarters(speech, seconds: 60))")
    }

    /// Golden, a quarter second a character: the agent's four turns (4–6.5 grown to 7, 10–13,
    /// 24–27.5, 41–44 s), two short bursts of the voices next to them (3–3.5 s, half a second
    /// before the first; 28–28.25 s, within the second after a turn that keeps soft words),
    /// and nothing else in the 36 s of voices away from the turns.
    static let golden = String(repeating: "0", count: 12) + "11" + "00" + String(repeating: "1", count: 12)
        + String(repeating: "0", count: 12) + String(repeating: "1", count: 12) + String(repeating: "0", count: 44)
        + String(repeating: "1", count: 14) + "00" + "1" + String(repeating: "0", count: 51)
        + String(repeating: "1", count: 12) + String(repeating: "0", count: 64)

    /// With the margin kept at 15 dB (`background_talker_near_db` 0, analyzer 20) the voices'
    /// bursts away from the agent's turns are talk: the test above fails without the rule
    /// (3.8 s of them; 5 s before analyzer 24, whose step 6 takes the flattest bursts of 0.6 s
    /// or more, `AnalysisParameters.shortFlatMinFrames`. Analyzer 25's step 6 takes the shorter
    /// ones that barely swing, `AnalysisParameters.briefFlatShare`, 2.35 s left, but those within
    /// 1 s of the customer's talk, who talks all along here, are talk again,
    /// `ConversationAnalyzer.restoreOverlapped`).
    /// A near margin of `background_talker_db` or more never narrows either.
    @Test func withoutNarrowingTheVoicesAreTalk() {
        var never = AnalysisParameters()
        never.backgroundTalkerNearDB = 0
        let speech = analyze(Self.call(), parameters: never).channels[0].speech
        #expect(Self.awayFromTheTurns(speech) >= 200, "\(Self.awayFromTheTurns(speech)) frames: \(speech)")
        var wide = AnalysisParameters()
        wide.backgroundTalkerNearDB = 20
        #expect(wide.validationError() == nil)
        #expect(analyze(Self.call(), parameters: wide).channels[0].speech == speech)
        // Step 1c off (`background_talker_db` 0) is a valid setting whatever the near margin.
        var off = AnalysisParameters()
        off.backgroundTalkerDB = 0
        #expect(off.validationError() == nil)
    }

    /// A guard (it holds with or without the rule): the talker's own soft words, 12 dB under
    /// its voice and 1.5 s after a turn (past the second after one that keeps soft words
    /// anyway), stay talk on the noisy line (noise 14 dB under the voice: words and noise
    /// together reach the narrowed floor in their louder syllables) as on a line whose pauses
    /// are digital silence (the margin stays 15 dB). Words 16 dB under the voice are dropped on
    /// the clean line by the 15 dB margin (step 1c's limit, analyzer 19); on the noisy one,
    /// 2 dB under its noise, step 1c keeps them but step 6 does not since analyzer 24
    /// (`softWordsUnderTheNoiseAreLost`).
    @Test func softWordsStay() {
        let soft = [(8.0, 8.8)]
        let talk: [(Double, Double)] = [(4, 6.5), (10, 13), (17, 19.5), (24, 27.5)]
        func line(noiseDBFS: Float?, softDBFS: Float) -> [[Float]] {
            var agent = noiseDBFS.map { channel(seconds: 30, noiseDBFS: $0, bursts: [], burstDBFS: 0, seed: 41) }
                ?? [Float](repeating: 0, count: 240_000)
            mix(Signals.voice(seconds: 30, spans: talk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
            mix(Signals.voice(seconds: 30, spans: soft, f0Hz: 130, dbfs: softDBFS, seed: 46), into: &agent, at: 0)
            var customer = channel(seconds: 30, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
            mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.customerTalk, f0Hz: 210, dbfs: -20, seed: 45),
                into: &customer, at: 0)
            return [agent, customer]
        }
        let words = soft.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        func kept(_ noise: Float?, _ softDBFS: Float) -> Int {
            SpanMath.total(SpanMath.intersection(analyze(line(noiseDBFS: noise, softDBFS: softDBFS)).channels[0].speech, words))
        }
        #expect(kept(-32, -30) == 80)
        #expect(kept(nil, -30) == 80)
        #expect(kept(nil, -34) == 0)
    }

    /// A known limit (analyzer 24, README): the talker's soft words 2 dB under the noisy line's
    /// noise (16 dB under its voice, 0.8 s) swing 0.97 dB in level and 1.55 dB in spectrum, as
    /// music on hold at 10 dB does, and step 6's floors for 0.6–1.5 s take them
    /// (`AnalysisParameters.shortFlatMinFrames`); 2 dB over the noise they stay (above). A
    /// change that keeps them fails here: then this test goes, and the README's limit with it.
    @Test func softWordsUnderTheNoiseAreLost() {
        let talk: [(Double, Double)] = [(4, 6.5), (10, 13), (17, 19.5), (24, 27.5)]
        var agent = channel(seconds: 30, noiseDBFS: -32, bursts: [], burstDBFS: 0, seed: 41)
        mix(Signals.voice(seconds: 30, spans: talk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
        mix(Signals.voice(seconds: 30, spans: [(8.0, 8.8)], f0Hz: 130, dbfs: -34, seed: 46), into: &agent, at: 0)
        var customer = channel(seconds: 30, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
        mix(Signals.voice(seconds: 30, spans: TalkerOverBabbleTests.customerTalk, f0Hz: 210, dbfs: -20, seed: 45),
            into: &customer, at: 0)
        let speech = analyze([agent, customer]).channels[0].speech
        #expect(SpanMath.total(SpanMath.intersection(speech, [FrameSpan(800, 880)])) == 0, "\(speech)")
        // The turns around them stay talk.
        #expect(SpanMath.total(SpanMath.intersection(speech, [FrameSpan(1000, 1300)])) >= 290, "\(speech)")
    }

    /// A clean line stays clean through a long turn: on a line whose pauses are digital
    /// silence, the agent talks 21 s and says soft words 12 dB under its voice 1.5 s later,
    /// 24 s without a silent frame (hiss while it talks); the words stay talk. Judged by the
    /// last 5 s alone (under 2 % silence after some 17 s of signal) the line would count as one
    /// with something behind its talker, its background level (taken over its signal frames:
    /// its words) would narrow the margin to 8 dB, and the words were dropped (the 30-second
    /// share of silence, 1 % or more, keeps it clean).
    @Test func aLongTurnOnACleanLineKeepsItsSoftWords() {
        let talk: [(Double, Double)] = [(2, 5), (7, 28), (33, 35)], soft = [(29.5, 30.3)]
        // Silence suppression: digital silence between turns, the microphone's hiss (−80 dBFS)
        // only while the agent talks (its soft words after the long turn in the same stretch),
        // so 24 s hold no silent frame.
        var agent = [Float](repeating: 0, count: 320_000)
        for (a, b) in [(2.0, 5.0), (7, 31), (33, 35)] {
            mix(channel(seconds: b - a, noiseDBFS: -80, bursts: [], burstDBFS: 0, seed: 47), into: &agent, at: Int(a * 8000))
        }
        mix(Signals.voice(seconds: 40, spans: talk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
        mix(Signals.voice(seconds: 40, spans: soft, f0Hz: 130, dbfs: -30, seed: 46), into: &agent, at: 0)
        var customer = channel(seconds: 40, noiseDBFS: -50, bursts: [], burstDBFS: 0, seed: 44)
        mix(Signals.voice(seconds: 40, spans: [(5.3, 6.7), (30.8, 32.5), (36, 39)], f0Hz: 210, dbfs: -20, seed: 45),
            into: &customer, at: 0)
        let speech = analyze([agent, customer]).channels[0].speech
        let words = soft.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        #expect(SpanMath.total(SpanMath.intersection(speech, words)) >= 70, "\(speech)")
    }
}

import Testing
@testable import CallAnalysis

/// Near the talker (step 1c): on a stereo call a run of talk is confirmed only where it comes
/// within `background_talker_db` (15 dB) of its channel's loud level, or within a second after
/// a run that did. A contact-center floor's distant voices, 20–30 dB under the agent on a line
/// with little noise, stood over that noise as the agent's talk.
@Suite struct NearTheTalkerTests {
    /// The agent talks most of the first half minute (its loud level rises 4.5 dB a second
    /// over the frames louder than it, from the line's noise), then listens more.
    static let agentTalk: [(Double, Double)] = [(2, 8), (11, 17), (20, 26), (29, 33), (40, 43), (50, 53)]
    static let customerTalk: [(Double, Double)] = [(8.5, 10.5), (17.5, 19.5), (26.5, 28.5), (33.5, 39), (43.5, 49), (53.5, 58)]
    /// Colleagues talking on the floor behind the agent while it listens: each more than a
    /// second from the agent's own turns.
    static let distant: [(Double, Double)] = [(35, 37.5), (45, 47.5), (55, 57)]

    /// The agent's voice at −18 dBFS on a quiet line (noise at −62 dBFS), distant voices `distantUnderDB`
    /// under it, and `soft` words of the agent's own 20 dB under its voice; the customer on
    /// the other channel.
    static func call(distantUnderDB: Float = 27, soft: [(Double, Double)] = []) -> [[Float]] {
        var agent = channel(seconds: 60, noiseDBFS: -62, bursts: [], burstDBFS: 0, seed: 51)
        mix(Signals.voice(seconds: 60, spans: agentTalk, f0Hz: 130, dbfs: -18, seed: 52), into: &agent, at: 0)
        mix(Signals.voice(seconds: 60, spans: distant, f0Hz: 180, dbfs: -18 - distantUnderDB, seed: 53), into: &agent, at: 0)
        if !soft.isEmpty {
            mix(Signals.voice(seconds: 60, spans: soft, f0Hz: 130, dbfs: -38, seed: 56), into: &agent, at: 0)
        }
        var customer = channel(seconds: 60, noiseDBFS: -60, bursts: [], burstDBFS: 0, seed: 54)
        mix(Signals.voice(seconds: 60, spans: customerTalk, f0Hz: 210, dbfs: -20, seed: 55), into: &customer, at: 0)
        return [agent, customer]
    }

    static func frames(_ spans: [(Double, Double)]) -> [FrameSpan] {
        spans.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
    }

    @Test func distantVoicesFarUnderTheTalkerAreNoTalk() {
        let out = analyze(Self.call())
        let speech = out.channels[0].speech
        let truth = Self.frames(Self.agentTalk)
        let kept = SpanMath.total(SpanMath.intersection(speech, truth))
        #expect(Double(kept) >= 0.95 * Double(SpanMath.total(truth)), "kept \(kept) of \(SpanMath.total(truth))")
        #expect(SpanMath.total(SpanMath.intersection(speech, Self.frames(Self.distant))) == 0, "\(speech)")
        // Golden, a quarter second a character (`TalkerOverBabbleTests.quarters`): the agent's
        // six turns (2–8, 11–17, 20–26, 29–33, 40–43, 50–53 s) and nothing else.
        let golden = String(repeating: "0", count: 8) + String(repeating: "1", count: 24) + String(repeating: "0", count: 12)
            + String(repeating: "1", count: 24) + String(repeating: "0", count: 12) + String(repeating: "1", count: 24)
            + String(repeating: "0", count: 12) + String(repeating: "1", count: 16) + String(repeating: "0", count: 28)
            + String(repeating: "1", count: 12) + String(repeating: "0", count: 28) + String(repeating: "1", count: 12)
            + String(repeating: "0", count: 28)
        #expect(TalkerOverBabbleTests.quarters(speech, seconds: 60) == golden, "\(TalkerOverBabbleTests.quarters(speech, seconds: 60))")
        // The customer's line keeps its own talk.
        let customer = Self.frames(Self.customerTalk)
        #expect(Double(SpanMath.total(SpanMath.intersection(out.channels[1].speech, customer)))
                >= 0.95 * Double(SpanMath.total(customer)))
    }

    /// Without step 1c (`background_talker_db` 0) the distant voices are the agent's talk:
    /// the test above fails without the rule.
    @Test func withoutTheRuleTheDistantVoicesAreTalk() {
        var p = AnalysisParameters()
        p.backgroundTalkerDB = 0
        let out = analyze(Self.call(), parameters: p)
        let distant = Self.frames(Self.distant)
        let asTalk = SpanMath.total(SpanMath.intersection(out.channels[0].speech, distant))
        #expect(Double(asTalk) >= 0.8 * Double(SpanMath.total(distant)), "distant voices as talk: \(asTalk) frames")
    }

    /// Distant voices 10 dB under the talker are within the rule's 15 dB: it leaves them to
    /// step 1b (voices behind the talker), and the call is decided as without it.
    @Test func voicesWithinTheMarginAreLeftToTheBackgroundRule() {
        let near = Self.call(distantUnderDB: 10)
        var p = AnalysisParameters()
        p.backgroundTalkerDB = 0
        #expect(analyze(near).channels[0].speech == analyze(near, parameters: p).channels[0].speech)
    }

    /// The agent's own soft words, 20 dB under its voice: kept 0.4 s after one of its turns
    /// (within the second after talk near its level); alone, 3 s after its last turn, they
    /// are taken for a distant voice (the rule's limit).
    @Test func softWordsRightAfterTheTalkerStay() {
        let after = [(43.4, 43.9)], alone = [(46.0, 46.6)]
        let out = analyze(Self.call(distantUnderDB: 80, soft: after + alone))
        let speech = out.channels[0].speech
        let keptAfter = SpanMath.total(SpanMath.intersection(speech, Self.frames(after)))
        #expect(keptAfter >= 40, "soft words after a turn: \(keptAfter) of 50 frames")
        #expect(SpanMath.total(SpanMath.intersection(speech, Self.frames(alone))) == 0, "\(speech)")
        var p = AnalysisParameters()
        p.backgroundTalkerDB = 0
        let off = analyze(Self.call(distantUnderDB: 80, soft: after + alone), parameters: p).channels[0].speech
        #expect(SpanMath.total(SpanMath.intersection(off, Self.frames(alone))) >= 40, "\(off)")
    }

    /// A mono recording holds both parties on one line, at any level difference: the rule
    /// does not apply. The agent's line alone, as a mono recording: its distant voices stay
    /// talk, as without the rule; the same line on a stereo call (the other channel digital
    /// silence) loses them, so it is the mono call that keeps them, not the signal. (Both
    /// lines mixed say nothing: the distant voices fall in the customer's turns.)
    @Test func monoIsUnchanged() {
        let line = Self.call()[0]
        let distant = Self.frames(Self.distant)
        var p = AnalysisParameters()
        p.backgroundTalkerDB = 0
        let mono = analyze([line]).channels[0].speech
        #expect(mono == analyze([line], parameters: p).channels[0].speech)
        #expect(Double(SpanMath.total(SpanMath.intersection(mono, distant))) >= 0.8 * Double(SpanMath.total(distant)), "\(mono)")
        let stereo = analyze([line, [Float](repeating: 0, count: line.count)]).channels[0].speech
        #expect(SpanMath.total(SpanMath.intersection(stereo, distant)) == 0, "\(stereo)")
    }

    /// Hindsight (step 1c): distant voices in the call's first second, before the loud level
    /// has settled (3 s), take the level known 10 s in, when the agent's first turn (from
    /// 2 s) has set it: no talk. Deciding each frame as it leaves the lookahead window, they
    /// are measured against no level and stay talk.
    @Test func distantVoicesBeforeTheLevelSettledAreDecidedInHindsight() {
        let agentTalk: [(Double, Double)] = [(2, 8), (11, 17), (20, 26)], early = [(0.3, 1.0)]
        var agent = channel(seconds: 30, noiseDBFS: -62, bursts: [], burstDBFS: 0, seed: 51)
        mix(Signals.voice(seconds: 30, spans: agentTalk, f0Hz: 130, dbfs: -18, seed: 52), into: &agent, at: 0)
        mix(Signals.voice(seconds: 30, spans: early, f0Hz: 180, dbfs: -45, seed: 53), into: &agent, at: 0)
        var customer = channel(seconds: 30, noiseDBFS: -60, bursts: [], burstDBFS: 0, seed: 54)
        mix(Signals.voice(seconds: 30, spans: [(8.5, 10.5), (17.5, 19.5), (26.5, 29)], f0Hz: 210, dbfs: -20, seed: 55),
            into: &customer, at: 0)
        let near = TrackerTests.frames(agent), far = TrackerTests.frames(customer)
        func run(hindsight: Bool) -> [FrameSpan] {
            var d = ChannelDetector(parameters: AnalysisParameters(), stereo: true)
            if !hindsight { d.hindsightFrames = 0 }
            for i in near.indices { d.push(near[i], far: far[i]) }
            d.finish()
            return d.output.spans.regions
        }
        let late = run(hindsight: true)
        #expect(SpanMath.total(SpanMath.intersection(late, Self.frames(early))) == 0, "\(late)")
        let truth = Self.frames(agentTalk)
        #expect(Double(SpanMath.total(SpanMath.intersection(late, truth))) >= 0.95 * Double(SpanMath.total(truth)), "\(late)")
        let asTheyLeave = run(hindsight: false)
        #expect(SpanMath.total(SpanMath.intersection(asTheyLeave, Self.frames(early))) >= 50, "\(asTheyLeave)")
    }
}

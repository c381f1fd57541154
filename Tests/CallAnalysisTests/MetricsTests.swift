import CallAnalysis
import Testing

/// Metrics computed from hand-made segment lists: exact expectations.
@Suite struct MetricsTests {
    func spans(_ s: [(Double, Double)]) -> [FrameSpan] {
        s.map { FrameSpan(Int(($0.0 * 100).rounded()), Int(($0.1 * 100).rounded())) }
    }

    func outcome(agent: [(Double, Double)], customer: [(Double, Double)], duration: Double,
                 hold: [(Double, Double)] = []) -> AnalysisOutcome {
        let lv = ChannelLevels(activeSpeechDBFS: -20, noiseFloorDBFS: -60, snrDB: 40, peakDBFS: -3)
        return AnalysisOutcome(durationS: duration, frameCount: Int(duration * 100),
                               channels: [ChannelActivity(speech: spans(agent), hold: spans(hold), levels: lv),
                                          ChannelActivity(speech: spans(customer), levels: lv)],
                               envelopeCorrelation: 0.1)
    }

    @Test func conversationScenario() {
        // agent 1–3, customer 2.5–5 (0.5 s overlap: overtalk, not an interruption),
        // agent 5.5–8, customer 6–8 (starts while the agent talks, 2 s overlap: interruption
        // by the customer), then nobody until 21 s: 13 s of dead air.
        let o = outcome(agent: [(1, 3), (5.5, 8)], customer: [(2.5, 5), (6, 8)], duration: 21)
        let m = ConversationMetrics(outcome: o, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.parties[.agent]?.talkS == 4.5)
        #expect(m.parties[.customer]?.talkS == 4.5)
        #expect(abs((m.parties[.agent]?.talkRatio ?? 0) - 4.5 / 21) < 1e-12)
        #expect(m.overtalkS == 2.5)
        #expect(m.interruptionsByAgent == 0)
        #expect(m.interruptionsByCustomer == 1)
        // Silence: 0–1, 5–5.5, 8–21 → 14.5 s; non-talk (≥ 3 s): 13 s; dead air (≥ 10 s): one.
        #expect(abs(m.silenceS - 14.5) < 1e-9)
        #expect(abs(m.nonTalkS - 13) < 1e-9)
        #expect(m.deadAir == spans([(8, 21)]))
        #expect(m.longestSilenceS == 13)
        #expect(m.longestSilenceStartS == 8)
        #expect(m.talkToListen == 1)
        // Customer 2.5–5 ends, agent answers at 5.5: 0.5 s. Customer 6–8 ends, no answer.
        #expect(m.agentResponseGapS == 0.5)
        #expect(m.health.isEmpty)
    }

    @Test func monologueIsCutByTheOtherPartysStarts() {
        // Agent talks 0–10 and 11–20; the customer starts once at 15 (backchannel).
        let o = outcome(agent: [(0, 10), (11, 20)], customer: [(15, 15.5)], duration: 30)
        let m = ConversationMetrics(outcome: o, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.parties[.agent]?.longestMonologueS == 15)
        #expect(m.parties[.agent]?.longestMonologueStartS == 0)
        #expect(m.parties[.customer]?.longestMonologueS == 0.5)
    }

    @Test func holdIsNeitherTalkNorSilence() {
        let o = outcome(agent: [(0, 5), (20, 25)], customer: [(5.5, 7)], duration: 30, hold: [(8, 19)])
        let m = ConversationMetrics(outcome: o, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.holdS == 11)
        // Silence: 5–5.5, 7–8, 19–20, 25–30 = 7.5 s; no gap reaches 10 s: no dead air.
        #expect(abs(m.silenceS - 7.5) < 1e-9)
        #expect(m.deadAir.isEmpty)
        #expect(m.longestSilenceS == 5)
    }

    @Test func agentChannelRightSwapsParties() {
        let o = outcome(agent: [(0, 8)], customer: [(9, 10)], duration: 10)
        let m = ConversationMetrics(outcome: o, agentChannel: 1, parameters: AnalysisParameters())
        #expect(m.parties[.agent]?.talkS == 1)
        #expect(m.parties[.customer]?.talkS == 8)
    }

    @Test func monoHasNoPerPartyValues() {
        let lv = ChannelLevels(activeSpeechDBFS: -20, noiseFloorDBFS: -25, snrDB: 5, peakDBFS: -3)
        let o = AnalysisOutcome(durationS: 10, frameCount: 1000,
                                channels: [ChannelActivity(speech: spans([(1, 4)]), levels: lv)], envelopeCorrelation: nil)
        let m = ConversationMetrics(outcome: o, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.parties.keys.sorted { $0.rawValue < $1.rawValue } == [.mixed])
        #expect(m.overtalkS == nil)
        #expect(m.interruptionsByAgent == nil)
        #expect(m.talkToListen == nil)
        #expect(m.agentResponseGapS == nil)
        #expect(m.health == [.lowSNR])
    }

    @Test func silentChannelAndDuplicateChannelsAreFlagged() {
        var o = outcome(agent: [(1, 5)], customer: [], duration: 10)
        o.envelopeCorrelation = 0.99
        let m = ConversationMetrics(outcome: o, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.health == [.customerChannelSilent, .channelsIdentical])
    }

    @Test func spanMath() {
        let a = [FrameSpan(0, 10), FrameSpan(20, 30)]
        let b = [FrameSpan(5, 25)]
        #expect(SpanMath.intersection(a, b) == [FrameSpan(5, 10), FrameSpan(20, 25)])
        #expect(SpanMath.subtract(a, b) == [FrameSpan(0, 5), FrameSpan(25, 30)])
        #expect(SpanMath.union(a, b) == [FrameSpan(0, 30)])
        #expect(SpanMath.complement(a, length: 40) == [FrameSpan(10, 20), FrameSpan(30, 40)])
    }

    @Test func parameterValidationNamesTheParameter() {
        var p = AnalysisParameters()
        p.deadAirS = -1
        #expect(p.validationError() == "parameter 'dead_air_s': expected a number > 0, got -1.0")
        p = AnalysisParameters()
        p.offThresholdDB = 5
        #expect(p.validationError()?.hasPrefix("parameters 'on_threshold_db'") == true)
        #expect(AnalysisParameters().validationError() == nil)
        // A duration past a day (it once trapped converting to frames: `--min-hold-s 1e308`).
        var long = AnalysisParameters()
        long.minHoldS = 1e308
        #expect(long.validationError() == "parameter 'min_hold_s': expected at most 86400 s (a day), got 1e+308")
        long.minHoldS = 86_400
        long.mergeGapS = 86_401
        #expect(long.validationError() == "parameter 'merge_gap_s': expected at most 86400 s (a day), got 86401.0")
    }
}

import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The other party's voice leaking into a channel (line or acoustic echo, crosstalk): a
/// delayed, attenuated copy of the other channel. It is not this party's talk.
@Suite struct EchoTests {
    /// Agent bursts at −20 dBFS over −60 dBFS noise; `delayMs` later and `couplingDB` down
    /// on the customer's line, whose own noise is at `customerNoiseDBFS`, plus the
    /// customer's own bursts.
    static func call(couplingDB: Float, delayMs: Int, customerNoiseDBFS: Float = -70,
                     customerBursts: [(Double, Double)] = []) -> [[Float]] {
        let agentBursts: [(Double, Double)] = [(1, 3.5), (5, 8), (10, 12.5), (14, 17), (19, 23), (25, 28)]
        let agent = channel(seconds: 30, noiseDBFS: -60, bursts: agentBursts, burstDBFS: -20, seed: 21)
        var customer = channel(seconds: 30, noiseDBFS: customerNoiseDBFS, bursts: customerBursts, burstDBFS: -26, seed: 22)
        let g = pow(10, couplingDB / 20), d = delayMs * 8
        for i in d..<customer.count { customer[i] += g * agent[i - d] }
        return [agent, customer]
    }

    @Test func couplingIsMeasuredWithItsDelayAndGain() {
        for (gainDB, delay) in [(Float(-30), 20), (-40, 50), (-25, 0)] {
            let out = analyze(Self.call(couplingDB: gainDB, delayMs: delay))
            let e = out.echo[1]
            #expect(e != nil)
            if let e {
                #expect(e.applied, "coupling \(gainDB) dB \(delay) ms: \(e)")
                #expect(abs(e.delayMs - Double(delay)) <= 10, "\(e)")
                // The envelope is the other channel's loudest frame of the last 70 ms, so the
                // coupling reads low by up to about 4 dB.
                #expect(e.couplingDB <= Double(gainDB) + 1 && e.couplingDB >= Double(gainDB) - 5, "\(e)")
            }
            // The agent's channel hears nothing of the customer (who never talks): no coupling.
            #expect(out.echo[0]?.applied != true)
        }
    }

    @Test func aChannelThatIsOnlyEchoHasNoTalk() {
        for (gainDB, delay) in [(Float(-30), 20), (-40, 50), (-25, 0)] {
            let out = analyze(Self.call(couplingDB: gainDB, delayMs: delay))
            #expect(out.channels[1].speech.isEmpty, "coupling \(gainDB) dB \(delay) ms: \(out.channels[1].speech)")
            #expect(out.channels[0].speech.count == 6)
        }
    }

    @Test func theCustomersOwnTalkStaysThroughTheEcho() {
        // The customer talks in the agent's pauses and once over the agent (double talk).
        let own: [(Double, Double)] = [(3.8, 4.8), (8.5, 9.5), (15, 16.5), (23.5, 24.5)]
        let out = analyze(Self.call(couplingDB: -30, delayMs: 20, customerBursts: own))
        let speech = out.channels[1].speech
        #expect(speech.count == own.count, "\(speech)")
        for (s, o) in zip(speech, own) {
            #expect(abs(s.startS - o.0) <= 0.1 && abs(s.endS - o.1) <= 0.1, "\(s) vs \(o)")
        }
    }

    /// The same signal on both channels (a mono call stored as stereo) is not echo, whatever
    /// the level difference between them: both keep their talk. (At 6 dB and more apart,
    /// the first version took the quieter channel's talk away: the coupling gate alone
    /// could not tell this from a loud echo.)
    @Test func identicalChannelsKeepTheirTalkAtAnyLevelDifference() {
        let x = channel(seconds: 20, noiseDBFS: -60, bursts: [(1, 3), (5, 8), (10, 12), (14, 17)], burstDBFS: -20, seed: 23)
        for differenceDB: Float in [0, 6, 12, 20] {
            let g = pow(10, -differenceDB / 20)
            let out = analyze([x, x.map { $0 * g }])
            #expect(out.channels[0].speech.count == 4, "\(differenceDB) dB")
            #expect(out.channels[1].speech.count == 4, "\(differenceDB) dB: \(out.channels[1].speech)")
            #expect(out.echo[1]?.applied != true, "\(differenceDB) dB: \(String(describing: out.echo[1]))")
        }
    }

    /// Both channels are pushed a block at a time: where the blocks end changes nothing.
    @Test func whereBlocksEndChangesNothing() {
        let x = Self.call(couplingDB: -30, delayMs: 20, customerBursts: [(3.8, 4.8), (15, 16.5)])
        let reference = analyze(x)
        #expect(reference.echo[1]?.applied == true)
        for block in [333, 1000, 8000] { #expect(analyze(x, block: block) == reference, "block \(block)") }
    }

    /// An echo path is the call's: while the customer talks over and between the agent's
    /// words for 30 s, the two channels' levels come to correlate under 0.35 (the customer's
    /// line follows its own talker), but the agent's echo in the customer's pauses is still
    /// no talk — the coupling proven before the double talk is kept
    /// (`EchoTracker.decisionCoupling`).
    /// The agent talks 2 s in every 3 s for 52 s at −20 dBFS; the customer's line carries
    /// its echo 28 dB down and 20 ms late, and the customer's own words, 1.5 s in every 2 s
    /// from 12 to 41.5 s at −18 dBFS.
    static let doubleTalk: [(Double, Double)] = stride(from: 12.0, to: 42, by: 2).map { ($0, $0 + 1.5) }
    static func longDoubleTalkCall() -> [[Float]] {
        let agentBursts = stride(from: 1.0, to: 52, by: 3).map { ($0, $0 + 2) }
        let agent = channel(seconds: 55, noiseDBFS: -60, bursts: agentBursts, burstDBFS: -20, seed: 24)
        var customer = channel(seconds: 55, noiseDBFS: -70, bursts: Self.doubleTalk, burstDBFS: -18, seed: 25)
        let g = pow(10, Float(-28) / 20), d = 160
        for i in d..<customer.count { customer[i] += g * agent[i - d] }
        return [agent, customer]
    }

    @Test func theEchoStaysOffAfterLongDoubleTalk() {
        let out = analyze(Self.longDoubleTalkCall())
        let speech = out.channels[1].speech
        let own = Self.doubleTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        let kept = SpanMath.total(SpanMath.intersection(speech, own))
        #expect(Double(kept) >= 0.95 * Double(SpanMath.total(own)), "kept \(kept) of \(SpanMath.total(own))")
        // No talk but the customer's own words (their onsets and decays in the padding).
        let edges = own.map { FrameSpan($0.start - 5, $0.end + 5) }
        #expect(SpanMath.subtract(speech, edges).isEmpty, "\(speech)")
        #expect(out.echo[1]?.applied == true)
        // The correlation at the end is still under the gate that proves a coupling: what is
        // taken off at the end is the coupling kept.
        if let e = out.echo[1] { #expect(e.correlation < 0.35 && e.correlation >= 0, "\(e)") }
        // Golden, a quarter second a character: the customer's fifteen words (12–13.5, 14–15.5,
        // …, 40–41.5 s) and nothing else. (Analyzer 26 dropped the coupling 17.5 s in: the
        // echo of the agent's words in the customer's pauses was talk from there, joining
        // the customer's words into runs of 5.5 s; the talker's level, step 1c, takes the
        // echo off after the customer's last word.)
        let golden = String(repeating: "0", count: 48) + Array(repeating: "111111", count: 15).joined(separator: "00")
            + String(repeating: "0", count: 54)
        #expect(TalkerOverBabbleTests.quarters(speech, seconds: 55) == golden, "\(TalkerOverBabbleTests.quarters(speech, seconds: 55))")
    }

    /// Echo is not a voice behind the talker: a channel of echo only is not flagged.
    @Test func echoIsNoBackgroundVoice() {
        let out = analyze(Self.call(couplingDB: -30, delayMs: 20))
        #expect(out.channels[1].backgroundVoicesShare < 0.3, "\(out.channels[1].backgroundVoicesShare)")
    }
}

/// Voices behind the talker (a contact-center floor): babble is not the agent talking.
@Suite struct BackgroundVoicesTests {
    /// Three voices at once, each noise under its own syllable envelope (3–7 Hz, its own
    /// phase, falling to a fiftieth between syllables), together at `dbfs` (RMS), all along.
    static func babble(seconds: Double, dbfs: Float, seed: UInt64) -> [Float] {
        let n = Int(seconds * 8000)
        var out = [Float](repeating: 0, count: n)
        var g = Signals(seed: seed)
        let rms = pow(10, dbfs / 20) / Float(3).squareRoot() / 0.62
        for _ in 0..<3 {
            let rate = 3 + 2 * (g.uniform() + 1), phase = Float.pi * (g.uniform() + 1)
            for i in 0..<n {
                let t = Float(i) / 8000
                let env = 0.02 + 0.98 * max(0, sin(2 * .pi * rate * t + phase))
                out[i] += (g.uniform() + g.uniform() + g.uniform() + g.uniform()) * 0.866 * rms * env
            }
        }
        return out
    }

    static let talk: [(Double, Double)] = [(3, 5.5), (9, 12), (16, 18), (23, 26)]

    /// The agent 16 dB over the babble of the floor behind; the customer's line is clean.
    static func call() -> [[Float]] {
        var agent = channel(seconds: 30, noiseDBFS: -65, bursts: talk, burstDBFS: -16, seed: 31)
        mix(babble(seconds: 30, dbfs: -32, seed: 32), into: &agent, at: 0)
        let customer = channel(seconds: 30, noiseDBFS: -65, bursts: [(6.5, 8), (13, 15)], burstDBFS: -24, seed: 33)
        return [agent, customer]
    }

    @Test func babbleIsMeasuredAndFlagged() {
        let out = analyze(Self.call())
        #expect(out.channels[0].backgroundVoicesShare > 0.3, "\(out.channels[0].backgroundVoicesShare)")
        #expect(out.channels[1].backgroundVoicesShare == 0)
        let m = ConversationMetrics(outcome: out, agentChannel: 0, parameters: AnalysisParameters())
        #expect(m.health.contains(.agentBackgroundVoices))
        #expect(!m.health.contains(.customerBackgroundVoices))
    }

    /// With the defaults the babble of the floor is taken off: most of it was talk when it
    /// was only measured (`background_margin_db` 0, the behaviour before analyzer 14).
    @Test func theBabbleOfTheFloorIsTakenOff() {
        var measured = AnalysisParameters()
        measured.backgroundMarginDB = 0
        measured.backgroundTalkerNearDB = 0   // nor step 1c's narrowed margin (analyzer 21)
        let on = analyze(Self.call())
        let off = analyze(Self.call(), parameters: measured)
        let bursts = Self.talk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        let around = Self.talk.map { FrameSpan(Int($0.0 * 100) - 20, Int($0.1 * 100) + 20) }
        func babbleAsTalk(_ o: AnalysisOutcome) -> Int { SpanMath.total(SpanMath.subtract(o.channels[0].speech, around)) }
        func talkKept(_ o: AnalysisOutcome) -> Int { SpanMath.total(SpanMath.intersection(o.channels[0].speech, bursts)) }
        // Measured only, nearly all the babble between the bursts is talk (1,789 of 1,950
        // frames); taken off, a fifth of that (362 when measured: three voices whose
        // syllables fall to a fiftieth, so their loudest syllables together stand as high
        // over the background level as the agent's quieter ones).
        #expect(babbleAsTalk(off) > 1600, "\(babbleAsTalk(off))")
        #expect(babbleAsTalk(on) * 4 < babbleAsTalk(off), "\(babbleAsTalk(on)) vs \(babbleAsTalk(off))")
        #expect(Double(talkKept(on)) >= 0.9 * Double(SpanMath.total(bursts)), "\(talkKept(on))")
        #expect(talkKept(off) == SpanMath.total(bursts))
        // The customer's clean line has nothing behind it: the same either way.
        #expect(on.channels[1].speech == off.channels[1].speech)
        #expect(on.channels[1].backgroundVoicesShare == 0)
    }
}

/// A voiced talker 12 dB over the babble of five other voices (each voiced, with its own
/// pitch, in utterances with pauses), the customer on the other channel: the talker keeps its
/// talk, the babble gains none (the test), frame by frame.
@Suite struct TalkerOverBabbleTests {
    static let agentTalk: [(Double, Double)] = [(4, 6.5), (10, 13), (17, 19.5), (24, 27.5)]
    static let customerTalk: [(Double, Double)] = [(0.5, 3), (7, 9.5), (14, 16.5), (20.5, 23), (28, 29.5)]

    /// `babbleUnderDB` under the agent's voice, behind the agent; line noise at −60 dBFS on
    /// both channels.
    static func call(babbleUnderDB: Float = 12) -> [[Float]] {
        var agent = channel(seconds: 30, noiseDBFS: -60, bursts: [], burstDBFS: 0, seed: 41)
        mix(Signals.voice(seconds: 30, spans: agentTalk, f0Hz: 130, dbfs: -18, seed: 42), into: &agent, at: 0)
        mix(Signals.babble(seconds: 30, voices: 5, dbfs: -18 - babbleUnderDB, seed: 43), into: &agent, at: 0)
        var customer = channel(seconds: 30, noiseDBFS: -60, bursts: [], burstDBFS: 0, seed: 44)
        mix(Signals.voice(seconds: 30, spans: customerTalk, f0Hz: 210, dbfs: -20, seed: 45), into: &customer, at: 0)
        return [agent, customer]
    }

    /// Talk per quarter second: 1 where most of its 25 frames are talk.
    static func quarters(_ speech: [FrameSpan], seconds: Int = 30) -> String {
        String((0..<(seconds * 4)).map { q in
            let cell = FrameSpan(q * 25, q * 25 + 25)
            return SpanMath.total(SpanMath.intersection(speech, [cell])) > 12 ? "1" : "0"
        })
    }

    @Test func theTalkerKeepsItsTalkAndTheBabbleGainsNone() {
        let out = analyze(Self.call())
        let truth = Self.agentTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        let speech = out.channels[0].speech
        let kept = SpanMath.total(SpanMath.intersection(speech, truth))
        let gained = SpanMath.total(SpanMath.subtract(speech, truth))
        #expect(Double(kept) >= 0.95 * Double(SpanMath.total(truth)), "kept \(kept) of \(SpanMath.total(truth))")
        // The voices are heard once the customer has talked 1 s (100 frames) and the decision
        // lags 1 s: the first 2 s of babble were talk (212 frames measured with the turns'
        // edges, analyzer 15). In hindsight (analyzer 16) the first second is decided with
        // the background level known after 10 s; the second was decided while the level was
        // still settling (its first 3 s) and is kept as it was: still talk. None after but
        // the turns' onsets and decays (up to 40 ms, in the padding).
        #expect(gained <= 150, "babble as talk: \(gained) frames")
        let edges = SpanMath.normalize([FrameSpan(0, 300)] + truth.map { FrameSpan($0.start - 5, $0.end + 5) })
        #expect(SpanMath.subtract(speech, edges).isEmpty, "\(speech)")
        #expect(out.channels[0].backgroundVoicesShare > 0.5, "\(out.channels[0].backgroundVoicesShare)")
        // The customer's line has nothing behind it (0.3 s read so while the customer's first
        // words held its 10th percentile up, far from the 30 % that raises the flag).
        #expect(out.channels[1].backgroundVoicesShare < 0.02, "\(out.channels[1].backgroundVoicesShare)")
        // Golden, a quarter second a character: the agent's four turns (4–6.5, 10–13,
        // 17–19.5, 24–27.5 s) and nothing else. (The call's second second, decided in
        // hindsight with step 1c's talker floor known 10 s in, was talk until analyzer 21; that
        // floor, narrowed on this line whose voices stand 12 dB under the agent, now drops it.)
        let golden = "00000000" + "00000000" + "1111111111" + "00000000000000" + "111111111111" + "0000000000000000"
            + "1111111111" + "000000000000000000" + "11111111111111" + "0000000000"
        #expect(Self.quarters(speech) == golden, "\(Self.quarters(speech))")
    }

    /// Without taking the voices off (`background_margin_db` 0) the babble is talk: the
    /// test above fails without step 1b's rule. (Step 6's flat regions, analyzer 22, take a
    /// little of it off even then: 961 frames were left at the rule's first version, six times the
    /// bound above.)
    @Test func measuredOnlyTheBabbleIsTalk() {
        var p = AnalysisParameters()
        p.backgroundMarginDB = 0
        p.backgroundTalkerNearDB = 0   // nor step 1c's narrowed margin (analyzer 21)
        let out = analyze(Self.call(), parameters: p)
        let truth = Self.agentTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        let gained = SpanMath.total(SpanMath.subtract(out.channels[0].speech, truth))
        #expect(gained > 900, "babble as talk: \(gained) frames")
    }

    /// The same call with no babble (80 dB down) and with babble 20 dB down: the talker keeps
    /// its turns; without babble not a frame differs from measuring only (the voices are not
    /// heard, the rule never applies), and the health flag (30 % of the call) is not raised.
    @Test func aTalkerWithLittleOrNoBabbleIsUnchanged() {
        let truth = Self.agentTalk.map { FrameSpan(Int($0.0 * 100), Int($0.1 * 100)) }
        var clean = Self.call(babbleUnderDB: 80)
        let out = analyze(clean)
        #expect(out.channels[0].backgroundVoicesShare < 0.3, "\(out.channels[0].backgroundVoicesShare)")
        var p = AnalysisParameters()
        p.backgroundMarginDB = 0
        #expect(analyze(clean, parameters: p).channels[0].speech == out.channels[0].speech)
        #expect(Double(SpanMath.total(SpanMath.intersection(out.channels[0].speech, truth))) >= 0.97 * Double(SpanMath.total(truth)))
        clean = Self.call(babbleUnderDB: 20)
        let quiet = analyze(clean)
        #expect(Double(SpanMath.total(SpanMath.intersection(quiet.channels[0].speech, truth))) >= 0.95 * Double(SpanMath.total(truth)))
    }
}

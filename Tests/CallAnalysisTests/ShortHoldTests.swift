@testable import CallAnalysis
import Testing

/// Step 6 since analyzer 20: a short held stretch (2–3 s of clean music that holds still from
/// frame to frame), pieces of music that hold their level chained to hold, and hold spans
/// joined across the music's quiet passages. Each rule with what looks like its target and
/// stays talk (or apart).
@Suite struct ShortHoldTests {
    /// Decisions of a settled stretch's parts, `frames` long (see `HeldLevelTests.decisions`).
    static func decisions(_ parts: ChannelParts, frames: Int) -> String {
        HeldLevelTests.decisions(ChannelActivity(speech: parts.speech, hold: parts.hold, levels: ChannelLevels()),
                                 frames: frames)
    }

    /// One detected region of 2.5 s (1–3.5 s) as the detector hands it over: `steady` of its
    /// 250 frames held their spectral shape, `dips` dips, `held` peaks held over 12
    /// measurements, 100 frames under the level. With `holdBefore`, hold (a region of 6 s
    /// holding notes, no dips) ends that many frames before it, from 0.
    static func stretch(steady: Int, dips: Int, held: Int, holdBefore: Int? = nil) -> SettledSpans {
        var s = SettledSpans()
        guard let gap = holdBefore else {
            s.append(FrameSpan(100, 350), steady: steady, dips: dips, under: 100, lines: LineCount(measurements: 12, held: held))
            return s
        }
        s.append(FrameSpan(0, 600), steady: 60, dips: 0, under: 60, lines: LineCount(measurements: 30, held: 60))
        s.append(FrameSpan(600 + gap, 850 + gap), steady: steady, dips: dips, under: 100, lines: LineCount(measurements: 12, held: held))
        return s
    }

    /// The decisions on `stretch(…)` and 1 s after it.
    static func decisions(steady: Int, dips: Int, held: Int, holdBefore: Int? = nil) -> String {
        let frames = holdBefore.map { 950 + $0 } ?? 450
        let parts = ConversationAnalyzer.activity(of: stretch(steady: steady, dips: dips, held: held, holdBefore: holdBefore),
                                                  frames: frames, p: AnalysisParameters())
        return decisions(parts, frames: frames)
    }

    @Test func aShortHeldStretchIsHoldNextToHold() {
        // Clean music: steady share 0.4 (no allowance for its notes: the steady-share guard),
        // 1.5 held peaks, 2 dips (0.8 a second; music may dip 0.8 + 4.5 × 0.4 = 2.6): 1.8 a
        // second under the bound, and 2.5 s long, 1 s after hold. Analyzer 19 needed 3 s
        // without the allowance; now it is chained to the hold before it.
        #expect(Self.decisions(steady: 100, dips: 2, held: 18, holdBefore: 100) == "H×600 .×100 H×250 .×100")
        // The same stretch with no hold near it (a slow prompt of a monotone synthetic voice
        // holds notes and a steady spectrum and dips as rarely: flite's slt at 1.6× its
        // duration, 2.4 s, steady share 0.40, 2.4 held peaks, 2.1 dips a second, margin −0.53;
        // analyzer 20's first rule took it for hold, and with it both parties' talk): talk.
        #expect(Self.decisions(steady: 100, dips: 2, held: 18) == ".×100 T×250 .×100")
        // Next to hold but farther than the chain reaches (1.6 s): talk.
        #expect(Self.decisions(steady: 100, dips: 2, held: 18, holdBefore: 160) == "H×600 .×160 T×250 .×100")
        // A monotone synthetic voice: as steady (0.46) and holding 2.5 peaks, but dipping 3.2
        // times a second, as words do (0.3 over music's bound of 2.87): talk, next to hold too.
        #expect(Self.decisions(steady: 115, dips: 8, held: 30, holdBefore: 100) == "H×600 .×100 T×250 .×100")
        // Just under the bound (6 dips: 2.4 a second, 0.2 under): not far enough under it for a
        // stretch shorter than min_hold_s: talk.
        #expect(Self.decisions(steady: 100, dips: 6, held: 18, holdBefore: 100) == "H×600 .×100 T×250 .×100")
        // The same music without held notes (0.25 peaks per measurement): talk, as before.
        #expect(Self.decisions(steady: 100, dips: 2, held: 3, holdBefore: 100) == "H×600 .×100 T×250 .×100")
        // One held peak on average (a lone sine's, not a chord's): talk.
        #expect(Self.decisions(steady: 100, dips: 2, held: 12, holdBefore: 100) == "H×600 .×100 T×250 .×100")
        // A spectrum that holds still in 64 % of its frames (one steady tone the tone tests
        // missed, not music changing notes), dipping 2.9 a second under its bound: talk.
        #expect(Self.decisions(steady: 160, dips: 2, held: 18, holdBefore: 100) == "H×600 .×100 T×250 .×100")
    }

    /// Two slow prompts of a monotone synthetic voice, 2.5 s each and 1 s apart (6 s together),
    /// no hold on the line: two short held stretches are no group of music (a group of music
    /// pieces alone is hold from `min_hold_s`): talk.
    @Test func twoShortHeldStretchesAloneAreTalk() {
        var s = SettledSpans()
        s.append(FrameSpan(100, 350), steady: 100, dips: 2, under: 100, lines: LineCount(measurements: 12, held: 18))
        s.append(FrameSpan(450, 700), steady: 100, dips: 2, under: 100, lines: LineCount(measurements: 12, held: 18))
        let out = ConversationAnalyzer.activity(of: s, frames: 800, p: AnalysisParameters())
        #expect(Self.decisions(out, frames: 800) == ".×100 T×250 .×100 T×250 .×100")
    }

    /// A short held stretch links pieces to hold, but is no link in a group of music pieces
    /// alone: pieces of 0.8 s holding notes (0.1 steady, 2 held peaks, no dips), 2.5 s of a
    /// short held stretch (as above) 1 s after the first, the second piece 1 s after it.
    @Test func aShortHeldStretchLinksOnlyToHold() {
        let p = AnalysisParameters()
        let notes = LineCount(measurements: 4, held: 8), held = LineCount(measurements: 12, held: 18)
        // No hold: the two pieces are 4.5 s apart (too far to chain to each other); the
        // stretch between them does not make the three a group of music: talk, as in analyzer 19.
        var alone = SettledSpans()
        alone.append(FrameSpan(100, 180), steady: 8, dips: 0, under: 20, lines: notes)
        alone.append(FrameSpan(280, 530), steady: 100, dips: 2, under: 100, lines: held)
        alone.append(FrameSpan(630, 710), steady: 8, dips: 0, under: 20, lines: notes)
        let talk = ConversationAnalyzer.activity(of: alone, frames: 800, p: p)
        #expect(Self.decisions(talk, frames: 800) == ".×100 T×80 .×100 T×250 .×100 T×80 .×90")
        // Hold, the stretch 1 s after it, a piece 1 s after the stretch (4.5 s after the hold):
        // all hold, link by link.
        var next = SettledSpans()
        next.append(FrameSpan(0, 600), steady: 60, dips: 0, under: 60, lines: LineCount(measurements: 30, held: 60))
        next.append(FrameSpan(700, 950), steady: 100, dips: 2, under: 100, lines: held)
        next.append(FrameSpan(1050, 1130), steady: 8, dips: 0, under: 20, lines: notes)
        let chained = ConversationAnalyzer.activity(of: next, frames: 1200, p: p)
        #expect(Self.decisions(chained, frames: 1200) == "H×600 .×100 H×250 .×100 H×80 .×70")
    }

    /// Hold (0–6 s), then 0.9 s later a piece of 0.9 s (6.9–7.8 s) with no held notes (4
    /// measurements, none held), `dips` dips and `under` of its 90 frames under the level.
    static func holdThenPiece(dips: Int, under: Int) -> SettledSpans {
        var s = SettledSpans()
        s.append(FrameSpan(0, 600), steady: 60, dips: 0, under: 60, lines: LineCount(measurements: 30, held: 60))
        s.append(FrameSpan(690, 780), steady: 10, dips: dips, under: under, lines: LineCount(measurements: 4, held: 0))
        return s
    }

    @Test func aPieceHoldingItsLevelIsChainedToHold() {
        let p = AnalysisParameters()
        // No dips and 2 of 90 frames under the level (0.02, at most 0.05): a sustained passage
        // of the music after a quiet one, chained to the hold before it.
        let level = ConversationAnalyzer.activity(of: Self.holdThenPiece(dips: 0, under: 2), frames: 900, p: p)
        #expect(Self.decisions(level, frames: 900) == "H×600 .×90 H×90 .×120")
        // A word right after the hold: no dips either (dips like music), but 27 of its 90
        // frames fall under its level (0.3, as speech's syllables do): talk.
        let word = ConversationAnalyzer.activity(of: Self.holdThenPiece(dips: 0, under: 27), frames: 900, p: p)
        #expect(Self.decisions(word, frames: 900) == "H×600 .×90 T×90 .×120")
        // Holding its level but dipping like speech (3 dips in 0.9 s: 3.3 a second): talk.
        let dipping = ConversationAnalyzer.activity(of: Self.holdThenPiece(dips: 3, under: 2), frames: 900, p: p)
        #expect(Self.decisions(dipping, frames: 900) == "H×600 .×90 T×90 .×120")
    }

    func outcome(hold: [FrameSpan], agent: [FrameSpan] = [], customer: [FrameSpan] = [],
                 tones: [FrameSpan] = []) -> AnalysisOutcome {
        AnalysisOutcome(durationS: 20, frameCount: 2000,
                        channels: [ChannelActivity(speech: agent, hold: hold, levels: ChannelLevels()),
                                   ChannelActivity(speech: customer, tones: tones, levels: ChannelLevels())],
                        envelopeCorrelation: nil)
    }

    @Test func holdSpansAreJoinedAcrossQuietPassages() {
        let p = AnalysisParameters()
        let hold = [FrameSpan(200, 500), FrameSpan(720, 1000)]
        // 2.2 s of nothing between two hold spans (the music's quiet passage, taken in by the
        // line's noise tracker): one hold, 8 s, and no silence in it.
        let quiet = ConversationMetrics(outcome: outcome(hold: hold, agent: [FrameSpan(0, 150)]), agentChannel: 0, parameters: p)
        #expect(quiet.hold == [FrameSpan(200, 1000)])
        #expect(abs(quiet.holdS - 8) < 1e-9)
        #expect(abs(quiet.silenceS - 10.5) < 1e-9)
        // The customer says a word in the gap: two holds, and the word stays talk.
        let word = ConversationMetrics(outcome: outcome(hold: hold, customer: [FrameSpan(600, 640)]), agentChannel: 0, parameters: p)
        #expect(word.hold == hold)
        #expect(abs((word.parties[.customer]?.talkS ?? 0) - 0.4) < 1e-9)
        // A tone in the gap (ring-back on the other leg): two holds.
        let tone = ConversationMetrics(outcome: outcome(hold: hold, tones: [FrameSpan(550, 650)]), agentChannel: 0, parameters: p)
        #expect(tone.hold == hold)
        // A gap of min_hold_s (3 s) or more: two holds.
        let far = ConversationMetrics(outcome: outcome(hold: [FrameSpan(200, 500), FrameSpan(800, 1000)]), agentChannel: 0, parameters: p)
        #expect(far.hold == [FrameSpan(200, 500), FrameSpan(800, 1000)])
    }
}

extension SettledSpans {
    /// Appends a detected region as the detector hands it over: its steady frames, dips and
    /// frames under the level (the running counts' marks continue from the region before), and
    /// its held-note measurements.
    mutating func append(_ span: FrameSpan, steady: Int, dips: Int, under: Int, lines: LineCount) {
        let d = regionDipMarks.last?.closed ?? 0, u = regionUnderMarks.last?.closed ?? 0
        regions.append(span)
        regionSteadyFrames.append(steady)
        regionDipMarks.append((d, d + dips))
        regionUnderMarks.append((u, u + under))
        // No swing measured (marks that continue from the region before, none in between).
        let m = regionModulationMarks.last?.closed ?? ModulationSums()
        regionModulationMarks.append((m, m))
        regionLines.append(lines)
    }
}

/// Step 6 since analyzer 22: held notes that no voice holds count whatever the steady share
/// (`AnalysisParameters.strongHeldLines`).
@Suite struct StrongHeldNotesTests {
    /// One region of 14 s (1–15 s) as heldout7's clean FLAC call's music reached step 6: 76 %
    /// of its frames held their spectral shape, 4.5 dips a second (its beat), 549 frames under
    /// the level, `held` peaks held over `measurements` grid frames; then 1 s of nothing.
    static func decisions(held: Int, measurements: Int, steady: Int = 1064, dips: Int = 63) -> String {
        var s = SettledSpans()
        s.append(FrameSpan(100, 1500), steady: steady, dips: dips, under: 549,
                 lines: LineCount(measurements: measurements, held: held))
        let parts = ConversationAnalyzer.activity(of: s, frames: 1600, p: AnalysisParameters())
        return ShortHoldTests.decisions(parts, frames: 1600)
    }

    @Test func cleanMusicWithABeatIsHold() {
        // 6.0 held peaks over 68 measurements: hold. (Analyzer 21 gave its notes no allowance
        // at a steady share of 0.3 or more: 4.5 dips a second against music's bound of
        // 0.8 + 4.5 × 0.76 = 4.2, talk.)
        #expect(Self.decisions(held: 408, measurements: 68) == ".×100 H×1400 .×100")
        // At the bound: 3.0 held peaks (204): hold.
        #expect(Self.decisions(held: 204, measurements: 68) == ".×100 H×1400 .×100")
    }

    @Test func whatAVoiceHoldsStaysTalk() {
        // 2.5 held peaks (the monotone synthetic voice of `ShortHoldTests`) at this steady
        // share and dip rate: talk, as in analyzer 21.
        #expect(Self.decisions(held: 170, measurements: 68) == ".×100 T×1400 .×100")
        // 6 held peaks but over 4 measurements only (0.8 s of grid frames): too few to count.
        #expect(Self.decisions(held: 24, measurements: 4) == ".×100 T×1400 .×100")
        // 6 held peaks in a spectrum that holds still in 95 % of its frames, dipping 6 times a
        // second (over music's bound of 0.8 + 4.5 × 0.95 = 5.1): one steady tone with harmonics
        // (a sawtooth the tone tests are off for), talk as in analyzer 21; at 90 % of its frames
        // steady with the same notes and dips, hold.
        #expect(Self.decisions(held: 408, measurements: 68, steady: 1330, dips: 84) == ".×100 T×1400 .×100")
        #expect(Self.decisions(held: 408, measurements: 68, steady: 1250, dips: 84) == ".×100 H×1400 .×100")
    }
}

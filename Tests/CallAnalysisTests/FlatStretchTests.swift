@testable import CallAnalysis
import Foundation
import Testing

/// Step 6 since analyzer 22: a speech utterance whose level hardly swings at the pace of
/// syllables, against its line's talk so far, is not talk (`AnalysisParameters.flatShare`):
/// music on hold under the line's noise, voices behind the talker.
@Suite struct FlatStretchTests {
    /// The meter's depth over `frames` frames of a level that steps between `low` and
    /// `low + stepDB` dB every `half` frames (a square wave on the level).
    static func depth(stepDB: Float, half: Int, frames: Int = 1000) -> Double {
        var m = SyllabicModulationMeter()
        for i in 0..<frames {
            let db: Float = -40 + ((i / half) % 2 == 0 ? 0 : stepDB)
            m.add(power: pow(10, db / 10))
        }
        return m.sums.depthDB!
    }

    @Test func theMeterFollowsTheSwingAtThePaceOfSyllables() {
        // A level that never moves has no swing at all.
        #expect(Self.depth(stepDB: 0, half: 12) == 0)
        // 10 dB, 4 times a second (12 frames up, 12 down): a talker's syllables. The swing
        // is linear in the step (fastDB's error aside): 2 dB gives a fifth of it.
        let syllables = Self.depth(stepDB: 10, half: 12), hum = Self.depth(stepDB: 2, half: 12)
        #expect(syllables > 3.5 && syllables < 4.5, "\(syllables)")
        #expect(abs(hum * 5 - syllables) < 0.05, "\(hum)")
        // The same 10 dB once a second, held 1 s (a phrase, a passage of music swelling):
        // each step swings for 0.25 s only, about half as much over the stretch.
        #expect(Self.depth(stepDB: 10, half: 100) < 0.6 * syllables)
        // Digital silence between the steps counts as −100 dBFS, not −200.
        var m = SyllabicModulationMeter()
        for i in 0..<1000 { m.add(power: (i / 12) % 2 == 0 ? 1e-20 : 1e-4) }
        #expect(m.sums.depthDB! < 30)
    }

    /// The spectral swing: none where only the level moves (the shape is the bands less their
    /// mean), some where the shape moves at the pace of syllables (a 12 dB tilt between the
    /// low and high bands, 4 times a second: a vowel, then a fricative), and less where the
    /// same tilt changes every 2 s (a passage of music).
    @Test func theMeterFollowsTheSpectrumsSwing() {
        func swing(half: Int, tilt: Float, stepDB: Float = 0) -> Double {
            var m = SyllabicModulationMeter()
            for i in 0..<1000 {
                let up = (i / half) % 2 == 1
                let level: Float = -40 + (up ? stepDB : 0)
                let t: Float = up ? tilt : 0
                // Every band rises with the level: the shape stays, only the level moves.
                let s: Float = 20 + (up ? stepDB : 0)
                let bands = SIMD4<Float>(pow(10, (s + t) / 10), pow(10, s / 10), pow(10, s / 10), pow(10, (s - t) / 10))
                m.add(power: pow(10, level / 10), bands: bands)
            }
            return m.sums.spectralDB!
        }
        #expect(swing(half: 12, tilt: 0, stepDB: 10) < 0.001)
        let syllables = swing(half: 12, tilt: 12)
        #expect(syllables > 4 && syllables < 12, "\(syllables)")
        #expect(swing(half: 200, tilt: 12) < 0.6 * syllables)
        // A band under −30 dB, one with no noise measured yet (a negative SNR: the noise is −1
        // then) and one not finite are all taken at the floor: a band flipping between them
        // moves nothing (read as they are, their bit patterns would swing by hundreds of dB).
        var m = SyllabicModulationMeter()
        let odd: [Float] = [1e-5, -1, .nan, .infinity, 0]
        for i in 0..<200 { m.add(power: 1e-4, bands: SIMD4(odd[i % odd.count], 10, 10, 10)) }
        #expect(m.sums.spectralDB! < 0.001, "\(m.sums.spectralDB!)")
    }

    /// One detected region with its syllabic swing (`depth` dB over all its frames, mean 0)
    /// and its spectral swing (`spectral` dB, RMS), the marks continuing from the region
    /// before; nothing else about it music-like (dips like speech, no held notes, nothing steady).
    static func append(_ s: inout SettledSpans, _ span: FrameSpan, depth: Double, spectral: Double = 4, dips: Int? = nil,
                       under: Int? = nil, lines: LineCount = LineCount()) {
        s.append(span, steady: 0, dips: dips ?? span.length / 20, under: under ?? span.length / 2, lines: lines)
        let opened = s.regionModulationMarks[s.regionModulationMarks.count - 1].opened
        var closed = opened
        closed.frames += span.length
        closed.sumSquares += depth * depth * Double(span.length)
        closed.spectralSquares += spectral * spectral * Double(span.length)
        s.regionModulationMarks[s.regionModulationMarks.count - 1] = (opened, closed)
    }

    /// The decisions over `frames` frames on detected regions with their swings (`append`),
    /// judged against a line's talk that starts with nothing (or `talk`).
    static func decisions(_ regions: [(FrameSpan, Double)], frames: Int,
                          talk: SyllabicReference = SyllabicReference()) -> String {
        decisions(regions.map { ($0.0, $0.1, 4) }, frames: frames, talk: talk)
    }

    /// `decisions` with each region's spectral swing too (level swing, spectral swing).
    static func decisions(_ regions: [(FrameSpan, Double, Double)], frames: Int,
                          talk: SyllabicReference = SyllabicReference()) -> String {
        var s = SettledSpans()
        for (span, depth, spectral) in regions { append(&s, span, depth: depth, spectral: spectral) }
        var talk = talk
        return ShortHoldTests.decisions(ConversationAnalyzer.activity(of: s, frames: frames, p: AnalysisParameters(),
                                                                      talk: &talk), frames: frames)
    }

    /// 3 s of talk swinging 6 dB (1–4 s), then 3 s (6–9 s) swinging `depth`, then 1 s of nothing.
    static func decisions(after talkDepth: Double = 6, depth: Double) -> String {
        decisions([(FrameSpan(100, 400), talkDepth), (FrameSpan(600, 900), depth)], frames: 1000)
    }

    @Test func aFlatStretchAfterTalkIsNotTalk() {
        // 1.5 dB against the line's 6: a quarter of its swing, and small.
        #expect(Self.decisions(depth: 1.5) == ".×100 T×300 .×600")
        // 2.4 dB: 0.4 of the line's swing, under 2.5 dB: not talk either.
        #expect(Self.decisions(depth: 2.4) == ".×100 T×300 .×600")
        // 2.9 dB: 0.48 of it, under 3.0 dB, its spectrum swinging as the talk's: not talk.
        #expect(Self.decisions(depth: 2.9) == ".×100 T×300 .×600")
        // 3.2 dB, its spectrum swinging 0.75 of the talk's (under 0.8: the 3.5 dB cap holds;
        // analyzer 22 capped at 2.5): not talk.
        #expect(Self.decisions([(FrameSpan(100, 400), 6, 4), (FrameSpan(600, 900), 3.2, 3.0)], frames: 1000)
                == ".×100 T×300 .×600")
    }

    @Test func whatSwingsLikeTalkStaysTalk() {
        // 3.7 dB: 0.62 of the line's swing (a quieter voice on the line).
        #expect(Self.decisions(depth: 3.7) == ".×100 T×300 .×200 T×300 .×100")
        // 3.6 dB against a line whose talk swings 7.5: 0.48 of it, but over 3.5 dB (its
        // spectrum at 0.75 of the talk's, where the 3.5 dB cap holds): talk.
        #expect(Self.decisions([(FrameSpan(100, 400), 7.5, 4), (FrameSpan(600, 900), 3.6, 3.0)], frames: 1000)
                == ".×100 T×300 .×200 T×300 .×100")
        // Analyzer 24: 3.2 dB against a line whose talk swings 10.5 (0.3 of it), its spectrum
        // swinging as the talk's: over 3.0 dB, talk (`heldout11`'s real customer on clean µ-law,
        // 3.1–3.2 dB against 10.45, her spectrum at 0.85–0.93 of her talk's; analyzer 23: flat).
        #expect(Self.decisions(after: 10.5, depth: 3.2) == ".×100 T×300 .×200 T×300 .×100")
        // The share's edge: its spectrum at 0.81 of the talk's, talk; at 0.79, the 3.5 dB cap: flat.
        #expect(Self.decisions([(FrameSpan(100, 400), 10.5, 4), (FrameSpan(600, 900), 3.2, 3.24)], frames: 1000)
                == ".×100 T×300 .×200 T×300 .×100")
        #expect(Self.decisions([(FrameSpan(100, 400), 10.5, 4), (FrameSpan(600, 900), 3.2, 3.16)], frames: 1000)
                == ".×100 T×300 .×600")
        // A line whose talk hardly moves its spectrum (median 2.5 dB, under 3): the spectrum says
        // nothing, the 3.5 dB cap holds: flat.
        #expect(Self.decisions([(FrameSpan(100, 400), 10.5, 2.5), (FrameSpan(600, 900), 3.2, 2.5)], frames: 1000)
                == ".×100 T×300 .×600")
        // Before 2 s of talk on the line there is nothing to judge it by (and its spectrum
        // swings as a voice's): talk.
        #expect(Self.decisions([(FrameSpan(100, 400), 1.5), (FrameSpan(600, 900), 6)], frames: 1000)
                == ".×100 T×300 .×200 T×300 .×100")
        // Shorter than 1.5 s, 0.25 of the line's level swing but its spectrum swinging as the
        // talk's: talk (a short flat word; analyzer 24's short rules need both swings low).
        #expect(Self.decisions([(FrameSpan(100, 400), 6), (FrameSpan(600, 740), 1.5)], frames: 1000)
                == ".×100 T×300 .×200 T×140 .×260")
    }

    /// Analyzer 24: a stretch swinging less in level (under 2.0 dB) and in spectrum (under
    /// 2.5 dB) than any voice does is not talk, before the line has talked at all; and it does
    /// not become the line's talk, against which the next such stretch would swing as much.
    /// Over either bound it is judged as before (talk here: nothing to judge it by yet).
    @Test func whatSwingsLessThanAnyVoiceIsNotTalk() {
        let music = (FrameSpan(100, 400), 1.5, 2.0), moreMusic = (FrameSpan(500, 800), 1.5, 2.0)
        #expect(Self.decisions([music, moreMusic], frames: 1000) == ".×1000")
        #expect(Self.decisions([music, moreMusic, (FrameSpan(850, 950), 6, 4)], frames: 1000) == ".×850 T×100 .×50")
        #expect(Self.decisions([(FrameSpan(100, 400), 2.2, 2.0)], frames: 500) == ".×100 T×300 .×100")
        #expect(Self.decisions([(FrameSpan(100, 400), 1.5, 2.6)], frames: 500) == ".×100 T×300 .×100")
        // 0.6–1.5 s: under tighter bounds (1.5 dB and 2.0 dB), a few syllables' worth.
        #expect(Self.decisions([(FrameSpan(100, 240), 1.2, 1.8)], frames: 500) == ".×500")
        #expect(Self.decisions([(FrameSpan(100, 240), 1.5, 1.8)], frames: 500) == ".×100 T×140 .×260")
        #expect(Self.decisions([(FrameSpan(100, 240), 1.2, 2.0)], frames: 500) == ".×100 T×140 .×260")
        // Shorter than 0.6 s: talk.
        #expect(Self.decisions([(FrameSpan(100, 150), 1.2, 1.8)], frames: 500) == ".×100 T×50 .×350")
        // The 0.6–1.5 s floors: not on a mono line, and not for a member region (1 s of it
        // between words, pauses of 0.2 s: one utterance swinging as talk as a whole).
        #expect(Self.decisions([(FrameSpan(100, 240), 1.2, 1.8)], frames: 500, talk: SyllabicReference(judges: false))
                == ".×100 T×140 .×260")
        #expect(Self.decisions([(FrameSpan(100, 250), 6, 4), (FrameSpan(270, 370), 1.2, 1.8), (FrameSpan(390, 500), 6, 4)],
                               frames: 600) == ".×100 T×400 .×100")
        // Not on a mono line.
        #expect(Self.decisions([music], frames: 500, talk: SyllabicReference(judges: false)) == ".×100 T×300 .×100")
        // Music between words with pauses of 0.2 s (one utterance, swinging as talk as a
        // whole): the music is split off, the words stay talk.
        #expect(Self.decisions([(FrameSpan(100, 250), 6, 4), (FrameSpan(270, 570), 1.5, 2.0), (FrameSpan(590, 700), 6, 4)],
                               frames: 800) == ".×100 T×150 .×340 T×110 .×100")
    }

    /// Analyzer 24: a stretch of 0.6–1.5 s is flat against its line's talk where both its swings
    /// are far under the talk's: the level under 0.4 of it and the spectrum under 0.6 (against
    /// 6 and 4 dB: 2.4 and 2.4); either swing over its share, or shorter than 0.6 s, or before
    /// 2 s of talk: talk.
    @Test func aShortStretchFarFlatterThanTheTalkIsNotTalk() {
        let talk = (FrameSpan(100, 400), 6.0, 4.0)
        #expect(Self.decisions([talk, (FrameSpan(600, 700), 2.2, 2.2)], frames: 800) == ".×100 T×300 .×400")
        #expect(Self.decisions([talk, (FrameSpan(600, 700), 2.6, 2.2)], frames: 800) == ".×100 T×300 .×200 T×100 .×100")
        #expect(Self.decisions([talk, (FrameSpan(600, 700), 2.2, 2.6)], frames: 800) == ".×100 T×300 .×200 T×100 .×100")
        #expect(Self.decisions([talk, (FrameSpan(600, 650), 2.2, 2.2)], frames: 800) == ".×100 T×300 .×200 T×50 .×150")
        #expect(Self.decisions([(FrameSpan(100, 250), 6, 4), (FrameSpan(600, 700), 2.2, 2.2)], frames: 800)
                == ".×100 T×150 .×350 T×100 .×100")
    }

    /// Analyzer 25: a whole utterance under 0.6 s is flat where its level swings under 0.25 of
    /// its line's talk's and under 2.0 dB (`AnalysisParameters.briefFlatShare`): a piece of music
    /// or of voices behind the talker that pokes over the threshold, with no syllable's onset.
    /// Its spectrum does not count (a piece this short moves it little either way).
    @Test func aBriefPieceWithNoOnsetIsNotTalk() {
        let talk = (FrameSpan(100, 400), 6.0, 4.0)
        // 1.4 dB against 6: 0.23 of it, under 2.0 dB; its spectrum swinging as the talk's.
        #expect(Self.decisions([talk, (FrameSpan(600, 650), 1.4, 4.0)], frames: 800) == ".×100 T×300 .×400")
        // 1.6 dB: 0.27 of it: talk (a short word of a quieter voice).
        #expect(Self.decisions([talk, (FrameSpan(600, 650), 1.6, 4.0)], frames: 800) == ".×100 T×300 .×200 T×50 .×150")
        // 2.2 dB against a line whose talk swings 10: 0.22 of it, but over 2.0 dB: talk (a word
        // on a clean line whose talk swings far).
        #expect(Self.decisions([(FrameSpan(100, 400), 10.0, 4.0), (FrameSpan(600, 650), 2.2, 4.0)], frames: 800)
                == ".×100 T×300 .×200 T×50 .×150")
        // 0.59 s is brief; 0.6 s is judged by the 0.6–1.5 s rules (both swings low), talk here.
        #expect(Self.decisions([talk, (FrameSpan(600, 659), 1.4, 4.0)], frames: 800) == ".×100 T×300 .×400")
        #expect(Self.decisions([talk, (FrameSpan(600, 660), 1.4, 4.0)], frames: 800) == ".×100 T×300 .×200 T×60 .×140")
        // Not before 2 s of talk on the line, not on a mono line, not for a member region of an
        // utterance (0.3 s of it between words 0.2 s apart).
        #expect(Self.decisions([(FrameSpan(100, 250), 6, 4), (FrameSpan(600, 650), 1.4, 4)], frames: 800)
                == ".×100 T×150 .×350 T×50 .×150")
        #expect(Self.decisions([talk, (FrameSpan(600, 650), 1.4, 4.0)], frames: 800, talk: SyllabicReference(judges: false))
                == ".×100 T×300 .×200 T×50 .×150")
        #expect(Self.decisions([talk, (FrameSpan(600, 700), 6, 4), (FrameSpan(720, 750), 1.4, 4), (FrameSpan(770, 900), 6, 4)],
                               frames: 1000) == ".×100 T×300 .×200 T×300 .×100")
    }

    /// Analyzer 25: a whole utterance of 0.6–1.5 s whose level swings under 0.45 of its line's
    /// talk's, that dips like music (its dip margin under 0) and holds notes (0.3 held peaks per
    /// measurement or more) is flat, whatever its spectrum (`AnalysisParameters.shortMusicLevelShare`):
    /// a piece of music the line's noise cut off. Soft words on a noisy line swing little and dip
    /// little too (the noise fills their dips), but hold no notes (`BabbleAtTheNoiseTests.softWordsStay`).
    @Test func aShortPieceThatDipsLikeMusicIsNotTalk() {
        func decisions(depth: Double, dips: Int, held: Int = 3) -> String {
            var s = SettledSpans()
            Self.append(&s, FrameSpan(100, 400), depth: 6)
            Self.append(&s, FrameSpan(600, 700), depth: depth, spectral: 4, dips: dips, lines: LineCount(measurements: 5, held: held))
            var talk = SyllabicReference()
            return ShortHoldTests.decisions(ConversationAnalyzer.activity(of: s, frames: 800, p: AnalysisParameters(), talk: &talk),
                                            frames: 800)
        }
        // 2.4 dB against 6 (0.4 of it), no dip in 1 s, 0.6 held peaks a measurement: flat.
        #expect(decisions(depth: 2.4, dips: 0) == ".×100 T×300 .×400")
        // The same level dipping like syllables (5 a second): talk.
        #expect(decisions(depth: 2.4, dips: 5) == ".×100 T×300 .×200 T×100 .×100")
        // 2.8 dB (0.47 of the talk's), no dip: talk.
        #expect(decisions(depth: 2.8, dips: 0) == ".×100 T×300 .×200 T×100 .×100")
        // 0.2 held peaks a measurement (one of five): talk.
        #expect(decisions(depth: 2.4, dips: 0, held: 1) == ".×100 T×300 .×200 T×100 .×100")
    }

    /// Analyzer 25: a piece flat by the brief or the short music-like rule is talk again where
    /// the other party talks within 1 s of it (`ConversationAnalyzer.restoreOverlapped`): a soft
    /// "yes" under or right after the other party's turn. Further off, and on mono, it stays flat.
    @Test func aFlatReplyNearTheOtherPartysTalkIsTalk() {
        let own = ChannelParts(speech: [FrameSpan(100, 400)],
                               flatUnlessOverlapped: [FrameSpan(450, 480), FrameSpan(890, 920), FrameSpan(1600, 1630)])
        let other = ChannelParts(speech: [FrameSpan(420, 800)])
        var parts = [own, other]
        ConversationAnalyzer.restoreOverlapped(&parts)
        // 450–480 under the other's talk, 890–920 0.9 s after it: talk; 1600–1630, 8 s after: not.
        #expect(parts[0].speech == [FrameSpan(100, 400), FrameSpan(450, 480), FrameSpan(890, 920)], "\(parts[0].speech)")
        #expect(parts[1].speech == [FrameSpan(420, 800)])
        // 1.01 s after it: not talk.
        var later = [ChannelParts(speech: [], flatUnlessOverlapped: [FrameSpan(901, 930)]), other]
        ConversationAnalyzer.restoreOverlapped(&later)
        #expect(later[0].speech.isEmpty, "\(later[0].speech)")
        var mono = [own]
        ConversationAnalyzer.restoreOverlapped(&mono)
        #expect(mono[0].speech == [FrameSpan(100, 400)])
    }

    /// A brief flat piece is chained to hold only as it was as talk: one that dips like words,
    /// 0.5 s before hold (within the chain's reach), is neither talk nor hold; chained as a flat
    /// piece (a short held stretch) it carried the hold back over the other party's words
    /// (`heldout13`'s `contact_center-10-alaw-synthetic-10`).
    @Test func aBriefFlatPieceIsNoLinkToHold() {
        var s = SettledSpans()
        Self.append(&s, FrameSpan(100, 400), depth: 6)
        Self.append(&s, FrameSpan(600, 650), depth: 1.4, dips: 3)
        Self.append(&s, FrameSpan(700, 1100), depth: 1.0, spectral: 2, dips: 0)
        var talk = SyllabicReference()
        let parts = ConversationAnalyzer.activity(of: s, frames: 1200, p: AnalysisParameters(), talk: &talk)
        #expect(ShortHoldTests.decisions(parts, frames: 1200) == ".×100 T×300 .×300 H×400 .×100",
                "\(ShortHoldTests.decisions(parts, frames: 1200))")
    }

    /// Music with words right after it, 0.2 s apart (one utterance, swinging 4.0 dB as a whole:
    /// talk): the flat region of it is not talk, the words stay talk.
    @Test func aFlatRegionOfAnUtteranceIsNotTalk() {
        #expect(Self.decisions([(FrameSpan(100, 400), 6), (FrameSpan(600, 900), 1.5), (FrameSpan(920, 1120), 6)],
                               frames: 1300) == ".×100 T×300 .×520 T×200 .×180")
    }

    /// A member region split off a talk utterance by its level swing only under 2.5 dB
    /// (`memberFlatMaxDepthDB`): words over babble swinging 2.8 dB between two pauses stay
    /// talk; on their own, as an utterance, they would not be (under 0.6 × 6 and 3.0 dB).
    @Test func aMemberRegionNeedsAFlatterLevel() {
        #expect(Self.decisions([(FrameSpan(100, 400), 6), (FrameSpan(600, 900), 2.8), (FrameSpan(920, 1120), 6)],
                               frames: 1300) == ".×100 T×300 .×200 T×520 .×180")
        #expect(Self.decisions([(FrameSpan(100, 400), 6), (FrameSpan(600, 900), 2.8)], frames: 1000)
                == ".×100 T×300 .×600")
    }

    /// Analyzer 23: an utterance whose level swings like talk but whose spectrum hardly moves
    /// against the line's talk (`spectralFlatShare`, 0.6) is not talk; one at 0.65 of it is.
    @Test func aStretchWithASteadySpectrumIsNotTalk() {
        let talk = (FrameSpan(100, 400), 6.0, 4.0)
        #expect(Self.decisions([talk, (FrameSpan(600, 900), 6.0, 2.2)], frames: 1000) == ".×100 T×300 .×600")
        #expect(Self.decisions([talk, (FrameSpan(600, 900), 6.0, 2.6)], frames: 1000)
                == ".×100 T×300 .×200 T×300 .×100")
        // Not on a mono line either.
        #expect(Self.decisions([talk, (FrameSpan(600, 900), 6.0, 1.0)], frames: 1000, talk: SyllabicReference(judges: false))
                == ".×100 T×300 .×200 T×300 .×100")
    }

    /// 3 s of talk (1–4 s, level swing 6 dB, spectral `talkSpectral`), then 10 s (6–16 s) with
    /// the given swings, dips and frames under the level: the decisions over 17 s.
    static func tenSecondsAfterTalk(talkSpectral: Double = 4, depth: Double, spectral: Double, dips: Int,
                                    under: Int? = nil) -> String {
        var s = SettledSpans()
        append(&s, FrameSpan(100, 400), depth: 6, spectral: talkSpectral)
        append(&s, FrameSpan(600, 1600), depth: depth, spectral: spectral, dips: dips, under: under)
        var talk = SyllabicReference()
        let out = ConversationAnalyzer.activity(of: s, frames: 1700, p: AnalysisParameters(), talk: &talk)
        return ShortHoldTests.decisions(out, frames: 1700)
    }

    /// Analyzer 23: 10 s that the dips alone make hold (0.7 dips a second against hold's 0.8,
    /// no held notes: `holdMargin` −0.1) but whose level and spectrum swing as the line's talk
    /// does is talk (`AnalysisParameters.talkSwingLevelShare`); swinging less in either, or
    /// dipping further from speech (0.5 a second, margin −0.3), it is hold.
    @Test func whatDipsLikeMusicButSwingsLikeTalkIsTalk() {
        func judged(depth: Double, spectral: Double, dips: Int = 7) -> String {
            Self.tenSecondsAfterTalk(depth: depth, spectral: spectral, dips: dips)
        }
        #expect(judged(depth: 6, spectral: 4) == ".×100 T×300 .×200 T×1000 .×100")
        #expect(judged(depth: 4, spectral: 4) == ".×100 T×300 .×200 H×1000 .×100")
        #expect(judged(depth: 6, spectral: 3.4) == ".×100 T×300 .×200 H×1000 .×100")
        #expect(judged(depth: 6, spectral: 4, dips: 5) == ".×100 T×300 .×200 H×1000 .×100")
    }

    /// Analyzer 24: 10 s that dip as speech does (0.8 a second: `holdMargin` 0) with hardly a
    /// frame under the level (a held level: hold, as music under a noisy line holds it) is hold
    /// only where its spectrum swings under 0.8 of its line's talk's: a talker's words with
    /// voices behind them (`heldout12`'s contact-center agent, 0.94 of her talk's spectral
    /// swing, 0.67 of its level's) hold the level too, and so does a 5 dB line's noise between
    /// a talker's words, where the talk's own spectral swing is under 3 dB (the level at 0.6 of
    /// the talk's or more). Without held level (half its frames under it), talk either way.
    @Test func aLevelHeldUnderWordsThatSwingLikeTalkIsNotHold() {
        func judged(depth: Double = 4, spectral: Double, under: Int, talkSpectral: Double = 4) -> String {
            Self.tenSecondsAfterTalk(talkSpectral: talkSpectral, depth: depth, spectral: spectral, dips: 8, under: under)
        }
        #expect(judged(spectral: 4, under: 0) == ".×100 T×300 .×200 T×1000 .×100")
        #expect(judged(spectral: 3, under: 0) == ".×100 T×300 .×200 H×1000 .×100")
        #expect(judged(spectral: 3, under: 500) == ".×100 T×300 .×200 T×1000 .×100")
        // A line whose talk swings its spectrum 2.5 dB: 2.2 (0.88) with the level at 0.75 of the
        // talk's, talk; the level at 0.5 of it (music's held level swings 0.2–0.5), hold.
        #expect(judged(depth: 4.5, spectral: 2.2, under: 0, talkSpectral: 2.5) == ".×100 T×300 .×200 T×1000 .×100")
        #expect(judged(depth: 3, spectral: 2.2, under: 0, talkSpectral: 2.5) == ".×100 T×300 .×200 H×1000 .×100")
    }

    /// Words, then two flat regions (music cut by a quiet passage of 0.2 s), each pause under
    /// `merge_gap_s` (one utterance): the two flat regions are one flat piece, the words talk;
    /// and words on both sides of music: both stay talk, the music not.
    @Test func flatRegionsAmongWords() {
        let words = (FrameSpan(100, 400), 6.0), moreWords = (FrameSpan(600, 800), 6.0)
        #expect(Self.decisions([words, moreWords, (FrameSpan(820, 1000), 1.5), (FrameSpan(1020, 1200), 1.5)],
                               frames: 1300) == ".×100 T×300 .×200 T×200 .×500")
        #expect(Self.decisions([words, moreWords, (FrameSpan(820, 1100), 1.5), (FrameSpan(1120, 1250), 6)],
                               frames: 1300) == ".×100 T×300 .×200 T×200 .×320 T×130 .×50")
    }

    /// Music on hold cut by its quiet passages: a flat piece 1 s after hold is hold.
    @Test func aFlatPieceNextToHoldIsHold() {
        var s = SettledSpans()
        Self.append(&s, FrameSpan(100, 400), depth: 6)
        // 6 s of music holding notes, no dips (hold on its own), then a flat piece 1 s on.
        s.append(FrameSpan(500, 1100), steady: 60, dips: 0, under: 60, lines: LineCount(measurements: 30, held: 60))
        Self.append(&s, FrameSpan(1200, 1400), depth: 1.5)
        let out = ConversationAnalyzer.activity(of: s, frames: 1500, p: AnalysisParameters())
        #expect(ShortHoldTests.decisions(out, frames: 1500) == ".×100 T×300 .×100 H×600 .×100 H×200 .×100")
    }

    /// A channel that is not judged (mono): the flat stretch stays talk.
    @Test func aMonoLineIsNotJudged() {
        #expect(Self.decisions([(FrameSpan(100, 400), 6), (FrameSpan(600, 900), 1.5)], frames: 1000,
                               talk: SyllabicReference(judges: false)) == ".×100 T×300 .×200 T×300 .×100")
    }

    /// The line's talk is carried from one settled stretch to the next: the flat stretch is
    /// judged the same when it arrives in a stretch of its own.
    @Test func theLineTalkCarriesAcrossStretches() {
        var first = SettledSpans(), second = SettledSpans()
        Self.append(&first, FrameSpan(100, 400), depth: 6)
        Self.append(&second, FrameSpan(600, 900), depth: 1.5)
        second.regionModulationMarks[0].opened = first.regionModulationMarks[0].closed
        second.regionModulationMarks[0].closed.frames += first.regionModulationMarks[0].closed.frames
        second.regionModulationMarks[0].closed.sumSquares += first.regionModulationMarks[0].closed.sumSquares
        second.regionModulationMarks[0].closed.spectralSquares += first.regionModulationMarks[0].closed.spectralSquares
        var talk = SyllabicReference()
        let p = AnalysisParameters()
        let a = ConversationAnalyzer.activity(of: first, frames: Int.max / 2, p: p, talk: &talk)
        let b = ConversationAnalyzer.activity(of: second, frames: 1000, p: p, talk: &talk)
        #expect(a.speech == [FrameSpan(100, 400)])
        #expect(b.speech.isEmpty && b.hold.isEmpty)
        #expect(talk.frames == 300)
    }

    /// Noise through a two-pole resonator at `hz` (a few hundred hertz wide), `count` samples.
    static func resonant(_ g: inout Signals, hz: Double, count: Int) -> [Float] {
        let w = g.noise(count: count, rms: 1)
        let r = 0.92, theta = 2 * Double.pi * hz / 8000
        let a1 = Float(2 * r * cos(theta)), a2 = Float(-r * r)
        var y = [Float](repeating: 0, count: count)
        for i in 0..<count { y[i] = w[i] + (i > 0 ? a1 * y[i - 1] : 0) + (i > 1 ? a2 * y[i - 2] : 0) }
        return y
    }

    /// `seconds` of a sound that changes colour every 0.25 s (a resonance walking over six
    /// "notes") at one level: it moves like music, never swings like syllables.
    static func flatMusic(seconds: Double, rms: Float, seed: UInt64) -> [Float] {
        var g = Signals(seed: seed)
        let notes = [400.0, 900.0, 600.0, 1400.0, 500.0, 1100.0]
        let n = 2000
        var x: [Float] = []
        for k in 0..<Int((seconds * 8000 / Double(n)).rounded(.up)) {
            let y = resonant(&g, hz: notes[k % notes.count], count: n)
            let r = (y.reduce(0) { $0 + $1 * $1 } / Float(n)).squareRoot()
            x += y.map { $0 * rms / r }
        }
        return Array(x.prefix(Int(seconds * 8000)))
    }

    /// From the signal, stereo: the agent talks 4 s 20 dB over the line's noise, then 7 s of
    /// that sound 6 dB over it (music on hold under a busy line); the customer says a word in
    /// between. Analyzer 21 took 4.6 s of the sound for the agent's talk (checked with the rule
    /// off); now none of it is talk, whatever the size of the settled stretches handed over.
    @Test func soundWithoutSyllablesAfterTalkIsNotTalk() {
        var g = Signals(seed: 61)
        var agent = g.noise(count: 14 * 8000, rms: pow(10, -50.0 / 20))
        mix(g.speechLike(count: 4 * 8000, sampleRate: 8000, rms: pow(10, -30.0 / 20)), into: &agent, at: 8000)
        mix(Self.flatMusic(seconds: 7, rms: pow(10, -44.0 / 20), seed: 99), into: &agent, at: 6 * 8000)
        var customer = g.noise(count: 14 * 8000, rms: pow(10, -60.0 / 20))
        mix(g.speechLike(count: 8000, sampleRate: 8000, rms: pow(10, -30.0 / 20)), into: &customer, at: 5 * 8000)
        let out = analyze([agent, customer])
        #expect(out.channels[0].speech == [FrameSpan(100, 500)], "talk \(out.channels[0].speech)")
        #expect(SpanMath.total(out.channels[1].speech) >= 80)
        #expect(analyze([agent, customer], settleRegions: 1) == out)
        #expect(analyze([agent, customer], settleRegions: Int.max) == out)
    }

    /// The same call traced (`recordFrames`, `vadtrace --utterances`): each utterance's verdict
    /// with the figures behind it — the talk first (nothing to judge by yet), then the music
    /// judged flat against it; with nothing recorded the outcome is the same and no judgement
    /// is kept.
    @Test func eachUtterancesJudgementCanBeTraced() throws {
        var g = Signals(seed: 61)
        var agent = g.noise(count: 14 * 8000, rms: pow(10, -50.0 / 20))
        mix(g.speechLike(count: 4 * 8000, sampleRate: 8000, rms: pow(10, -30.0 / 20)), into: &agent, at: 8000)
        mix(Self.flatMusic(seconds: 7, rms: pow(10, -44.0 / 20), seed: 99), into: &agent, at: 6 * 8000)
        let customer = g.noise(count: 14 * 8000, rms: pow(10, -60.0 / 20))
        let traced = analyze([agent, customer], recordFrames: true), plain = analyze([agent, customer])
        let notes = traced.channels[0].judgements
        #expect(notes.map(\.verdict) == [.talk, .flat], "\(notes)")
        if notes.count == 2 {
            #expect(notes[0].span == FrameSpan(100, 500) && notes[0].referenceFrames == 0 && notes[0].levelReferenceDB == nil)
            let flat = notes[1]
            #expect(flat.span.start >= 590 && flat.referenceFrames == 400, "\(flat)")
            #expect(flat.levelReferenceDB == notes[0].levelSwingDB.map { (Double(Int($0 * 10)) + 0.5) / 10 })
            let level = try #require(flat.levelSwingDB), levelReference = try #require(flat.levelReferenceDB)
            let spectral = try #require(flat.spectralSwingDB), spectralReference = try #require(flat.spectralReferenceDB)
            #expect(level < 0.6 * levelReference || spectral < 0.6 * spectralReference)
            // The rule it names holds on the figures recorded beside it; talk names none.
            #expect(notes[0].rule == nil)
            switch flat.rule {
            case .floor?: #expect(level < 2.0 && spectral < 2.5)
            case .level?: #expect(level < 0.6 * levelReference && level < 3.5)
            case .spectrum?: #expect(spectral < 0.6 * spectralReference)
            default: Issue.record("a flat stretch of 1.5 s or more by \(String(describing: flat.rule))")
            }
        }
        #expect(plain.channels.allSatisfy { $0.judgements.isEmpty })
        // The outcome is the same recorded or not, but for what recording keeps.
        var stripped = traced
        for c in stripped.channels.indices {
            stripped.channels[c].judgements = []
            stripped.channels[c].frameClasses = []
        }
        #expect(stripped == plain)
    }

    /// From the signal: a mono recording's two parties, the first 15 dB over the line's noise
    /// for 4 s, the second 5 dB over it for 4 s after a pause: the quieter voice swings less
    /// (its syllables sink into the noise sooner: under 2.5 dB and 0.6 of the first's here), and
    /// stays talk — a mono line is not judged for flat stretches (`SyllabicReference.judges`).
    @Test func aQuieterVoiceOnTheLineStaysTalk() {
        var g = Signals(seed: 61)
        var x = g.noise(count: 11 * 8000, rms: pow(10, -45.0 / 20))
        mix(g.speechLike(count: 4 * 8000, sampleRate: 8000, rms: pow(10, -30.0 / 20)), into: &x, at: 8000)
        mix(g.speechLike(count: 4 * 8000, sampleRate: 8000, rms: pow(10, -40.0 / 20)), into: &x, at: 6 * 8000)
        let out = analyze([x]).channels[0]
        let second = SpanMath.total(SpanMath.intersection(out.speech, [FrameSpan(600, 1000)]))
        #expect(second >= 300, "talk \(out.speech)")
    }
}

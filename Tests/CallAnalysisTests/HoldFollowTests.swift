@testable import CallAnalysis
import Testing

/// Step 6b (`HoldFollow`): talk pieces right after a hold span of the same channel, at the
/// hold's level, with the other party silent, are the music going on through a rest.
@Suite struct HoldFollowTests {
    /// A channel with a hold span at frames 100–600 (two regions of its music at band powers
    /// `hold`), then talk pieces at `pieces` (each one region, at the band powers given).
    static func channel(hold: SIMD4<Float>, pieces: [(FrameSpan, SIMD4<Float>)], before: [(FrameSpan, SIMD4<Float>)] = [])
        -> ChannelParts {
        var p = ChannelParts()
        p.hold = [FrameSpan(100, 600)]
        p.speech = before.map(\.0) + pieces.map(\.0)
        p.regionLevels = before.map { HoldFollow.Level(span: $0.0, bands: $0.1) }
            + [HoldFollow.Level(span: FrameSpan(100, 340), bands: hold), HoldFollow.Level(span: FrameSpan(380, 600), bands: hold)]
            + pieces.map { HoldFollow.Level(span: $0.0, bands: $0.1) }
        return p
    }

    static let music = SIMD4<Float>(4e-5, 1e-5, 2e-6, 5e-7)

    @Test func piecesAtTheHoldsLevelAfterItBecomeHold() {
        // Two pieces of the music after rests of 0.5 s and 0.7 s, 1 dB under and 2 dB over the
        // hold: both hold; the words 1.2 s later, 6 dB over it, stay talk.
        var parts = [Self.channel(hold: Self.music, pieces: [(FrameSpan(650, 800), Self.music * 0.8),
                                                             (FrameSpan(870, 1000), Self.music * 1.58),
                                                             (FrameSpan(1120, 1300), Self.music * 4)]),
                     ChannelParts()]
        HoldFollow.apply(&parts)
        #expect(parts[0].hold == [FrameSpan(100, 600), FrameSpan(650, 800), FrameSpan(870, 1000)])
        #expect(parts[0].speech == [FrameSpan(1120, 1300)])
    }

    @Test func wordsLouderThanTheHoldStayTalk() {
        // The agent back from hold: 4 dB over the music (more in the upper bands): talk, and
        // nothing after it is taken either.
        let voice = SIMD4<Float>(4e-5, 3e-5, 1e-5, 2e-6)
        #expect(HoldFollow.level(over: FrameSpan(0, 10), [HoldFollow.Level(span: FrameSpan(0, 10), bands: voice)])!
            > HoldFollow.level(over: FrameSpan(0, 10), [HoldFollow.Level(span: FrameSpan(0, 10), bands: Self.music)])! + 2.5)
        var parts = [Self.channel(hold: Self.music, pieces: [(FrameSpan(650, 800), voice), (FrameSpan(850, 900), Self.music)]),
                     ChannelParts()]
        HoldFollow.apply(&parts)
        #expect(parts[0].hold == [FrameSpan(100, 600)])
        #expect(parts[0].speech == [FrameSpan(650, 800), FrameSpan(850, 900)])
    }

    @Test func theOtherPartyTalkingOrALongRestOrWordsBeforeTheHoldKeepTalk() {
        let piece = [(FrameSpan(650, 800), Self.music)]
        // The other party talks in the rest.
        var other = ChannelParts()
        other.speech = [FrameSpan(610, 640)]
        var parts = [Self.channel(hold: Self.music, pieces: piece), other]
        HoldFollow.apply(&parts)
        #expect(parts[0].speech == [FrameSpan(650, 800)])
        // A rest of 1.6 s (over 1.5 s).
        parts = [Self.channel(hold: Self.music, pieces: [(FrameSpan(760, 900), Self.music)]), ChannelParts()]
        HoldFollow.apply(&parts)
        #expect(parts[0].speech == [FrameSpan(760, 900)])
        // Words at the music's level just before the hold ("please hold").
        parts = [Self.channel(hold: Self.music, pieces: [], before: [(FrameSpan(20, 90), Self.music)]), ChannelParts()]
        HoldFollow.apply(&parts)
        #expect(parts[0].speech == [FrameSpan(20, 90)])
        // Mono: the other party's silence cannot be seen.
        var mono = [Self.channel(hold: Self.music, pieces: piece)]
        HoldFollow.apply(&mono)
        #expect(mono[0].speech == [FrameSpan(650, 800)])
    }
}

/// Beeps and buzzers (the README's detector, step 5c): runs of frames that repeat the signal
/// 15–30 ms before them at one lag and level (`FrameFeatures.periodicTone`, found by
/// `PeriodicToneTest`; one failing frame inside a run is bridged). A run of
/// `PeriodicToneTest.minFrames` (0.25 s) is a tone: marked back to its first frame and over
/// the frames before it at its level (±2 dB, at most `minFrames` of them: the tone's onset,
/// before its lag was found), and on while it lasts, as a call-progress tone (cut out of
/// speech wherever it falls; music on hold keeps it).
///
/// Lifecycle: `init()`, then `update(_:power:markable:)` once per 10 ms frame; nothing to
/// finish (a run is marked frame by frame while it lasts).
struct PeriodicToneTracker: Sendable {
    typealias Test = PeriodicToneTest
    /// Frame powers kept for the onset search: a run is confirmed at most
    /// `minFrames + maxMisses` frames after it began, and its onset reaches `minFrames` further.
    static let historyFrames = 64

    /// Frames in the current run (0: none), and failing frames since its last repeating one.
    private var run = 0
    private var misses = 0
    /// The power (full scale²) of the last `historyFrames` frames, by frame index modulo
    /// `historyFrames`.
    private var powers = InlineArray<64, Float>(repeating: 0)
    /// Index of the next frame.
    private var frame = 0

    init() {
        assert(2 * Test.minFrames + Test.maxMisses <= Self.historyFrames)
    }

    /// Takes the next frame's code (`FrameFeatures.periodicTone`) and power.
    /// - Parameter markable: frames before this one that a mark can still reach (those in the
    ///   lookahead window); the onset is searched among them only.
    /// - Returns: the frames that are a tone as of this frame, if any.
    @inline(__always)
    mutating func update(_ code: UInt8, power: Float, markable: Int) -> FrameMark? {
        let now = frame
        powers[now & (Self.historyFrames - 1)] = power
        frame += 1
        switch code {
        case Test.starts:
            run = 1
            misses = 0
            return nil
        case Test.continues where run > 0:
            run += 1 + misses
        default:
            if run > 0 && misses < Test.maxMisses {
                misses += 1
            } else {
                run = 0
                misses = 0
            }
            return nil
        }
        let missed = misses
        misses = 0
        guard run >= Test.minFrames else { return nil }
        var back = missed
        if run - missed <= Test.minFrames {
            // Just confirmed: back to the run's first frame, and on back over the frames
            // before it at its level (±2 dB), at most `minFrames` of them: the tone's onset,
            // before the lag was found.
            back = min(run - 1, markable)
            let level = powers[(now - back) & (Self.historyFrames - 1)]
            let limit = min(markable, back + Test.minFrames)
            while back < limit {
                let p = powers[(now - back - 1) & (Self.historyFrames - 1)]
                guard p < level * Test.levelRatio && level < p * Test.levelRatio else { break }
                back += 1
            }
        }
        return FrameMark(.callTone, back: back)
    }
}

/// Keypresses (the README's detector, step 5a): runs of frames holding the same DTMF digit
/// (`FrameFeatures.dualTone`, found by `DualToneTest`). A run of `minFrames` (`min_dtmf_s`)
/// is a keypress: it is marked from the frame before its first (a partial frame at the onset),
/// back to the previous keypress when the pause is at most `bridgeFrames` (`dtmf_bridge_s`),
/// and on while the digit lasts, one missing frame included (a partial frame at the offset, or
/// a frame the candidate gate skipped). Keypresses are cut out of speech wherever they fall.
///
/// Lifecycle: `init(parameters:)`, then `update(_:)` once per 10 ms frame; nothing to finish
/// (a keypress is marked frame by frame while it lasts).
struct KeypressTracker: Sendable {
    /// Frames of one digit that make a keypress (`min_dtmf_s`, at least 1).
    let minFrames: Int
    /// Pauses between keypresses bridged into the key sequence (`dtmf_bridge_s`), in frames;
    /// at most the lookahead, as only frames still in the window can be marked.
    let bridgeFrames: Int

    /// Index of the next frame.
    private var frame = 0
    /// The digit of the current run of frames (1 + 4·row + column, 0: none), the frame it
    /// started, its frames holding the digit, frames since the last one (one may be missing).
    private var digit: UInt8 = 0
    private var digitStart = 0
    private var digitFrames = 0
    private var digitMisses = 0
    /// The frame after the last keypress frame marked.
    private var keypressEnd = Int.min / 2

    init(parameters: AnalysisParameters) {
        let fps = 1.0 / frameDuration
        minFrames = max(1, Int((parameters.minDTMFS * fps).rounded()))
        bridgeFrames = min(parameters.lookaheadFrames, Int((parameters.dtmfBridgeS * fps).rounded()))
    }

    /// Takes the next frame's digit code (`FrameFeatures.dualTone`: 0 for none); returns the
    /// keypress it belongs to, if it is one so far.
    @inline(__always)
    mutating func update(_ code: UInt8) -> FrameMark? {
        let frame = self.frame
        self.frame += 1
        if code != 0 && code == digit {
            digitFrames += 1
            digitMisses = 0
        } else if code != 0 {
            digit = code
            digitStart = frame
            digitFrames = 1
            digitMisses = 0
        } else if digit != 0 {
            digitMisses += 1
            if digitMisses > 1 { digit = 0 }
        }
        guard digit != 0, digitFrames >= minFrames else { return nil }
        var from = frame
        if digitFrames == minFrames && digitMisses == 0 {
            from = digitStart - 1
            if from - keypressEnd <= bridgeFrames { from = min(from, keypressEnd) }
        }
        keypressEnd = frame + 1
        return FrameMark(.keypress, back: frame - from)
    }
}

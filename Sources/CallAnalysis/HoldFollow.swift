/// Music on hold that goes on after a hold span, cut off from it by a quiet passage (step 6b).
///
/// Music whose quiet passages fall back to the line's noise leaves, after the hold span step 6
/// found, pieces of 0.5–5 s that are each judged alone and dip often enough for words (on the
/// tuning split, most of the hold counted as talk on a line where some hold was found lay in
/// such pieces right after it). What such a piece is, is read from the call around it:
///
/// - it follows a hold span of the same channel, or a piece already taken, by at most
///   `maxGapS` (the same music going on through its rest);
/// - the other party said nothing from the end of the hold span to the end of the piece (a
///   party on hold is silent; words after a hold are most often answered by, or answer, the
///   other party);
/// - its level is at most `maxLevelRiseDB` over the hold span's: the mean over the four
///   bands (500–3500 Hz, `FrameFeatures.bands`) of each band's mean power in dB, which weighs
///   the upper bands as much as the lowest (the same music at the same gain reads the same;
///   a voice coming back from hold has more in its upper bands than the music it follows).
///
/// Only pieces after a hold span are taken: the words before a hold ("please hold") run into
/// the music on the same line, often at its level. A piece whose frames are mostly in a
/// detector region split into words and music (no level of its own) ends the chain. Stereo
/// only: on a mono line the other party's silence cannot be seen. Deterministic and
/// traceable: a piece moved to hold is a talk segment of `analyze` that became a hold span.
enum HoldFollow {
    /// A detector region (unpadded) with its frames' mean power per band.
    struct Level: Sendable, Equatable {
        var span: FrameSpan
        var bands: SIMD4<Float>
    }

    /// The longest rest between a hold span (or a piece taken) and the next piece (s).
    static let maxGapS = 1.5
    /// How far a piece's level may rise over the hold span's (dB). On the tuning split the
    /// music pieces after a hold stood −6.5…+1.5 dB over it, the words after one +3.7…+9 dB
    /// (where the other party was silent in between).
    static let maxLevelRiseDB = 2.5

    /// Moves the talk pieces that continue a hold span to hold, on both channels of a stereo
    /// call (`parts` in channel order; unchanged otherwise).
    static func apply(_ parts: inout [ChannelParts]) {
        guard parts.count == 2 else { return }
        let gap = Int((maxGapS / frameDuration).rounded())
        // Judged on the talk both channels had before either was changed.
        let before = parts.map(\.speech)
        for c in 0..<2 {
            let other = before[1 - c]
            var taken: [FrameSpan] = []
            var p = 0
            for h in parts[c].hold {
                guard let holdLevel = level(over: h, parts[c].regionLevels) else { continue }
                var end = h.end
                while p < before[c].count && before[c][p].start < h.end { p += 1 }
                var q = p
                while q < before[c].count {
                    let s = before[c][q]
                    guard s.start - end <= gap,
                          SpanMath.intersection([FrameSpan(end, s.end)], other).isEmpty,
                          let l = level(over: s, parts[c].regionLevels, whole: true),
                          l <= holdLevel + maxLevelRiseDB else { break }
                    taken.append(s)
                    end = s.end
                    q += 1
                }
            }
            guard !taken.isEmpty else { continue }
            parts[c].speech = SpanMath.subtract(parts[c].speech, taken)
            parts[c].hold = SpanMath.normalize(parts[c].hold + taken)
        }
    }

    /// The level (dB) of the regions lying inside `span`: their frame-weighted mean power per
    /// band, in dB, averaged over the four bands; nil if no region lies there. With `whole`,
    /// nil also when less than half of the span lies in regions with a level.
    static func level(over span: FrameSpan, _ levels: [Level], whole: Bool = false) -> Double? {
        var sum = SIMD4<Double>.zero, frames = 0
        // The levels are in order: the first region ending after the span's start, by bisection.
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if levels[mid].span.end <= span.start { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < levels.count && levels[i].span.start < span.end {
            let l = levels[i]
            let n = min(l.span.end, span.end) - max(l.span.start, span.start)
            if n > 0 {
                sum += SIMD4<Double>(l.bands) * Double(n)
                frames += n
            }
            i += 1
        }
        guard frames > 0, !(whole && 2 * frames < span.length) else { return nil }
        let mean = sum / Double(frames)
        return (0..<4).reduce(0.0) { $0 + dB(mean[$1]) } / 4
    }
}

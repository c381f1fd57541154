/// A stretch of one party's speech given to the recogniser: where it is in the recording
/// and where it sits in its window (s).
public struct SpeechPiece: Sendable, Equatable {
    public var startS: Double
    public var endS: Double
    /// Its start within the window.
    public var windowStartS: Double

    public var durationS: Double { endS - startS }
}

/// One call of the recogniser: pieces of one party's speech back to back, `gapS` of
/// silence between them, at most `maxWindowS` long in all. Whisper reads 30 s at a time and
/// invents words in silence and music, so it hears only the speech the analysis found, and
/// as much of it per call as fits.
public struct SpeechWindow: Sendable, Equatable {
    public var pieces: [SpeechPiece]
    /// Length of the window (s): pieces and gaps.
    public var lengthS: Double { pieces.last.map { $0.windowStartS + $0.durationS } ?? 0 }
    /// Speech in it (s).
    public var speechS: Double { pieces.reduce(0) { $0 + $1.durationS } }

    /// The piece a word spanning [start, end] of the window belongs to: the one holding its
    /// middle, else the nearest (pieces are separate stretches of speech: a word never
    /// spans two).
    public func piece(for start: Double, _ end: Double) -> Int? {
        guard !pieces.isEmpty else { return nil }
        let mid = (start + end) / 2
        var best = 0, bestDistance = Double.infinity
        for (i, p) in pieces.enumerated() {
            let a = p.windowStartS, b = p.windowStartS + p.durationS
            let d = mid < a ? a - mid : mid > b ? mid - b : 0
            if d < bestDistance { (best, bestDistance) = (i, d) }
        }
        return best
    }

    /// A word's span in the window mapped to the recording, inside one piece.
    public func recordingSpan(_ start: Double, _ end: Double) -> (startS: Double, endS: Double) {
        guard let i = piece(for: start, end) else { return (start, end) }
        let p = pieces[i]
        func map(_ t: Double) -> Double { p.startS + min(max(t - p.windowStartS, 0), p.durationS) }
        let a = map(start)
        return (a, max(a, map(end)))
    }

    /// A time in the window mapped to the recording: inside a piece by its offset, in a gap
    /// to the nearer edge of the pieces around it.
    public func recordingTime(_ t: Double) -> Double {
        guard let first = pieces.first else { return t }
        if t <= first.windowStartS { return first.startS }
        for (i, p) in pieces.enumerated() {
            let end = p.windowStartS + p.durationS
            if t <= end { return p.startS + (t - p.windowStartS) }
            if i + 1 < pieces.count, t < pieces[i + 1].windowStartS {
                let next = pieces[i + 1]
                return t - end <= next.windowStartS - t ? p.endS : next.startS
            }
        }
        return pieces[pieces.count - 1].endS
    }
}

/// Packs one party's speech segments into recogniser windows.
public enum WindowPlanner {
    /// - Parameters:
    ///   - segments: the party's speech (s, in order, not overlapping), as the analysis found it.
    ///   - durationS: the recording's length (pieces never reach past it).
    ///   - maxWindowS: longest window (s); whisper reads 30 s, 25 leaves room for its own padding.
    ///   - padS: added before and after each segment (s): the analysis' edges sit on the
    ///     loud part of a word; quiet first and last sounds need a little more.
    ///   - gapS: silence between pieces in a window (s): enough for whisper to hear a break.
    ///   - minPieceS: shorter segments are left out (clicks, breaths) (s).
    public static func plan(segments: [(startS: Double, endS: Double)], durationS: Double, maxWindowS: Double = 25,
                            padS: Double = 0.2, gapS: Double = 0.3, minPieceS: Double = 0.15) -> [SpeechWindow] {
        // Padded, merged where the padding makes them touch, long ones cut to fit a window.
        var spans: [(Double, Double)] = []
        for s in segments where s.endS - s.startS >= minPieceS {
            let a = max(0, s.startS - padS), b = min(durationS, s.endS + padS)
            guard b > a else { continue }
            if let last = spans.last, a <= last.1 {
                spans[spans.count - 1].1 = max(last.1, b)
            } else {
                spans.append((a, b))
            }
        }
        var pieces: [(Double, Double)] = []
        for (a, b) in spans {
            let parts = Int(((b - a) / maxWindowS).rounded(.up))
            let step = (b - a) / Double(max(1, parts))
            for k in 0..<max(1, parts) { pieces.append((a + Double(k) * step, k == parts - 1 ? b : a + Double(k + 1) * step)) }
        }
        var windows: [SpeechWindow] = []
        var current: [SpeechPiece] = []
        var length = 0.0
        for (a, b) in pieces {
            let needed = (current.isEmpty ? 0 : gapS) + (b - a)
            if !current.isEmpty && length + needed > maxWindowS {
                windows.append(SpeechWindow(pieces: current))
                current = []
                length = 0
            }
            let at = current.isEmpty ? 0 : length + gapS
            current.append(SpeechPiece(startS: a, endS: b, windowStartS: at))
            length = at + (b - a)
        }
        if !current.isEmpty { windows.append(SpeechWindow(pieces: current)) }
        return windows
    }
}

/// A half-open interval of 10 ms frames, `[start, end)`. Integer frames keep every
/// metric exact and reproducible; seconds are `frames × 0.01`.
public struct FrameSpan: Sendable, Equatable, Hashable, Comparable {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    /// Length in frames (≥ 0).
    public var length: Int { max(0, end - start) }
    /// Start in seconds.
    public var startS: Double { Double(start) * frameDuration }
    /// End in seconds.
    public var endS: Double { Double(end) * frameDuration }
    /// Length in seconds.
    public var durationS: Double { Double(length) * frameDuration }

    public static func < (a: FrameSpan, b: FrameSpan) -> Bool {
        a.start != b.start ? a.start < b.start : a.end < b.end
    }
}

/// Interval arithmetic on sorted, non-overlapping span lists.
public enum SpanMath {
    /// Total frames covered.
    public static func total(_ spans: [FrameSpan]) -> Int { spans.reduce(0) { $0 + $1.length } }

    /// Sorted union (overlapping or touching spans joined).
    public static func union(_ a: [FrameSpan], _ b: [FrameSpan]) -> [FrameSpan] {
        normalize(a + b)
    }

    /// Sorts and joins overlapping or touching spans; drops empty ones.
    public static func normalize(_ spans: [FrameSpan]) -> [FrameSpan] {
        var out: [FrameSpan] = []
        for s in spans.filter({ $0.length > 0 }).sorted() {
            if let last = out.last, s.start <= last.end {
                out[out.count - 1].end = max(last.end, s.end)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// Frames in both lists.
    public static func intersection(_ a: [FrameSpan], _ b: [FrameSpan]) -> [FrameSpan] {
        var out: [FrameSpan] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let s = max(a[i].start, b[j].start), e = min(a[i].end, b[j].end)
            if s < e { out.append(FrameSpan(s, e)) }
            if a[i].end < b[j].end { i += 1 } else { j += 1 }
        }
        return out
    }

    /// Frames of `a` not in `b`.
    public static func subtract(_ a: [FrameSpan], _ b: [FrameSpan]) -> [FrameSpan] {
        var out: [FrameSpan] = []
        var j = 0
        for span in a {
            var cur = span.start
            while j < b.count && b[j].end <= cur { j += 1 }
            var k = j
            while k < b.count && b[k].start < span.end {
                if b[k].start > cur { out.append(FrameSpan(cur, b[k].start)) }
                cur = max(cur, b[k].end)
                k += 1
            }
            if cur < span.end { out.append(FrameSpan(cur, span.end)) }
        }
        return out
    }

    /// Frames of `[0, length)` in none of the spans.
    public static func complement(_ spans: [FrameSpan], length: Int) -> [FrameSpan] {
        subtract([FrameSpan(0, length)], spans)
    }
}

/// Confidence intervals used by every figure callqa reports (95 % unless stated).
public enum Intervals {
    /// z for a two-sided 95 % interval.
    public static let z95 = 1.959963984540054

    /// Wilson score interval of a share k/n (0–1); nil for n = 0.
    public static func wilson(successes k: Int, n: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let nn = Double(n), p = Double(k) / nn, z2 = z * z
        let denom = 1 + z2 / nn
        let center = (p + z2 / (2 * nn)) / denom
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
        return (max(0, center - half), min(1, center + half))
    }

    /// Student t quantile for a two-sided 95 % interval with `df` degrees of freedom.
    public static func t95(df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df >= 1 && df <= 30 { return table[df - 1] }
        // Cornish–Fisher expansion: within 0.001 of the exact quantile beyond 30 df.
        let z = z95, d = Double(max(df, 1))
        let z3 = z * z * z, z5 = z3 * z * z
        return z + (z3 + z) / (4 * d) + (5 * z5 + 16 * z3 + 3 * z) / (96 * d * d)
    }

    /// Mean with a t interval; the interval is nil below two values.
    public static func mean(_ xs: [Double]) -> (mean: Double, low: Double?, high: Double?)? {
        guard !xs.isEmpty else { return nil }
        let n = Double(xs.count)
        let m = xs.reduce(0, +) / n
        guard xs.count >= 2 else { return (m, nil, nil) }
        let variance = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        let half = t95(df: xs.count - 1) * (variance / n).squareRoot()
        return (m, m - half, m + half)
    }

    /// Below this many scores a quality interval also takes the bounded (Wilson) interval.
    public static let boundedQualityBelowN = 10

    /// Mean quality score (0–100) of `n` scores given their sum and sum of squares, with a
    /// 95 % interval that stays on the 0–100 scale: the Student-t interval clipped to 0–100;
    /// below ``boundedQualityBelowN`` scores, the hull of that and the Wilson interval of
    /// mean/100 over n (a 0–100 score varies at most as much as a yes/no share with the same
    /// mean), so a few identical scores never give a zero-width interval. nil for n = 0.
    public static func quality(n: Int, sum: Double, squares: Double) -> (mean: Double, low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let nn = Double(n)
        let m = sum / nn
        var low = m, high = m
        if n >= 2 {
            let variance = max(0, (squares - nn * m * m) / (nn - 1))
            let half = t95(df: n - 1) * (variance / nn).squareRoot()
            low = m - half
            high = m + half
        }
        if n < boundedQualityBelowN {
            let p = min(1, max(0, m / 100))
            let z2 = z95 * z95
            let denom = 1 + z2 / nn
            let center = (p + z2 / (2 * nn)) / denom
            let half = z95 * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
            low = min(low, 100 * (center - half))
            high = max(high, 100 * (center + half))
        }
        return (m, max(0, min(low, m)), min(100, max(high, m)))
    }

    /// ``quality(n:sum:squares:)`` of a list of scores.
    public static func quality(_ xs: [Double]) -> (mean: Double, low: Double, high: Double)? {
        quality(n: xs.count, sum: xs.reduce(0, +), squares: xs.reduce(0) { $0 + $1 * $1 })
    }
}

/// Net Promoter Score of a set of 0–10 answers.
public struct NPS: Sendable, Equatable {
    public var promoters: Int
    public var passives: Int
    public var detractors: Int
    public var n: Int { promoters + passives + detractors }

    public init(promoters: Int, passives: Int, detractors: Int) {
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
    }

    public init(scores: [Int]) {
        promoters = scores.filter { $0 >= 9 }.count
        passives = scores.filter { $0 == 7 || $0 == 8 }.count
        detractors = scores.filter { $0 <= 6 }.count
    }

    /// %promoters − %detractors (−100…100); nil without answers.
    public var value: Double? {
        guard n > 0 else { return nil }
        return 100 * Double(promoters - detractors) / Double(n)
    }

    /// Adjusted-Wald 95 % interval (Rocks; Sauro & Lewis): n+3 answers, +¾ promoter,
    /// +¾ detractor; clipped to −100…100 and widened to contain the observed NPS (the
    /// adjustment pulls the centre towards 0, so at −100 or +100 the plain interval would
    /// miss the value it belongs to).
    public var interval: (low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let nAdj = Double(n) + 3
        let pp = (Double(promoters) + 0.75) / nAdj
        let pd = (Double(detractors) + 0.75) / nAdj
        let d = pp - pd
        let variance = (pp + pd - d * d) / nAdj
        let half = Intervals.z95 * variance.squareRoot()
        let v = 100 * Double(promoters - detractors) / Double(n)
        return (max(-100, min(v, 100 * (d - half))), min(100, max(v, 100 * (d + half))))
    }

    /// Below `minimumN` answers a figure is shown but marked as not reliable.
    public func reliable(minimumN: Int) -> Bool { n >= minimumN }
}

/// Whether a mean quality supports "below target".
public enum TargetVerdict: String, Sendable {
    /// The whole interval is under the target.
    case below
    /// The whole interval is at or above the target.
    case atOrAbove = "at_or_above"
    /// The interval straddles the target, or too few scores: no claim either way.
    case inconclusive

    /// The verdict on `n` scores: inconclusive below `minimumN` scores whatever the interval
    /// (two identical scores are not evidence), else by where the whole interval lies.
    public static func of(mean: Double?, low: Double?, high: Double?, target: Double, n: Int, minimumN: Int) -> TargetVerdict {
        guard n >= minimumN, mean != nil, let low, let high else { return .inconclusive }
        if high < target { return .below }
        if low >= target { return .atOrAbove }
        return .inconclusive
    }
}

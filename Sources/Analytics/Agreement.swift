/// Agreement among raters who answered the same units (calibration: evaluators answering one
/// criterion of the same calls). Values are nominal categories (`yes`, `no`, `partial`,
/// `n/a`, a scale point): two answers agree when they are equal, whatever their distance.
///
/// A unit counts only when at least two raters answered it (its answers are *pairable*);
/// a missing answer is simply absent, never a category of its own.
public enum Agreement {
    /// What was measured over a set of units.
    public struct Result: Sendable, Equatable {
        /// Units with at least two answers (the ones that count).
        public var units: Int
        /// Answers in those units (n in Krippendorff's notation).
        public var pairableValues: Int
        /// Mean over those units of the share of agreeing ordered pairs of answers, 0–1:
        /// Σ_c n_uc(n_uc − 1) / (m_u(m_u − 1)) per unit u with m_u answers, n_uc of them
        /// in category c. nil without a unit of two answers.
        public var percent: Double?
        /// Krippendorff's alpha for nominal data, −1…1 (1: perfect, 0: chance level):
        /// α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, with the coincidences
        /// o_ck = Σ_u (ordered pairs (c, k) of answers in u) / (m_u − 1) and n_c = Σ_k o_ck.
        /// nil when it is undefined: fewer than two pairable answers, or a single category
        /// among them all (no variation: the denominator is 0).
        public var alpha: Double?
        /// Why `alpha` is nil, for people.
        public var alphaUndefined: String?
    }

    /// Agreement over `units`, each the answers given to it (missing answers left out).
    public static func measure(_ units: [[String]]) -> Result {
        let pairable = units.filter { $0.count >= 2 }
        guard !pairable.isEmpty else {
            return Result(units: 0, pairableValues: 0, percent: nil, alpha: nil,
                          alphaUndefined: "no call has answers from two evaluators")
        }
        var shares = 0.0
        // Coincidences o[c][k]; categories in order of first appearance (any order gives the same sums).
        var index: [String: Int] = [:]
        var o: [[Double]] = []
        for unit in pairable {
            var counts: [Int: Int] = [:]
            for v in unit {
                if index[v] == nil {
                    index[v] = index.count
                    for i in o.indices { o[i].append(0) }
                    o.append([Double](repeating: 0, count: index.count))
                }
                counts[index[v]!, default: 0] += 1
            }
            let m = Double(unit.count)
            shares += counts.values.reduce(0.0) { $0 + Double($1 * ($1 - 1)) } / (m * (m - 1))
            for (c, nc) in counts {
                for (k, nk) in counts {
                    // Ordered pairs of different answers: nc·nk between categories, nc(nc − 1) within one.
                    let pairs = c == k ? Double(nc * (nc - 1)) : Double(nc * nk)
                    o[c][k] += pairs / (m - 1)
                }
            }
        }
        let n = pairable.reduce(0) { $0 + $1.count }
        let nc = o.map { $0.reduce(0, +) }
        var observed = 0.0, expected = 0.0
        for c in o.indices {
            for k in o.indices where k != c {
                observed += o[c][k]
                expected += nc[c] * nc[k]
            }
        }
        let percent = shares / Double(pairable.count)
        guard expected > 0 else {
            return Result(units: pairable.count, pairableValues: n, percent: percent, alpha: nil,
                          alphaUndefined: "every answer was the same: no variation for alpha to measure")
        }
        let alpha = 1 - Double(n - 1) * observed / expected
        return Result(units: pairable.count, pairableValues: n, percent: percent, alpha: alpha, alphaUndefined: nil)
    }
}

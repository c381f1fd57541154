/// "Did you mean": the closest known name to a mistyped one.
public enum Suggest {
    /// The known name nearest to `word` (case-insensitive), within `maxDistance` edits
    /// (default: 1 for words under 6 characters, else 2); nil when none is that close or
    /// `word` is itself known.
    public static func nearest(_ word: String, in known: [String], maxDistance: Int? = nil) -> String? {
        let w = Array(word.lowercased())
        let limit = maxDistance ?? (w.count < 6 ? 1 : 2)
        var best: (String, Int)?
        for k in known {
            let d = distance(w, Array(k.lowercased()))
            if d == 0 { return nil }
            if d <= limit, d < (best?.1 ?? Int.max) { best = (k, d) }
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment) distance: a swap of two neighbours is one edit.
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}


import CallQAModel
import Foundation
import StrictYAML
import Yams

/// A problem in a card file, with its position (1-based line and column): the strict
/// YAML reader's issue.
public typealias LintIssue = YAMLIssue

/// Reads card files strictly: every key is known, every value has the expected type
/// (a quoted or unquoted scalar is read as text and converted by the loader, so `NO` stays
/// "NO" and `010` stays 10), every metric is in the catalog. All problems are collected.
public enum CardLoader {
    /// Card files larger than this are refused (bytes).
    public static let maxFileBytes = 1 << 20
    /// Nodes visited at most (alias bombs expand to far more).
    public static let maxNodes = 20_000
    /// Nesting depth at most.
    public static let maxDepth = 24

    /// Loads one card file; throws every problem found.
    public static func load(path: String) throws(LintFailure) -> Scorecard {
        let file: (text: String, data: Data)
        do { file = try StrictYAML.read(path: path, limit: maxFileBytes) } catch { throw LintFailure([error]) }
        return try parse(text: file.text, file: path, contentHash: SHA256.hex(Array(file.data)))
    }

    /// Loads every `*.yaml` / `*.yml` in a folder (sorted), or one file.
    public static func loadAll(_ path: String) -> (cards: [Scorecard], issues: [LintIssue]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return ([], [LintIssue(file: path, line: 0, column: 0, message: "no such file or folder")])
        }
        var files = [path]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        var cards: [Scorecard] = [], issues: [LintIssue] = []
        var ids: [String: String] = [:]
        for f in files {
            do {
                let c = try load(path: f)
                if let other = ids[c.id] {
                    issues.append(LintIssue(file: f, line: 1, column: 1, message: "card id '\(c.id)' is also used by \(other)"))
                    continue
                }
                ids[c.id] = f
                cards.append(c)
            } catch {
                issues += error.issues
            }
        }
        return (cards, issues)
    }

    public static func parse(text: String, file: String, contentHash: String) throws(LintFailure) -> Scorecard {
        var reader = YAMLReader(file: file, maxNodes: maxNodes, maxDepth: maxDepth)
        let root: Node?
        do { root = try StrictYAML.compose(text, file: file) } catch { throw LintFailure([error]) }
        guard let root else { throw LintFailure([LintIssue(file: file, line: 1, column: 1, message: "empty file: expected a card (version, id, name, sections)")]) }
        let card = reader.card(root, text: text, hash: contentHash)
        if !reader.issues.isEmpty || card == nil {
            throw LintFailure(reader.issues.isEmpty ? [LintIssue(file: file, line: 1, column: 1, message: "not a card")] : reader.issues)
        }
        return card!
    }
}

/// All problems of a card file.
public struct LintFailure: Error, Sendable, CustomStringConvertible {
    public var issues: [LintIssue]
    public init(_ issues: [LintIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// The card's own rules on top of the strict reader: ids, weights, sections, criteria, rules.
private extension YAMLReader {
    mutating func identifier(_ n: Node?, what: String) -> String? {
        guard let s = string(n, what: what) else { return nil }
        let ok = !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        if !ok { error(n!, "\(what): expected an id of letters, digits, '-', '_' or '.' (at most 64), got '\(s)'") }
        return ok ? s : nil
    }

    /// Weights that can matter: 0 (left out) or 0.001 to 1,000,000. A weight of 1e-200
    /// multiplied by another underflows to 0, and every answered criterion would look N/A.
    mutating func weightValue(_ n: Node, what: String) -> Double? {
        guard let v = number(n, what: what, range: 0...1_000_000) else { return nil }
        if v > 0 && v < 0.001 {
            error(n, "\(what): expected 0 or a number between 0.001 and 1000000, got \(FactValue.format(v)) (too small to count)")
            return nil
        }
        return v
    }

    mutating func card(_ root: Node, text: String, hash: String) -> Scorecard? {
        let keys = ["version", "id", "name", "description", "target", "applies_to", "requires_audio", "sections"]
        guard let m = mapping(root, what: "card", keys: keys, required: ["version", "id", "name", "sections"], depth: 0) else { return nil }
        if let v = m["version"], let version = number(v, what: "version", range: 1...1_000_000), version != 1 {
            error(v, "version: this callqa reads version 1, got \(FactValue.format(version))")
        }
        let id = identifier(m["id"], what: "id")
        let name = string(m["name"], what: "name")
        let target = m["target"].flatMap { number($0, what: "target", range: 0...100) } ?? 95
        let requiresAudio = m["requires_audio"].flatMap { bool($0, what: "requires_audio") } ?? false
        var applies = AppliesTo()
        if let a = m["applies_to"] { applies = appliesTo(a) }
        var sections: [Section] = []
        if let s = m["sections"] {
            guard case let .sequence(seq) = s, !seq.isEmpty else {
                error(s, "sections: expected a non-empty list of sections")
                return nil
            }
            var sectionIDs = Set<String>(), criterionIDs = [String: Node]()
            for node in seq {
                guard let sec = section(node, criterionIDs: &criterionIDs) else { continue }
                if !sectionIDs.insert(sec.id).inserted { error(node, "section id '\(sec.id)' is used twice") }
                sections.append(sec)
            }
            // Weights must be able to sum to something positive.
            let positive = sections.contains { ($0.weight ?? 1) > 0 && $0.criteria.contains { $0.weight > 0 } }
            if !sections.isEmpty, !positive {
                error(s, "weights: no section with a positive weight has a criterion with a positive weight; every call would score 0/0")
            }
        }
        guard let id, let name, issues.isEmpty else { return nil }
        return Scorecard(id: id, name: name, target: target, appliesTo: applies, requiresAudio: requiresAudio,
                         sections: sections, contentHash: hash, file: file, text: text)
    }

    mutating func appliesTo(_ n: Node) -> AppliesTo {
        var a = AppliesTo()
        guard let m = mapping(n, what: "applies_to", keys: ["direction", "queue", "team", "min_duration_s", "when"], depth: 1) else { return a }
        if let d = string(m["direction"], what: "applies_to.direction") {
            if ["inbound", "outbound"].contains(d) { a.direction = d } else { error(m["direction"]!, "applies_to.direction: expected inbound or outbound, got '\(d)'") }
        }
        if let q = m["queue"] { a.queues = list(q, depth: 2).compactMap { string($0, what: "applies_to.queue") } }
        if let t = m["team"] { a.teams = list(t, depth: 2).compactMap { string($0, what: "applies_to.team") } }
        a.minDurationS = m["min_duration_s"].flatMap { number($0, what: "applies_to.min_duration_s", range: 0...86400) }
        if let w = m["when"] { a.conditions = list(w, depth: 2).compactMap { condition($0, what: "applies_to.when", depth: 3) } }
        return a
    }

    mutating func section(_ n: Node, criterionIDs: inout [String: Node]) -> Section? {
        guard let m = mapping(n, what: "section", keys: ["id", "name", "weight", "criteria"], required: ["id", "criteria"], depth: 2) else { return nil }
        let id = identifier(m["id"], what: "section id")
        let name = string(m["name"], what: "section name") ?? id
        let weight = m["weight"].flatMap { weightValue($0, what: "section weight") }
        var criteria: [Criterion] = []
        if let c = m["criteria"] {
            guard case let .sequence(seq) = c, !seq.isEmpty else {
                error(c, "section '\(id ?? "?")': criteria: expected a non-empty list")
                return nil
            }
            for node in seq {
                // Duplicate ids are checked even on criteria with other errors.
                if case .mapping = node, let rawID = node["id"]?.scalar?.string {
                    if let first = criterionIDs[rawID] {
                        error(node, "criterion id '\(rawID)' is used twice (first at line \(first.mark?.line ?? 0))")
                    } else {
                        criterionIDs[rawID] = node
                    }
                }
                guard let cr = criterion(node) else { continue }
                criteria.append(cr)
            }
        }
        guard let id, let name else { return nil }
        return Section(id: id, name: name, weight: weight, criteria: criteria)
    }

    mutating func criterion(_ n: Node) -> Criterion? {
        let keys = ["id", "text", "weight", "critical", "fails_section", "auto", "manual", "na_when", "partial"]
        guard let m = mapping(n, what: "criterion", keys: keys, required: ["id", "text"], depth: 4) else { return nil }
        let id = identifier(m["id"], what: "criterion id")
        let what = "criterion '\(id ?? "?")'"
        let text = string(m["text"], what: "\(what) text")
        let weight = m["weight"].flatMap { weightValue($0, what: "\(what) weight") } ?? 1
        let critical = m["critical"].flatMap { bool($0, what: "\(what) critical") } ?? false
        let failsSection = m["fails_section"].flatMap { bool($0, what: "\(what) fails_section") } ?? false
        if critical && failsSection { error(n, "\(what): critical and fails_section exclude each other (critical already fails the whole call)") }
        let partial = m["partial"].flatMap { number($0, what: "\(what) partial", range: 0...1) } ?? 0.5
        var answering: Answering?
        switch (m["auto"], m["manual"]) {
        case (nil, nil): error(n, "\(what): needs 'auto' (a rule) or 'manual' (answered by an evaluator)")
        case (.some, .some): error(n, "\(what): has both 'auto' and 'manual'; choose one")
        case let (.some(a), nil):
            if case .mapping = a, a["phrase"] != nil {
                answering = phraseCriterion(a, what: what).map { .phrase($0) }
            } else {
                answering = autoRule(a, what: what).map { .auto($0) }
            }
        case let (nil, .some(man)): answering = manual(man, what: what)
        }
        if m["partial"] != nil, case .auto = answering { error(m["partial"]!, "\(what): 'partial' applies to manual criteria; auto rules give partial credit with bands") }
        if m["partial"] != nil, case .phrase = answering { error(m["partial"]!, "\(what): 'partial' applies to manual criteria; a phrase is said or not (an evaluator's override may be partial)") }
        var naWhen: [Condition] = []
        if let na = m["na_when"] { naWhen = list(na, depth: 5).compactMap { condition($0, what: "\(what) na_when", depth: 6) } }
        guard let id, let text, let answering else { return nil }
        return Criterion(id: id, text: text, weight: weight, critical: critical, failsSection: failsSection,
                         answering: answering, naWhen: naWhen, partialCredit: partial)
    }

    mutating func manual(_ n: Node, what: String) -> Answering? {
        if case let .scalar(s) = n {
            if s.string == "yes_no" { return .yesNo }
            error(n, "\(what) manual: expected yes_no or {scale: [MIN, MAX]}, got '\(s.string)'")
            return nil
        }
        guard let m = mapping(n, what: "\(what) manual", keys: ["scale"], required: ["scale"], depth: 5), let sc = m["scale"] else { return nil }
        guard case let .sequence(seq) = sc, seq.count == 2,
              let lo = number(seq[0], what: "\(what) scale", range: -1000...1000),
              let hi = number(seq[1], what: "\(what) scale", range: -1000...1000) else {
            error(sc, "\(what) scale: expected [MIN, MAX], two whole numbers")
            return nil
        }
        guard lo == lo.rounded(), hi == hi.rounded(), hi > lo else {
            error(sc, "\(what) scale: expected whole numbers with MIN < MAX, got [\(FactValue.format(lo)), \(FactValue.format(hi))]")
            return nil
        }
        return .scale(min: Int(lo), max: Int(hi))
    }

    /// Phrases longer than this many words, or more phrases than `maxPhrases` in a list, are refused.
    static let maxPhraseWords = 20
    static let maxPhrases = 100

    /// `auto: {phrase: {party, any_of, none_of, within_s, within_last_s}}`.
    mutating func phraseCriterion(_ n: Node, what: String) -> PhraseRule? {
        guard let outer = mapping(n, what: "\(what) auto", keys: ["phrase"], required: ["phrase"], depth: 5), let p = outer["phrase"] else { return nil }
        let keys = ["party", "any_of", "none_of", "within_s", "within_last_s"]
        guard let m = mapping(p, what: "\(what) phrase", keys: keys, required: ["party"], depth: 6) else { return nil }
        let party = choice(m["party"], what: "\(what) phrase party", allowed: PhraseRule.Party.allCases.map(\.rawValue)).flatMap(PhraseRule.Party.init)
        if m["any_of"] == nil && m["none_of"] == nil {
            error(p, "\(what) phrase: needs any_of (phrases one of which must be said) or none_of (phrases that must not be), or both")
        }
        func phrases(_ key: String) -> [String]? {
            guard let node = m[key] else { return [] }
            guard case let .sequence(seq) = node, !seq.isEmpty else {
                error(node, "\(what) phrase \(key): expected a non-empty list of phrases, e.g. [\"thank you for calling\"]")
                return nil
            }
            if seq.count > Self.maxPhrases { error(node, "\(what) phrase \(key): at most \(Self.maxPhrases) phrases, got \(seq.count)"); return nil }
            var out: [String] = [], seen: [String: Int] = [:], ok = true
            for item in seq {
                guard budget(item, depth: 7), let text = string(item, what: "\(what) phrase \(key)") else { ok = false; continue }
                let words = TranscriptText.words(text)
                let letters = words.joined().count
                if words.isEmpty || letters < 3 {
                    error(item, "\(what) phrase \(key): '\(text)' has \(words.isEmpty ? "no words" : "fewer than 3 letters"): it would match almost anything (or nothing)")
                    ok = false
                } else if words.count > Self.maxPhraseWords {
                    error(item, "\(what) phrase \(key): '\(text)' has \(words.count) words; at most \(Self.maxPhraseWords) (say the essential part)")
                    ok = false
                } else if words.contains(where: { w in w.filter(\.isNumber).count >= TranscriptText.redactionMinDigits }) {
                    error(item, "\(what) phrase \(key): '\(text)' holds a run of \(TranscriptText.redactionMinDigits)+ digits: digit runs are redacted from transcripts before storage, so it can never match")
                    ok = false
                } else if let first = seen[words.joined(separator: " ")] {
                    error(item, "\(what) phrase \(key): '\(text)' is the same as phrase \(first + 1) once normalised (case, punctuation)")
                    ok = false
                }
                seen[words.joined(separator: " ")] = seen[words.joined(separator: " ")] ?? out.count
                out.append(text)
            }
            return ok ? out : nil
        }
        let anyOf = phrases("any_of"), noneOf = phrases("none_of")
        if let a = anyOf, let b = noneOf {
            let shared = Set(a.map { TranscriptText.words($0).joined(separator: " ") }).intersection(b.map { TranscriptText.words($0).joined(separator: " ") })
            if let s = shared.sorted().first { error(p, "\(what) phrase: '\(s)' is in both any_of and none_of") }
        }
        var within: (from: Double, to: Double)?
        if let w = m["within_s"] {
            if case let .sequence(seq) = w, seq.count == 2,
               let a = number(seq[0], what: "\(what) phrase within_s", range: 0...86_400),
               let b = number(seq[1], what: "\(what) phrase within_s", range: 0...86_400) {
                if a < b { within = (a, b) } else { error(w, "\(what) phrase within_s: FROM must be before TO, got [\(FactValue.format(a)), \(FactValue.format(b))]") }
            } else {
                error(w, "\(what) phrase within_s: expected [FROM, TO], seconds from the start of the call")
            }
        }
        let last = m["within_last_s"].flatMap { number($0, what: "\(what) phrase within_last_s", range: 1...86_400) }
        guard let party, let anyOf, let noneOf, !(anyOf.isEmpty && noneOf.isEmpty) else { return nil }
        if m["within_s"] != nil && within == nil { return nil }
        if m["within_last_s"] != nil && last == nil { return nil }
        return PhraseRule(party: party, anyOf: anyOf, noneOf: noneOf, withinS: within, withinLastS: last)
    }

    static let comparisonKeys = ["at_most", "at_least", "below", "above", "between", "equals", "not_equals", "one_of"]

    mutating func autoRule(_ n: Node, what: String) -> AutoRule? {
        guard let m = mapping(n, what: "\(what) auto", keys: ["metric", "bands"] + Self.comparisonKeys, required: ["metric"], depth: 5) else { return nil }
        guard let metricNode = m["metric"], let entry = metric(metricNode, what: "\(what) auto") else { return nil }
        let comparisons = Self.comparisonKeys.filter { m[$0] != nil }
        if let b = m["bands"] {
            if !comparisons.isEmpty { error(n, "\(what) auto: use either bands or one comparison (\(comparisons.joined(separator: ", ")) given with bands)") }
            guard entry.kind == .number else { error(b, "\(what) auto: bands need a numeric metric; '\(entry.name)' is \(entry.kind.rawValue)"); return nil }
            guard case let .sequence(seq) = b, !seq.isEmpty else { error(b, "\(what) bands: expected a list of {at_most|at_least|…: LIMIT, credit: 0–1}"); return nil }
            var bands: [Band] = []
            for (i, bn) in seq.enumerated() {
                guard let bm = mapping(bn, what: "\(what) band", keys: ["credit"] + Self.comparisonKeys, required: ["credit"], depth: 6) else { continue }
                let credit = bm["credit"].flatMap { number($0, what: "\(what) band credit", range: 0...1) }
                let cmp = comparison(bm, node: bn, entry: entry, what: "\(what) band", optional: true)
                if cmp == nil, i != seq.count - 1, Self.comparisonKeys.allSatisfy({ bm[$0] == nil }) {
                    error(bn, "\(what) bands: only the last band may be a fallback without a comparison")
                }
                if let credit { bands.append(Band(comparison: cmp, credit: credit)) }
            }
            // Bands given as upper limits must rise; lower limits must fall.
            let uppers = bands.compactMap { b -> Double? in if case let .atMost(v)? = b.comparison { return v }; if case let .below(v)? = b.comparison { return v }; return nil }
            if uppers.count > 1, zip(uppers, uppers.dropFirst()).contains(where: { $0 >= $1 }) {
                error(b, "\(what) bands: upper limits must increase from band to band (first match wins), got \(uppers.map(FactValue.format).joined(separator: ", "))")
            }
            let lowers = bands.compactMap { b -> Double? in if case let .atLeast(v)? = b.comparison { return v }; if case let .above(v)? = b.comparison { return v }; return nil }
            if lowers.count > 1, zip(lowers, lowers.dropFirst()).contains(where: { $0 <= $1 }) {
                error(b, "\(what) bands: lower limits must decrease from band to band (first match wins), got \(lowers.map(FactValue.format).joined(separator: ", "))")
            }
            return AutoRule(metric: entry.name, mode: .bands(bands))
        }
        guard let cmp = comparison(m, node: n, entry: entry, what: "\(what) auto", optional: false) else { return nil }
        return AutoRule(metric: entry.name, mode: .pass(cmp))
    }

    mutating func condition(_ n: Node, what: String, depth: Int) -> Condition? {
        guard let m = mapping(n, what: what, keys: ["metric"] + Self.comparisonKeys, required: ["metric"], depth: depth) else { return nil }
        guard let metricNode = m["metric"], let entry = metric(metricNode, what: what) else { return nil }
        guard let cmp = comparison(m, node: n, entry: entry, what: what, optional: false) else { return nil }
        return Condition(metric: entry.name, comparison: cmp)
    }

    mutating func metric(_ n: Node, what: String) -> FactSchema.Entry? {
        guard let name = string(n, what: "\(what) metric") else { return nil }
        if let e = FactSchema.entry(name) { return e }
        let hint = FactSchema.suggestion(for: name).map { " (did you mean '\($0)'?)" } ?? ""
        error(n, "unknown metric '\(name)'\(hint); see the metric list in Scorecards/README.md")
        return nil
    }

    /// Exactly one comparison key (or none when `optional`).
    mutating func comparison(_ m: [String: Node], node: Node, entry: FactSchema.Entry, what: String, optional: Bool) -> Comparison? {
        let present = Self.comparisonKeys.filter { m[$0] != nil }
        if present.isEmpty {
            if !optional { error(node, "\(what): needs one comparison: \(Self.comparisonKeys.joined(separator: ", "))") }
            return nil
        }
        if present.count > 1 { error(node, "\(what): one comparison only, got \(present.joined(separator: " and ")); use between for a range") ; return nil }
        let key = present[0]
        let v = m[key]!
        let numeric = ["at_most", "at_least", "below", "above", "between"].contains(key)
        if numeric && entry.kind != .number {
            error(v, "\(what): '\(key)' needs a numeric metric; '\(entry.name)' is \(entry.kind.rawValue)")
            return nil
        }
        let range = -1e9...1e9
        switch key {
        case "at_most": return number(v, what: "\(what) at_most", range: range).map { .atMost($0) }
        case "at_least": return number(v, what: "\(what) at_least", range: range).map { .atLeast($0) }
        case "below": return number(v, what: "\(what) below", range: range).map { .below($0) }
        case "above": return number(v, what: "\(what) above", range: range).map { .above($0) }
        case "between":
            guard case let .sequence(seq) = v, seq.count == 2,
                  let a = number(seq[0], what: "\(what) between", range: range),
                  let b = number(seq[1], what: "\(what) between", range: range) else {
                error(v, "\(what) between: expected [LOW, HIGH]")
                return nil
            }
            guard a <= b else { error(v, "\(what) between: LOW must not exceed HIGH, got [\(FactValue.format(a)), \(FactValue.format(b))]"); return nil }
            return .between(a, b)
        case "equals": return value(v, entry: entry, what: "\(what) equals").map { .equals($0) }
        case "not_equals": return value(v, entry: entry, what: "\(what) not_equals").map { .notEquals($0) }
        default:
            guard case let .sequence(seq) = v, !seq.isEmpty else { error(v, "\(what) one_of: expected a non-empty list"); return nil }
            let values = seq.compactMap { value($0, entry: entry, what: "\(what) one_of") }
            return values.count == seq.count ? .oneOf(values) : nil
        }
    }

    mutating func value(_ n: Node, entry: FactSchema.Entry, what: String) -> FactValue? {
        switch entry.kind {
        case .number: return number(n, what: what, range: -1e9...1e9).map { .number($0) }
        case .flag: return bool(n, what: what).map { .flag($0) }
        case .text: return string(n, what: what).map { .text($0) }
        }
    }
}

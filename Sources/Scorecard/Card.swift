import CallQAModel
/// A coaching card (evaluation form), loaded from `Scorecards/*.yaml` (format `version: 1`).
public struct Scorecard: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Quality target in percent (default 95).
    public var target: Double
    public var appliesTo: AppliesTo
    /// Calls without an analysed recording are not scorable by this card.
    public var requiresAudio: Bool
    public var sections: [Section]
    /// SHA-256 of the file's bytes: every score is pinned to it.
    public var contentHash: String
    /// The file it came from and its text (stored with the scores).
    public var file: String
    public var text: String

    public var criteria: [Criterion] { sections.flatMap(\.criteria) }
    public var manualCriteria: [Criterion] { criteria.filter(\.isManual) }
    /// Manual and phrase criteria: what an evaluator may answer.
    public var evaluatorCriteria: [Criterion] { criteria.filter(\.takesEvaluatorAnswers) }
}

/// Which calls a card scores. Only answered calls are ever scored.
public struct AppliesTo: Sendable, Equatable {
    public var direction: String?
    public var queues: [String]?
    public var teams: [String]?
    /// Minimum conversation length: the recording's duration, else the record's talk time (s).
    public var minDurationS: Double?
    /// Further conditions, all of which must hold.
    public var conditions: [Condition] = []

    public init() {}
}

public struct Section: Sendable, Equatable {
    public var id: String
    public var name: String
    /// W_s of the score formula; nil means 1.
    public var weight: Double?
    public var criteria: [Criterion]
}

public struct Criterion: Sendable, Equatable {
    public var id: String
    public var text: String
    public var weight: Double
    /// Not fully met → the whole call scores 0.
    public var critical: Bool
    /// Not fully met → its section earns 0.
    public var failsSection: Bool
    public var answering: Answering
    /// Any condition true → N/A.
    public var naWhen: [Condition]
    /// Credit of a manual "partial" answer (0–1), default 0.5.
    public var partialCredit: Double

    /// Answered by an evaluator only (`manual`).
    public var isManual: Bool {
        switch answering {
        case .auto, .phrase: false
        case .yesNo, .scale: true
        }
    }

    /// Answered from the transcript (`auto: {phrase: …}`).
    public var isPhrase: Bool {
        if case .phrase = answering { return true }
        return false
    }

    /// Takes evaluator answers: manual criteria, and phrase criteria, whose evaluator answer
    /// overrides the transcript's.
    public var takesEvaluatorAnswers: Bool { isManual || isPhrase }
}

/// How a criterion is answered.
public enum Answering: Sendable, Equatable {
    /// From the call's facts.
    case auto(AutoRule)
    /// From the call's transcript; an evaluator's yes / no / partial / n/a overrides it.
    case phrase(PhraseRule)
    /// By an evaluator: yes / no / partial / n/a.
    case yesNo
    /// By an evaluator: a whole number on a scale, mapped linearly to 0–1 credit; or n/a.
    case scale(min: Int, max: Int)
}

/// A rule over one fact: pass/fail, or bands with partial credit (first match wins).
public struct AutoRule: Sendable, Equatable {
    public var metric: String
    public var mode: Mode

    public enum Mode: Sendable, Equatable {
        case pass(Comparison)
        case bands([Band])
    }
}

/// One band of partial credit; a band without a comparison is the fallback.
public struct Band: Sendable, Equatable {
    public var comparison: Comparison?
    public var credit: Double
}

/// A metric and a comparison, for `na_when` and `applies_to.when`.
public struct Condition: Sendable, Equatable {
    public var metric: String
    public var comparison: Comparison
}

public enum Comparison: Sendable, Equatable {
    case atMost(Double)
    case atLeast(Double)
    case below(Double)
    case above(Double)
    case between(Double, Double)
    case equals(FactValue)
    case notEquals(FactValue)
    case oneOf([FactValue])

    /// Whether `value` satisfies the comparison. Numbers compare with numbers, text with
    /// text (case-insensitive), flags with flags; mismatched kinds never match.
    public func matches(_ value: FactValue) -> Bool {
        switch (self, value) {
        case let (.atMost(l), .number(v)): return v <= l
        case let (.atLeast(l), .number(v)): return v >= l
        case let (.below(l), .number(v)): return v < l
        case let (.above(l), .number(v)): return v > l
        case let (.between(a, b), .number(v)): return v >= a && v <= b
        case let (.equals(e), v): return Self.same(e, v)
        case let (.notEquals(e), v): return !Self.same(e, v)
        case let (.oneOf(list), v): return list.contains { Self.same($0, v) }
        default: return false
        }
    }

    static func same(_ a: FactValue, _ b: FactValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): x == y
        case let (.text(x), .text(y)): x.lowercased() == y.lowercased()
        case let (.flag(x), .flag(y)): x == y
        default: false
        }
    }

    /// "≤ 10 s", "between 0.4 and 0.6", "one of 'orders', 'returns'".
    public func describe(unit: String) -> String {
        func n(_ v: Double) -> String { FactValue.format(v) + (unit.isEmpty || unit == "ratio" ? "" : " \(unit)") }
        switch self {
        case let .atMost(l): return "≤ \(n(l))"
        case let .atLeast(l): return "≥ \(n(l))"
        case let .below(l): return "< \(n(l))"
        case let .above(l): return "> \(n(l))"
        case let .between(a, b): return "between \(n(a)) and \(n(b))"
        case let .equals(v): return "= \(v)"
        case let .notEquals(v): return "≠ \(v)"
        case let .oneOf(list): return "one of " + list.map(\.description).joined(separator: ", ")
        }
    }
}

extension Scorecard {
    /// The card as the store keeps it.
    public var version: CardVersion {
        CardVersion(id: id, contentHash: contentHash, name: name, target: target, file: file, text: text)
    }

    /// Its sections and criterion texts, for reports.
    public var outline: CardOutline {
        CardOutline(sections: sections.map { CardOutline.Section(id: $0.id, name: $0.name, weight: $0.weight ?? 1) },
                    criterionTexts: Dictionary(criteria.map { ($0.id, $0.text) }, uniquingKeysWith: { a, _ in a }))
    }

    /// The outline of a stored card version's YAML; nil when it no longer parses.
    public static func outline(yaml: String, file: String, contentHash: String) -> CardOutline? {
        (try? CardLoader.parse(text: yaml, file: file, contentHash: contentHash))?.outline
    }
}

import Foundation

/// An evaluator's answer to a manual criterion.
public enum ManualAnswer: Sendable, Equatable, CustomStringConvertible {
    case yes, no, partial, notApplicable
    case points(Int)

    /// Parses `yes|no|partial|n/a|na` (case-insensitive) or a whole number.
    public init?(_ text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "yes", "y": self = .yes
        case "no", "n": self = .no
        case "partial": self = .partial
        case "n/a", "na": self = .notApplicable
        case let t:
            guard let v = Int(t) else { return nil }
            self = .points(v)
        }
    }

    public var description: String {
        switch self {
        case .yes: "yes"
        case .no: "no"
        case .partial: "partial"
        case .notApplicable: "n/a"
        case let .points(p): String(p)
        }
    }
}

/// A stored evaluator answer with its provenance.
public struct EvaluatorAnswer: Sendable, Equatable {
    public var answer: ManualAnswer
    public var evaluator: String
    public var evaluatedAt: String?
    public var comment: String?

    public init(answer: ManualAnswer, evaluator: String, evaluatedAt: String? = nil, comment: String? = nil) {
        self.answer = answer
        self.evaluator = evaluator
        self.evaluatedAt = evaluatedAt
        self.comment = comment
    }
}

/// How a criterion came out.
public enum Outcome: String, Sendable, Equatable {
    case met, partial
    case notMet = "not_met"
    case notApplicable = "na"
    case unanswered
}

/// One criterion's answer, points and evidence.
public struct CriterionResult: Sendable, Equatable {
    public var sectionID: String
    public var criterionID: String
    public var outcome: Outcome
    /// 0–1; nil for N/A and unanswered.
    public var credit: Double?
    /// credit × weight (0 when the criterion does not count).
    public var earned: Double
    /// The weight when the criterion counts, else 0.
    public var possible: Double
    /// "automatic" or "evaluator: NAME".
    public var provenance: String
    /// Values and limits compared, with time spans for audio rules.
    public var evidence: String
    /// The first evidence span (for `file#t=START` links).
    public var evidenceSpan: EvidenceSpan?
    public var critical: Bool
    public var failsSection: Bool

    /// Counted but not fully met.
    public var failed: Bool { (credit ?? 1) < 1 }

    public init(sectionID: String, criterionID: String, outcome: Outcome, credit: Double? = nil, earned: Double, possible: Double, provenance: String, evidence: String, evidenceSpan: EvidenceSpan? = nil, critical: Bool, failsSection: Bool) {
        self.sectionID = sectionID
        self.criterionID = criterionID
        self.outcome = outcome
        self.credit = credit
        self.earned = earned
        self.possible = possible
        self.provenance = provenance
        self.evidence = evidence
        self.evidenceSpan = evidenceSpan
        self.critical = critical
        self.failsSection = failsSection
    }
}

/// Whether a score is final.
public enum ScoreStatus: String, Sendable, Equatable {
    /// Every applicable criterion is answered.
    case complete
    /// Some manual criteria await an evaluator: the score counts only what is answered.
    case provisional
    /// Nothing applicable (all N/A) or the card needs audio the call lacks.
    case notScorable = "not_scorable"
}

/// A call's score on one card.
public struct CallScore: Sendable, Equatable {
    public var cardID: String
    public var cardHash: String
    public var target: Double
    public var status: ScoreStatus
    /// Percent 0–100; nil when not scorable (or provisional with nothing answered yet).
    public var score: Double?
    /// earned / possible over critical criteria alone (percent); nil without any.
    public var criticalScore: Double?
    public var criticalFailed: Bool
    /// Σ W_s·earned_s and Σ W_s·possible_s.
    public var weightedEarned: Double
    public var weightedPossible: Double
    public var results: [CriterionResult]
    /// Why not scorable.
    public var reason: String?
    public var unanswered: Int

    public init(cardID: String, cardHash: String, target: Double, status: ScoreStatus, score: Double? = nil, criticalScore: Double? = nil, criticalFailed: Bool, weightedEarned: Double, weightedPossible: Double, results: [CriterionResult], reason: String? = nil, unanswered: Int) {
        self.cardID = cardID
        self.cardHash = cardHash
        self.target = target
        self.status = status
        self.score = score
        self.criticalScore = criticalScore
        self.criticalFailed = criticalFailed
        self.weightedEarned = weightedEarned
        self.weightedPossible = weightedPossible
        self.results = results
        self.reason = reason
        self.unanswered = unanswered
    }
}

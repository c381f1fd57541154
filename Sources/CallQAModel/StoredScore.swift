import Foundation

/// What scoring needs about one call.
public struct ScoringInput: Sendable {
    public var facts: CallFacts
    /// Changes whenever the call record or its analysis changes.
    public var dataFingerprint: String
    /// Evaluator answers per card id, per criterion id.
    public var answers: [String: [String: EvaluatorAnswer]]
    public var startedEpoch: Double
    public var team: String?

    public init(facts: CallFacts, dataFingerprint: String, answers: [String: [String: EvaluatorAnswer]], startedEpoch: Double, team: String? = nil) {
        self.facts = facts
        self.dataFingerprint = dataFingerprint
        self.answers = answers
        self.startedEpoch = startedEpoch
        self.team = team
    }
}

/// A stored score with its per-criterion results, for `explain` and reports.
public struct StoredScore: Sendable {
    public var callID: String
    public var cardID: String
    public var cardName: String
    public var cardHash: String
    public var status: ScoreStatus
    public var score: Double?
    public var criticalScore: Double?
    public var criticalFailed: Bool
    public var target: Double
    public var unanswered: Int
    public var reason: String?
    public var scoredAt: String
    public var results: [StoredCriterionResult]
    /// The card version's YAML and file as stored; nil when not loaded.
    public var cardYAML: String? = nil
    public var cardFile: String? = nil
    /// The card's sections and criterion texts (parsed from `cardYAML` by the layer that
    /// reads cards); nil when not known.
    public var outline: CardOutline? = nil

    public init(callID: String, cardID: String, cardName: String, cardHash: String, status: ScoreStatus, score: Double? = nil, criticalScore: Double? = nil, criticalFailed: Bool, target: Double, unanswered: Int, reason: String? = nil, scoredAt: String, results: [StoredCriterionResult], cardYAML: String? = nil, cardFile: String? = nil, outline: CardOutline? = nil) {
        self.callID = callID
        self.cardID = cardID
        self.cardName = cardName
        self.cardHash = cardHash
        self.status = status
        self.score = score
        self.criticalScore = criticalScore
        self.criticalFailed = criticalFailed
        self.target = target
        self.unanswered = unanswered
        self.reason = reason
        self.scoredAt = scoredAt
        self.results = results
        self.cardYAML = cardYAML
        self.cardFile = cardFile
        self.outline = outline
    }
}

public struct StoredCriterionResult: Sendable {
    public var sectionID: String
    public var criterionID: String
    public var outcome: Outcome
    public var credit: Double?
    public var earned: Double
    public var possible: Double
    public var critical: Bool
    public var failsSection: Bool
    public var provenance: String
    public var evidence: String
    public var evidenceStartS: Double?
    public var evidenceEndS: Double?

    public init(sectionID: String, criterionID: String, outcome: Outcome, credit: Double? = nil, earned: Double, possible: Double, critical: Bool, failsSection: Bool, provenance: String, evidence: String, evidenceStartS: Double? = nil, evidenceEndS: Double? = nil) {
        self.sectionID = sectionID
        self.criterionID = criterionID
        self.outcome = outcome
        self.credit = credit
        self.earned = earned
        self.possible = possible
        self.critical = critical
        self.failsSection = failsSection
        self.provenance = provenance
        self.evidence = evidence
        self.evidenceStartS = evidenceStartS
        self.evidenceEndS = evidenceEndS
    }
}

/// An evaluator answer ready to store.
public struct EvaluationRow: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String
    /// The answer, parsed (stored as its text: `yes`, `no`, `partial`, `n/a` or a number).
    public var answer: ManualAnswer
    public var evaluator: String
    public var evaluatedAt: String
    public var comment: String?
    public var source: SourceRef

    public init(callID: String, cardID: String, criterionID: String, answer: ManualAnswer, evaluator: String,
                evaluatedAt: String, comment: String?, source: SourceRef) {
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
        self.answer = answer
        self.evaluator = evaluator
        self.evaluatedAt = evaluatedAt
        self.comment = comment
        self.source = source
    }
}

/// A rejected row of an import (evaluations, surveys).
public struct ImportErrorRow: Sendable, Equatable {
    public var source: SourceRef
    public var field: String?
    public var message: String

    public init(source: SourceRef, field: String?, message: String) {
        self.source = source
        self.field = field
        self.message = message
    }
}

/// What decides whether a call's scores are up to date, with the facts card filters read.
/// Lighter than `ScoringInput`: no evidence spans, no evaluator answers, no segments.
public struct ScoringKey: Sendable {
    /// The call's facts without evidence spans; party values only when asked for.
    public var facts: CallFacts
    /// Changes whenever the call record, its analysis or its evaluator answers change (the
    /// same value as `ScoringInput.dataFingerprint`).
    public var dataFingerprint: String

    public var callID: String { facts.callID }

    public init(facts: CallFacts, dataFingerprint: String) {
        self.facts = facts
        self.dataFingerprint = dataFingerprint
    }
}

/// A call's current score on a card, as stored: what it was computed from, and its outcome.
public struct CurrentScoreState: Sendable, Equatable {
    public var cardHash: String
    /// The card hash and the call's data fingerprint when it was scored.
    public var inputsHash: String
    public var status: ScoreStatus
    /// 0–100; nil when not scorable.
    public var score: Double?
    public var criticalFailed: Bool

    public init(cardHash: String, inputsHash: String, status: ScoreStatus, score: Double? = nil, criticalFailed: Bool) {
        self.cardHash = cardHash
        self.inputsHash = inputsHash
        self.status = status
        self.score = score
        self.criticalFailed = criticalFailed
    }
}

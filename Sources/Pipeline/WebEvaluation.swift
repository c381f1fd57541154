import CallQAModel
import Foundation
import Scorecard
import Store

/// One manual criterion as the evaluation form shows it.
public struct ManualCriterionForm: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// yes / no / partial / n/a.
        case yesNo
        /// A whole number from `min` to `max`, or n/a.
        case scale(min: Int, max: Int)
    }

    public var id: String
    public var text: String
    public var sectionName: String
    public var kind: Kind
    public var critical: Bool
    /// The stored answer and its comment, evaluator and time; nil when unanswered.
    public var answer: String?
    public var comment: String?
    public var evaluator: String?
    public var evaluatedAt: String?
    /// A phrase criterion: what the transcript answers (`met: the agent said "…" at 00:02–00:04`);
    /// an evaluator's answer overrides it. nil for manual criteria.
    public var transcript: String?
}

/// The manual criteria of one card that applies to a call.
public struct EvaluationForm: Sendable, Equatable {
    public var cardID: String
    public var cardName: String
    public var criteria: [ManualCriterionForm]
}

/// What the evaluate form of a call needs: a form per applicable card with manual
/// criteria, the call's stored answers, and their fingerprint (carried by the form).
public struct EvaluationSheet: Sendable, Equatable {
    public var forms: [EvaluationForm]
    public var stored: [StoredEvaluation]
    public var fingerprint: String
}

/// Evaluations entered in the workspace: stored exactly as `evaluations import` stores a
/// file's rows (source `web`), then the call is rescored at once.
public enum WebEvaluation {
    /// The latest stored version of every card (as `Scoring.whyNotScored` reads them).
    static func cards(_ store: CallStore) throws -> [Scorecard] {
        try store.latestCardTexts().compactMap { try? CardLoader.parse(text: $0.yaml, file: $0.file, contentHash: $0.hash) }
    }

    /// The sheet of a call in scope; nil when the call is not in scope (or does not exist).
    public static func sheet(_ store: CallStore, callID: String, scope: Scope) throws -> EvaluationSheet? {
        guard let input = try store.scoringInputs(period: .all, callIDs: [callID], scope: scope).first else { return nil }
        let stored = try store.evaluations(callID: callID, scope: scope)
        var forms: [EvaluationForm] = []
        for card in try cards(store) where !card.evaluatorCriteria.isEmpty && ScoringEngine.exclusion(card, facts: input.facts) == nil {
            var criteria: [ManualCriterionForm] = []
            // What the transcript answers, without any evaluator's override.
            let automatic = card.criteria.contains(where: \.isPhrase) ? ScoringEngine.score(card, facts: input.facts, answers: [:]).results : []
            for section in card.sections {
                for c in section.criteria where c.takesEvaluatorAnswers {
                    let kind: ManualCriterionForm.Kind
                    if case let .scale(lo, hi) = c.answering { kind = .scale(min: lo, max: hi) } else { kind = .yesNo }
                    let s = stored.first { $0.cardID == card.id && $0.criterionID == c.id }
                    let heard = automatic.first { $0.criterionID == c.id }.map { r in
                        (r.outcome == .unanswered ? "no answer" : r.outcome.rawValue.replacingOccurrences(of: "_", with: " ")) + ": " + r.evidence
                    }
                    criteria.append(ManualCriterionForm(id: c.id, text: c.text, sectionName: section.name, kind: kind, critical: c.critical,
                                                        answer: s?.answer, comment: s?.comment, evaluator: s?.evaluator, evaluatedAt: s?.evaluatedAt,
                                                        transcript: c.isPhrase ? heard : nil))
                }
            }
            forms.append(EvaluationForm(cardID: card.id, cardName: card.name, criteria: criteria))
        }
        return EvaluationSheet(forms: forms, stored: stored, fingerprint: stored.fingerprint)
    }

    /// One answer from the form: criterion id → answer text (`yes`, `no`, `partial`, `n/a`,
    /// a number) and an optional comment. Empty answers are left unanswered.
    public struct Answer: Sendable, Equatable {
        public var criterionID: String
        public var answer: String
        public var comment: String?

        public init(criterionID: String, answer: String, comment: String?) {
            self.criterionID = criterionID
            self.answer = answer
            self.comment = comment
        }
    }

    /// The outcome of a save.
    public enum SaveResult: Sendable, Equatable {
        /// Stored and rescored: the card's score before and after (status and percent).
        case saved(changed: Int, before: ScoreState?, after: ScoreState?)
        /// The call's answers changed since the form was rendered; nothing was stored.
        case stale
        /// Answers that do not fit their criteria; nothing was stored.
        case invalid([String])
        /// The call or card is unknown, outside the scope, or the card does not apply.
        case notFound
    }

    /// A score as shown before and after a save.
    public struct ScoreState: Sendable, Equatable {
        public var status: ScoreStatus
        public var score: Double?
        public var criticalFailed: Bool
    }

    static func state(_ store: CallStore, callID: String, cardID: String) throws -> ScoreState? {
        try store.storedScores(callID: callID, scope: .everything).first { $0.cardID == cardID }
            .map { ScoreState(status: $0.status, score: $0.score, criticalFailed: $0.criticalFailed) }
    }

    /// Checks the answers against the card's manual criteria, stores them in one transaction
    /// (refused as `stale` when the call's stored answers no longer have `fingerprint`), and
    /// rescores the call. `source` is what the evaluation history shows as where the answers
    /// came from: `web` (the evaluate form) or `api` (`/api/v1`).
    public static func save(_ store: CallStore, callID: String, cardID: String, answers: [Answer], evaluator: String,
                            fingerprint: String, nowEpoch: Double, source: String = "web", scope: Scope) throws -> SaveResult {
        guard let input = try store.scoringInputs(period: .all, callIDs: [callID], scope: scope).first else { return .notFound }
        let all = try cards(store)
        guard let card = all.first(where: { $0.id == cardID }), ScoringEngine.exclusion(card, facts: input.facts) == nil else { return .notFound }
        let when = Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0)
        var rows: [EvaluationRow] = [], problems: [String] = []
        for (i, a) in answers.enumerated() {
            let text = a.answer.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let criterion = card.criteria.first(where: { $0.id == a.criterionID }), criterion.takesEvaluatorAnswers else {
                problems.append("card '\(cardID)' has no manual or phrase criterion '\(a.criterionID)'")
                continue
            }
            guard let answer = ManualAnswer(text), answer.mismatch(for: criterion.answering) == nil else {
                let why = ManualAnswer(text)?.mismatch(for: criterion.answering) ?? "expected yes, no, partial, n/a or a number"
                problems.append("\(criterion.id): \(why), got \"\(text)\"")
                continue
            }
            let comment = a.comment.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : String($0.prefix(2000)) }
            rows.append(EvaluationRow(callID: callID, cardID: cardID, criterionID: criterion.id, answer: answer,
                                      evaluator: evaluator, evaluatedAt: when.iso8601, comment: comment,
                                      source: SourceRef(file: source, line: i + 1)))
        }
        if !problems.isEmpty { return .invalid(problems) }
        let before = try state(store, callID: callID, cardID: cardID)
        switch try store.saveEvaluations(rows, callID: callID, expectedFingerprint: fingerprint, nowEpoch: nowEpoch, source: source,
                                            scope: scope) {
        case .notFound: return .notFound
        case .stale: return .stale
        case let .saved(changed):
            // Rescoring: `score`'s own run over the calls that started at this call's instant;
            // only the calls whose inputs changed (this one) are scored again.
            let e = input.startedEpoch
            _ = try Scoring.run(cards: all, store: store, period: Period(fromEpoch: e, toEpoch: e.nextUp))
            return .saved(changed: changed, before: before, after: try state(store, callID: callID, cardID: cardID))
        }
    }
}

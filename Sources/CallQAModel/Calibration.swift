import Analytics
import Foundation

/// Calibration: several evaluators score the same calls blind, beside one expert whose
/// scores are the index; their answers never touch the calls' official scores. While a
/// session is open each member sees only their own answers; when it closes, everyone's
/// answers and the results are revealed (and the session never opens again).
public enum CalibrationState: String, Sendable, Equatable, CaseIterable, Codable {
    case open, closed
}

/// A member's part in a session.
public enum CalibrationMemberRole: String, Sendable, Equatable, CaseIterable, Codable {
    /// Scores the calls; compared with the expert and with the other evaluators.
    case evaluator
    /// Scores the calls; their score is the index the evaluators are compared with.
    case expert
}

/// A member of a session and how far they are.
public struct CalibrationMember: Sendable, Equatable {
    public var userID: Int64
    public var name: String
    public var role: CalibrationMemberRole
    /// Answers given so far (criteria × calls).
    public var answers: Int
    /// Calls on which they answered every manual criterion.
    public var callsDone: Int

    public init(userID: Int64, name: String, role: CalibrationMemberRole, answers: Int, callsDone: Int) {
        self.userID = userID
        self.name = name
        self.role = role
        self.answers = answers
        self.callsDone = callsDone
    }
}

/// A session as stored: which calls, which card version, who takes part, its state.
public struct CalibrationSession: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var cardID: String
    /// The card version the session scores with (pinned when it was created).
    public var cardHash: String
    public var state: CalibrationState
    public var createdBy: String
    /// ISO 8601 UTC.
    public var createdAt: String
    public var closedBy: String?
    public var closedAt: String?
    /// The calls, in the order they were given (only those the reader may see).
    public var calls: [String]
    /// The calls of the session in all (a reader outside some call's scope sees fewer).
    public var callCount: Int
    public var members: [CalibrationMember]
    /// Manual criteria of the card: what "every criterion answered" means for one call.
    public var manualCriteria: Int

    public init(id: Int64, name: String, cardID: String, cardHash: String, state: CalibrationState, createdBy: String, createdAt: String,
                closedBy: String?, closedAt: String?, calls: [String], callCount: Int, members: [CalibrationMember], manualCriteria: Int) {
        self.id = id
        self.name = name
        self.cardID = cardID
        self.cardHash = cardHash
        self.state = state
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.closedBy = closedBy
        self.closedAt = closedAt
        self.calls = calls
        self.callCount = callCount
        self.members = members
        self.manualCriteria = manualCriteria
    }

    public var expert: CalibrationMember? { members.first { $0.role == .expert } }
    public var evaluators: [CalibrationMember] { members.filter { $0.role == .evaluator } }
}

/// One member's answer to one manual criterion of one call of a session.
public struct CalibrationAnswer: Sendable, Equatable {
    public var callID: String
    public var userID: Int64
    public var userName: String
    public var criterionID: String
    /// `yes`, `no`, `partial`, `n/a` or a scale point, as `ManualAnswer` writes it.
    public var answer: String
    public var comment: String?
    /// ISO 8601 UTC.
    public var answeredAt: String

    public init(callID: String, userID: Int64, userName: String, criterionID: String, answer: String, comment: String?, answeredAt: String) {
        self.callID = callID
        self.userID = userID
        self.userName = userName
        self.criterionID = criterionID
        self.answer = answer
        self.comment = comment
        self.answeredAt = answeredAt
    }
}

/// A member's score of one call in a session, from their answers and the card's automatic
/// criteria (the same engine as the official score).
public struct CalibrationScore: Sendable, Equatable {
    public var callID: String
    public var member: String
    public var role: CalibrationMemberRole
    /// 0–100; nil when not every manual criterion is answered (or the card cannot score it).
    public var score: Double?
    public var complete: Bool
    public var criticalFailed: Bool
    /// Manual criteria left unanswered.
    public var unanswered: Int

    public init(callID: String, member: String, role: CalibrationMemberRole, score: Double?, complete: Bool, criticalFailed: Bool, unanswered: Int) {
        self.callID = callID
        self.member = member
        self.role = role
        self.score = score
        self.complete = complete
        self.criticalFailed = criticalFailed
        self.unanswered = unanswered
    }
}

/// An evaluator's score of a call against the expert's.
public struct CalibrationDeviation: Sendable, Equatable {
    public var callID: String
    public var evaluator: String
    public var score: Double?
    public var expertScore: Double?
    /// score − expert score, points; nil when either is missing.
    public var deviation: Double? { score.flatMap { s in expertScore.map { s - $0 } } }
    /// Whether |deviation| ≤ the tolerance (10 points); nil when not comparable.
    public func within(_ tolerance: Double) -> Bool? { deviation.map { abs($0) <= tolerance } }

    public init(callID: String, evaluator: String, score: Double?, expertScore: Double?) {
        self.callID = callID
        self.evaluator = evaluator
        self.score = score
        self.expertScore = expertScore
    }
}

/// One evaluator's summary over a session.
public struct EvaluatorCalibration: Sendable, Equatable {
    public var evaluator: String
    /// Calls of the session; calls where both the evaluator and the expert have a complete score.
    public var calls: Int
    public var compared: Int
    /// Mean of (score − expert), points: the evaluator's bias (positive: more lenient).
    public var meanDeviation: Double?
    /// Mean of |score − expert|, points.
    public var meanAbsoluteDeviation: Double?
    /// Compared calls within ±tolerance points, and their share (0–1).
    public var within: Int
    public var withinShare: Double?

    public init(evaluator: String, calls: Int, compared: Int, meanDeviation: Double?, meanAbsoluteDeviation: Double?, within: Int, withinShare: Double?) {
        self.evaluator = evaluator
        self.calls = calls
        self.compared = compared
        self.meanDeviation = meanDeviation
        self.meanAbsoluteDeviation = meanAbsoluteDeviation
        self.within = within
        self.withinShare = withinShare
    }
}

/// Agreement among the evaluators on one criterion, and how often they matched the expert.
public struct CriterionAgreement: Sendable, Equatable {
    public var criterionID: String
    public var text: String
    public var agreement: Agreement.Result
    /// Evaluator answers on calls the expert answered, and how many equal the expert's.
    public var comparedWithExpert: Int
    public var matchingExpert: Int
    public var expertMatchShare: Double? { comparedWithExpert > 0 ? Double(matchingExpert) / Double(comparedWithExpert) : nil }

    public init(criterionID: String, text: String, agreement: Agreement.Result, comparedWithExpert: Int, matchingExpert: Int) {
        self.criterionID = criterionID
        self.text = text
        self.agreement = agreement
        self.comparedWithExpert = comparedWithExpert
        self.matchingExpert = matchingExpert
    }
}

/// Everything a closed session shows.
public struct CalibrationResults: Sendable, Equatable {
    public var session: CalibrationSession
    public var cardName: String
    /// Points either side of the expert's score that count as calibrated (10).
    public var tolerance: Double
    /// The share practitioners aim for within the tolerance (0.85).
    public var aim: Double
    public var scores: [CalibrationScore]
    public var deviations: [CalibrationDeviation]
    public var evaluators: [EvaluatorCalibration]
    public var criteria: [CriterionAgreement]
    /// Every answer of every member (revealed at the close).
    public var answers: [CalibrationAnswer]

    public init(session: CalibrationSession, cardName: String, tolerance: Double, aim: Double, scores: [CalibrationScore],
                deviations: [CalibrationDeviation], evaluators: [EvaluatorCalibration], criteria: [CriterionAgreement], answers: [CalibrationAnswer]) {
        self.session = session
        self.cardName = cardName
        self.tolerance = tolerance
        self.aim = aim
        self.scores = scores
        self.deviations = deviations
        self.evaluators = evaluators
        self.criteria = criteria
        self.answers = answers
    }

    /// All evaluators together: compared calls within the tolerance, and their share.
    public var overall: (compared: Int, within: Int, share: Double?) {
        let c = evaluators.reduce(0) { $0 + $1.compared }, w = evaluators.reduce(0) { $0 + $1.within }
        return (c, w, c > 0 ? Double(w) / Double(c) : nil)
    }
}

/// Session names: short text for people.
public enum CalibrationText {
    public static let maxNameCharacters = 120

    /// The name trimmed; nil when empty or too long.
    public static func name(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty || t.count > maxNameCharacters || t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) ? nil : t
    }
}

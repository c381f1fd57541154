import Foundation

/// A survey answer ready to store.
public struct SurveyRow: Sendable, Equatable {
    /// survey_id, else "call:" + call_id, else "caller:" + hash + "@" + answered_at.
    public var key: String
    public var surveyID: String?
    public var callID: String?
    public var callerHash: String?
    /// false: no answer / timed out (kept apart, not in NPS).
    public var answered: Bool
    public var score: Int?
    public var csat: Int?
    public var answeredAt: Timestamp
    public var comment: String?
    public var fingerprint: String
    public var source: SourceRef

    public init(key: String, surveyID: String?, callID: String?, callerHash: String?, answered: Bool, score: Int?, csat: Int?,
                answeredAt: Timestamp, comment: String?, fingerprint: String, source: SourceRef) {
        self.key = key
        self.surveyID = surveyID
        self.callID = callID
        self.callerHash = callerHash
        self.answered = answered
        self.score = score
        self.csat = csat
        self.answeredAt = answeredAt
        self.comment = comment
        self.fingerprint = fingerprint
        self.source = source
    }
}

/// One linked survey answer with what reports group it by.
public struct SurveyFact: Sendable, Equatable {
    public var callID: String
    public var score: Int?
    public var csat: Int?
    public var comment: String?
    public var answeredAt: String
    public var agentID: String?
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var localDate: String

    public init(callID: String, score: Int? = nil, csat: Int? = nil, comment: String? = nil, answeredAt: String, agentID: String? = nil, agentName: String? = nil, team: String? = nil, queue: String? = nil, localDate: String) {
        self.callID = callID
        self.score = score
        self.csat = csat
        self.comment = comment
        self.answeredAt = answeredAt
        self.agentID = agentID
        self.agentName = agentName
        self.team = team
        self.queue = queue
        self.localDate = localDate
    }
}

/// Counts of survey linking.
public struct LinkCounts: Sendable, Equatable {
    public var linked = 0
    public var waiting = 0

    public init(linked: Int = 0, waiting: Int = 0) {
        self.linked = linked
        self.waiting = waiting
    }
}

/// What became of one imported row.
public enum RowOutcome: Sendable, Equatable {
    case stored
    /// The same row is already in the database (a re-import).
    case alreadyImported
    /// The key appeared earlier in this same file.
    case duplicateInFile(firstLine: Int, identical: Bool)
    /// A stored row with the same key has different content.
    case conflict(file: String, line: Int)
    /// An evaluation older than the stored answer to the same criterion.
    case olderThanStored(evaluatedAt: String, evaluator: String)
}

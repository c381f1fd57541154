import CallAnalysis
import Foundation

/// One call as the agent reports need it.
public struct AgentCallRow: Sendable, Equatable {
    public var callID: String
    public var agentID: String
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var localDate: String
    public var startedAt: String
    public var answered: Bool
    public var handleS: Double?
    public var agentTalkRatio: Double?
    public var silenceRatio: Double?
    public var overtalkRatio: Double?
    public var recordingPath: String?
    /// Current score on the card asked for (nil: not scored by it).
    public var cardID: String?
    public var status: ScoreStatus?
    public var score: Double?
    public var target: Double?
    public var criticalFailed: Bool

    public init(callID: String, agentID: String, agentName: String? = nil, team: String? = nil, queue: String? = nil, localDate: String, startedAt: String, answered: Bool, handleS: Double? = nil, agentTalkRatio: Double? = nil, silenceRatio: Double? = nil, overtalkRatio: Double? = nil, recordingPath: String? = nil, cardID: String? = nil, status: ScoreStatus? = nil, score: Double? = nil, target: Double? = nil, criticalFailed: Bool) {
        self.callID = callID
        self.agentID = agentID
        self.agentName = agentName
        self.team = team
        self.queue = queue
        self.localDate = localDate
        self.startedAt = startedAt
        self.answered = answered
        self.handleS = handleS
        self.agentTalkRatio = agentTalkRatio
        self.silenceRatio = silenceRatio
        self.overtalkRatio = overtalkRatio
        self.recordingPath = recordingPath
        self.cardID = cardID
        self.status = status
        self.score = score
        self.target = target
        self.criticalFailed = criticalFailed
    }
}

/// A failed (or partly met) criterion with its evidence, for coaching.
public struct FailedCriterion: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String
    public var outcome: Outcome
    public var evidence: String
    public var evidenceStartS: Double?
    public var recordingPath: String?
    public var critical: Bool

    public init(callID: String, cardID: String, criterionID: String, outcome: Outcome, evidence: String, evidenceStartS: Double? = nil, recordingPath: String? = nil, critical: Bool) {
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
        self.outcome = outcome
        self.evidence = evidence
        self.evidenceStartS = evidenceStartS
        self.recordingPath = recordingPath
        self.critical = critical
    }
}

/// A card as stored (for names and criterion texts).
public struct StoredCard: Sendable, Equatable {
    public var id: String
    public var name: String
    public var target: Double
    public var hash: String

    public init(id: String, name: String, target: Double, hash: String) {
        self.id = id
        self.name = name
        self.target = target
        self.hash = hash
    }
}

/// Everything about one call for the per-call view.
public struct CallDetail: Sendable {
    public var callID: String
    public var record: [(String, String)]
    public var analysis: [(String, String)]
    public var health: [String]
    public var durationS: Double?
    /// Speech segments per party (agent, customer or mixed).
    public var segments: [(party: String, spans: [FrameSpan])]
    /// Audio events: kind, party, start, end.
    public var events: [(kind: String, party: String?, startS: Double, endS: Double)]
    public var recordingPath: String?
    /// The legs of a transferred call (Asterisk, one CDR per bridge); empty for one leg.
    public var legs: [StoredLeg] = []

    public init(callID: String, record: [(String, String)], analysis: [(String, String)], health: [String], durationS: Double? = nil, segments: [(party: String, spans: [FrameSpan])], events: [(kind: String, party: String?, startS: Double, endS: Double)], recordingPath: String? = nil, legs: [StoredLeg] = []) {
        self.callID = callID
        self.record = record
        self.analysis = analysis
        self.health = health
        self.durationS = durationS
        self.segments = segments
        self.events = events
        self.recordingPath = recordingPath
        self.legs = legs
    }
}

/// One leg of a transferred call as stored in `call_legs`.
public struct StoredLeg: Sendable, Equatable {
    public var leg: Int
    public var agentID: String?
    public var talkS: Double?
    public var startedAt: String?
    /// The leg's own recording (`recordingfile`); nil when one recording holds the whole call.
    public var recording: String?
    /// The call's analysed recording covers this leg: the call's scores are this leg's agent's.
    public var scored: Bool

    public init(leg: Int, agentID: String?, talkS: Double?, startedAt: String?, recording: String?, scored: Bool) {
        self.leg = leg
        self.agentID = agentID
        self.talkS = talkS
        self.startedAt = startedAt
        self.recording = recording
        self.scored = scored
    }
}

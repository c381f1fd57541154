import Analytics
import Foundation

/// Per-agent sums of one card's current scores and of the calls' figures, for reports at scale.
public struct AgentAggregate: Sendable, Equatable {
    public var agentID: String
    public var name: String?
    public var team: String?
    public var calls: Int
    public var scored: Int
    public var provisional: Int
    public var scoreSum: Double
    public var scoreSquares: Double
    public var atTarget: Int
    public var criticalFails: Int
    public var talkRatio: Double?
    public var silenceRatio: Double?
    public var overtalkRatio: Double?
    public var ahtS: Double?

    public init(agentID: String, name: String? = nil, team: String? = nil, calls: Int, scored: Int, provisional: Int, scoreSum: Double, scoreSquares: Double, atTarget: Int, criticalFails: Int, talkRatio: Double? = nil, silenceRatio: Double? = nil, overtalkRatio: Double? = nil, ahtS: Double? = nil) {
        self.agentID = agentID
        self.name = name
        self.team = team
        self.calls = calls
        self.scored = scored
        self.provisional = provisional
        self.scoreSum = scoreSum
        self.scoreSquares = scoreSquares
        self.atTarget = atTarget
        self.criticalFails = criticalFails
        self.talkRatio = talkRatio
        self.silenceRatio = silenceRatio
        self.overtalkRatio = overtalkRatio
        self.ahtS = ahtS
    }
}

/// NPS counts of one group.
public struct NPSGroupCounts: Sendable, Equatable {
    public var key: [String]
    public var agentName: String?
    public var nps: NPS
    public var csatN: Int
    public var csatTop: Int

    public init(key: [String], agentName: String?, nps: NPS, csatN: Int, csatTop: Int) {
        self.key = key
        self.agentName = agentName
        self.nps = nps
        self.csatN = csatN
        self.csatTop = csatTop
    }
}

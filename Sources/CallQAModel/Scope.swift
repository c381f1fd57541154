/// What a reader may see and what it narrows to. Every read of the store takes one and turns
/// it into its `WHERE` clause in one place (Store's `Scope.sql`), so a new query cannot
/// forget it: an agent's scope returns that agent's calls and nothing derived from anyone
/// else's; a supervisor's, the calls of their teams.
public struct Scope: Sendable, Hashable, CustomStringConvertible {
    /// Who may see what.
    public enum Access: Sendable, Hashable {
        /// Every call (QA, admins, the command line).
        case everything
        /// Calls whose team (as stored on the call) is one of these.
        case teams([String])
        /// One agent's own calls.
        case agent(String)
    }

    public var access: Access
    /// Narrowing filters (`--team`, `--queue`, `--agent`): applied on top of the access,
    /// never widening it.
    public var team: String?
    public var queue: String?
    public var agent: String?
    /// One card's scores only (`--scorecard`); nil: every card.
    public var scorecard: String?

    public init(access: Access = .everything, team: String? = nil, queue: String? = nil, agent: String? = nil, scorecard: String? = nil) {
        self.access = access
        self.team = team
        self.queue = queue
        self.agent = agent
        self.scorecard = scorecard
    }

    /// Everything, unfiltered.
    public static let everything = Scope()

    /// One agent's own calls.
    public static func agent(_ id: String) -> Scope { Scope(access: .agent(id)) }

    /// The calls of these teams.
    public static func teams(_ teams: [String]) -> Scope { Scope(access: .teams(teams.sorted())) }

    /// This scope narrowed further (nil arguments keep the current filter).
    public func narrowed(team: String? = nil, queue: String? = nil, agent: String? = nil, scorecard: String? = nil) -> Scope {
        var s = self
        if let team { s.team = team }
        if let queue { s.queue = queue }
        if let agent { s.agent = agent }
        if let scorecard { s.scorecard = scorecard }
        return s
    }

    /// The same access without the narrowing filters: what a reader may see at all (for
    /// "unknown agent" checks and the database span).
    public var unfiltered: Scope { Scope(access: access) }

    public var description: String {
        var parts: [String] = []
        switch access {
        case .everything: parts.append("everything")
        case let .teams(ts): parts.append("teams " + ts.joined(separator: ", "))
        case let .agent(a): parts.append("agent \(a)")
        }
        if let agent { parts.append("agent \(agent)") }
        if let team { parts.append("team \(team)") }
        if let queue { parts.append("queue \(queue)") }
        if let scorecard { parts.append("card \(scorecard)") }
        return parts.joined(separator: ", ")
    }
}

extension Scope {
    /// This scope narrowed to one agent's own calls; a scope already narrowed to another
    /// agent admits nothing (both conditions hold at once).
    public func requiring(agent id: String) -> Scope {
        var s = self
        if let a = agent, a != id { s.access = .teams([]) }
        s.agent = id
        return s
    }
}

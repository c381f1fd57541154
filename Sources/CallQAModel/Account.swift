import Foundation

/// What a user may do and see in the workspace.
public enum Role: String, Sendable, Equatable, CaseIterable, Codable {
    /// Their own calls only (`calls.agent_id` = the account's agent id).
    case agent
    /// Every call of their teams (`calls.team` in the account's teams).
    case supervisor
    /// Every call; evaluates.
    case qa
    /// Every call; manages users and reads the audit log.
    case admin

    /// `an agent`, `a supervisor`, `a qa`, `an admin`: the role in a sentence.
    public var withArticle: String { (self == .agent || self == .admin ? "an " : "a ") + rawValue }
}

/// Who is logged in, as data: the role, the agent id (agents) and the teams (supervisors).
/// Everything a user may see follows from these values alone.
public struct Account: Sendable, Equatable {
    /// The `users.user_id` row id.
    public var userID: Int64
    public var name: String
    public var role: Role
    /// The agent whose calls an `agent` account sees; nil for the other roles.
    public var agentID: String?
    /// The teams a `supervisor` sees, sorted; empty for the other roles.
    public var teams: [String]

    public init(userID: Int64, name: String, role: Role, agentID: String?, teams: [String]) {
        self.userID = userID
        self.name = name
        self.role = role
        self.agentID = agentID
        self.teams = teams
    }

    /// Checks the combination of role, agent id and teams a new account is given.
    /// - Returns: nil when valid, else what is wrong and what is allowed.
    public static func problem(name: String, role: Role, agentID: String?, teams: [String]) -> String? {
        if name.isEmpty || name.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "user name: expected 1 to 64 characters without control characters, got \(name.debugDescription)"
        }
        if name.contains(":") {
            // `cli:USER` marks command-line actions in the audit log: no account may look like one.
            return "user name: ':' is not allowed (the audit log writes command-line actions as cli:USER), got \(name.debugDescription)"
        }
        if name != name.trimmingCharacters(in: .whitespaces) {
            return "user name: leading or trailing spaces are not allowed, got \(name.debugDescription)"
        }
        switch role {
        case .agent:
            guard let agentID, !agentID.isEmpty else {
                return "role agent needs --agent-id ID (the agent_id of the calls this user may see)"
            }
            if !teams.isEmpty { return "role agent takes no --team (an agent sees their own calls only)" }
        case .supervisor:
            if teams.isEmpty || teams.contains(where: \.isEmpty) {
                return "role supervisor needs at least one --team T (the teams whose calls this user may see)"
            }
            if agentID != nil { return "role supervisor takes no --agent-id (a supervisor sees their teams)" }
        case .qa, .admin:
            if agentID != nil || !teams.isEmpty {
                return "role \(role.rawValue) sees every call: --agent-id and --team are only for agent and supervisor"
            }
        }
        return nil
    }
}

extension Account {
    /// What this account may see, as the value every store read takes: an agent their own
    /// calls (none without an agent id, an empty one included), a supervisor their teams' calls
    /// (none without a team), QA and admins everything.
    public var scope: Scope {
        switch role {
        case .agent: agentID.flatMap { $0.isEmpty ? nil : Scope.agent($0) } ?? Scope(access: .teams([]))
        case .supervisor: Scope.teams(teams)
        case .qa, .admin: .everything
        }
    }
}

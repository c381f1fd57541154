import Foundation

/// Disputes: an agent (or their supervisor) contests one evaluator answer of a call; QA
/// accepts it (the answer changes, the call is rescored) or rejects it, with a reason either
/// way. The life of a dispute is a small state machine: `open` is the only state that moves,
/// and each move needs a role that may make it. Every move is kept as an event: nothing of a
/// criterion's history (answer, dispute, resolution, new answer) is overwritten.
public enum DisputeState: String, Sendable, Equatable, CaseIterable, Codable {
    /// Raised, waiting for QA.
    case open
    /// QA agreed: the answer was changed to the dispute's new answer and the call rescored.
    case accepted
    /// QA kept the answer, with a reason.
    case rejected
    /// Taken back by the agent or supervisor before QA decided.
    case withdrawn

    /// Whether nothing can happen to the dispute any more.
    public var isFinal: Bool { self != .open }
}

/// What can be done to a dispute.
public enum DisputeAction: String, Sendable, Equatable, CaseIterable, Codable {
    /// Raise a dispute (from no dispute to `open`).
    case open
    case accept
    case reject
    case withdraw

    /// The past tense the history and the audit log use (`opened`, `accepted`, …).
    public var event: String {
        switch self {
        case .open: "opened"
        case .accept: "accepted"
        case .reject: "rejected"
        case .withdraw: "withdrawn"
        }
    }
}

/// Why an action on a dispute is refused.
public enum DisputeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// This role may not take this action (agents and supervisors raise and withdraw, QA decides).
    case role(Role, DisputeAction)
    /// The dispute is not in a state this action starts from (a decided dispute stays decided).
    case state(DisputeState?, DisputeAction)

    public var description: String {
        switch self {
        case let .role(role, action): "\(role.withArticle) may not \(action.rawValue) a dispute (\(DisputeRules.whoMay(action)))"
        case let .state(state, action):
            state.map { "the dispute is \($0.rawValue): it cannot be \(action.event)" } ?? "there is no dispute to \(action.rawValue)"
        }
    }
}

/// The rules of the state machine, as values: which state each action leads to from which
/// state, and which roles may take it. No transition skips a state (a dispute is decided only
/// while open, and only once).
public enum DisputeRules {
    /// The state after `action` from `state` (nil: no dispute yet), or why not.
    public static func next(from state: DisputeState?, _ action: DisputeAction, by role: Role) -> Result<DisputeState, DisputeRefusal> {
        guard allowed(action, role) else { return .failure(.role(role, action)) }
        switch (state, action) {
        case (nil, .open): return .success(.open)
        case (.open?, .accept): return .success(.accepted)
        case (.open?, .reject): return .success(.rejected)
        case (.open?, .withdraw): return .success(.withdrawn)
        default: return .failure(.state(state, action))
        }
    }

    /// Agents (their own calls) and supervisors (their teams' calls) raise and withdraw; QA
    /// accepts and rejects. Admins manage accounts, not scores.
    public static func allowed(_ action: DisputeAction, _ role: Role) -> Bool {
        switch action {
        case .open, .withdraw: role == .agent || role == .supervisor
        case .accept, .reject: role == .qa
        }
    }

    static func whoMay(_ action: DisputeAction) -> String {
        let roles = Role.allCases.filter { allowed(action, $0) }.map(\.rawValue)
        return "only " + roles.joined(separator: " or ") + " may"
    }
}

/// How long after an answer is stored it may be disputed.
public struct DisputeWindow: Sendable, Equatable {
    /// Days (default 7; `disputes.window_days` in the settings file, `--dispute-window-days`).
    public var days: Double

    public init(days: Double = 7) { self.days = days }

    /// The last instant (epoch s) at which an answer stored at `storedEpoch` may be disputed.
    public func deadline(storedEpoch: Double) -> Double { storedEpoch + days * 86_400 }

    /// Whether an answer stored at `storedEpoch` may still be disputed at `nowEpoch`.
    public func isOpen(storedEpoch: Double, nowEpoch: Double) -> Bool { nowEpoch <= deadline(storedEpoch: storedEpoch) }
}

/// One step of a dispute's history, as stored (never updated).
public struct DisputeEvent: Sendable, Equatable {
    public var action: DisputeAction
    /// The account that acted, and its role then.
    public var actor: String
    public var role: Role
    /// ISO 8601 UTC.
    public var at: String
    /// The reason given (opening, rejecting, accepting); nil for a withdrawal without one.
    public var reason: String?
    /// The criterion's answer before and after this step (they differ only on `accepted`).
    public var answerBefore: String
    public var answerAfter: String

    public init(action: DisputeAction, actor: String, role: Role, at: String, reason: String?, answerBefore: String, answerAfter: String) {
        self.action = action
        self.actor = actor
        self.role = role
        self.at = at
        self.reason = reason
        self.answerBefore = answerBefore
        self.answerAfter = answerAfter
    }
}

/// A dispute with everything needed to show it: the answer disputed (and who gave it, when),
/// its state, its history.
public struct Dispute: Sendable, Equatable {
    public var id: Int64
    public var callID: String
    public var cardID: String
    public var criterionID: String
    /// The call's agent (whose score it is).
    public var agentID: String?
    public var team: String?
    public var state: DisputeState
    /// The answer disputed, the evaluator who gave it, when they gave it and when it was stored.
    public var answer: String
    public var evaluator: String
    public var evaluatedAt: String
    public var answerStoredAt: String
    /// The window in force when it was opened (days) and the deadline it was opened within.
    public var windowDays: Double
    public var deadline: String
    public var reason: String
    public var openedBy: String
    public var openedRole: Role
    /// ISO 8601 UTC.
    public var openedAt: String
    public var openedEpoch: Double
    /// Who decided (or withdrew), when, why.
    public var resolvedBy: String?
    public var resolvedAt: String?
    public var resolution: String?
    /// The answer QA gave when accepting.
    public var newAnswer: String?
    /// Every step, oldest first.
    public var history: [DisputeEvent]

    public init(id: Int64, callID: String, cardID: String, criterionID: String, agentID: String?, team: String?, state: DisputeState,
                answer: String, evaluator: String, evaluatedAt: String, answerStoredAt: String, windowDays: Double, deadline: String,
                reason: String, openedBy: String, openedRole: Role, openedAt: String, openedEpoch: Double, resolvedBy: String?,
                resolvedAt: String?, resolution: String?, newAnswer: String?, history: [DisputeEvent]) {
        self.id = id
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
        self.agentID = agentID
        self.team = team
        self.state = state
        self.answer = answer
        self.evaluator = evaluator
        self.evaluatedAt = evaluatedAt
        self.answerStoredAt = answerStoredAt
        self.windowDays = windowDays
        self.deadline = deadline
        self.reason = reason
        self.openedBy = openedBy
        self.openedRole = openedRole
        self.openedAt = openedAt
        self.openedEpoch = openedEpoch
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
        self.resolution = resolution
        self.newAnswer = newAnswer
        self.history = history
    }
}

/// Dispute texts (reasons, resolutions) are bounded: people write sentences, not files.
public enum DisputeText {
    public static let maxCharacters = 2000

    /// The text on one line (line breaks, tabs and other control characters become spaces)
    /// and trimmed; nil when empty (a reason is required) or longer than the limit.
    public static func reason(_ text: String) -> String? {
        let t = oneLine(text)
        return t.isEmpty || t.count > maxCharacters ? nil : t
    }

    /// Control characters (line breaks included) as spaces, trimmed: reasons and notes are
    /// shown in table cells, terminal lines and the audit log.
    public static func oneLine(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars { out.unicodeScalars.append(u.properties.generalCategory == .control ? " " : u) }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

/// Disputes of a period counted by one key (an evaluator; a card and criterion).
public struct DisputeCounts: Sendable, Equatable {
    /// `[evaluator]` or `[card, criterion]`.
    public var key: [String]
    public var opened = 0
    /// Still open.
    public var pending = 0
    public var accepted = 0
    public var rejected = 0
    public var withdrawn = 0

    public init(key: [String]) { self.key = key }

    /// Accepted among the decided ones (0–1); nil before any decision.
    public var acceptedShare: Double? {
        accepted + rejected > 0 ? Double(accepted) / Double(accepted + rejected) : nil
    }
}

/// The disputes of a period and their counts.
public struct DisputeReport: Sendable, Equatable {
    /// Newest first.
    public var disputes: [Dispute]
    public var byEvaluator: [DisputeCounts]
    public var byCriterion: [DisputeCounts]

    public init(disputes: [Dispute], byEvaluator: [DisputeCounts], byCriterion: [DisputeCounts]) {
        self.disputes = disputes
        self.byEvaluator = byEvaluator
        self.byCriterion = byCriterion
    }
}

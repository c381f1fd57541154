import CallQAModel
import Foundation
import Store

/// Coaching notes as the workspace and the command line use them: supervisors and QA write
/// them about an agent in their scope, the agent acknowledges them, the writer's side marks
/// the follow-up done; a supervisor's list shows what is waiting.
public enum CoachingNotes {
    /// The outcome of writing, acknowledging or following up a note.
    public enum Result: Sendable, Equatable {
        case done(CoachingNote)
        /// The agent or note is unknown or outside the account's scope.
        case notFound
        /// The role may not do this.
        case refused(String)
        /// Not now (already acknowledged, follow-up already done, no follow-up planned).
        case conflict(String)
        case invalid(String)
    }

    /// Records a note about `agentID`: what to keep, what to change, references
    /// (`CALL`, `CALL@SECONDS`, `CALL@START-END`, separated by commas or spaces) and an
    /// optional follow-up date (`YYYY-MM-DD`).
    public static func add(_ store: CallStore, agentID: String, keep: String, change: String, references: String, followUp: String?,
                           by account: Account, nowEpoch: Double) throws -> Result {
        guard CoachingRules.mayWrite(account.role) else { return .refused("\(account.role.withArticle) may not write coaching notes (supervisors and qa do)") }
        let texts: (keep: String, change: String)
        switch CoachingText.check(keep: keep, change: change) {
        case let .failure(e): return .invalid(e.description)
        case let .success(t): texts = t
        }
        let refs: [CoachingReference]
        switch CoachingReference.list(references) {
        case let .failure(e): return .invalid(e.description)
        case let .success(r): refs = r
        }
        var date: String?
        if let f = followUp?.trimmingCharacters(in: .whitespaces), !f.isEmpty {
            guard let d = CoachingText.date(f) else { return .invalid(CoachingInputError.date(f).description) }
            date = d
        }
        switch try store.addCoachingNote(agentID: agentID, keep: texts.keep, change: texts.change, references: refs, followUpDate: date,
                                         by: account.name, role: account.role, nowEpoch: nowEpoch, scope: account.scope) {
        case let .added(n): return .done(n)
        case .notFound: return .notFound
        case let .refused(r): return .refused("\(r.withArticle) may not write coaching notes")
        case let .badReference(c): return .invalid("reference \(c.debugDescription): not a call of agent \(agentID)")
        }
    }

    /// The agent acknowledges a note about them.
    public static func acknowledge(_ store: CallStore, id: Int64, by account: Account, nowEpoch: Double) throws -> Result {
        try outcome(store.acknowledgeCoachingNote(id: id, by: account.name, role: account.role, nowEpoch: nowEpoch, scope: account.scope),
                    already: "acknowledged already")
    }

    /// A supervisor or QA marks the follow-up of a note done, with its result.
    public static func followUp(_ store: CallStore, id: Int64, result: String, by account: Account, nowEpoch: Double) throws -> Result {
        let text = DisputeText.oneLine(result)
        guard CoachingRules.mayWrite(account.role) else { return .refused("\(account.role.withArticle) may not close follow-ups") }
        guard !text.isEmpty, text.count <= CoachingText.maxCharacters else {
            return .invalid("the follow-up needs a result (1 to \(CoachingText.maxCharacters) characters)")
        }
        return try outcome(store.completeCoachingFollowUp(id: id, result: text, by: account.name, role: account.role, nowEpoch: nowEpoch,
                                                          scope: account.scope), already: "its follow-up is done already")
    }

    static func outcome(_ o: CoachingActionOutcome, already: String) -> Result {
        switch o {
        case let .done(n): .done(n)
        case .notFound: .notFound
        case let .refused(r): .refused("\(r.withArticle) may not do this")
        case .already: .conflict("this note is \(already)")
        case .noFollowUp: .conflict("this note plans no follow-up")
        }
    }

    /// What a supervisor (or QA) has waiting: notes the agents have not acknowledged, and
    /// follow-ups whose date has passed (`today`, `YYYY-MM-DD`) and are not done.
    public struct Waiting: Sendable, Equatable {
        public var unacknowledged: [CoachingNote]
        public var overdue: [CoachingNote]
        /// Every note of the period, newest first.
        public var recent: [CoachingNote]
    }

    public static func waiting(_ store: CallStore, for account: Account, today: String, written: Period = .all, agentID: String? = nil) throws -> Waiting {
        let scope = account.scope
        return Waiting(unacknowledged: try store.coachingNotes(CoachingFilter(agentID: agentID, unacknowledged: true), scope: scope),
                       overdue: try store.coachingNotes(CoachingFilter(agentID: agentID, overdueBefore: today), scope: scope),
                       recent: try store.coachingNotes(CoachingFilter(agentID: agentID, written: written), scope: scope))
    }

    /// Today's date (`YYYY-MM-DD`, UTC) at `nowEpoch`: what a follow-up date is compared with.
    public static func today(_ nowEpoch: Double) -> String {
        String(Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0).iso8601.prefix(10))
    }
}

import ArgumentParser
import CallQAModel
import Foundation
import Pipeline
import Reports
import Store
import Workspace

extension DisputeState: ExpressibleByArgument {}

/// `--as USER`: the workspace account a command acts as. Its role decides what it may do,
/// exactly as in the workspace; the audit log records `cli:LOGIN as USER`.
struct ActingUser: ParsableArguments {
    @Option(name: .customLong("as"), help: "The workspace account acting (its role decides what it may do).")
    var user: String

    /// The enabled account named `user`; exit status 1 when there is none.
    func account(_ store: CallStore) throws -> Account {
        guard let c = try storeCall({ try store.credentials(name: user) }) else {
            Terminal.error("--as: no user named '\(user)'; see callqa users list")
            throw ExitCode(1)
        }
        guard !c.disabled else {
            Terminal.error("--as: user '\(c.account.name)' is disabled")
            throw ExitCode(1)
        }
        return c.account
    }

    func actor(_ account: Account) -> String { UsersCommand.actor + " as " + account.name }
}

/// Prints a refusal and exits with status 1.
func refuse(_ message: String) -> ExitCode {
    Terminal.error(message)
    return ExitCode(1)
}

// MARK: Disputes

struct DisputesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disputes",
        abstract: "Disputes of evaluator answers: list, show, raise, accept, reject, withdraw.",
        discussion: """
            Agents (their own calls) and supervisors (their teams' calls) raise a dispute of one criterion's answer, with a reason, \
            within the window after the answer was stored (7 days unless disputes.window_days in the settings file says otherwise). QA accepts \
            (the answer changes, attributed to them, and the call is rescored) or rejects it, with a reason. --as names the \
            workspace account acting; its role and scope apply as in the workspace. Every step is kept and audited.
            """,
        subcommands: [List.self, Show.self, Open.self, Accept.self, Reject.self, Withdraw.self]
    )

    /// Prints what happened, or why not (exit status 1), and audits it.
    static func finish(_ result: Disputes.Result, store: CallStore, actor: String) throws {
        switch result {
        case .notFound: throw refuse("no such dispute, call or evaluator answer (or not within the account's scope)")
        case let .refused(r): throw refuse(r.description)
        case let .conflict(why), let .invalid(why): throw refuse(why)
        case let .done(d, before, after):
            let action: AuditAction = switch d.state {
            case .open: .disputeOpened
            case .accepted: .disputeAccepted
            case .rejected: .disputeRejected
            case .withdrawn: .disputeWithdrawn
            }
            var detail = "\(d.cardID)/\(d.criterionID): answer \(d.answer) by \(d.evaluator)"
            if d.state == .accepted { detail += " → \(d.newAnswer ?? ""); score \(Pages.scoreText(before)) → \(Pages.scoreText(after))" }
            detail += "; reason: " + (d.state == .open ? d.reason : d.resolution ?? "")
            try storeCall {
                try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: action, actor: actor, callID: d.callID,
                                                 target: "dispute \(d.id)", detail: detail))
            }
            var line = "dispute \(d.id) \(d.state.rawValue): call \(d.callID), \(d.cardID)/\(d.criterionID), answer \(d.answer) by \(d.evaluator)"
            if let n = d.newAnswer { line += " → \(n)" }
            if d.state == .accepted { line += "; score \(Pages.scoreText(before)) → \(Pages.scoreText(after))" }
            if d.state == .open { line += "; may be decided by qa (deadline for raising was \(d.deadline))" }
            print(Terminal.safe(line))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List disputes (newest first), by when they were opened.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var periodOptions: PeriodOptions
        @Option(help: "Only disputes in this state.") var state: DisputeState?
        @Option(help: "Only the disputes of this call.") var call: String?
        @OptionGroup var output: ReportOutputOptions

        func run() throws {
            let store = try database.open(forReading: true)
            var filter = DisputeFilter(opened: try periodOptions.period(), state: state, callID: call)
            filter.limit = 100_000
            let disputes = try storeCall { try store.disputes(filter, scope: .everything) }
            let report = DisputeReport(disputes: disputes, byEvaluator: [], byCriterion: [])
            try output.emit([QALoopReports.disputeTables(report, periodText: ReportDisputesCommand.periodText(periodOptions))[2]])
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One dispute and its history (answer, dispute, decision, new answer).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The dispute number.") var id: Int64
        @OptionGroup var output: ReportOutputOptions

        func run() throws {
            let store = try database.open(forReading: true)
            guard let d = try storeCall({ try store.dispute(id: id, scope: .everything) }) else { throw refuse("no dispute \(id)") }
            try output.emit([QALoopReports.disputeHistory(d)])
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "open", abstract: "Raise a dispute of one criterion's answer (an agent or supervisor account).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The call.") var call: String
        @Option(help: "The card id.") var card: String
        @Option(help: "The criterion id.") var criterion: String
        @Option(help: "Why the answer is wrong.") var reason: String
        @OptionGroup var acting: ActingUser
        @Option(name: .customLong("window-days"), help: "Days after an answer is stored during which it may be disputed (default: the settings file's, else 7).")
        var windowDays: Double?
        @OptionGroup var configOption: ConfigOption

        func validate() throws {
            if let windowDays, !(windowDays > 0 && windowDays <= 3650) { throw ValidationError("--window-days: expected days > 0 and at most 3650") }
        }

        func run() throws {
            let window = try windowDays.map { DisputeWindow(days: $0) } ?? configOption.settings().disputeWindow
            let store = try database.open()
            let account = try acting.account(store)
            let result = try storeCall {
                try Disputes.open(store, callID: call, cardID: card, criterionID: criterion, reason: reason, by: account, window: window,
                                  nowEpoch: Date().timeIntervalSince1970)
            }
            try DisputesCommand.finish(result, store: store, actor: acting.actor(account))
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "accept", abstract: "Accept an open dispute (a qa account): the answer changes and the call is rescored.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The dispute number.") var id: Int64
        @Option(help: "The new answer: yes, no, partial, n/a, or a point of the criterion's scale.") var answer: String
        @Option(help: "Why the dispute is accepted.") var reason: String
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            let result = try storeCall { try Disputes.accept(store, id: id, newAnswer: answer, reason: reason, by: account, nowEpoch: Date().timeIntervalSince1970) }
            try DisputesCommand.finish(result, store: store, actor: acting.actor(account))
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject an open dispute (a qa account), with a reason; the answer stays.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The dispute number.") var id: Int64
        @Option(help: "Why the answer stands.") var reason: String
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            let result = try storeCall { try Disputes.reject(store, id: id, reason: reason, by: account, nowEpoch: Date().timeIntervalSince1970) }
            try DisputesCommand.finish(result, store: store, actor: acting.actor(account))
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Withdraw an open dispute (an agent or supervisor account).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The dispute number.") var id: Int64
        @Option(help: "Why (optional).") var reason: String?
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            let result = try storeCall { try Disputes.withdraw(store, id: id, reason: reason, by: account, nowEpoch: Date().timeIntervalSince1970) }
            try DisputesCommand.finish(result, store: store, actor: acting.actor(account))
        }
    }
}

/// `callqa report disputes`: opened / accepted / rejected per evaluator and per criterion.
struct ReportDisputesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disputes",
        abstract: "Disputes opened in a period: per evaluator whose answer was disputed, per criterion, and each dispute.",
        discussion: "The period is when the disputes were opened (--from/--to: UTC days, or days in --tz). A criterion whose disputes are often accepted is a badly written criterion.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions
    @Option(help: "Only the calls of this team.") var team: String?
    @Option(help: "Only the calls of this agent.") var agent: String?

    static func periodText(_ p: PeriodOptions) -> String {
        switch (p.from, p.to) {
        case let (f?, t?): "opened \(f) to \(t)"
        case let (f?, nil): "opened from \(f)"
        case let (nil, t?): "opened up to \(t)"
        case (nil, nil): "opened at any time"
        }
    }

    func run() throws {
        let store = try database.open(forReading: true)
        let report = try storeCall {
            try Disputes.report(store, opened: try periodOptions.period(), scope: Scope.everything.narrowed(team: team, agent: agent))
        }
        let tables = QALoopReports.disputeTables(report, periodText: Self.periodText(periodOptions))
        try output.emit(tables) { HTMLReport.page(title: tables[0].title.components(separatedBy: " — ")[0], tables: tables) }
    }
}

// MARK: Calibration

struct CalibrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration",
        abstract: "Calibration sessions: create, list, close, report.",
        discussion: """
            A session is a set of calls scored blind on one card by several evaluators and one expert (the scoring index). \
            Members answer in the workspace (callqa serve → Calibration); nobody sees another's answers until a qa account \
            closes the session. The report gives each evaluator's deviation from the expert, the share within ±10 points \
            (the aim: more than 85 %), and per criterion the agreement among evaluators (percent and Krippendorff's alpha).
            """,
        subcommands: [Create.self, List.self, Close.self, Report.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a session (a qa account).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The session's name.") var name: String
        @Option(help: "The card id (its latest stored version is used for the whole session).") var card: String
        @Option(help: "Comma-separated call ids.") var calls: String
        @Option(help: "Comma-separated user names of the evaluators (qa or supervisor accounts).") var evaluators: String
        @Option(help: "The user name of the expert.") var expert: String
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            func list(_ s: String) -> [String] { s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            let result = try storeCall {
                try Calibrations.create(store, name: name, cardID: card, callIDs: list(calls), evaluators: list(evaluators), expert: expert,
                                        by: account, nowEpoch: Date().timeIntervalSince1970)
            }
            switch result {
            case let .failure(p): throw refuse(p.description)
            case let .success(s):
                try storeCall {
                    try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: .calibrationCreated, actor: acting.actor(account),
                                                     target: "calibration \(s.id)",
                                                     detail: "\(s.name): card \(s.cardID) \(s.cardHash.prefix(8)); calls \(s.calls.joined(separator: " ")); expert \(s.expert?.name ?? ""); evaluators \(s.evaluators.map(\.name).joined(separator: " "))"))
                }
                print(Terminal.safe("calibration session \(s.id) “\(s.name)” created: card \(s.cardID), \(s.calls.count) calls, expert \(s.expert?.name ?? ""), evaluators \(s.evaluators.map(\.name).joined(separator: ", "))"))
                print("members answer in the workspace: /calibration/\(s.id)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions with their progress (calls done per member; never the answers).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: ReportOutputOptions

        func run() throws {
            let store = try database.open(forReading: true)
            let sessions = try storeCall { try store.calibrationSessions(member: nil, scope: .everything) }
            try output.emit([QALoopReports.calibrationSessions(sessions)])
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a session (a qa account): the answers are revealed and frozen.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The session number.") var session: Int64
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            switch try storeCall({ try Calibrations.close(store, id: session, by: account, nowEpoch: Date().timeIntervalSince1970) }) {
            case nil: throw refuse("no calibration session \(session)")
            case let .failure(p)?: throw refuse(p.description)
            case let .success(s)?:
                try storeCall {
                    try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: .calibrationClosed, actor: acting.actor(account),
                                                     target: "calibration \(s.id)", detail: s.name))
                }
                print(Terminal.safe("calibration session \(s.id) “\(s.name)” closed; callqa calibration report \(s.id)"))
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "report", abstract: "The results of a closed session: evaluators against the expert, scores per call, agreement per criterion.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The session number.") var session: Int64
        @Flag(help: "Add every member's answers (one row per call and criterion).") var answers = false
        @OptionGroup var output: ReportOutputOptions

        func run() throws {
            let store = try database.open(forReading: true)
            switch try storeCall({ try Calibrations.report(store, id: session) }) {
            case let .failure(p): throw refuse(p.description)
            case let .success(r):
                let tables = QALoopReports.calibrationTables(r) + (answers ? [QALoopReports.calibrationAnswers(r)] : [])
                try output.emit(tables) { HTMLReport.page(title: "Calibration \(r.session.id) “\(r.session.name)”", tables: tables) }
            }
        }
    }
}

// MARK: Coaching

struct CoachingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coaching",
        abstract: "Coaching notes: record one, list them (what is waiting), mark a follow-up done.",
        discussion: "Supervisors (their teams' agents) and qa accounts write notes; agents acknowledge them in the workspace. --as names the account acting.",
        subcommands: [Add.self, List.self, Done.self]
    )

    static func audit(_ store: CallStore, _ action: AuditAction, _ actor: String, _ note: CoachingNote, detail: String) throws {
        try storeCall {
            try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: action, actor: actor,
                                             callID: note.references.first?.callID, target: "coaching \(note.id)", detail: detail))
        }
    }

    static func check(_ result: CoachingNotes.Result) throws -> CoachingNote {
        switch result {
        case let .done(n): return n
        case .notFound: throw refuse("no such agent or note (or not within the account's scope)")
        case let .refused(why), let .conflict(why), let .invalid(why): throw refuse(why)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a coaching note about an agent (a supervisor or qa account).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The agent id.") var agent: String
        @Option(help: "What to keep doing.") var keep: String = ""
        @Option(help: "What to change.") var change: String = ""
        @Option(help: "The calls and seconds it refers to: CALL, CALL@SECONDS or CALL@START-END, comma-separated.") var calls: String = ""
        @Option(name: .customLong("follow-up"), help: "Follow-up date (YYYY-MM-DD).") var followUp: String?
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            let note = try check(try storeCall {
                try CoachingNotes.add(store, agentID: agent, keep: keep, change: change, references: calls, followUp: followUp, by: account,
                                      nowEpoch: Date().timeIntervalSince1970)
            })
            try audit(store, .coachingNote, acting.actor(account), note,
                      detail: "agent \(agent); calls \(note.references.map(\.text).joined(separator: " ")); follow-up \(note.followUpDate ?? "none")")
            print(Terminal.safe("coaching note \(note.id) for agent \(agent) recorded\(note.followUpDate.map { ", follow-up \($0)" } ?? ""); the agent acknowledges it in the workspace"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List coaching notes, newest first; --waiting: not acknowledged, or follow-up overdue.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this agent's notes.") var agent: String?
        @Option(help: "Only the notes of this team's agents.") var team: String?
        @Flag(help: "Only what waits: notes not acknowledged, and follow-ups whose date has passed (UTC) and are not done.") var waiting = false
        @OptionGroup var output: ReportOutputOptions

        func run() throws {
            let store = try database.open(forReading: true)
            let today = CoachingNotes.today(Date().timeIntervalSince1970)
            let scope = Scope.everything.narrowed(team: team)
            var notes = try storeCall { try store.coachingNotes(CoachingFilter(agentID: agent), scope: scope) }
            if waiting { notes = notes.filter { !$0.acknowledged || $0.overdue(today: today) } }
            let title = waiting ? "Coaching notes waiting (not acknowledged, or follow-up overdue on \(today))" : "Coaching notes"
            try output.emit([QALoopReports.coachingTable(notes, title: title, today: today)])
        }
    }

    struct Done: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Mark a note's follow-up done, with its result (a supervisor or qa account).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The note number.") var note: Int64
        @Option(help: "What came of the follow-up.") var result: String
        @OptionGroup var acting: ActingUser

        func run() throws {
            let store = try database.open()
            let account = try acting.account(store)
            let n = try check(try storeCall { try CoachingNotes.followUp(store, id: note, result: result, by: account, nowEpoch: Date().timeIntervalSince1970) })
            try audit(store, .coachingFollowUp, acting.actor(account), n, detail: "agent \(n.agentID); result: \(result)")
            print(Terminal.safe("coaching note \(n.id): follow-up done"))
        }
    }
}

import Analytics
import CallQAModel
import Foundation

/// The tables of the loops around a score — the dispute report, a calibration session's
/// results, coaching notes — for the terminal, CSV, JSON and HTML, from model values alone.
public enum QALoopReports {
    // MARK: Disputes

    static let countColumns = [Column("opened", .count), Column("pending", "open", .count), Column("accepted", .count),
                               Column("rejected", .count), Column("withdrawn", .count), Column("accepted_share", "accepted %", .ratioWhole)]

    static func countCells(_ c: DisputeCounts) -> [Cell] {
        [.int(c.opened), .int(c.pending), .int(c.accepted), .int(c.rejected), .int(c.withdrawn), .opt(c.acceptedShare)]
    }

    /// Per evaluator whose answers were disputed, per card criterion, and the disputes
    /// themselves; `periodText` says which openings they cover ("opened 2026-11-01 to …").
    public static func disputeTables(_ r: DisputeReport, periodText: String) -> [ReportTable] {
        let n = r.disputes.count
        let head = "Disputes \(periodText) · \(n) dispute\(n == 1 ? "" : "s")"
        let share = "accepted % = accepted / (accepted + rejected): how often the disputed answer was changed once QA decided"
        let evaluators = ReportTable(
            name: "disputes_by_evaluator", title: "\(head) — by evaluator whose answer was disputed",
            columns: [Column("evaluator", .text).width(24)] + countColumns,
            rows: r.byEvaluator.map { [.text($0.key.first ?? "")] + countCells($0) }, notes: [share])
        let criteria = ReportTable(
            name: "disputes_by_criterion", title: "\(head) — by criterion",
            columns: [Column("scorecard", "card", .text).width(22), Column("criterion", .text).width(24)] + countColumns,
            rows: r.byCriterion.map { [.text($0.key.first ?? ""), .text($0.key.count > 1 ? $0.key[1] : "")] + countCells($0) },
            notes: ["a criterion whose disputes are often accepted is worded or trained badly: rewrite it or calibrate on it"])
        let list = ReportTable(
            name: "disputes", title: "\(head) — each dispute",
            columns: [Column("dispute_id", "id", .count), Column("call_id", "call", .text), Column("agent_id", "agent", .text),
                      Column("scorecard", "card", .text, inTable: false), Column("criterion", .text).width(20), Column("state", .text),
                      Column("answer", .text), Column("new_answer", "new", .text), Column("evaluator", .text).width(16),
                      Column("opened_by", "by", .text).width(12), Column("opened_at", "opened", .text, inTable: false),
                      Column("reason", .text).width(24), Column("resolved_by", "decided by", .text).width(12),
                      Column("resolved_at", "decided", .text, inTable: false), Column("resolution", .text).width(24),
                      Column("deadline_at", .text, inTable: false)],
            rows: r.disputes.map { d in
                [.int(Int(d.id)), .text(d.callID), .opt(d.agentID), .text(d.cardID), .text(d.criterionID), .text(d.state.rawValue),
                 .text(d.answer), .opt(d.newAnswer), .text(d.evaluator), .text(d.openedBy), .text(d.openedAt), .text(d.reason),
                 .opt(d.resolvedBy), .opt(d.resolvedAt), .opt(d.resolution), .text(d.deadline)]
            })
        return [evaluators, criteria, list]
    }

    /// One dispute's history, oldest first (the terminal's `disputes show`).
    public static func disputeHistory(_ d: Dispute) -> ReportTable {
        ReportTable(
            name: "dispute_history",
            title: "Dispute \(d.id) · call \(d.callID) · \(d.cardID) / \(d.criterionID) · \(d.state.rawValue) · answer \(d.answer) by \(d.evaluator) (\(d.evaluatedAt))",
            columns: [Column("at", .text), Column("action", .text), Column("actor", "by", .text), Column("role", .text),
                      Column("answer_before", "before", .text), Column("answer_after", "after", .text), Column("reason", .text).width(50)],
            rows: d.history.map { e in
                [.text(e.at), .text(e.action.event), .text(e.actor), .text(e.role.rawValue), .text(e.answerBefore), .text(e.answerAfter), .opt(e.reason)]
            })
    }

    // MARK: Calibration

    /// The results of a closed session: per evaluator against the expert, each call's scores,
    /// and per criterion the agreement among the evaluators.
    public static func calibrationTables(_ r: CalibrationResults) -> [ReportTable] {
        let s = r.session
        let head = "Calibration \(s.id) “\(s.name)” · \(r.cardName) [\(s.cardID) \(s.cardHash.prefix(8))] · \(s.calls.count) call\(s.calls.count == 1 ? "" : "s")"
            + " · expert \(s.expert?.name ?? "—") · closed \(s.closedAt ?? "no")"
        let tol = JSONValue.format(r.tolerance, decimals: 0)
        let overall = r.overall
        var evaluators = ReportTable(
            name: "calibration_evaluators", title: "\(head) — evaluators against the expert",
            columns: [Column("evaluator", .text).width(20), Column("calls", .count), Column("compared", .count),
                      Column("mean_deviation", "mean dev", .number(decimals: 1)), Column("mean_abs_deviation", "mean |dev|", .number(decimals: 1)),
                      Column("within", "within ±\(tol)", .count), Column("within_share", "within %", .ratioWhole), Column("verdict", .text)],
            rows: r.evaluators.map { e in
                let verdict: String = e.withinShare.map { $0 > r.aim ? "calibrated" : "below aim" } ?? "no comparable call"
                return [.text(e.evaluator), .int(e.calls), .int(e.compared), .opt(e.meanDeviation), .opt(e.meanAbsoluteDeviation),
                        .int(e.within), .opt(e.withinShare), .text(verdict)]
            })
        evaluators.notes = [
            "deviation = evaluator's score − expert's score (points; positive: more lenient than the expert); compared = calls where both answered every manual criterion",
            "within = |deviation| ≤ \(tol) points; the aim is more than \(JSONValue.format(r.aim * 100, decimals: 0)) % within"
                + (overall.share.map { "; all evaluators: \(overall.within) of \(overall.compared) (\(JSONValue.format($0 * 100, decimals: 0)) %)" } ?? ""),
        ]
        let scores = ReportTable(
            name: "calibration_scores", title: "\(head) — scores per call",
            columns: [Column("call_id", "call", .text), Column("evaluator", .text).width(20), Column("score", .percent),
                      Column("expert_score", "expert", .percent), Column("deviation", "dev", .number(decimals: 1)), Column("within", .text)],
            rows: r.deviations.map { d in
                [.text(d.callID), .text(d.evaluator), .opt(d.score), .opt(d.expertScore), .opt(d.deviation),
                 .text(d.within(r.tolerance).map { $0 ? "yes" : "no" } ?? "—")]
            })
        var criteria = ReportTable(
            name: "calibration_criteria", title: "\(head) — agreement among evaluators per criterion",
            columns: [Column("criterion", .text).width(20), Column("text", .text).width(30), Column("calls", .count),
                      Column("answers", .count), Column("percent_agreement", "agree %", .ratioWhole), Column("alpha", "α", .number(decimals: 3)),
                      Column("expert_match_share", "= expert %", .ratioWhole), Column("note", .text).width(34)],
            rows: r.criteria.map { c in
                [.text(c.criterionID), .text(c.text), .int(c.agreement.units), .int(c.agreement.pairableValues), .opt(c.agreement.percent),
                 .opt(c.agreement.alpha), .opt(c.expertMatchShare), .opt(c.agreement.alphaUndefined)]
            })
        criteria.notes = [
            "calls = calls with answers from at least two evaluators; agree % = mean over those calls of the share of agreeing pairs of answers",
            "α = Krippendorff's alpha for nominal answers (1 perfect, 0 chance level, below 0 worse than chance; undefined when every answer is the same); = expert % = evaluator answers equal to the expert's",
        ]
        return [evaluators, scores, criteria]
    }

    /// Every member's answers of a closed session, one row per call and criterion.
    public static func calibrationAnswers(_ r: CalibrationResults) -> ReportTable {
        let members = r.session.members
        var rows: [[Cell]] = []
        for call in r.session.calls {
            var criteria: [String] = []
            for a in r.answers where a.callID == call && !criteria.contains(a.criterionID) { criteria.append(a.criterionID) }
            for c in criteria {
                rows.append([.text(call), .text(c)] + members.map { m in
                    .opt(r.answers.first { $0.callID == call && $0.criterionID == c && $0.userID == m.userID }?.answer)
                })
            }
        }
        return ReportTable(name: "calibration_answers", title: "Calibration \(r.session.id) — every answer",
                           columns: [Column("call_id", "call", .text), Column("criterion", .text)]
                               + members.map { Column("answer_\($0.name)", $0.role == .expert ? "\($0.name) (expert)" : $0.name, .text) },
                           rows: rows)
    }

    /// Sessions, newest first, with their progress (never answers).
    public static func calibrationSessions(_ sessions: [CalibrationSession]) -> ReportTable {
        ReportTable(name: "calibration_sessions", title: "Calibration sessions",
                    columns: [Column("session_id", "id", .count), Column("name", .text).width(24), Column("scorecard", "card", .text).width(20),
                              Column("state", .text), Column("calls", .count), Column("expert", .text, inTable: false),
                              Column("evaluators", .text, inTable: false), Column("progress", "calls done per member", .text),
                              Column("created", .text).terminal, Column("created_at", .text, inTable: false), Column("closed_at", .text, inTable: false)],
                    rows: sessions.map { s in
                        let progress = s.members.map { "\($0.name)\($0.role == .expert ? "*" : "") \($0.callsDone)/\(s.callCount)" }.joined(separator: ", ")
                        return [.int(Int(s.id)), .text(s.name), .text(s.cardID), .text(s.state.rawValue), .int(s.callCount), .opt(s.expert?.name),
                                .text(s.evaluators.map(\.name).joined(separator: ", ")), .text(progress), .text(String(s.createdAt.prefix(10))),
                                .text(s.createdAt), .opt(s.closedAt)]
                    }, notes: ["* the expert; members answer in the workspace, and nobody sees another's answers until the session is closed"])
    }

    // MARK: Coaching

    /// Coaching notes, newest first; `today` (`YYYY-MM-DD`) decides which follow-ups are overdue.
    public static func coachingTable(_ notes: [CoachingNote], title: String, today: String) -> ReportTable {
        ReportTable(name: "coaching", title: title,
                    columns: [Column("note_id", "id", .count), Column("agent_id", "agent", .text), Column("written", .text).terminal,
                              Column("created_at", .text, inTable: false), Column("author", "by", .text).width(12),
                              Column("keep", .text).width(20), Column("change", .text).width(20), Column("references", "calls", .text).width(20),
                              Column("follow_up", "follow-up", .text), Column("status", .text),
                              Column("acknowledged_at", .text, inTable: false), Column("follow_up_done_at", .text, inTable: false),
                              Column("follow_up_result", .text, inTable: false)],
                    rows: notes.map { n in
                        var status: [String] = [n.acknowledged ? "acknowledged" : "NOT acknowledged"]
                        if n.followUpDoneAt != nil { status.append("followed up") } else if n.overdue(today: today) { status.append("OVERDUE") }
                        return [.int(Int(n.id)), .text(n.agentID), .text(n.createdDate), .text(n.createdAt), .text(n.author), .text(n.keep), .text(n.change),
                                .text(n.references.map(\.text).joined(separator: " ")), .opt(n.followUpDate), .text(status.joined(separator: ", ")),
                                .opt(n.acknowledgedAt), .opt(n.followUpDoneAt), .opt(n.followUpResult)]
                    })
    }
}

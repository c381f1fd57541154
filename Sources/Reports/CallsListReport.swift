import CallQAModel

/// The calls of a static report folder's period (`calls.html`), one table per day, each
/// call linking to its page: what the KPI's offered, answered and abandoned calls of a day
/// link to.
public enum CallsListReport {
    /// One table per local day (`calls_YYYY-MM-DD`, see `ReportFolder.dayTableName`), in the
    /// rows' order.
    public static func tables(_ rows: [CallListRow]) -> [ReportTable] {
        var days: [(day: String, rows: [CallListRow])] = []
        for r in rows {
            // The local day of a call is the date its start carries (`started_at` keeps the offset).
            let day = String(r.startedAt.prefix(10))
            if days.last?.day == day { days[days.count - 1].rows.append(r) } else { days.append((day, [r])) }
        }
        return days.map { day, rows in
            ReportTable(
                name: ReportFolder.dayTableName(day), title: "Calls of \(day) (\(rows.count))",
                columns: [Column("call_id", "call", .text), Column("started_at", "started", .text), Column("agent_id", "agent", .text),
                          Column("agent_name", "name", .text), Column("queue", .text), Column("direction", .text),
                          Column("answered", .text), Column("handle_s", "handle s", .wholeSeconds), Column("score", .percent),
                          Column("card_id", "card", .text), Column("status", .text), Column("nps", "NPS", .count), Column("health", .text)],
                rows: rows.map { r in
                    var status: [String] = []
                    if r.provisional { status.append("provisional") }
                    if r.criticalFailed { status.append("critical fail") }
                    return [.text(r.callID), .text(r.startedAt), .opt(r.agentID), .opt(r.agentName), .opt(r.queue), .opt(r.direction),
                            .text(r.answered ? "yes" : "no"), .opt(r.handleS), .opt(r.score), .opt(r.cardID), .text(status.joined(separator: ", ")),
                            .opt(r.nps), .text(r.health.joined(separator: ", "))]
                },
                kind: "calls",
                notes: ["score = the call's lowest current score over the cards that scored it (card names which); provisional = manual criteria not answered yet; NPS = the linked survey's answer."])
        }
    }
}

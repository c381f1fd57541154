import Analytics
import CallQAModel
import GRDB

/// The per-day aggregate tables: what one row sums, computed from the base tables by one
/// SELECT per table. The same SELECT rebuilds a day (`refreshAggregates`) and, at read
/// time, stands in for the rows of the days still marked in `agg_dirty` (`source`): a report
/// reads the stored rows of the days that are up to date and computes only the marked days
/// from `calls`, `analyses`, `party_metrics`, `scores` and `surveys`, in one statement and so
/// in one snapshot. Same numbers either way; the test `DayAggregateTests` holds them equal.
enum DayAggregate: String, CaseIterable {
    case calls = "agg_calls_day"
    case scores = "agg_scores_day"
    case kpi = "agg_kpi_hour"
    case nps = "agg_nps_day"

    /// The table's rows for the calls whose local day meets `days` (a condition on
    /// `c.local_date` with `dayArgs`), in the table's column order, with the arguments in
    /// the order of the text. `kpi` gives the thresholds baked into `agg_kpi_hour`.
    /// `CROSS JOIN` keeps `calls` outermost: the days' calls are found by the day index, then
    /// their scores and surveys by call. (Without it, a reader's card condition pushed into
    /// the query leads SQLite to walk every current score of the card first: a second
    /// instead of nothing when no day is marked.)
    func rows(days: String, _ dayArgs: [any DatabaseValueConvertible], kpi: KPISettings) -> (String, [any DatabaseValueConvertible]) {
        switch self {
        case .calls:
            return ("""
                SELECT c.local_date, c.agent_id, coalesce(c.team, ''), coalesce(c.queue, ''), count(*), sum(c.answered),
                    sum(c.answered * (coalesce(c.direction, '') != 'outbound')),
                    total(CASE WHEN c.answered = 1 THEN p.talk_ratio END), count(CASE WHEN c.answered = 1 THEN p.talk_ratio END),
                    total(CASE WHEN c.answered = 1 THEN a.silence_ratio END), count(CASE WHEN c.answered = 1 THEN a.silence_ratio END),
                    total(CASE WHEN c.answered = 1 THEN a.overtalk_ratio END), count(CASE WHEN c.answered = 1 THEN a.overtalk_ratio END),
                    total(CASE WHEN c.answered = 1 THEN c.handle_s END), count(CASE WHEN c.answered = 1 THEN c.handle_s END)
                FROM calls c
                LEFT JOIN analyses a ON a.call_id = c.call_id
                LEFT JOIN party_metrics p ON p.call_id = c.call_id AND p.party = 'agent'
                WHERE c.agent_id IS NOT NULL AND \(days)
                GROUP BY 1, 2, 3, 4
                """, dayArgs)
        case .scores:
            return ("""
                SELECT s.card_id, c.local_date, c.agent_id, coalesce(c.team, ''), coalesce(c.queue, ''), count(*),
                    sum(s.status = 'complete'), sum(s.status = 'provisional'),
                    total(CASE WHEN s.status = 'complete' THEN s.score END), total(CASE WHEN s.status = 'complete' THEN s.score * s.score END),
                    sum(s.status = 'complete' AND s.score >= s.target), sum(s.status = 'complete' AND s.critical_failed = 1),
                    \((0..<10).map { "sum(s.status = 'complete' AND min(9, CAST(s.score / 10 AS INTEGER)) = \($0))" }.joined(separator: ", "))
                FROM calls c CROSS JOIN scores s ON s.call_id = c.call_id AND s.is_current = 1
                WHERE c.agent_id IS NOT NULL AND \(days)
                GROUP BY 1, 2, 3, 4, 5
                """, dayArgs)
        case .kpi:
            return ("""
                SELECT c.local_date, c.local_hour, max(c.local_weekday), coalesce(c.queue, ''), coalesce(c.team, ''),
                    sum(o), sum(1 - o), sum((1 - o) * c.answered), sum((1 - o) * (1 - c.answered)),
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) < ?)),
                    sum((1 - o) * c.answered * (coalesce(c.wait_s, 0) <= ?)),
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) <= ?)),
                    total(CASE WHEN o = 0 AND c.answered = 1 THEN c.wait_s END), count(CASE WHEN o = 0 AND c.answered = 1 THEN c.wait_s END),
                    total(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END), count(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END),
                    sum((1 - o) * c.answered * (c.customer_hash IS NOT NULL)),
                    sum((1 - o) * c.answered * (c.customer_hash IS NOT NULL) * (c.next_call_gap_s IS NULL OR c.next_call_gap_s > ?))
                FROM (SELECT c.*, coalesce(c.direction = 'outbound', 0) AS o FROM calls c WHERE \(days)) c
                GROUP BY 1, 2, 4, 5
                """, [kpi.shortAbandonS, kpi.slThresholdS, kpi.slThresholdS, kpi.fcrWindowS] + dayArgs)
        case .nps:
            return ("""
                SELECT c.local_date, coalesce(c.agent_id, ''), coalesce(c.team, ''), coalesce(c.queue, ''),
                    sum(s.score >= 9), sum(s.score BETWEEN 7 AND 8), sum(s.score <= 6), count(s.csat), sum(coalesce(s.csat >= 4, 0)),
                    \((0...10).map { "sum(s.score = \($0))" }.joined(separator: ", "))
                FROM calls c CROSS JOIN surveys s ON s.linked_call_id = c.call_id AND s.answered = 1
                WHERE \(days)
                GROUP BY 1, 2, 3, 4
                """, dayArgs)
        }
    }

    /// The table's rows for the whole days of `period`: the stored rows of the days that are
    /// up to date, and the rows of the days marked in `agg_dirty` computed from the base
    /// tables. A subquery to put where the table's name would be (`FROM (…) AS t`).
    func source(_ period: Period, kpi: KPISettings = CallStore.defaultKPI) -> (String, [any DatabaseValueConvertible]) {
        let (stored, storedArgs) = CallStore.dayCondition(period)
        let (marked, markedArgs) = CallStore.dayCondition(period)
        let (computed, computedArgs) = CallStore.dayCondition(period, column: "c.local_date")
        let (rows, rowArgs) = rows(days: "c.local_date IN (SELECT local_date FROM agg_dirty WHERE \(marked)) AND \(computed)",
                                   markedArgs + computedArgs, kpi: kpi)
        return ("""
            (SELECT * FROM \(rawValue) WHERE \(stored) AND local_date NOT IN (SELECT local_date FROM agg_dirty)
             UNION ALL
             \(rows))
            """, storedArgs + rowArgs)
    }
}

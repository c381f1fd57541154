import Analytics
import CallRecords
import Foundation
import GRDB

/// Call filters applied in SQL.
public struct CallFilter: Sendable {
    public var team: String?
    public var queue: String?
    public var agent: String?

    public init(team: String? = nil, queue: String? = nil, agent: String? = nil) {
        self.team = team
        self.queue = queue
        self.agent = agent
    }

    func sql(alias c: String = "c") -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        if let team { parts.append("\(c).team = ?"); args.append(team) }
        if let queue { parts.append("\(c).queue = ?"); args.append(queue) }
        if let agent { parts.append("\(c).agent_id = ?"); args.append(agent) }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }
}

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
}

extension CallStore {
    /// KPI groups computed by SQLite in one pass, grouped in each call's own local time
    /// (use `kpiRows` + `KPI.aggregate` to group in another zone).
    public func kpiGroups(period: Period, by dims: [KPIDimension], settings s: KPISettings, filter: CallFilter) throws(StoreError) -> [KPIGroup] {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = filter.sql()
            let exprs = dims.map { d -> String in
                switch d {
                case .day: "c.local_date"
                case .hour: "printf('%02d', c.local_hour)"
                case .weekday: "c.local_weekday"
                case .queue: "coalesce(c.queue, '(none)')"
                case .team: "coalesce(c.team, '(none)')"
                case .dialed: "coalesce(c.dialed, '(none)')"
                case .agent: "coalesce(c.agent_id, '(none)')"
                }
            }
            let select = exprs.enumerated().map { "\($0.element) AS k\($0.offset)" }
            let keys: String = (0..<dims.count).map { "k\($0)" }.joined(separator: ", ")
            let grouping: String = dims.isEmpty ? "" : "GROUP BY \(keys) ORDER BY \(keys)"
            let sql = """
                SELECT \((select + [""]).joined(separator: ", "))
                    sum(o) AS outbound, sum(1 - o) AS offered,
                    sum((1 - o) * c.answered) AS answered, sum((1 - o) * (1 - c.answered)) AS abandoned,
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) < ?)) AS short_ab,
                    sum((1 - o) * c.answered * (coalesce(c.wait_s, 0) <= ?)) AS answered_t,
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) <= ?)) AS abandoned_t,
                    avg(CASE WHEN o = 0 AND c.answered = 1 THEN c.wait_s END) AS asa,
                    avg(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END) AS aht,
                    count(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END) AS aht_n,
                    sum((1 - o) * c.answered * (c.caller_hash IS NOT NULL)) AS fcr_n,
                    sum((1 - o) * c.answered * (c.caller_hash IS NOT NULL) * (c.next_call_gap_s IS NULL OR c.next_call_gap_s > ?)) AS fcr_ok,
                    count(DISTINCT CASE WHEN o = 0 AND c.answered = 1 THEN coalesce(c.agent_id, '') || '|' || c.local_date END) AS agent_days
                FROM (SELECT *, coalesce(direction = 'outbound', 0) AS o FROM calls) c
                WHERE \(cond) AND \(fcond)
                \(grouping)
                """
            let all: [any DatabaseValueConvertible] = [s.shortAbandonS, s.slThresholdS, s.slThresholdS, s.fcrWindowS] + args + fargs
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(all)).compactMap { r -> KPIGroup? in
                guard (r["offered"] as Int?) != nil else { return nil }
                var key: [String] = []
                for (i, d) in dims.enumerated() {
                    if d == .weekday {
                        let w: Int = r["k\(i)"]
                        key.append(["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][max(0, min(7, w))])
                    } else {
                        key.append(r["k\(i)"])
                    }
                }
                var g = KPIGroup(key: key)
                g.outbound = r["outbound"]
                g.offered = r["offered"]
                g.answered = r["answered"]
                g.abandoned = r["abandoned"]
                g.shortAbandons = r["short_ab"]
                g.answeredWithinT = r["answered_t"]
                g.abandonedWithinT = r["abandoned_t"]
                g.asaS = r["asa"]
                g.ahtS = r["aht"]
                g.ahtN = r["aht_n"]
                g.fcrN = r["fcr_n"]
                g.fcrResolved = r["fcr_ok"]
                let days: Int = r["agent_days"]
                g.callsPerAgentDay = days > 0 ? Double(g.answered) / Double(days) : nil
                return g
            }
        }
    }

    /// Per-agent sums on one card (current scores), plus call figures, in one SQL pass.
    public func agentAggregates(period: Period, cardID: String, filter: CallFilter) throws(StoreError) -> [AgentAggregate] {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = filter.sql()
            let sql = """
                SELECT c.agent_id, max(g.agent_name) AS name, max(c.team) AS team, count(*) AS calls,
                    sum(s.status = 'complete') AS scored, sum(s.status = 'provisional') AS provisional,
                    total(CASE WHEN s.status = 'complete' THEN s.score END) AS ssum,
                    total(CASE WHEN s.status = 'complete' THEN s.score * s.score END) AS ssq,
                    sum(s.status = 'complete' AND s.score >= s.target) AS at_target,
                    sum(s.status = 'complete' AND s.critical_failed = 1) AS crit,
                    avg(CASE WHEN c.answered = 1 THEN p.talk_ratio END) AS talk,
                    avg(CASE WHEN c.answered = 1 THEN a.silence_ratio END) AS silence,
                    avg(CASE WHEN c.answered = 1 THEN a.overtalk_ratio END) AS overtalk,
                    avg(CASE WHEN c.answered = 1 THEN c.handle_s END) AS aht
                FROM calls c
                LEFT JOIN scores s ON s.call_id = c.call_id AND s.is_current = 1 AND s.card_id = ?
                LEFT JOIN agents g ON g.agent_id = c.agent_id
                LEFT JOIN analyses a ON a.call_id = c.call_id
                LEFT JOIN party_metrics p ON p.call_id = c.call_id AND p.party = 'agent'
                WHERE c.agent_id IS NOT NULL AND \(cond) AND \(fcond)
                GROUP BY c.agent_id
                HAVING sum(s.status IS NOT NULL) > 0
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments([cardID] + args + fargs)).map { r in
                AgentAggregate(agentID: r["agent_id"], name: r["name"], team: r["team"], calls: r["calls"],
                               scored: r["scored"] ?? 0, provisional: r["provisional"] ?? 0, scoreSum: r["ssum"],
                               scoreSquares: r["ssq"], atTarget: r["at_target"] ?? 0, criticalFails: r["crit"] ?? 0,
                               talkRatio: r["talk"], silenceRatio: r["silence"], overtalkRatio: r["overtalk"], ahtS: r["aht"])
            }
        }
    }

    /// Complete scores of a card in 10-point bins (0–9 … 90–100) and per agent per day
    /// (count, sum), for the charts.
    public func scoreDistribution(period: Period, cardID: String, filter: CallFilter) throws(StoreError) -> (bins: [Int], daily: [(agent: String, date: String, n: Int, sum: Double)]) {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = filter.sql()
            var bins = [Int](repeating: 0, count: 10)
            for r in try Row.fetchAll(db, sql: """
                SELECT min(9, CAST(s.score / 10 AS INTEGER)) AS bin, count(*) AS n FROM scores s JOIN calls c ON c.call_id = s.call_id
                WHERE s.card_id = ? AND s.is_current = 1 AND s.status = 'complete' AND \(cond) AND \(fcond) GROUP BY bin
                """, arguments: StatementArguments([cardID] + args + fargs)) {
                let b: Int = r["bin"]
                bins[max(0, min(9, b))] += r["n"] as Int
            }
            let daily = try Row.fetchAll(db, sql: """
                SELECT c.agent_id, c.local_date, count(*) AS n, total(s.score) AS total FROM scores s JOIN calls c ON c.call_id = s.call_id
                WHERE s.card_id = ? AND s.is_current = 1 AND s.status = 'complete' AND c.agent_id IS NOT NULL AND \(cond) AND \(fcond)
                GROUP BY c.agent_id, c.local_date
                """, arguments: StatementArguments([cardID] + args + fargs)).map {
                (agent: $0["agent_id"] as String, date: $0["local_date"] as String, n: $0["n"] as Int, sum: $0["total"] as Double)
            }
            return (bins, daily)
        }
    }

    /// NPS counts per agent (answered, linked surveys of calls in the period).
    public func npsByAgent(period: Period, filter: CallFilter) throws(StoreError) -> [String: NPS] {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = filter.sql()
            var out: [String: NPS] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT c.agent_id, sum(s.score >= 9) AS p, sum(s.score BETWEEN 7 AND 8) AS m, sum(s.score <= 6) AS d
                FROM surveys s JOIN calls c ON c.call_id = s.linked_call_id
                WHERE s.answered = 1 AND s.score IS NOT NULL AND c.agent_id IS NOT NULL AND \(cond) AND \(fcond)
                GROUP BY c.agent_id
                """, arguments: StatementArguments(args + fargs)) {
                out[r["agent_id"]] = NPS(promoters: r["p"], passives: r["m"], detractors: r["d"])
            }
            return out
        }
    }
}

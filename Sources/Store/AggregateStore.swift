import Analytics
import CallQAModel
import Foundation
import GRDB

extension CallStore {
    /// KPI groups computed by SQLite in one pass, grouped in each call's own local time
    /// (use `kpiRows` + `KPI.aggregate` to group in another zone).
    public func kpiGroups(period: Period, by dims: [KPIDimension], settings s: KPISettings, scope: Scope) throws(StoreError) -> [KPIGroup] {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
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
            let (select, grouping) = Self.grouped(exprs)
            let sql = """
                SELECT \(select)
                    sum(o) AS outbound, sum(1 - o) AS offered,
                    sum((1 - o) * c.answered) AS answered, sum((1 - o) * (1 - c.answered)) AS abandoned,
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) < ?)) AS short_ab,
                    sum((1 - o) * c.answered * (coalesce(c.wait_s, 0) <= ?)) AS answered_t,
                    sum((1 - o) * (1 - c.answered) * (coalesce(c.wait_s, 0) <= ?)) AS abandoned_t,
                    avg(CASE WHEN o = 0 AND c.answered = 1 THEN c.wait_s END) AS asa,
                    avg(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END) AS aht,
                    count(CASE WHEN o = 0 AND c.answered = 1 THEN c.handle_s END) AS aht_n,
                    sum((1 - o) * c.answered * (c.customer_hash IS NOT NULL)) AS fcr_n,
                    sum((1 - o) * c.answered * (c.customer_hash IS NOT NULL) * (c.next_call_gap_s IS NULL OR c.next_call_gap_s > ?)) AS fcr_ok,
                    count(DISTINCT CASE WHEN o = 0 AND c.answered = 1 AND c.agent_id IS NOT NULL THEN c.agent_id || '|' || c.local_date END) AS agent_days
                FROM (SELECT *, coalesce(direction = 'outbound', 0) AS o FROM calls) c
                WHERE \(cond) AND \(fcond)
                \(grouping)
                """
            let all: [any DatabaseValueConvertible] = [s.shortAbandonS, s.slThresholdS, s.slThresholdS, s.fcrWindowS] + args + fargs
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(all)).compactMap { r -> KPIGroup? in
                guard var g = Self.kpiGroup(r, dims) else { return nil }
                let days: Int = r["agent_days"]
                g.callsPerAgentDay = days > 0 && !dims.contains(.hour) ? Double(g.answered) / Double(days) : nil
                return g
            }
        }
    }

    /// Per-agent sums on one card (current scores), plus call figures, in one SQL pass.
    public func agentAggregates(period: Period, cardID: String, scope: Scope) throws(StoreError) -> [AgentAggregate] {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
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
    /// (count, sum), for the charts; from the day aggregates when the period is whole days.
    public func scoreDistribution(period: Period, cardID: String, scope: Scope) throws(StoreError) -> (bins: [Int], daily: [(agent: String, date: String, n: Int, sum: Double)]) {
        try scoreDistribution(period: period, cardID: cardID, scope: scope, aggregates: true)
    }

    /// `aggregates: false` computes from the base tables only (tests compare the two).
    func scoreDistribution(period: Period, cardID: String, scope: Scope, aggregates: Bool) throws(StoreError) -> (bins: [Int], daily: [(agent: String, date: String, n: Int, sum: Double)]) {
        try read { db in
            var bins = [Int](repeating: 0, count: 10)
            if aggregates, Self.daysOnly(period) {
                let (src, sa) = DayAggregate.scores.source(period)
                let (fc, fa) = scope.sql(alias: nil)
                let sums = (0..<10).map { "sum(b\($0)) AS b\($0)" }.joined(separator: ", ")
                if let r = try Row.fetchOne(db, sql: "SELECT \(sums) FROM \(src) WHERE card_id = ? AND \(fc)",
                                            arguments: StatementArguments(sa + [cardID] + fa)) {
                    for i in 0..<10 { bins[i] = (r["b\(i)"] as Int?) ?? 0 }
                }
                let daily = try Row.fetchAll(db, sql: """
                    SELECT agent_id, local_date, sum(scored) AS n, total(score_sum) AS total FROM \(src)
                    WHERE card_id = ? AND \(fc) GROUP BY agent_id, local_date HAVING sum(scored) > 0
                    """, arguments: StatementArguments(sa + [cardID] + fa)).map {
                    (agent: $0["agent_id"] as String, date: $0["local_date"] as String, n: $0["n"] as Int, sum: $0["total"] as Double)
                }
                return (bins, daily)
            }
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
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
    public func npsByAgent(period: Period, scope: Scope) throws(StoreError) -> [String: NPS] {
        try npsByAgent(period: period, scope: scope, aggregates: true)
    }

    /// `aggregates: false` computes from the base tables only (tests compare the two).
    func npsByAgent(period: Period, scope: Scope, aggregates: Bool) throws(StoreError) -> [String: NPS] {
        if aggregates, Self.daysOnly(period) {
            return Dictionary(uniqueKeysWithValues: try npsGroups(period: period, by: ["agent"], scope: scope)
                .filter { $0.key[0] != "(none)" }.map { ($0.key[0], $0.nps) })
        }
        return try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
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

extension CallStore {
    /// Rebuilds the per-day aggregates of the days whose calls, analyses, scores or surveys
    /// changed (`agg_dirty`), and of every day when the hourly KPI aggregates were built with
    /// other KPI thresholds than `kpi` (or with unknown ones: a database just upgraded),
    /// recording `kpi` in `agg_kpi_settings`. One short transaction per day, so the write lock
    /// is never held for long (another process — the workspace writing its audit log — waits
    /// at most one day's rebuild); readers meanwhile compute the days still marked from the
    /// base tables (`DayAggregate.source`). Days marked while it runs are left to the writer
    /// that marked them. Returns the number of days rebuilt.
    @discardableResult
    public func refreshAggregates(kpi: KPISettings = CallStore.defaultKPI) throws(StoreError) -> Int {
        // A read-only store never writes: its reports compute the marked days from the base tables.
        if readOnly { return 0 }
        let days: [String] = try write { db in
            if try !Self.kpiAggregatesBuilt(with: kpi, db) {
                // Thresholds are baked into the sums of every row: none may survive a change.
                try db.execute(sql: """
                    INSERT INTO agg_dirty SELECT DISTINCT local_date FROM calls WHERE local_date NOT IN (SELECT local_date FROM agg_dirty);
                    DELETE FROM agg_kpi_hour;
                    INSERT OR REPLACE INTO agg_kpi_settings (id, sl_threshold_s, short_abandon_s, fcr_window_s) VALUES (1, ?, ?, ?);
                    """, arguments: [kpi.slThresholdS, kpi.shortAbandonS, kpi.fcrWindowS])
            }
            return try String.fetchAll(db, sql: "SELECT local_date FROM agg_dirty ORDER BY local_date")
        }
        var rebuilt = 0
        for day in days {
            let done: Bool = try write { db in
                // Another writer may have rebuilt it already, or switched the thresholds (then
                // it rebuilds every day itself).
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM agg_dirty WHERE local_date = ?)", arguments: [day]) == true,
                      try Self.kpiAggregatesBuilt(with: kpi, db) else { return false }
                for table in DayAggregate.allCases {
                    try db.execute(sql: "DELETE FROM \(table.rawValue) WHERE local_date = ?", arguments: [day])
                    let (rows, args) = table.rows(days: "c.local_date = ?", [day], kpi: kpi)
                    try db.execute(sql: "INSERT INTO \(table.rawValue) \(rows)", arguments: StatementArguments(args))
                }
                try db.execute(sql: "DELETE FROM agg_dirty WHERE local_date = ?", arguments: [day])
                return true
            }
            if done { rebuilt += 1 }
        }
        return rebuilt
    }

    /// The KPI settings the writers build the hourly KPI aggregates with (ingest, score,
    /// imports); the thresholds used are recorded in `agg_kpi_settings`.
    public static let defaultKPI = KPISettings()

    /// Whether `agg_kpi_hour` was built with exactly these thresholds (service level, short
    /// abandon, FCR window; the headline variant is not in the sums).
    static func kpiAggregatesBuilt(with s: KPISettings, _ db: Database) throws -> Bool {
        guard try db.tableExists("agg_kpi_settings") else { return false }
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM agg_kpi_settings WHERE sl_threshold_s = ? AND short_abandon_s = ? AND fcr_window_s = ?)
            """, arguments: [s.slThresholdS, s.shortAbandonS, s.fcrWindowS]) ?? false
    }

    /// Whether a period can be answered from the per-day aggregates: whole local days.
    /// Reports never refresh the aggregates (the writers do: ingest, score, imports); the
    /// days a writer has marked and not rebuilt yet (an ingest in progress, a killed one, a
    /// snapshot) are computed from the base tables within the same statement
    /// (`DayAggregate.source`), the others read from the aggregate tables.
    static func daysOnly(_ p: Period) -> Bool { p.fromEpoch == nil && p.toEpoch == nil }

    /// Days marked changed and not yet rebuilt into the aggregates.
    public func aggregatesStale() throws(StoreError) -> Bool {
        try read { db in try Self.aggregatesStale(db) }
    }

    static func aggregatesStale(_ db: Database) throws -> Bool {
        guard try db.tableExists("agg_dirty") else { return true }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM agg_dirty)") ?? true
    }

    /// Group keys for a SELECT: `e0 AS k0, e1 AS k1, ` (empty without groups) and the
    /// matching `GROUP BY k0, k1 ORDER BY k0, k1` clause; rows are read back as `k0`, `k1`, ….
    static func grouped(_ exprs: [String]) -> (select: String, clause: String) {
        guard !exprs.isEmpty else { return ("", "") }
        let keys = exprs.indices.map { "k\($0)" }.joined(separator: ", ")
        return (exprs.enumerated().map { "\($0.element) AS k\($0.offset), " }.joined(), "GROUP BY \(keys) ORDER BY \(keys)")
    }

    static func dayCondition(_ p: Period, column: String = "local_date") -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        if let f = p.fromDate { parts.append("\(column) >= ?"); args.append(f) }
        if let t = p.toDate { parts.append("\(column) <= ?"); args.append(t) }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }

    /// Per-agent figures from the day aggregates; nil when the period is not whole days.
    public func agentAggregatesFromDays(period: Period, cardID: String, scope: Scope) throws(StoreError) -> [AgentAggregate]? {
        guard Self.daysOnly(period) else { return nil }
        return try read { db in
            let (scores, sa) = DayAggregate.scores.source(period)
            let (calls, ca) = DayAggregate.calls.source(period)
            let (fc, fa) = scope.sql(alias: nil)
            let sql = """
                WITH sc AS (
                    SELECT agent_id, sum(scored) AS scored, sum(provisional) AS provisional, total(score_sum) AS ssum, total(score_sq) AS ssq,
                           sum(at_target) AS at_target, sum(critical_fails) AS crit
                    FROM \(scores) WHERE card_id = ? AND \(fc) GROUP BY agent_id HAVING sum(scores) > 0),
                cd AS (
                    SELECT agent_id, max(nullif(team, '')) AS team, sum(calls) AS calls,
                           total(talk_sum) / nullif(sum(talk_n), 0) AS talk, total(silence_sum) / nullif(sum(silence_n), 0) AS silence,
                           total(overtalk_sum) / nullif(sum(overtalk_n), 0) AS overtalk, total(handle_sum) / nullif(sum(handle_n), 0) AS aht
                    FROM \(calls) WHERE \(fc) GROUP BY agent_id)
                SELECT sc.*, cd.team, cd.calls, cd.talk, cd.silence, cd.overtalk, cd.aht, g.agent_name
                FROM sc JOIN cd ON cd.agent_id = sc.agent_id LEFT JOIN agents g ON g.agent_id = sc.agent_id
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(sa + [cardID] + fa + ca + fa)).map { r in
                AgentAggregate(agentID: r["agent_id"], name: r["agent_name"], team: r["team"], calls: r["calls"],
                               scored: r["scored"], provisional: r["provisional"], scoreSum: r["ssum"], scoreSquares: r["ssq"],
                               atTarget: r["at_target"], criticalFails: r["crit"], talkRatio: r["talk"], silenceRatio: r["silence"],
                               overtalkRatio: r["overtalk"], ahtS: r["aht"])
            }
        }
    }

    /// KPI groups from the hourly aggregates; nil unless they were built with exactly these
    /// thresholds (`agg_kpi_settings`), the period is whole days, the aggregates are up to
    /// date, and the grouping and filter use day, hour, weekday, queue, team only.
    public func kpiGroupsFromHours(period: Period, by dims: [KPIDimension], settings: KPISettings, scope: Scope) throws(StoreError) -> [KPIGroup]? {
        guard Self.daysOnly(period), !scope.namesAgent, dims.allSatisfy({ [.day, .hour, .weekday, .queue, .team].contains($0) }) else { return nil }
        return try read { db -> [KPIGroup]? in
            // Checked in the snapshot the figures are read from.
            guard try Self.kpiAggregatesBuilt(with: settings, db) else { return nil }
            let (hours, ha) = DayAggregate.kpi.source(period, kpi: settings)
            let (days, daysArgs) = DayAggregate.calls.source(period)
            let (fc, fa) = scope.sql(alias: nil)
            func expr(_ d: KPIDimension, calls: Bool) -> String {
                switch d {
                case .day: "local_date"
                case .hour: "printf('%02d', local_hour)"
                // ISO weekday from the date in the per-day table (strftime %w: 0 = Sunday).
                case .weekday: calls ? "((CAST(strftime('%w', local_date) AS INTEGER) + 6) % 7 + 1)" : "local_weekday"
                case .queue: "CASE queue WHEN '' THEN '(none)' ELSE queue END"
                case .team: "CASE team WHEN '' THEN '(none)' ELSE team END"
                case .dialed, .agent: "''"
                }
            }
            let (select, grouping) = Self.grouped(dims.map { expr($0, calls: false) })
            let sql = """
                SELECT \(select)
                    sum(outbound) AS outbound, sum(offered) AS offered, sum(answered) AS answered, sum(abandoned) AS abandoned,
                    sum(short_abandons) AS short_ab, sum(answered_within_t) AS answered_t, sum(abandoned_within_t) AS abandoned_t,
                    total(wait_sum) / nullif(sum(wait_n), 0) AS asa, total(handle_sum) / nullif(sum(handle_n), 0) AS aht, sum(handle_n) AS aht_n,
                    sum(fcr_n) AS fcr_n, sum(fcr_resolved) AS fcr_ok
                FROM \(hours) WHERE \(fc)
                \(grouping)
                """
            // Agent-days (not meaningful per hour of day) from the per-day call table.
            var agentDays: [[String]: Int] = [:]
            if !dims.contains(.hour) {
                let (daySelect, dayGrouping) = Self.grouped(dims.map { expr($0, calls: true) })
                for r in try Row.fetchAll(db, sql: """
                    SELECT \(daySelect) count(DISTINCT agent_id || '|' || local_date) AS n
                    FROM \(days) WHERE answered_inbound > 0 AND \(fc) \(dayGrouping)
                    """, arguments: StatementArguments(daysArgs + fa)) {
                    agentDays[Self.keys(r, dims)] = r["n"]
                }
            }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(ha + fa)).compactMap { r -> KPIGroup? in
                guard var g = Self.kpiGroup(r, dims) else { return nil }
                if let days = agentDays[g.key], days > 0 { g.callsPerAgentDay = Double(g.answered) / Double(days) }
                return g
            }
        }
    }

    /// A KPI group from a row with the sum columns both KPI queries select (agent-days apart).
    static func kpiGroup(_ r: Row, _ dims: [KPIDimension]) -> KPIGroup? {
        guard (r["offered"] as Int?) != nil else { return nil }
        var g = KPIGroup(key: keys(r, dims))
        g.outbound = r["outbound"]; g.offered = r["offered"]; g.answered = r["answered"]; g.abandoned = r["abandoned"]
        g.shortAbandons = r["short_ab"]; g.answeredWithinT = r["answered_t"]; g.abandonedWithinT = r["abandoned_t"]
        g.asaS = r["asa"]; g.ahtS = r["aht"]; g.ahtN = r["aht_n"]; g.fcrN = r["fcr_n"]; g.fcrResolved = r["fcr_ok"]
        return g
    }

    static func keys(_ r: Row, _ dims: [KPIDimension]) -> [String] {
        dims.enumerated().map { i, d in
            if d == .weekday { return KPIDimension.weekdayName(r["k\(i)"]) }
            return r["k\(i)"]
        }
    }

    /// NPS counts per group (day, queue, team, agent) computed by SQLite.
    public func npsGroups(period: Period, by dims: [String], scope: Scope) throws(StoreError) -> [NPSGroupCounts] {
        try npsGroups(period: period, by: dims, scope: scope, aggregates: true)
    }

    /// `aggregates: false` computes from the base tables only (tests compare the two).
    func npsGroups(period: Period, by dims: [String], scope: Scope, aggregates: Bool) throws(StoreError) -> [NPSGroupCounts] {
        if aggregates, Self.daysOnly(period) {
            return try read { db in
                let (src, sa) = DayAggregate.nps.source(period)
                let (fc, fa) = scope.sql(alias: "n")
                let exprs = dims.map { d -> String in
                    switch d {
                    case "day": "n.local_date"
                    case "queue": "CASE n.queue WHEN '' THEN '(none)' ELSE n.queue END"
                    case "team": "CASE n.team WHEN '' THEN '(none)' ELSE n.team END"
                    default: "CASE n.agent_id WHEN '' THEN '(none)' ELSE n.agent_id END"
                    }
                }
                let (select, grouping) = Self.grouped(exprs)
                let sql = """
                    SELECT \(select) max(g.agent_name) AS name,
                        sum(n.promoters) AS p, sum(n.passives) AS m, sum(n.detractors) AS d, sum(n.csat_n) AS csat_n, sum(n.csat_top) AS csat_top
                    FROM \(src) n LEFT JOIN agents g ON g.agent_id = n.agent_id
                    WHERE \(fc)
                    \(grouping)
                    """
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(sa + fa)).compactMap { r in
                    guard let csatN = r["csat_n"] as Int?, (r["p"] as Int? ?? 0) + (r["m"] as Int? ?? 0) + (r["d"] as Int? ?? 0) + csatN > 0 else { return nil }
                    return NPSGroupCounts(key: (0..<dims.count).map { r["k\($0)"] as String }, agentName: dims == ["agent"] ? r["name"] : nil,
                                          nps: NPS(promoters: r["p"] ?? 0, passives: r["m"] ?? 0, detractors: r["d"] ?? 0),
                                          csatN: csatN, csatTop: r["csat_top"] ?? 0)
                }
            }
        }
        return try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
            let exprs = dims.map { d -> String in
                switch d {
                case "day": "c.local_date"
                case "queue": "coalesce(c.queue, '(none)')"
                case "team": "coalesce(c.team, '(none)')"
                default: "coalesce(c.agent_id, '(none)')"
                }
            }
            let (select, grouping) = Self.grouped(exprs)
            let sql = """
                SELECT \(select) max(g.agent_name) AS name,
                    sum(s.score >= 9) AS p, sum(s.score BETWEEN 7 AND 8) AS m, sum(s.score <= 6) AS d,
                    count(s.csat) AS csat_n, sum(s.csat >= 4) AS csat_top
                FROM surveys s JOIN calls c ON c.call_id = s.linked_call_id LEFT JOIN agents g ON g.agent_id = c.agent_id
                WHERE s.answered = 1 AND \(cond) AND \(fcond)
                \(grouping)
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args + fargs)).compactMap { r in
                guard let csatN = r["csat_n"] as Int? else { return nil }
                return NPSGroupCounts(key: (0..<dims.count).map { r["k\($0)"] as String }, agentName: r["name"],
                                      nps: NPS(promoters: r["p"] ?? 0, passives: r["m"] ?? 0, detractors: r["d"] ?? 0),
                                      csatN: csatN, csatTop: r["csat_top"] ?? 0)
            }
        }
    }

    /// Score distribution (0…10) and the latest detractor comments (at most `limit`).
    public func npsDistributionAndComments(period: Period, scope: Scope, limit: Int) throws(StoreError) -> (dist: [Int], comments: [SurveyFact]) {
        try npsDistributionAndComments(period: period, scope: scope, limit: limit, aggregates: true)
    }

    /// How the latest detractor comments are found: the capped walk by answer time (at most
    /// twice the period's answered surveys, at least 2,000 entries, or `cap` entries), or
    /// only by probing the period's calls (`none`). Tests compare the ways.
    enum CommentWalk { case automatic, none, cap(Int) }

    /// `aggregates: false` computes from the base tables only (tests compare the two).
    func npsDistributionAndComments(period: Period, scope: Scope, limit: Int, aggregates: Bool,
                                    walk commentWalk: CommentWalk = .automatic) throws(StoreError) -> (dist: [Int], comments: [SurveyFact]) {
        try read { db in
            let (cond, args) = period.sql()
            let (fcond, fargs) = scope.sql()
            var dist = [Int](repeating: 0, count: 11)
            if aggregates, Self.daysOnly(period) {
                let (src, sa) = DayAggregate.nps.source(period)
                let (fc, fa) = scope.sql(alias: nil)
                let sums = (0...10).map { "sum(s\($0)) AS s\($0)" }.joined(separator: ", ")
                if let r = try Row.fetchOne(db, sql: "SELECT \(sums) FROM \(src) WHERE \(fc)", arguments: StatementArguments(sa + fa)) {
                    for i in 0...10 { dist[i] = (r["s\(i)"] as Int?) ?? 0 }
                }
            } else {
                for r in try Row.fetchAll(db, sql: """
                    SELECT s.score, count(*) AS n FROM surveys s JOIN calls c ON c.call_id = s.linked_call_id
                    WHERE s.answered = 1 AND s.score IS NOT NULL AND \(cond) AND \(fcond) GROUP BY s.score
                    """, arguments: StatementArguments(args + fargs)) {
                    let sc: Int = r["score"]
                    if (0...10).contains(sc) { dist[sc] = r["n"] }
                }
            }
            // The latest detractor comments. A large period holds many: they are found by
            // walking the index of detractor comments by answer time, newest first, checking
            // each one's call, and stopping after `limit` found; the walk is capped at twice
            // the period's answered surveys (what the other way reads at least), and when it
            // ends before `limit` are found (or the period cannot hold `limit`), the period's
            // calls are probed one by one in the index of detractor comments by call instead.
            // The first `limit` matches of the walk are the first `limit` overall: either way
            // the same rows in the same order.
            let shown = """
                SELECT s.linked_call_id, s.score, s.csat, s.comment, s.answered_at, c.agent_id, g.agent_name, c.team, c.queue, c.local_date
                """
            func fact(_ r: Row) -> SurveyFact {
                SurveyFact(callID: r["linked_call_id"], score: r["score"], csat: r["csat"], comment: r["comment"],
                           answeredAt: r["answered_at"], agentID: r["agent_id"], agentName: r["agent_name"],
                           team: r["team"], queue: r["queue"], localDate: r["local_date"])
            }
            let detractors = dist[0...6].reduce(0, +)
            let isComment = "s.answered = 1 AND s.score <= 6 AND s.comment IS NOT NULL AND s.comment != ''"
            let walkCap: Int? = switch commentWalk {
            case .automatic: max(2_000, 2 * dist.reduce(0, +))
            case .none: nil
            case let .cap(n): max(1, n)
            }
            // Spread evenly, the walk meets the period's comments once in (all comments /
            // the period's detractors) entries at best: a walk that cannot find `limit` within
            // its cap is not started (a week of a year's calls).
            var everyComment = 0
            if walkCap != nil, detractors >= limit {
                everyComment = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM surveys s INDEXED BY surveys_detractor_comments_by_time WHERE \(isComment)
                    """) ?? 0
            }
            if detractors >= limit, let walk = walkCap, limit * everyComment / max(1, detractors) <= walk {
                // Where the capped walk ends: the index's entry number `walk` (none: the index
                // is shorter, the walk may read all of it).
                let end = try Row.fetchOne(db, sql: """
                    SELECT s.answered_epoch AS e, s.survey_key AS k FROM surveys s INDEXED BY surveys_detractor_comments_by_time
                    WHERE \(isComment) ORDER BY s.answered_epoch DESC, s.survey_key LIMIT 1 OFFSET ?
                    """, arguments: [walk - 1])
                var bound = "1", boundArgs: [any DatabaseValueConvertible] = []
                if let end {
                    let e: Double = end["e"], k: String = end["k"]
                    bound = "s.answered_epoch >= ? AND (s.answered_epoch > ? OR s.survey_key <= ?)"
                    boundArgs = [e, e, k]
                }
                // Index order is the order asked for: no sort, the walk stops after `limit`.
                let found = try Row.fetchAll(db, sql: """
                    \(shown)
                    FROM surveys s INDEXED BY surveys_detractor_comments_by_time CROSS JOIN calls c ON c.call_id = s.linked_call_id
                    LEFT JOIN agents g ON g.agent_id = c.agent_id
                    WHERE \(isComment) AND \(bound) AND \(cond) AND \(fcond)
                    ORDER BY s.answered_epoch DESC, s.survey_key LIMIT ?
                    """, arguments: StatementArguments(boundArgs + args + fargs + [limit])).map(fact)
                if found.count >= limit || end == nil { return (dist, found) }
            }
            let comments = try Row.fetchAll(db, sql: """
                \(shown)
                FROM calls c CROSS JOIN surveys s INDEXED BY surveys_detractor_comments ON s.linked_call_id = c.call_id
                LEFT JOIN agents g ON g.agent_id = c.agent_id
                WHERE \(isComment) AND \(cond) AND \(fcond)
                ORDER BY s.answered_epoch DESC, s.survey_key LIMIT ?
                """, arguments: StatementArguments(args + fargs + [limit])).map(fact)
            return (dist, comments)
        }
    }
}

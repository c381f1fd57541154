import CallQAModel
import GRDB

extension CallStore {
    /// Calls in scope started within `period`, with their first and last local day. For
    /// whole days, counted from the day aggregates (every call is in `agg_kpi_hour`, an
    /// agent's calls in `agg_calls_day`; the days still marked come from `calls`).
    public func callSpan(period: Period, scope: Scope) throws(StoreError) -> CallSpan {
        try callSpan(period: period, scope: scope, aggregates: true)
    }

    /// `aggregates: false` counts in `calls` only (tests compare the two).
    func callSpan(period: Period, scope: Scope, aggregates: Bool) throws(StoreError) -> CallSpan {
        try read { db in
            let row: Row?
            if aggregates, Self.daysOnly(period) {
                let (src, sa) = scope.namesAgent ? DayAggregate.calls.source(period) : DayAggregate.kpi.source(period)
                let count = scope.namesAgent ? "calls" : "outbound + offered"
                let (fc, fa) = scope.sql(alias: nil)
                row = try Row.fetchOne(db, sql: "SELECT sum(\(count)) AS n, min(local_date) AS a, max(local_date) AS b FROM \(src) WHERE \(fc)",
                                       arguments: StatementArguments(sa + fa))
            } else {
                let (pc, pa) = period.sql()
                let (fc, fa) = scope.sql()
                row = try Row.fetchOne(db, sql: "SELECT count(*) AS n, min(c.local_date) AS a, max(c.local_date) AS b FROM calls c WHERE \(pc) AND \(fc)",
                                       arguments: StatementArguments(pa + fa))
            }
            return CallSpan(calls: row?["n"] ?? 0, firstDate: row?["a"], lastDate: row?["b"])
        }
    }

    /// The last local day with a call in scope (nil without calls): where the workspace
    /// anchors a period given without a date. One index seek for an unrestricted scope.
    public func lastCallDate(scope: Scope) throws(StoreError) -> String? {
        try read { db in
            let (sc, sa) = scope.sql()
            return try String.fetchOne(db, sql: "SELECT max(c.local_date) FROM calls c WHERE \(sc)", arguments: StatementArguments(sa))
        }
    }

    /// Distinct non-empty values of a call column (`agent_id`, `team`, `queue`) among the
    /// calls in scope, sorted: the known values an unknown id is compared with (a reader is
    /// never told of an agent, team or queue outside their scope). Read by seeking from one
    /// value to the next in the indexes on (team, queue, agent) and (agent, start), a few
    /// steps per value rather than a pass over every call.
    public func knownValues(_ column: KnownColumn, scope: Scope) throws(StoreError) -> [String] {
        try read { db in
            /// The values of `expr` (one of `Self.seekColumns`) among the calls whose earlier
            /// index expressions have these values, ascending, '' left out.
            func seek(_ expr: String, _ fixed: [(String, String)]) throws -> [String] {
                let conditions = fixed.map { "\($0.0) = ?" } + ["\(expr) > ?"]
                let sql = "SELECT min(\(expr)) FROM calls WHERE \(conditions.joined(separator: " AND "))"
                var out: [String] = [], last = ""
                while let v = try String.fetchOne(db, sql: sql, arguments: StatementArguments(fixed.map(\.1) + [last])) {
                    out.append(v)
                    last = v
                }
                return out
            }
            let (team, queue, agent) = Self.seekColumns
            /// The queues of one team's calls ('' for calls without a team), with '' for those without a queue.
            func queues(_ t: String) throws -> [String] { try seek(queue, [(team, t)]) + [""] }
            let unfiltered = scope.team == nil && scope.queue == nil && scope.agent == nil
            switch (scope.access, column) {
            case (.everything, .agent) where unfiltered:
                return try seek("agent_id", [])
            case (.everything, .team) where unfiltered:
                return try seek(team, [])
            case (.everything, .queue) where unfiltered:
                return Array(Set(try (seek(team, []) + [""]).flatMap { try seek(queue, [(team, $0)]) })).sorted()
            case let (.teams(teams), .team) where unfiltered && !teams.contains(""):
                return try Set(teams).filter { try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM calls WHERE \(team) = ?)", arguments: [$0]) == true }.sorted()
            case let (.teams(teams), .queue) where unfiltered && !teams.contains(""):
                return Array(Set(try Set(teams).flatMap { try seek(queue, [(team, $0)]) })).sorted()
            case let (.teams(teams), .agent) where unfiltered && !teams.contains(""):
                var agents: Set<String> = []
                for t in Set(teams) {
                    for q in try queues(t) { agents.formUnion(try seek(agent, [(team, t), (queue, q)])) }
                }
                return agents.sorted()
            default:
                let (sc, sa) = scope.sql()
                return try String.fetchAll(db, sql: """
                    SELECT DISTINCT c.\(column.rawValue) FROM calls c
                    WHERE c.\(column.rawValue) IS NOT NULL AND c.\(column.rawValue) <> '' AND \(sc) ORDER BY 1
                    """, arguments: StatementArguments(sa))
            }
        }
    }

    /// The expressions of the index `calls_by_team`, in its order (NULL and '' are one value).
    static let seekColumns = ("coalesce(team, '')", "coalesce(queue, '')", "coalesce(agent_id, '')")

    /// A number that moves on with every change of calls, agents, analyses, per-party
    /// metrics, scores, card versions or surveys (triggers on those tables, in whatever process
    /// or tool writes): two reads at the same number read the same data. Nil on a database
    /// without it (read-only and older).
    public func dataVersion() throws(StoreError) -> Int64? {
        try read { db in
            guard try db.tableExists("data_version") else { return nil }
            return try Int64.fetchOne(db, sql: "SELECT version FROM data_version WHERE id = 1")
        }
    }

    /// The text of each card's latest stored version (the one first used last): what a call
    /// without scores is checked against to say why no card scored it.
    public func latestCardTexts() throws(StoreError) -> [(id: String, hash: String, file: String, yaml: String)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT card_id, content_hash, file, yaml FROM scorecards k
                WHERE first_used_at = (SELECT max(first_used_at) FROM scorecards WHERE card_id = k.card_id)
                ORDER BY card_id
                """).map { (id: $0["card_id"], hash: $0["content_hash"], file: $0["file"], yaml: $0["yaml"]) }
        }
    }

    /// Start times of these calls (those stored and in scope), in each call's own offset.
    public func callStarts(ids: [String], scope: Scope) throws(StoreError) -> [String: Timestamp] {
        try read { db in
            var out: [String: Timestamp] = [:]
            let (sc, sa) = scope.sql()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for r in try Row.fetchAll(db, sql: "SELECT c.call_id, c.started_epoch, c.utc_offset_s FROM calls c WHERE c.call_id IN (\(marks)) AND \(sc)",
                                          arguments: StatementArguments(chunk + sa)) {
                    out[r["call_id"]] = Timestamp(epochS: r["started_epoch"], offsetS: r["utc_offset_s"])
                }
            }
            return out
        }
    }

    /// Call columns whose values a report option names.
    public enum KnownColumn: String, Sendable {
        case agent = "agent_id"
        case team
        case queue
    }
}

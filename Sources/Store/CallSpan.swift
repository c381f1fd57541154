import CallQAModel
import GRDB

extension CallStore {
    /// Calls in scope started within `period`, with their first and last local day.
    public func callSpan(period: Period, scope: Scope) throws(StoreError) -> CallSpan {
        try read { db in
            let (pc, pa) = period.sql()
            let (fc, fa) = scope.sql()
            let row = try Row.fetchOne(db, sql: "SELECT count(*) AS n, min(c.local_date) AS a, max(c.local_date) AS b FROM calls c WHERE \(pc) AND \(fc)",
                                       arguments: StatementArguments(pa + fa))
            return CallSpan(calls: row?["n"] ?? 0, firstDate: row?["a"], lastDate: row?["b"])
        }
    }

    /// Distinct non-empty values of a call column (`agent_id`, `team`, `queue`) among the
    /// calls in scope, sorted: the known values an unknown id is compared with (a reader is
    /// never told of an agent, team or queue outside their scope).
    public func knownValues(_ column: KnownColumn, scope: Scope) throws(StoreError) -> [String] {
        try read { db in
            let (sc, sa) = scope.sql()
            return try String.fetchAll(db, sql: """
                SELECT DISTINCT c.\(column.rawValue) FROM calls c
                WHERE c.\(column.rawValue) IS NOT NULL AND c.\(column.rawValue) <> '' AND \(sc) ORDER BY 1
                """, arguments: StatementArguments(sa))
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

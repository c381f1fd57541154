import CallRecords
import GRDB

/// How many calls a selection holds and the local days they span.
public struct CallSpan: Sendable, Equatable {
    /// Calls in the selection.
    public var calls: Int
    /// First and last local day `YYYY-MM-DD` of those calls (nil without calls).
    public var firstDate: String?
    public var lastDate: String?

    public init(calls: Int, firstDate: String?, lastDate: String?) {
        self.calls = calls
        self.firstDate = firstDate
        self.lastDate = lastDate
    }

    /// `2026-11-24` or `2026-11-24 to 2026-11-25`; nil without calls.
    public var days: String? {
        guard let firstDate, let lastDate else { return nil }
        return firstDate == lastDate ? firstDate : "\(firstDate) to \(lastDate)"
    }
}

extension CallStore {
    /// Calls started within `period` (and the filter), with their first and last local day.
    public func callSpan(period: Period, filter: CallFilter = CallFilter()) throws(StoreError) -> CallSpan {
        try read { db in
            let (pc, pa) = period.sql()
            let (fc, fa) = filter.sql()
            let row = try Row.fetchOne(db, sql: "SELECT count(*) AS n, min(c.local_date) AS a, max(c.local_date) AS b FROM calls c WHERE \(pc) AND \(fc)",
                                       arguments: StatementArguments(pa + fa))
            return CallSpan(calls: row?["n"] ?? 0, firstDate: row?["a"], lastDate: row?["b"])
        }
    }

    /// Distinct non-empty values of a call column (`agent_id`, `team`, `queue`), sorted: the
    /// known values an unknown id is compared with.
    public func knownValues(_ column: KnownColumn) throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT \(column.rawValue) FROM calls WHERE \(column.rawValue) IS NOT NULL AND \(column.rawValue) <> '' ORDER BY 1")
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

    /// Start times of these calls (those stored), in each call's own offset.
    public func callStarts(ids: [String]) throws(StoreError) -> [String: Timestamp] {
        try read { db in
            var out: [String: Timestamp] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for r in try Row.fetchAll(db, sql: "SELECT call_id, started_epoch, utc_offset_s FROM calls WHERE call_id IN (\(marks))",
                                          arguments: StatementArguments(chunk)) {
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

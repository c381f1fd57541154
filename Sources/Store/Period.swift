import CallQAModel
import GRDB

extension Period {
    /// SQL condition on a `calls` table alias, with its arguments.
    /// - Parameter impliedStartBounds: also bound `started_epoch` by the local dates (a call's
    ///   local day is its start in its own UTC offset, and offsets stay within ±19 h, so the
    ///   calls of days D1…D2 start between D1 00:00 UTC − 1 day and D2 00:00 UTC + 2 days): the
    ///   same calls, but a range the start index can walk.
    func sql(alias c: String = "c", impliedStartBounds: Bool = false) -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        if let fromEpoch { parts.append("\(c).started_epoch >= ?"); args.append(fromEpoch) }
        if let toEpoch { parts.append("\(c).started_epoch < ?"); args.append(toEpoch) }
        if let fromDate { parts.append("\(c).local_date >= ?"); args.append(fromDate) }
        if let toDate { parts.append("\(c).local_date <= ?"); args.append(toDate) }
        if impliedStartBounds {
            if let d = fromDate.flatMap({ Timestamp.parse($0, zone: nil) }) { parts.append("\(c).started_epoch >= ?"); args.append(d.epochS - 86_400) }
            if let d = toDate.flatMap({ Timestamp.parse($0, zone: nil) }) { parts.append("\(c).started_epoch < ?"); args.append(d.epochS + 2 * 86_400) }
        }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }

    /// SQL condition on an instant other than a call's start (when a dispute was opened, a
    /// coaching note written): epoch bounds on `epoch`, date bounds on the UTC day of `at`
    /// (an ISO 8601 UTC text column).
    func sql(epoch: String, at: String) -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        if let fromEpoch { parts.append("\(epoch) >= ?"); args.append(fromEpoch) }
        if let toEpoch { parts.append("\(epoch) < ?"); args.append(toEpoch) }
        if let fromDate { parts.append("substr(\(at), 1, 10) >= ?"); args.append(fromDate) }
        if let toDate { parts.append("substr(\(at), 1, 10) <= ?"); args.append(toDate) }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }
}

import CallQAModel
import GRDB

extension Period {
    /// SQL condition on a `calls` table alias, with its arguments.
    func sql(alias c: String = "c") -> (String, [any DatabaseValueConvertible]) {
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        if let fromEpoch { parts.append("\(c).started_epoch >= ?"); args.append(fromEpoch) }
        if let toEpoch { parts.append("\(c).started_epoch < ?"); args.append(toEpoch) }
        if let fromDate { parts.append("\(c).local_date >= ?"); args.append(fromDate) }
        if let toDate { parts.append("\(c).local_date <= ?"); args.append(toDate) }
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

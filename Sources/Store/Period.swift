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
}

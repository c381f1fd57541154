import CallQAModel
import GRDB

extension Scope {
    /// The one place a scope becomes SQL: a condition on a table with the call columns
    /// `agent_id`, `team`, `queue` (`calls` under `alias`, or an aggregate table with
    /// `alias: nil`), with its arguments. Aggregate tables store an absent team or queue as
    /// `''`, which matches no filter value, as NULL does on `calls`.
    func sql(alias: String? = "c") -> (String, [any DatabaseValueConvertible]) {
        let c = alias.map { $0 + "." } ?? ""
        var parts: [String] = [], args: [any DatabaseValueConvertible] = []
        switch access {
        case .everything:
            break
        case let .teams(teams):
            if teams.isEmpty {
                parts.append("0")
            } else {
                parts.append("\(c)team IN (\(Array(repeating: "?", count: teams.count).joined(separator: ",")))")
                args += teams
            }
        case let .agent(id):
            parts.append("\(c)agent_id = ?")
            args.append(id)
        }
        if let team { parts.append("\(c)team = ?"); args.append(team) }
        if let queue { parts.append("\(c)queue = ?"); args.append(queue) }
        if let agent { parts.append("\(c)agent_id = ?"); args.append(agent) }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), args)
    }

    /// Whether the condition names an agent (tables without `agent_id` cannot answer it).
    var namesAgent: Bool {
        if case .agent = access { return true }
        return agent != nil
    }
}

import GRDB
import Store

/// Finds the recording of a call that an account may hear: the file's path, or nil when the
/// call does not exist, has no recording, or lies outside the account's scope (the three
/// answer alike: 404).
public protocol RecordingLocator: Sendable {
    func recordingPath(callID: String, for account: Account) throws(StoreError) -> String?
}

/// The locator over today's tables: `coalesce(analyses.recording_path, calls.recording_path)`,
/// limited by role (agent: `calls.agent_id`; supervisor: `calls.team`; qa and admin: every
/// call). Stands in until the store's reads take a scope of their own.
public struct StoreRecordingLocator: RecordingLocator {
    public let store: CallStore

    public init(store: CallStore) { self.store = store }

    public func recordingPath(callID: String, for account: Account) throws(StoreError) -> String? {
        var sql = """
            SELECT coalesce(a.recording_path, c.recording_path)
            FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
            WHERE c.call_id = ?
            """
        var arguments: [(any DatabaseValueConvertible)?] = [callID]
        switch account.role {
        case .agent:
            // No agent id, no calls (the users table does not allow it, but never widen).
            sql += " AND c.agent_id = ?"
            arguments.append(account.agentID ?? "\u{0}no agent")
        case .supervisor:
            guard !account.teams.isEmpty else { return nil }
            sql += " AND c.team IN (" + Array(repeating: "?", count: account.teams.count).joined(separator: ", ") + ")"
            arguments += account.teams.map { $0 as (any DatabaseValueConvertible)? }
        case .qa, .admin:
            break
        }
        let finalSQL = sql
        return try store.read { db in
            try String.fetchOne(db, sql: finalSQL, arguments: StatementArguments(arguments))
        }
    }
}

import CallQAModel
import Foundation
import GRDB

/// What `callqa watch` keeps between runs: how far each followed call-record file was read,
/// the record lines of the calls it may still have to store again (sealed: they hold caller
/// numbers in the PBX's own form; the key is the caller-hashing key outside the database),
/// and the alerts. A batch of lines is stored in the same transaction as the offset that
/// consumed it and the rejections it caused, so a crash at any moment neither skips nor
/// repeats a line.
extension CallStore {
    /// Every followed file's position (no call data).
    public func watchSources() throws(StoreError) -> [WatchSourceRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM watch_sources ORDER BY path").compactMap { r in
                guard let kind = InputKind(rawValue: r["kind"]) else { return nil }
                return WatchSourceRow(path: r["path"], kind: kind, device: UInt64(bitPattern: r["device"]), inode: UInt64(bitPattern: r["inode"]),
                                      offset: r["offset"], nextLine: r["next_line"], tailSHA256: r["tail_sha256"])
            }
        }
    }

    /// Stores, in one transaction, a followed file's new position, the lines read up to it
    /// that the watcher keeps, and the rows it rejected (under `run`). Returns the kept
    /// lines' ids, in order.
    @discardableResult
    public func consumeWatchLines(source: WatchSourceRow, lines: [WatchLineRow], errors: [IngestErrorRow], run: Int64) throws(StoreError) -> [Int64] {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        return try write { db in
            try db.execute(sql: """
                INSERT INTO watch_sources (path, kind, device, inode, offset, next_line, tail_sha256, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, device = excluded.device, inode = excluded.inode,
                    offset = excluded.offset, next_line = excluded.next_line, tail_sha256 = excluded.tail_sha256, updated_at = excluded.updated_at
                """, arguments: [source.path, source.kind.rawValue, Int64(bitPattern: source.device), Int64(bitPattern: source.inode),
                                 source.offset, source.nextLine, source.tailSHA256, now])
            var ids: [Int64] = []
            let insert = try db.makeStatement(sql: """
                INSERT INTO watch_lines (source_path, file, line, call_key, read_epoch, done, sealed) VALUES (?, ?, ?, ?, ?, 0, ?)
                """)
            for l in lines {
                try insert.execute(arguments: [source.path, l.file, l.line, l.callKey, l.readEpoch, Data(l.sealed)])
                ids.append(db.lastInsertedRowID)
            }
            if !errors.isEmpty {
                let st = try db.makeStatement(sql: """
                    INSERT INTO ingest_errors (run_id, occurred_at, stage, source_file, line, call_id, field, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for e in errors {
                    try st.execute(arguments: [run, now, e.stage.rawValue, e.sourceFile, e.line, e.callID, e.field, e.message])
                }
            }
            return ids
        }
    }

    /// Every kept line, in reading order (replayed when the watcher starts).
    public func watchLines() throws(StoreError) -> [WatchLineRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM watch_lines ORDER BY line_id").map { r in
                WatchLineRow(lineID: r["line_id"], sourcePath: r["source_path"], file: r["file"], line: r["line"], callKey: r["call_key"],
                             readEpoch: r["read_epoch"], done: (r["done"] as Int) == 1, sealed: Array(r["sealed"] as Data))
            }
        }
    }

    /// Marks lines as folded into a stored call.
    public func markWatchLinesDone(_ ids: [Int64]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try write { db in
            let st = try db.makeStatement(sql: "UPDATE watch_lines SET done = 1 WHERE line_id = ?")
            for id in ids { try st.execute(arguments: [id]) }
        }
    }

    /// Forgets lines whose calls are stored and old enough not to change any more.
    public func deleteWatchLines(_ ids: [Int64]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try write { db in
            let st = try db.makeStatement(sql: "DELETE FROM watch_lines WHERE line_id = ?")
            for id in ids { try st.execute(arguments: [id]) }
        }
    }

    /// A value the watcher keeps between runs (no call data).
    public func watchState(_ key: String) throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM watch_state WHERE key = ?", arguments: [key]) }
    }

    public func setWatchState(_ key: String, _ value: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "INSERT INTO watch_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }

    // MARK: Alerts

    /// Stores alerts; one per call and rule, ever (a rule that matches a call again, after a
    /// restart or an update of the call, adds nothing). Returns the alerts newly stored.
    @discardableResult
    public func raiseAlerts(_ alerts: [NewAlert]) throws(StoreError) -> [NewAlert] {
        guard !alerts.isEmpty else { return [] }
        return try write { db in
            let st = try db.makeStatement(sql: """
                INSERT INTO alerts (call_id, rule_id, reason, raised_at, raised_epoch, notify_status, next_attempt_epoch)
                SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM calls WHERE call_id = ?)
                ON CONFLICT (call_id, rule_id) DO NOTHING
                """)
            var stored: [NewAlert] = []
            for a in alerts {
                let at = Timestamp(epochS: a.raisedEpoch.rounded(), offsetS: 0).iso8601
                try st.execute(arguments: [a.callID, a.ruleID, a.reason, at, a.raisedEpoch,
                                           (a.notify ? NotifyStatus.pending : .none).rawValue, a.notify ? a.raisedEpoch : nil, a.callID])
                if db.changesCount > 0 { stored.append(a) }
            }
            return stored
        }
    }

    /// Alerts on calls in scope, newest first (at most `limit`), raised at or after
    /// `sinceEpoch` when given.
    public func alerts(sinceEpoch: Double? = nil, limit: Int, scope: Scope) throws(StoreError) -> [AlertRow] {
        try read { db in
            let (sc, sa) = scope.sql()
            var args: [any DatabaseValueConvertible] = sa
            var since = ""
            if let sinceEpoch {
                since = " AND al.raised_epoch >= ?"
                args.append(sinceEpoch)
            }
            args.append(limit)
            return try Row.fetchAll(db, sql: """
                SELECT al.*, c.agent_id, c.team, c.started_at FROM alerts al JOIN calls c ON c.call_id = al.call_id
                WHERE \(sc)\(since) ORDER BY al.raised_epoch DESC, al.alert_id DESC LIMIT ?
                """, arguments: StatementArguments(args)).map(Self.alertRow)
        }
    }

    /// Alerts in scope waiting for their notification whose next attempt is due.
    public func alertsToNotify(nowEpoch: Double, limit: Int, scope: Scope) throws(StoreError) -> [AlertRow] {
        try read { db in
            let (sc, sa) = scope.sql()
            return try Row.fetchAll(db, sql: """
                SELECT al.*, c.agent_id, c.team, c.started_at FROM alerts al JOIN calls c ON c.call_id = al.call_id
                WHERE al.notify_status = 'pending' AND al.next_attempt_epoch <= ? AND \(sc)
                ORDER BY al.next_attempt_epoch, al.alert_id LIMIT ?
                """, arguments: StatementArguments([nowEpoch] + sa + [limit])).map(Self.alertRow)
        }
    }

    /// Records one attempt to notify: sent, failed for good, or to try again at `retryEpoch`.
    public func recordNotification(alertID: Int64, status: NotifyStatus, error: String?, retryEpoch: Double?, nowEpoch: Double) throws(StoreError) {
        let now = Timestamp(epochS: nowEpoch.rounded(), offsetS: 0).iso8601
        try write { db in
            try db.execute(sql: """
                UPDATE alerts SET notify_status = ?, notify_attempts = notify_attempts + 1, notify_error = ?,
                    notified_at = CASE WHEN ? = 'sent' THEN ? ELSE notified_at END, next_attempt_epoch = ?
                WHERE alert_id = ?
                """, arguments: [status.rawValue, error, status.rawValue, now, retryEpoch, alertID])
        }
    }

    /// Answered surveys at or below `maxScore` linked to calls in scope, imported at or after
    /// `sinceEpoch`, whose call has no alert of `ruleID` yet: (call id, score).
    public func detractorsWithoutAlert(ruleID: String, maxScore: Int, sinceEpoch: Double, scope: Scope) throws(StoreError) -> [(callID: String, score: Int)] {
        let since = Timestamp(epochS: sinceEpoch.rounded(.down), offsetS: 0).iso8601
        return try read { db in
            let (sc, sa) = scope.sql()
            return try Row.fetchAll(db, sql: """
                SELECT c.call_id, min(s.score) AS score FROM surveys s JOIN calls c ON c.call_id = s.linked_call_id
                WHERE s.answered = 1 AND s.score <= ? AND s.imported_at >= ? AND \(sc)
                  AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.call_id = c.call_id AND al.rule_id = ?)
                GROUP BY c.call_id ORDER BY c.call_id
                """, arguments: StatementArguments([maxScore, since] + sa + [ruleID])).map { ($0["call_id"], $0["score"]) }
        }
    }

    static func alertRow(_ r: Row) -> AlertRow {
        AlertRow(alertID: r["alert_id"], callID: r["call_id"], ruleID: r["rule_id"], reason: r["reason"], raisedAt: r["raised_at"],
                 raisedEpoch: r["raised_epoch"], notifyStatus: NotifyStatus(rawValue: r["notify_status"]) ?? .none,
                 notifyAttempts: r["notify_attempts"], notifyError: r["notify_error"], agentID: r["agent_id"], team: r["team"],
                 callStartedAt: r["started_at"])
    }
}

import CallQAModel
import Foundation
import GRDB

// Accounts, sessions and the audit log of the workspace (`callqa serve`, `callqa users`,
// `callqa audit`). Passwords arrive here already hashed (bcrypt, in Workspace) and session
// tokens as their SHA-256: this file never sees a secret.

/// A user as `callqa users list` and the admin page show it.
public struct UserRecord: Sendable, Equatable {
    public var account: Account
    public var disabled: Bool
    /// ISO 8601 UTC.
    public var createdAt: String
    /// ISO 8601 UTC.
    public var passwordChangedAt: String
    /// Last successful login, ISO 8601 UTC; nil when never.
    public var lastLoginAt: String?
}

/// What is needed to check a password: the account, its bcrypt hash, whether it is disabled.
public struct StoredCredentials: Sendable, Equatable {
    public var account: Account
    public var passwordHash: String
    public var disabled: Bool
}

/// A live session found by its token's hash.
public struct StoredSession: Sendable, Equatable {
    public var account: Account
    /// Epoch seconds.
    public var createdEpoch: Double
    /// Epoch seconds of the last request seen (refreshed at most once a minute).
    public var lastSeenEpoch: Double
    /// Absolute end, epoch seconds.
    public var expiresEpoch: Double
    /// The last-seen time was due to be refreshed but the database was busy: record it later
    /// with `touchSession(wait: true)`.
    public var touchDue = false
}

/// What an audit row records.
public enum AuditAction: String, Sendable, Equatable, CaseIterable, Codable {
    /// A successful login.
    case login
    /// A wrong user name or password, or a disabled account.
    case loginFailed = "login_failed"
    /// A login refused because of too many recent failures.
    case loginThrottled = "login_throttled"
    /// A logout (the session is deleted).
    case logout
    /// A recording played or downloaded (`detail` holds the byte range).
    case audio
    /// User management (`target` is the user, `detail` what changed).
    case userAdded = "user_added"
    case userDisabled = "user_disabled"
    case userEnabled = "user_enabled"
    case userPassword = "user_password"
    /// The audit log itself was read.
    case auditRead = "audit_read"
    /// Evaluator answers saved in the workspace (`call_id`, `target` the card, `detail` the
    /// answers and the score before and after).
    case evaluation
    /// An agent acknowledged an evaluation (`call_id`, `target` the card).
    case acknowledgement
    /// A dispute raised, accepted, rejected or withdrawn (`call_id`, `target` `dispute N`,
    /// `detail` the criterion, the answers and the reason).
    case disputeOpened = "dispute_opened"
    case disputeAccepted = "dispute_accepted"
    case disputeRejected = "dispute_rejected"
    case disputeWithdrawn = "dispute_withdrawn"
    /// A calibration session created, a member's answers saved, a session closed (`target`
    /// `calibration N`; answers: `call_id` and how many, never the answers themselves).
    case calibrationCreated = "calibration_created"
    case calibrationAnswers = "calibration_answers"
    case calibrationClosed = "calibration_closed"
    /// A coaching note recorded, acknowledged by the agent, its follow-up marked done
    /// (`target` `coaching N`, `detail` the agent).
    case coachingNote = "coaching_note"
    case coachingAcknowledged = "coaching_acknowledged"
    case coachingFollowUp = "coaching_follow_up"
    /// An API token was created (`target` the user it acts as, `detail` its id, label, expiry).
    case tokenAdded = "token_added"
    /// An API token was revoked (`target` its user, `detail` its id).
    case tokenRevoked = "token_revoked"
    /// Surveys imported through the API (`detail` the counts).
    case surveyImport = "survey_import"
    /// A call page showed the call's transcript (`call_id`; `detail` the words shown).
    case transcript
    /// The calls list was searched in transcripts (`detail` the words searched and the hits).
    case transcriptSearch = "transcript_search"
    /// Call data exported from the workspace (`target` what was exported, e.g. `calls.csv`;
    /// `detail` the period, the filters, the sort and the number of rows).
    case export
}

/// One row of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64?
    /// Epoch seconds.
    public var atEpoch: Double
    public var action: AuditAction
    /// Who acted: the logged-in user, the name tried at login, or `cli:USER` for commands.
    public var actor: String?
    /// The client address (nil for the command line).
    public var address: String?
    /// The call whose recording was served.
    public var callID: String?
    /// The user an administrative action was about.
    public var target: String?
    /// Byte range, reason, changes: free text for people.
    public var detail: String?

    public init(id: Int64? = nil, atEpoch: Double, action: AuditAction, actor: String?, address: String? = nil,
                callID: String? = nil, target: String? = nil, detail: String? = nil) {
        self.id = id
        self.atEpoch = atEpoch
        self.action = action
        self.actor = actor
        self.address = address
        self.callID = callID
        self.target = target
        self.detail = detail
    }

    /// ISO 8601 UTC, whole seconds.
    public var at: String { Timestamp(epochS: atEpoch.rounded(.down), offsetS: 0).iso8601 }
}

/// The schema of accounts, sessions and the audit log (appended to `Migrations`).
enum AccountMigrations {
    static func accountsSessionsAudit(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (
                user_id             INTEGER PRIMARY KEY,
                name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
                role                TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'qa', 'admin')),
                agent_id            TEXT CHECK ((role = 'agent') = (agent_id IS NOT NULL)),
                password_hash       TEXT NOT NULL,
                disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                created_at          TEXT NOT NULL,
                password_changed_at TEXT NOT NULL,
                last_login_at       TEXT
            );
            CREATE TABLE user_teams (
                user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
                team    TEXT NOT NULL,
                PRIMARY KEY (user_id, team)
            );
            CREATE TABLE sessions (
                token_sha256    TEXT PRIMARY KEY NOT NULL,
                user_id         INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
                created_epoch   REAL NOT NULL,
                last_seen_epoch REAL NOT NULL,
                expires_epoch   REAL NOT NULL,
                address         TEXT
            );
            CREATE INDEX sessions_by_user ON sessions(user_id);
            CREATE TABLE audit_log (
                audit_id INTEGER PRIMARY KEY,
                at       TEXT NOT NULL,
                at_epoch REAL NOT NULL,
                action   TEXT NOT NULL CHECK (action IN ('login', 'login_failed', 'login_throttled', 'logout', 'audio',
                             'user_added', 'user_disabled', 'user_enabled', 'user_password', 'audit_read')),
                actor    TEXT,
                address  TEXT,
                call_id  TEXT,
                target   TEXT,
                detail   TEXT
            );
            CREATE INDEX audit_by_time ON audit_log(at_epoch);
            CREATE INDEX audit_by_action ON audit_log(action, at_epoch);
            """)
    }

    /// Rebuilds `audit_log` with `actions` added to its CHECK (SQLite cannot alter a CHECK).
    /// The actions it allows already are read from the table's own definition, so every
    /// migration that widens it (disputes, API tokens) keeps its actions whatever order the two run in.
    static func widenAuditActions(_ db: Database, with actions: [String]) throws {
        guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"),
              let open = sql.range(of: "action IN ("),
              let close = sql[open.upperBound...].firstIndex(of: ")") else {
            throw DatabaseError(resultCode: .SQLITE_ERROR, message: "audit_log: cannot read the actions its CHECK allows")
        }
        var allowed: [String] = []
        for item in sql[open.upperBound..<close].split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            if !name.isEmpty, !allowed.contains(name) { allowed.append(name) }
        }
        for a in actions where !allowed.contains(a) { allowed.append(a) }
        let list = allowed.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
        try db.execute(sql: """
            CREATE TABLE audit_log_new (
                audit_id INTEGER PRIMARY KEY,
                at       TEXT NOT NULL,
                at_epoch REAL NOT NULL,
                action   TEXT NOT NULL CHECK (action IN (\(list))),
                actor    TEXT,
                address  TEXT,
                call_id  TEXT,
                target   TEXT,
                detail   TEXT
            );
            INSERT INTO audit_log_new SELECT audit_id, at, at_epoch, action, actor, address, call_id, target, detail FROM audit_log;
            DROP TABLE audit_log;
            ALTER TABLE audit_log_new RENAME TO audit_log;
            CREATE INDEX audit_by_time ON audit_log(at_epoch);
            CREATE INDEX audit_by_action ON audit_log(action, at_epoch);
            """)
    }
}

/// Accounts: created by `callqa users`, read at login and on every request.
extension CallStore {
    /// How adding a user went.
    public enum AddUserOutcome: Sendable, Equatable {
        case added(Account)
        /// A user of that name (compared without case) exists.
        case nameTaken
    }

    /// Adds a user. The combination must satisfy `Account.problem` (checked by the caller).
    public func addUser(name: String, role: Role, agentID: String?, teams: [String], passwordHash: String,
                        nowEpoch: Double) throws(StoreError) -> AddUserOutcome {
        let now = Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0).iso8601
        let teams = Array(Set(teams)).sorted()
        return try write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) != nil {
                return .nameTaken
            }
            try db.execute(sql: """
                INSERT INTO users (name, role, agent_id, password_hash, created_at, password_changed_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, role.rawValue, agentID, passwordHash, now, now])
            let id = db.lastInsertedRowID
            for t in teams {
                try db.execute(sql: "INSERT INTO user_teams (user_id, team) VALUES (?, ?)", arguments: [id, t])
            }
            return .added(Account(userID: id, name: name, role: role, agentID: agentID, teams: teams))
        }
    }

    /// Every user, by name.
    public func users() throws(StoreError) -> [UserRecord] {
        try read { db in
            let teams = try Self.teamsByUser(db)
            return try Row.fetchAll(db, sql: """
                SELECT user_id, name, role, agent_id, disabled, created_at, password_changed_at, last_login_at
                FROM users ORDER BY name COLLATE NOCASE, user_id
                """).map { r in
                UserRecord(account: try Self.account(r, teams: teams[r["user_id"]] ?? []), disabled: r["disabled"] as Bool,
                           createdAt: r["created_at"], passwordChangedAt: r["password_changed_at"], lastLoginAt: r["last_login_at"])
            }
        }
    }

    /// The credentials of `name` (compared without case); nil when there is no such user.
    public func credentials(name: String) throws(StoreError) -> StoredCredentials? {
        try read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT user_id, name, role, agent_id, password_hash, disabled FROM users WHERE name = ?",
                                           arguments: [name]) else { return nil }
            let id: Int64 = r["user_id"]
            let teams = try String.fetchAll(db, sql: "SELECT team FROM user_teams WHERE user_id = ? ORDER BY team", arguments: [id])
            return StoredCredentials(account: try Self.account(r, teams: teams), passwordHash: r["password_hash"], disabled: r["disabled"] as Bool)
        }
    }

    /// Disables or enables a user; disabling also ends their sessions.
    /// - Returns: false when there is no such user.
    public func setUserDisabled(name: String, _ disabled: Bool) throws(StoreError) -> Bool {
        try write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT user_id FROM users WHERE name = ?", arguments: [name]) else { return false }
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE user_id = ?", arguments: [disabled, id])
            if disabled { try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [id]) }
            return true
        }
    }

    /// Replaces a user's password hash and ends their sessions.
    /// - Returns: false when there is no such user.
    public func setUserPassword(name: String, passwordHash: String, nowEpoch: Double) throws(StoreError) -> Bool {
        let now = Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0).iso8601
        return try write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT user_id FROM users WHERE name = ?", arguments: [name]) else { return false }
            try db.execute(sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE user_id = ?",
                           arguments: [passwordHash, now, id])
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [id])
            return true
        }
    }

    private static func teamsByUser(_ db: Database) throws -> [Int64: [String]] {
        var teams: [Int64: [String]] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT user_id, team FROM user_teams ORDER BY team") {
            teams[r["user_id"], default: []].append(r["team"])
        }
        return teams
    }

    private static func account(_ r: Row, teams: [String]) throws -> Account {
        let roleText: String = r["role"]
        guard let role = Role(rawValue: roleText) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "users.role: unknown role '\(roleText)'")
        }
        return Account(userID: r["user_id"], name: r["name"], role: role, agentID: r["agent_id"], teams: teams)
    }
}

/// Sessions: one row per logged-in browser, found by the SHA-256 of its token.
extension CallStore {
    /// Stores a new session and the user's last login time.
    public func createSession(tokenSHA256: String, userID: Int64, nowEpoch: Double, lifetimeS: Double,
                              address: String?) throws(StoreError) {
        let now = Timestamp(epochS: nowEpoch.rounded(.down), offsetS: 0).iso8601
        try write { db in
            // Sessions that ended by time are removed as new ones begin: the table stays small.
            try db.execute(sql: "DELETE FROM sessions WHERE expires_epoch <= ?", arguments: [nowEpoch])
            try db.execute(sql: """
                INSERT INTO sessions (token_sha256, user_id, created_epoch, last_seen_epoch, expires_epoch, address)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [tokenSHA256, userID, nowEpoch, nowEpoch, nowEpoch + lifetimeS, address])
            try db.execute(sql: "UPDATE users SET last_login_at = ? WHERE user_id = ?", arguments: [now, userID])
        }
    }

    /// The live session of this token hash; nil when there is none, or it has been idle
    /// `idleS` or longer, or passed its absolute end, or its user is disabled (such a session
    /// is deleted). Its last-seen time is refreshed at most once a minute, and only when that
    /// write needs no waiting for another writer (an ingest in another process): otherwise
    /// `touchDue` says that the caller should record it later (`touchSession(wait: true)`).
    /// Reads only, except to delete or refresh.
    public func session(tokenSHA256: String, nowEpoch: Double, idleS: Double) throws(StoreError) -> StoredSession? {
        let found: (StoredSession, disabled: Bool)? = try read { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT s.created_epoch, s.last_seen_epoch, s.expires_epoch, u.user_id, u.name, u.role, u.agent_id, u.disabled
                FROM sessions s JOIN users u ON u.user_id = s.user_id
                WHERE s.token_sha256 = ?
                """, arguments: [tokenSHA256]) else { return nil }
            let id: Int64 = r["user_id"]
            let teams = try String.fetchAll(db, sql: "SELECT team FROM user_teams WHERE user_id = ? ORDER BY team", arguments: [id])
            return (StoredSession(account: try Self.account(r, teams: teams), createdEpoch: r["created_epoch"],
                                  lastSeenEpoch: r["last_seen_epoch"], expiresEpoch: r["expires_epoch"]), r["disabled"] as Bool)
        }
        guard let found else { return nil }
        var session = found.0
        if found.disabled || nowEpoch >= session.expiresEpoch || nowEpoch - session.lastSeenEpoch >= idleS {
            try deleteSession(tokenSHA256: tokenSHA256)
            return nil
        }
        // One write a minute per session is enough to measure idleness.
        if nowEpoch - session.lastSeenEpoch >= 60 {
            if try touchSession(tokenSHA256: tokenSHA256, nowEpoch: nowEpoch, wait: false) {
                session.lastSeenEpoch = nowEpoch
            } else {
                session.touchDue = true
            }
        }
        return session
    }

    /// Records a request of a session (`last_seen_epoch`, never moved back).
    /// - Parameter wait: false: give up at once when another connection holds the write lock
    ///   (returns false), so a request never waits for a long write of another process.
    /// - Returns: whether the time was written.
    @discardableResult
    public func touchSession(tokenSHA256: String, nowEpoch: Double, wait: Bool) throws(StoreError) -> Bool {
        let sql = "UPDATE sessions SET last_seen_epoch = max(last_seen_epoch, ?) WHERE token_sha256 = ?"
        if wait {
            try write { db in try db.execute(sql: sql, arguments: [nowEpoch, tokenSHA256]) }
            return true
        }
        return try wrap {
            try pool.writeWithoutTransaction { db -> Bool in
                // One statement in autocommit mode: it takes the write lock or fails with BUSY at once.
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(busyTimeoutS * 1000))") }
                do {
                    try db.execute(sql: sql, arguments: [nowEpoch, tokenSHA256])
                    return true
                } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                    return false
                }
            }
        }
    }

    /// Ends a session (logout). - Returns: false when there was none.
    @discardableResult
    public func deleteSession(tokenSHA256: String) throws(StoreError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE token_sha256 = ?", arguments: [tokenSHA256])
            return db.changesCount > 0
        }
    }

    /// Live sessions of a user (tests, admin page).
    public func sessionCount(userID: Int64) throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE user_id = ?", arguments: [userID]) ?? 0 }
    }
}

/// The audit log: appended to, never updated.
extension CallStore {
    /// Appends one row.
    public func appendAudit(_ e: AuditEntry) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO audit_log (at, at_epoch, action, actor, address, call_id, target, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [e.at, e.atEpoch, e.action.rawValue, e.actor, e.address, e.callID, e.target, e.detail])
        }
    }

    /// Rows with `fromEpoch ≤ at < toEpoch` (either bound optional), oldest first, at most
    /// `limit` (the newest `limit` when there are more).
    public func auditEntries(fromEpoch: Double?, toEpoch: Double?, limit: Int? = nil) throws(StoreError) -> [AuditEntry] {
        try read { db in
            var conditions: [String] = []
            var args: [(any DatabaseValueConvertible)?] = []
            if let fromEpoch { conditions.append("at_epoch >= ?"); args.append(fromEpoch) }
            if let toEpoch { conditions.append("at_epoch < ?"); args.append(toEpoch) }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var sql = "SELECT * FROM audit_log \(whereClause) ORDER BY at_epoch DESC, audit_id DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            return rows.reversed().map { r in
                AuditEntry(id: r["audit_id"], atEpoch: r["at_epoch"], action: AuditAction(rawValue: r["action"]) ?? .login,
                           actor: r["actor"], address: r["address"], callID: r["call_id"], target: r["target"], detail: r["detail"])
            }
        }
    }

    /// Failed logins since `sinceEpoch`: for the user name (compared without case; counted only
    /// after its last successful login) and for the address.
    public func loginFailures(name: String, address: String?, sinceEpoch: Double) throws(StoreError) -> (forName: Int, forAddress: Int) {
        try read { db in
            // Row ids order the log even within one clock tick.
            let lastSuccess = try Int64.fetchOne(db, sql: """
                SELECT max(audit_id) FROM audit_log WHERE action = 'login' AND actor = ? COLLATE NOCASE AND at_epoch >= ?
                """, arguments: [name, sinceEpoch]) ?? 0
            let forName = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM audit_log
                WHERE action = 'login_failed' AND actor = ? COLLATE NOCASE AND at_epoch >= ? AND audit_id > ?
                """, arguments: [name, sinceEpoch, lastSuccess]) ?? 0
            var forAddress = 0
            if let address {
                forAddress = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND address = ? AND at_epoch >= ?
                    """, arguments: [address, sinceEpoch]) ?? 0
            }
            return (forName, forAddress)
        }
    }
}

import CallQAModel
import Foundation
import GRDB

// API tokens of the workspace (`callqa tokens`, `/api/v1`). A token acts as its user: the
// user's role, agent id and teams at the time of each request decide what it may see, and a
// disabled user's tokens stop working. Tokens arrive here as their SHA-256 only: this file
// never sees a secret.

/// The schema of API tokens (appended to `Migrations`).
enum TokenMigrations {
    static func apiTokens(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE api_tokens (
                token_id          INTEGER PRIMARY KEY,
                token_sha256      TEXT NOT NULL UNIQUE,
                user_id           INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
                label             TEXT,
                created_at        TEXT NOT NULL,
                created_epoch     REAL NOT NULL,
                created_by        TEXT NOT NULL,
                expires_epoch     REAL NOT NULL,
                revoked_epoch     REAL,
                revoked_by        TEXT,
                last_used_epoch   REAL,
                last_used_address TEXT,
                CHECK (expires_epoch > created_epoch)
            );
            CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
            """)
        try AccountMigrations.widenAuditActions(db, with: ["token_added", "token_revoked", "survey_import"])
    }
}

/// Where an API token stands.
public enum TokenStatus: String, Sendable, Equatable {
    case active
    case expired
    case revoked
    /// Its user is disabled: the token does not work until the user is enabled again.
    case userDisabled = "user_disabled"
}

/// An API token as `callqa tokens list` shows it (never the token itself).
public struct TokenRecord: Sendable, Equatable {
    public var tokenID: Int64
    public var userName: String
    public var role: Role
    public var label: String?
    /// ISO 8601 UTC.
    public var createdAt: String
    /// Who created it (`cli:USER`).
    public var createdBy: String
    public var expiresEpoch: Double
    public var revokedEpoch: Double?
    public var revokedBy: String?
    public var lastUsedEpoch: Double?
    public var lastUsedAddress: String?
    public var status: TokenStatus

    /// ISO 8601 UTC, whole seconds.
    public var expiresAt: String { Self.iso(expiresEpoch) }
    public var revokedAt: String? { revokedEpoch.map(Self.iso) }
    public var lastUsedAt: String? { lastUsedEpoch.map(Self.iso) }

    static func iso(_ epoch: Double) -> String { Timestamp(epochS: epoch.rounded(.down), offsetS: 0).iso8601 }
}

/// A live token found by its hash: the account it acts as.
public struct StoredToken: Sendable, Equatable {
    public var tokenID: Int64
    public var account: Account
    public var expiresEpoch: Double
}

extension CallStore {
    /// How adding a token went.
    public enum AddTokenOutcome: Sendable, Equatable {
        case added(TokenRecord)
        case noSuchUser
        /// Tokens of a disabled user would not work: enable the user first.
        case userDisabled
    }

    /// Stores a token (its SHA-256) for `userName` (compared without case), valid until
    /// `expiresEpoch`.
    public func addToken(tokenSHA256: String, userName: String, label: String?, nowEpoch: Double, expiresEpoch: Double,
                         createdBy: String) throws(StoreError) -> AddTokenOutcome {
        try write { db in
            guard let u = try Row.fetchOne(db, sql: "SELECT user_id, disabled FROM users WHERE name = ?", arguments: [userName]) else {
                return .noSuchUser
            }
            if u["disabled"] as Bool { return .userDisabled }
            try db.execute(sql: """
                INSERT INTO api_tokens (token_sha256, user_id, label, created_at, created_epoch, created_by, expires_epoch)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tokenSHA256, u["user_id"] as Int64, label, TokenRecord.iso(nowEpoch), nowEpoch, createdBy, expiresEpoch])
            let id = db.lastInsertedRowID
            guard let record = try Self.tokenRecords(db, whereSQL: "t.token_id = ?", arguments: [id], nowEpoch: nowEpoch).first else {
                throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "api_tokens: the token just stored is missing")
            }
            return .added(record)
        }
    }

    /// Every token (of `userName` when given), oldest first, with its status at `nowEpoch`.
    public func tokens(userName: String? = nil, nowEpoch: Double) throws(StoreError) -> [TokenRecord] {
        try read { db in
            if let userName {
                return try Self.tokenRecords(db, whereSQL: "u.name = ?", arguments: [userName], nowEpoch: nowEpoch)
            }
            return try Self.tokenRecords(db, whereSQL: "1", arguments: [], nowEpoch: nowEpoch)
        }
    }

    /// How revoking went.
    public enum RevokeTokenOutcome: Sendable, Equatable {
        case revoked(TokenRecord)
        case alreadyRevoked(TokenRecord)
        case notFound
    }

    /// Revokes one token (for good: a revoked token never works again).
    public func revokeToken(id: Int64, by: String, nowEpoch: Double) throws(StoreError) -> RevokeTokenOutcome {
        try write { db in
            guard let before = try Self.tokenRecords(db, whereSQL: "t.token_id = ?", arguments: [id], nowEpoch: nowEpoch).first else {
                return .notFound
            }
            if before.revokedEpoch != nil { return .alreadyRevoked(before) }
            try db.execute(sql: "UPDATE api_tokens SET revoked_epoch = ?, revoked_by = ? WHERE token_id = ?", arguments: [nowEpoch, by, id])
            guard let after = try Self.tokenRecords(db, whereSQL: "t.token_id = ?", arguments: [id], nowEpoch: nowEpoch).first else {
                return .notFound
            }
            return .revoked(after)
        }
    }

    /// Revokes every token of a user that is not revoked yet; nil when there is no such user.
    public func revokeTokens(userName: String, by: String, nowEpoch: Double) throws(StoreError) -> [TokenRecord]? {
        try write { db in
            guard let userID = try Int64.fetchOne(db, sql: "SELECT user_id FROM users WHERE name = ?", arguments: [userName]) else { return nil }
            let ids = try Int64.fetchAll(db, sql: "SELECT token_id FROM api_tokens WHERE user_id = ? AND revoked_epoch IS NULL ORDER BY token_id",
                                         arguments: [userID])
            try db.execute(sql: "UPDATE api_tokens SET revoked_epoch = ?, revoked_by = ? WHERE user_id = ? AND revoked_epoch IS NULL",
                           arguments: [nowEpoch, by, userID])
            return try ids.compactMap { id in
                try Self.tokenRecords(db, whereSQL: "t.token_id = ?", arguments: [id], nowEpoch: nowEpoch).first
            }
        }
    }

    /// The live token of this hash and the account it acts as; nil when it is unknown,
    /// revoked, expired, or its user is disabled. Its last use (time and address) is
    /// refreshed at most once a minute.
    public func apiToken(tokenSHA256: String, nowEpoch: Double, address: String?) throws(StoreError) -> StoredToken? {
        let found: (StoredToken, lastUsed: Double?)? = try read { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT t.token_id, t.expires_epoch, t.last_used_epoch, u.user_id, u.name, u.role, u.agent_id
                FROM api_tokens t JOIN users u ON u.user_id = t.user_id
                WHERE t.token_sha256 = ? AND t.revoked_epoch IS NULL AND u.disabled = 0 AND t.expires_epoch > ?
                """, arguments: [tokenSHA256, nowEpoch]) else { return nil }
            let userID: Int64 = r["user_id"]
            let roleText: String = r["role"]
            guard let role = Role(rawValue: roleText) else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "users.role: unknown role '\(roleText)'")
            }
            let teams = try String.fetchAll(db, sql: "SELECT team FROM user_teams WHERE user_id = ? ORDER BY team", arguments: [userID])
            let account = Account(userID: userID, name: r["name"], role: role, agentID: r["agent_id"], teams: teams)
            return (StoredToken(tokenID: r["token_id"], account: account, expiresEpoch: r["expires_epoch"]), r["last_used_epoch"])
        }
        guard let found else { return nil }
        // One write a minute per token is enough to say when it was last used.
        if found.lastUsed.map({ nowEpoch - $0 >= 60 }) ?? true {
            try write { db in
                try db.execute(sql: "UPDATE api_tokens SET last_used_epoch = ?, last_used_address = ? WHERE token_id = ?",
                               arguments: [nowEpoch, address, found.0.tokenID])
            }
        }
        return found.0
    }

    private static func tokenRecords(_ db: Database, whereSQL: String, arguments: StatementArguments,
                                     nowEpoch: Double) throws -> [TokenRecord] {
        try Row.fetchAll(db, sql: """
            SELECT t.token_id, u.name, u.role, u.disabled, t.label, t.created_at, t.created_by, t.expires_epoch, t.revoked_epoch,
                   t.revoked_by, t.last_used_epoch, t.last_used_address
            FROM api_tokens t JOIN users u ON u.user_id = t.user_id
            WHERE \(whereSQL) ORDER BY t.token_id
            """, arguments: arguments).map { r in
            let roleText: String = r["role"]
            guard let role = Role(rawValue: roleText) else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "users.role: unknown role '\(roleText)'")
            }
            let expires: Double = r["expires_epoch"], revoked: Double? = r["revoked_epoch"]
            let status: TokenStatus = revoked != nil ? .revoked : expires <= nowEpoch ? .expired : (r["disabled"] as Bool) ? .userDisabled : .active
            return TokenRecord(tokenID: r["token_id"], userName: r["name"], role: role, label: r["label"], createdAt: r["created_at"],
                               createdBy: r["created_by"], expiresEpoch: expires, revokedEpoch: revoked, revokedBy: r["revoked_by"],
                               lastUsedEpoch: r["last_used_epoch"], lastUsedAddress: r["last_used_address"], status: status)
        }
    }
}

import CallQAModel
import Dispatch
import Store

/// A logged-in user's session as the server holds it during one request.
public struct AuthenticatedSession: Sendable, Equatable {
    public var account: Account
    /// The session token from the cookie (never stored: the database has its SHA-256).
    public var token: String
    /// The token every form of this session posts back (`csrf`) or scripts send
    /// (`X-CSRF-Token`).
    public var csrfToken: String { Secrets.csrfToken(forSessionToken: token) }
}

/// Logins, sessions and logouts, each written to the audit log. No HTTP here: the router
/// turns requests into these calls and their outcomes into responses.
public struct Authenticator: Sendable {
    public let store: CallStore
    public let configuration: WorkspaceConfiguration

    public init(store: CallStore, configuration: WorkspaceConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// How a login attempt went.
    public enum LoginOutcome: Sendable, Equatable {
        /// A new session: set `token` as the session cookie.
        case success(token: String, account: Account)
        /// Unknown user, wrong password or disabled account: one answer for all three.
        case failed
        /// Too many recent failures for this user name or this address.
        case throttled(retryAfterS: Int)
    }

    /// Checks a user name and password (bcrypt, off the request threads) unless throttled,
    /// records the attempt in the audit log, and on success starts a session.
    public func login(name typed: String, password: String, address: String?) async throws(StoreError) -> LoginOutcome {
        // No account name is longer than 64 characters: what was typed is logged, but not
        // megabytes of it.
        let name = String(typed.prefix(128))
        let now = configuration.now()
        let since = now - configuration.throttleWindowS
        let failures = try store.loginFailures(name: name, address: address, sinceEpoch: since)
        if failures.forName >= configuration.maxFailuresPerAccount || failures.forAddress >= configuration.maxFailuresPerAddress {
            let which = failures.forName >= configuration.maxFailuresPerAccount ? "user name" : "address"
            try store.appendAudit(AuditEntry(atEpoch: now, action: .loginThrottled, actor: name, address: address,
                                             detail: "\(which): too many failed logins in \(Int(configuration.throttleWindowS / 60)) min"))
            return .throttled(retryAfterS: Int(configuration.throttleWindowS))
        }
        let credentials = try store.credentials(name: name)
        // A bcrypt check happens whatever the name: an unknown name takes as long as a known one.
        let hash = credentials?.passwordHash ?? Secrets.decoyHash
        let matches = await Self.offload { Secrets.verifyPassword(password, hash: hash) }
        guard let credentials, matches, !credentials.disabled else {
            let reason = credentials.map { $0.disabled && matches ? "account disabled" : "wrong password" } ?? "unknown user"
            try store.appendAudit(AuditEntry(atEpoch: now, action: .loginFailed, actor: name, address: address, detail: reason))
            return .failed
        }
        let token = Secrets.newToken()
        try store.createSession(tokenSHA256: Secrets.sha256Hex(token), userID: credentials.account.userID, nowEpoch: now,
                                lifetimeS: configuration.sessionLifetimeS, address: address)
        // Names compare without case, in the users table and in the throttle's counts alike.
        try store.appendAudit(AuditEntry(atEpoch: now, action: .login, actor: credentials.account.name, address: address))
        return .success(token: token, account: credentials.account)
    }

    /// The live session of a cookie's token; nil when it is unknown, idle too long, past its
    /// lifetime, or its user is disabled.
    public func session(token: String) throws(StoreError) -> AuthenticatedSession? {
        guard Self.looksLikeToken(token) else { return nil }
        let hash = Secrets.sha256Hex(token), now = configuration.now()
        guard let s = try store.session(tokenSHA256: hash, nowEpoch: now, idleS: configuration.idleTimeoutS) else { return nil }
        if s.touchDue {
            // Another process holds the write lock (an ingest): the last-seen time is written
            // when it is free, without holding up this request.
            let store = self.store
            DispatchQueue.global().async { _ = try? store.touchSession(tokenSHA256: hash, nowEpoch: now, wait: true) }
        }
        return AuthenticatedSession(account: s.account, token: token)
    }

    /// Ends the session server-side and records the logout.
    public func logout(_ session: AuthenticatedSession, address: String?) throws(StoreError) {
        try store.deleteSession(tokenSHA256: Secrets.sha256Hex(session.token))
        try store.appendAudit(AuditEntry(atEpoch: configuration.now(), action: .logout, actor: session.account.name, address: address))
    }

    /// Records an action of a logged-in user.
    public func audit(_ action: AuditAction, by account: Account, address: String?, callID: String? = nil,
                      target: String? = nil, detail: String? = nil) throws(StoreError) {
        try store.appendAudit(AuditEntry(atEpoch: configuration.now(), action: action, actor: account.name, address: address,
                                         callID: callID, target: target, detail: detail))
    }

    /// Tokens are 43 base64url characters; anything else is not looked up.
    static func looksLikeToken(_ s: String) -> Bool {
        s.utf8.count == 43 && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }

    /// Runs CPU-heavy work (bcrypt: ≈ 0.3 s) on a Dispatch thread, not on the few threads
    /// that serve requests.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

import CallQAModel
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Who calls the API during one request: the account (its role, agent id and teams decide
/// what it sees, as on the pages) and how it proved it.
public struct APICaller: Sendable, Equatable {
    public var account: Account
    /// The API token used; nil for a logged-in browser session.
    public var tokenID: Int64?
    /// When the token expires (epoch seconds); nil for a session.
    public var expiresEpoch: Double?

    /// How the audit log names the way in: `api token #7` or `api session`.
    var via: String { tokenID.map { "api token #\($0)" } ?? "api session" }
}

/// API tokens: made for `callqa tokens add`, checked on every `/api/v1` request.
extension Authenticator {
    /// The prefix of every API token: it tells a token from a password, and secret scanners
    /// can look for it.
    public static let apiTokenPrefix = "cqa_"

    /// A new API token: the prefix and 32 random bytes (256 bits) in base64url. Shown once;
    /// only its SHA-256 is stored.
    public static func newAPIToken() -> String { apiTokenPrefix + Secrets.newToken() }

    /// `cqa_` and 43 base64url characters; anything else is not looked up.
    static func looksLikeAPIToken(_ s: String) -> Bool {
        s.hasPrefix(apiTokenPrefix) && looksLikeToken(String(s.dropFirst(apiTokenPrefix.count)))
    }

    /// What `createAPIToken` made: the token (to show once) and its record.
    public struct NewAPIToken: Sendable {
        public var token: String
        public var record: TokenRecord
    }

    /// Why a token was not made.
    public enum TokenProblem: Error, Equatable, CustomStringConvertible {
        case noSuchUser(String)
        case userDisabled(String)

        public var description: String {
            switch self {
            case let .noSuchUser(name): "no user named '\(name)'; see callqa users list"
            case let .userDisabled(name): "user '\(name)' is disabled: its tokens would not work; enable it first (callqa users enable)"
            }
        }
    }

    /// Makes a token for `userName`, valid for `days` days, and records it in the audit log
    /// (`token_added`, by `actor`).
    public func createAPIToken(userName: String, days: Double, label: String?, actor: String) throws -> NewAPIToken {
        let token = Self.newAPIToken()
        let now = configuration.now()
        switch try store.addToken(tokenSHA256: Secrets.sha256Hex(token), userName: userName, label: label, nowEpoch: now,
                                  expiresEpoch: now + days * 86_400, createdBy: actor) {
        case .noSuchUser: throw TokenProblem.noSuchUser(userName)
        case .userDisabled: throw TokenProblem.userDisabled(userName)
        case let .added(record):
            try store.appendAudit(AuditEntry(atEpoch: now, action: .tokenAdded, actor: actor, target: record.userName,
                                             detail: "token #\(record.tokenID)\(label.map { " (\($0))" } ?? ""), expires \(record.expiresAt)"))
            return NewAPIToken(token: token, record: record)
        }
    }

    /// Revokes one token and records it (`token_revoked`).
    public func revokeAPIToken(id: Int64, actor: String) throws(StoreError) -> CallStore.RevokeTokenOutcome {
        let now = configuration.now()
        let outcome = try store.revokeToken(id: id, by: actor, nowEpoch: now)
        if case let .revoked(r) = outcome {
            try store.appendAudit(AuditEntry(atEpoch: now, action: .tokenRevoked, actor: actor, target: r.userName, detail: "token #\(r.tokenID)"))
        }
        return outcome
    }

    /// Revokes every live token of a user and records each; nil when there is no such user.
    public func revokeAPITokens(userName: String, actor: String) throws(StoreError) -> [TokenRecord]? {
        let now = configuration.now()
        guard let revoked = try store.revokeTokens(userName: userName, by: actor, nowEpoch: now) else { return nil }
        for r in revoked {
            try store.appendAudit(AuditEntry(atEpoch: now, action: .tokenRevoked, actor: actor, target: r.userName, detail: "token #\(r.tokenID)"))
        }
        return revoked
    }

    /// The caller of a bearer token; nil when the token is malformed, unknown, revoked,
    /// expired, or its user is disabled (one answer for all).
    public func apiCaller(token: String, address: String?) throws(StoreError) -> APICaller? {
        guard Self.looksLikeAPIToken(token) else { return nil }
        guard let t = try store.apiToken(tokenSHA256: Secrets.sha256Hex(token), nowEpoch: configuration.now(), address: address) else {
            return nil
        }
        return APICaller(account: t.account, tokenID: t.tokenID, expiresEpoch: t.expiresEpoch)
    }
}

/// Requests per caller: a token bucket per token (or per user, for browser sessions),
/// holding `burst` requests and refilled at `ratePerS`. In memory: one server process.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    let burst: Double
    let ratePerS: Double

    init(burst: Double, ratePerS: Double) {
        self.burst = burst
        self.ratePerS = ratePerS
    }

    /// Takes one request from `key`'s bucket at time `now` (s); nil when allowed, else the
    /// whole seconds to wait.
    func take(_ key: String, now: Double) -> Int? {
        lock.withLock {
            var b = buckets[key] ?? (burst, now)
            b.tokens = min(burst, b.tokens + max(0, now - b.at) * ratePerS)
            b.at = now
            defer { buckets[key] = b }
            if b.tokens >= 1 {
                b.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - b.tokens) / ratePerS).rounded(.up)))
        }
    }
}

/// Authentication of `/api/v1`: a bearer token (`Authorization: Bearer cqa_…`), else the
/// workspace session cookie, whose writes need the session's CSRF token in `X-CSRF-Token`
/// (a token needs none: no browser sends it on its own). The OpenAPI document is public.
/// Each caller is rate-limited; every error is JSON.
struct APIMiddleware {
    let authenticator: Authenticator
    let configuration: WorkspaceConfiguration
    let limiter: RateLimiter

    func handle(_ request: Request, context: WorkspaceContext, next: (Request, WorkspaceContext) async throws -> Response) async throws -> Response {
        var context = context
        let address = configuration.clientAddressFromProxy ? request.headers[.xRealIP].flatMap { $0.isEmpty ? nil : $0 } ?? context.peerAddress
            : context.peerAddress
        if request.uri.path != WorkspaceServer.openAPIPath {
            if let header = request.headers[.authorization] {
                let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                    throw APIError.unauthorized("the Authorization header must be 'Bearer <token>'")
                }
                guard let caller = try authenticator.apiCaller(token: String(parts[1]).trimmingCharacters(in: .whitespaces), address: address) else {
                    throw APIError.unauthorized("the bearer token is unknown, revoked or expired, or its user is disabled; ask for a new one (callqa tokens add)")
                }
                context.apiCaller = caller
            } else if let token = request.cookies[configuration.sessionCookieName]?.value, let session = try authenticator.session(token: token) {
                if request.method != .get, request.method != .head {
                    guard let sent = request.headers[.xCSRFToken], Secrets.constantTimeEqual(sent, session.csrfToken) else {
                        throw APIError.from(status: .forbidden)
                    }
                }
                context.session = session
                context.apiCaller = APICaller(account: session.account, tokenID: nil, expiresEpoch: nil)
            } else {
                throw APIError.unauthorized("send 'Authorization: Bearer <token>' (callqa tokens add) or use the API from a logged-in workspace session")
            }
            let key = context.apiCaller.map { c in c.tokenID.map { "token:\($0)" } ?? "user:\(c.account.userID)" } ?? ""
            if let wait = limiter.take(key, now: configuration.now()) {
                throw APIError(.tooManyRequests, "too_many_requests",
                               "more than \(Int(limiter.burst)) requests at once or \(Int(limiter.ratePerS)) a second on average from this caller; retry after \(wait) s",
                               headers: [.retryAfter: String(wait)])
            }
        }
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            // The router's own errors, a page's, a body over its limit: all answered as JSON.
            throw APIError.from(status: error.status, headers: (error as? HTTPError)?.headers ?? (error as? PageError)?.headers ?? [:])
        }
    }
}

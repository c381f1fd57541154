import CallQAModel
import Foundation
import GRDB
@testable import Store
import Testing

/// API tokens in the store: found by hash only while live, acting as their user's current
/// account, and the audit log's CHECK allowing every action the code writes.
@Suite struct TokenStoreTests {
    static func store() throws -> CallStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-tokens-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
    }

    @Test func everyAuditActionIsAllowedByTheTable() throws {
        let s = try Self.store()
        for action in AuditAction.allCases {
            try s.appendAudit(AuditEntry(atEpoch: 1_796_000_000, action: action, actor: "t"))
        }
        #expect(try s.auditEntries(fromEpoch: nil, toEpoch: nil).map(\.action) == AuditAction.allCases)
        // Anything else is refused by SQLite itself.
        #expect(throws: (any Error).self) {
            try s.write { db in try db.execute(sql: "INSERT INTO audit_log (at, at_epoch, action) VALUES ('x', 0, 'token_stolen')") }
        }
    }

    @Test func aTokenIsLiveUntilRevokedExpiredOrItsUserDisabled() throws {
        let s = try Self.store()
        let now = 1_796_000_000.0
        guard case .added = try s.addUser(name: "Sup", role: .supervisor, agentID: nil, teams: ["Blue"], passwordHash: "x", nowEpoch: now) else {
            Issue.record("user not added"); return
        }
        #expect(try s.addToken(tokenSHA256: "h0", userName: "nobody", label: nil, nowEpoch: now, expiresEpoch: now + 10, createdBy: "t") == .noSuchUser)
        guard case let .added(r) = try s.addToken(tokenSHA256: "h1", userName: "sup", label: "bi", nowEpoch: now, expiresEpoch: now + 100, createdBy: "cli:t")
        else { Issue.record("token not added"); return }
        #expect(r.userName == "Sup" && r.role == .supervisor && r.status == .active && r.label == "bi" && r.expiresAt == "2026-11-30T00:55:00Z")
        // Found by its hash only, acting as the user's account as it is now.
        #expect(try s.apiToken(tokenSHA256: "h2", nowEpoch: now, address: nil) == nil)
        let live = try #require(try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 1, address: "192.0.2.1"))
        #expect(live.account.teams == ["Blue"] && live.account.scope == Scope.teams(["Blue"]))
        try s.write { db in try db.execute(sql: "INSERT INTO user_teams (user_id, team) SELECT user_id, 'Red' FROM users") }
        #expect(try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 30, address: "192.0.2.2")?.account.teams == ["Blue", "Red"])
        // Last use: refreshed at most once a minute.
        #expect(try s.tokens(nowEpoch: now).first?.lastUsedEpoch == now + 1)
        _ = try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 61, address: "192.0.2.3")
        #expect(try s.tokens(nowEpoch: now).first.map { "\($0.lastUsedEpoch ?? 0) \($0.lastUsedAddress ?? "")" } == "\(now + 61) 192.0.2.3")
        // A disabled user: not found (and found again once enabled).
        #expect(try s.setUserDisabled(name: "sup", true))
        #expect(try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 62, address: nil) == nil)
        #expect(try s.tokens(nowEpoch: now + 62).first?.status == .userDisabled)
        #expect(try s.addToken(tokenSHA256: "h3", userName: "sup", label: nil, nowEpoch: now, expiresEpoch: now + 10, createdBy: "t") == .userDisabled)
        #expect(try s.setUserDisabled(name: "sup", false))
        #expect(try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 63, address: nil) != nil)
        // Expired: at its end.
        #expect(try s.apiToken(tokenSHA256: "h1", nowEpoch: now + 100, address: nil) == nil)
        #expect(try s.tokens(nowEpoch: now + 100).first?.status == .expired)
        // Revoked, for good; revoking a user's tokens takes the live ones only.
        guard case .added = try s.addToken(tokenSHA256: "h4", userName: "sup", label: nil, nowEpoch: now, expiresEpoch: now + 1000, createdBy: "t"),
              case .added = try s.addToken(tokenSHA256: "h5", userName: "sup", label: nil, nowEpoch: now, expiresEpoch: now + 1000, createdBy: "t") else {
            Issue.record("tokens not added"); return
        }
        guard case let .revoked(revoked) = try s.revokeToken(id: 2, by: "cli:t", nowEpoch: now + 5) else { Issue.record("not revoked"); return }
        #expect(revoked.status == .revoked && revoked.revokedBy == "cli:t" && revoked.revokedAt == "2026-11-30T00:53:25Z")
        #expect(try s.apiToken(tokenSHA256: "h4", nowEpoch: now + 6, address: nil) == nil)
        #expect(try s.revokeToken(id: 99, by: "t", nowEpoch: now) == .notFound)
        #expect(try s.revokeTokens(userName: "SUP", by: "t", nowEpoch: now + 7)?.map(\.tokenID) == [1, 3])
        #expect(try s.revokeTokens(userName: "nobody", by: "t", nowEpoch: now + 7) == nil)
        #expect(try s.apiToken(tokenSHA256: "h5", nowEpoch: now + 8, address: nil) == nil)
        #expect(try s.tokens(nowEpoch: now + 8).allSatisfy { $0.status == .revoked })
        // A token's user removed: its tokens go with it.
        try s.write { db in try db.execute(sql: "DELETE FROM users") }
        #expect(try s.tokens(nowEpoch: now).isEmpty)
    }
}

import CallQAModel
import Foundation
import Store
import Testing
@testable import Workspace

/// `callqa users`, `callqa audit` and `callqa serve`'s refusals, through the real binary.
@Suite struct CommandLineTests {
    static func executable() throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callqa"),
                          root.appendingPathComponent(".build/debug/callqa")]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "callqa not built")
    }

    static func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try executable()
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        var env = ProcessInfo.processInfo.environment
        env["USER"] = "tester"
        p.environment = env
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func freshDatabase() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("db.sqlite").path
    }

    @Test func usersAddValidatesRoleAgentIdAndTeams() throws {
        let db = try Self.freshDatabase()
        let role = try Self.run(["users", "add", "x", "--role", "boss", "--db", db])
        #expect(role.status == 64 && role.err.contains("'agent', 'supervisor', 'qa' or 'admin'"), "\(role.err)")
        let agent = try Self.run(["users", "add", "x", "--role", "agent", "--db", db])
        #expect(agent.status == 64 && agent.err.contains("role agent needs --agent-id"))
        let sup = try Self.run(["users", "add", "x", "--role", "supervisor", "--db", db])
        #expect(sup.status == 64 && sup.err.contains("role supervisor needs at least one --team"))
        let qaTeam = try Self.run(["users", "add", "x", "--role", "qa", "--team", "Blue", "--db", db])
        #expect(qaTeam.status == 64 && qaTeam.err.contains("role qa sees every call"))
        let short = try Self.run(["users", "add", "x", "--role", "qa", "--password-stdin", "--db", db], stdin: "short\n")
        #expect(short.status == 64 && short.err.contains("expected a password of 12 to 72 bytes"))
        if FileManager.default.fileExists(atPath: db) { #expect(try CallStore(path: db).users().isEmpty) }
    }

    @Test func usersAddGeneratesOrReadsAPasswordHashedWithBcryptCost12() throws {
        let db = try Self.freshDatabase()
        let gen = try Self.run(["users", "add", "Anna", "--role", "supervisor", "--team", "Blue", "--team", "Red", "--db", db])
        #expect(gen.status == 0 && gen.out.contains("added user 'Anna': role supervisor, sees the calls of teams Blue, Red"))
        let line = try #require(gen.out.split(separator: "\n").first { $0.hasPrefix("password: ") })
        let password = String(line.dropFirst("password: ".count))
        // 6 groups of 5 from 32 letters: 150 bits.
        #expect(password.count == 35 && password.split(separator: "-").count == 6)
        #expect(password.allSatisfy { "abcdefghjkmnpqrstuvwxyz123456789-".contains($0) })
        let piped = try Self.run(["users", "add", "bob", "--role", "agent", "--agent-id", "a2", "--password-stdin", "--db", db],
                                 stdin: "a long enough password\n")
        #expect(piped.status == 0 && !piped.out.contains("password:"))
        let store = try CallStore(path: db)
        let anna = try #require(try store.credentials(name: "anna"))
        #expect(anna.passwordHash.hasPrefix("$2b$12$") && Secrets.verifyPassword(password, hash: anna.passwordHash))
        #expect(anna.account.teams == ["Blue", "Red"] && anna.account.role == .supervisor)
        let bob = try #require(try store.credentials(name: "bob"))
        #expect(Secrets.verifyPassword("a long enough password", hash: bob.passwordHash) && bob.account.agentID == "a2")
        let twice = try Self.run(["users", "add", "ANNA", "--role", "qa", "--db", db])
        #expect(twice.status == 1 && twice.err.contains("a user named 'ANNA' exists already"))

        let list = try Self.run(["users", "list", "--format", "csv", "--db", db])
        #expect(list.out == "name,role,agent_id,teams,status,created_at,last_login_at\r\n"
            + "Anna,supervisor,,\"Blue,Red\",active,\(anna.account.name == "Anna" ? try store.users()[0].createdAt : ""),\r\n"
            + "bob,agent,a2,,active,\(try store.users()[1].createdAt),\r\n")
        #expect(try Self.run(["users", "disable", "bob", "--db", db]).status == 0)
        #expect(try store.credentials(name: "bob")?.disabled == true)
        #expect(try Self.run(["users", "enable", "bob", "--db", db]).status == 0)
        #expect(try Self.run(["users", "disable", "nobody", "--db", db]).status == 1)
        let pw = try Self.run(["users", "password", "bob", "--password-stdin", "--db", db], stdin: "another long password\n")
        #expect(pw.status == 0)
        #expect(Secrets.verifyPassword("another long password", hash: try #require(try store.credentials(name: "bob")).passwordHash))

        // Every change is in the audit log, by the command line's user; reading it is too.
        let audit = try Self.run(["audit", "--format", "json", "--db", db])
        #expect(audit.status == 0)
        for action in ["user_added", "user_disabled", "user_enabled", "user_password"] {
            #expect(audit.out.contains("\"action\": \"\(action)\""), "\(action)")
        }
        #expect(audit.out.contains("\"user\": \"cli:tester\""))
        #expect(try store.auditEntries(fromEpoch: nil, toEpoch: nil).last?.action == .auditRead)
        let table = try Self.run(["audit", "--from", "2000-01-01", "--to", "2000-01-02", "--db", db])
        #expect(table.status == 0 && table.out.hasPrefix("at  action  user  address  call_id  target  detail\n"))
        #expect(try Self.run(["audit", "--from", "yesterday", "--db", db]).status == 64)
    }

    @Test func serveRefusesANonLoopbackAddressWithoutSecureCookiesOrInsecureHTTP() throws {
        let db = try Self.freshDatabase()
        let r = try Self.run(["serve", "--host", "0.0.0.0", "--db", db])
        #expect(r.status == 64 && r.err.contains("refusing to listen on '0.0.0.0'") && r.err.contains("--insecure-http"))
        #expect(WorkspaceConfiguration.isLoopback("127.0.0.1") && WorkspaceConfiguration.isLoopback("127.1.2.3"))
        #expect(WorkspaceConfiguration.isLoopback("::1") && WorkspaceConfiguration.isLoopback("localhost"))
        #expect(!WorkspaceConfiguration.isLoopback("0.0.0.0") && !WorkspaceConfiguration.isLoopback("10.0.0.1") && !WorkspaceConfiguration.isLoopback("::"))
        var c = WorkspaceConfiguration()
        c.host = "192.0.2.1"
        #expect(c.bindingProblem != nil)
        c.secureCookies = true
        #expect(c.bindingProblem == nil)
        c.secureCookies = false
        c.insecureHTTP = true
        #expect(c.bindingProblem == nil)
    }

    @Test func accountValidationAndGeneratedSecrets() {
        #expect(Account.problem(name: "a", role: .agent, agentID: "a1", teams: []) == nil)
        #expect(Account.problem(name: "a", role: .agent, agentID: nil, teams: []) != nil)
        #expect(Account.problem(name: "a", role: .agent, agentID: "a1", teams: ["Blue"]) != nil)
        #expect(Account.problem(name: "a", role: .supervisor, agentID: nil, teams: ["Blue"]) == nil)
        #expect(Account.problem(name: "a", role: .supervisor, agentID: nil, teams: [""]) != nil)
        #expect(Account.problem(name: "", role: .qa, agentID: nil, teams: []) != nil)
        #expect(Account.problem(name: " a", role: .qa, agentID: nil, teams: []) != nil)
        #expect(Account.problem(name: "cli:root", role: .qa, agentID: nil, teams: []) != nil)
        #expect(Account.problem(name: "a\u{1B}[31m", role: .qa, agentID: nil, teams: []) != nil)
        #expect(Account.problem(name: String(repeating: "x", count: 65), role: .qa, agentID: nil, teams: []) != nil)
        let tokens = Set((0..<200).map { _ in Secrets.newToken() })
        #expect(tokens.count == 200 && tokens.allSatisfy { Authenticator.looksLikeToken($0) })
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.constantTimeEqual("abc", "abc") && !Secrets.constantTimeEqual("abc", "abd") && !Secrets.constantTimeEqual("abc", "ab"))
        #expect(Set((0..<50).map { _ in Secrets.generatedPassword() }).count == 50)
    }
}

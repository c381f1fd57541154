import CallQAModel
import ArgumentParser
import Foundation
import Store
import Workspace

extension Role: ExpressibleByArgument {}
extension TextRendering.Format: ExpressibleByArgument {}

/// `callqa users`: accounts of the workspace (`callqa serve`). There is no default account
/// and no default password.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the accounts of the workspace (callqa serve).",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Password.self]
    )

    /// Who acts on the command line, for the audit log.
    static var actor: String {
        let env = ProcessInfo.processInfo.environment
        if let name = env["USER"] ?? env["LOGNAME"], !name.isEmpty { return "cli:" + name }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return "cli:" + String(cString: name) }
        return "cli:uid \(getuid())"
    }

    /// The password from standard input (first line), or a generated one that is printed.
    static func password(fromStdin: Bool) throws -> (password: String, generated: Bool) {
        guard fromStdin else { return (Secrets.generatedPassword(), true) }
        guard let line = readLine(strippingNewline: true) else {
            throw ValidationError("--password-stdin: standard input is empty; expected the password on its first line")
        }
        let pw = line.hasSuffix("\r") ? String(line.dropLast()) : line
        // bcrypt reads 72 bytes at most: a longer password would be silently cut.
        guard pw.count >= 12, pw.utf8.count <= 72 else {
            throw ValidationError("--password-stdin: expected a password of 12 to 72 bytes, got \(pw.utf8.count) bytes")
        }
        return (pw, false)
    }

    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        Terminal.error(message)
        return ExitCode(code)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an account; prints a generated password unless --password-stdin.",
            discussion: """
                Roles: agent (own calls; needs --agent-id), supervisor (their teams; needs at least one --team), \
                qa (every call; evaluates), admin (every call; users and audit log). Passwords are hashed with bcrypt, cost 12.
                """
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name (1–64 characters; compared without case).") var name: String
        @Option(help: "What the user may see and do (see the discussion above).") var role: Role
        @Option(name: .customLong("agent-id"), help: "The agent_id whose calls an agent account sees.") var agentID: String?
        @Option(name: .customLong("team"), help: "A team a supervisor sees (repeat for several).") var teams: [String] = []
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input (12–72 bytes) instead of generating one.")
        var passwordStdin = false

        func validate() throws {
            if let problem = Account.problem(name: name, role: role, agentID: agentID, teams: teams) { throw ValidationError(problem) }
        }

        func run() throws {
            let (password, generated) = try UsersCommand.password(fromStdin: passwordStdin)
            let store = try database.open()
            let hash = Secrets.hashPassword(password)
            let now = Date().timeIntervalSince1970
            do {
                switch try store.addUser(name: name, role: role, agentID: agentID, teams: teams, passwordHash: hash, nowEpoch: now) {
                case .nameTaken:
                    throw UsersCommand.fail("a user named '\(name)' exists already (names compare without case); see callqa users list")
                case let .added(account):
                    try store.appendAudit(AuditEntry(atEpoch: now, action: .userAdded, actor: UsersCommand.actor, target: account.name,
                                                     detail: "role \(role.rawValue); sees \(Pages.scopeDescription(account))"))
                    print("added user '\(Terminal.safe(account.name))': role \(role.rawValue), sees \(Terminal.safe(Pages.scopeDescription(account)))")
                    if generated { print("password: \(password)") }
                }
            } catch let e as StoreError {
                throw UsersCommand.fail(e.description, code: 2)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Output format.") var format: TextRendering.Format = .table

        func run() throws {
            let store = try database.open()
            do { print(TextRendering.users(try store.users(), format: format), terminator: "") } catch {
                throw UsersCommand.fail(error.description, code: 2)
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name.") var name: String
        func run() throws { try UsersCommand.setDisabled(name, true, database) }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name.") var name: String
        func run() throws { try UsersCommand.setDisabled(name, false, database) }
    }

    static func setDisabled(_ name: String, _ disabled: Bool, _ database: DatabaseOptions) throws {
        let store = try database.open()
        do {
            guard try store.setUserDisabled(name: name, disabled) else { throw fail("no user named '\(name)'; see callqa users list") }
            try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: disabled ? .userDisabled : .userEnabled,
                                             actor: actor, target: name))
            print("user '\(Terminal.safe(name))' \(disabled ? "disabled (sessions ended)" : "enabled")")
        } catch let e as StoreError {
            throw fail(e.description, code: 2)
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "password", abstract: "Set a new password (generated and printed unless --password-stdin); ends the user's sessions.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User name.") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input (12–72 bytes).")
        var passwordStdin = false

        func run() throws {
            let (password, generated) = try UsersCommand.password(fromStdin: passwordStdin)
            let store = try database.open()
            let now = Date().timeIntervalSince1970
            do {
                guard try store.setUserPassword(name: name, passwordHash: Secrets.hashPassword(password), nowEpoch: now) else {
                    throw UsersCommand.fail("no user named '\(name)'; see callqa users list")
                }
                try store.appendAudit(AuditEntry(atEpoch: now, action: .userPassword, actor: UsersCommand.actor, target: name))
                print("password of '\(Terminal.safe(name))' changed; their sessions ended")
                if generated { print("password: \(password)") }
            } catch let e as StoreError {
                throw UsersCommand.fail(e.description, code: 2)
            }
        }
    }
}

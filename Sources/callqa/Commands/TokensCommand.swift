import ArgumentParser
import CallQAModel
import Foundation
import Store
import Workspace

/// `callqa tokens`: API tokens for scripts and BI tools (`/api/v1` of `callqa serve`). A
/// token acts as its user; it is shown once and stored as its SHA-256 only.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Manage API tokens (Authorization: Bearer …) for scripts and BI tools.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    static func authenticator(_ store: CallStore) -> Authenticator { Authenticator(store: store, configuration: WorkspaceConfiguration()) }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Make a token that acts as USER; prints it once.",
            discussion: """
                The token sees what the user sees (their role, agent id and teams at each request) and stops working when \
                it expires, is revoked, or the user is disabled. Only its SHA-256 is stored: a lost token cannot be shown \
                again (make a new one and revoke the old). Creation is recorded in the audit log.
                """
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user the token acts as.") var user: String
        @Option(help: "Days until it expires (1–3650).") var expires: Int = 90
        @Option(help: "What it is for (shown by tokens list), e.g. 'Power BI nightly'.") var label: String?

        func validate() throws {
            guard (1...3650).contains(expires) else { throw ValidationError("--expires: expected days from 1 to 3650, got \(expires)") }
            if let label, label.isEmpty || label.count > 200 || label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw ValidationError("--label: expected 1 to 200 characters without control characters, got \(label.debugDescription)")
            }
        }

        func run() throws {
            let store = try database.open()
            do {
                let made = try TokensCommand.authenticator(store).createAPIToken(userName: user, days: Double(expires), label: label,
                                                                                 actor: UsersCommand.actor)
                let r = made.record
                print("token #\(r.tokenID) for '\(Terminal.safe(r.userName))' (role \(r.role.rawValue)), expires \(r.expiresAt); shown once, keep it secret:")
                print(made.token)
            } catch let e as Authenticator.TokenProblem {
                throw UsersCommand.fail(e.description)
            } catch let e as StoreError {
                throw UsersCommand.fail(e.description, code: 2)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens (never the tokens themselves).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this user's tokens.") var user: String?
        @Option(help: "Output format.") var format: TextRendering.Format = .table

        func run() throws {
            let store = try database.open()
            do {
                let tokens = try store.tokens(userName: user, nowEpoch: Date().timeIntervalSince1970)
                print(TextRendering.tokens(tokens, format: format), terminator: "")
            } catch {
                throw UsersCommand.fail(error.description, code: 2)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by its number, or every token of a user (--user).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token's number (#N in tokens list).") var id: Int64?
        @Option(help: "Revoke every token of this user instead.") var user: String?

        func validate() throws {
            if (id == nil) == (user == nil) { throw ValidationError("give a token number or --user NAME (one of them)") }
        }

        func run() throws {
            let store = try database.open()
            let auth = TokensCommand.authenticator(store)
            do {
                if let id {
                    switch try auth.revokeAPIToken(id: id, actor: UsersCommand.actor) {
                    case .notFound: throw UsersCommand.fail("no token #\(id); see callqa tokens list")
                    case let .alreadyRevoked(r): print("token #\(id) of '\(Terminal.safe(r.userName))' was revoked already")
                    case let .revoked(r): print("token #\(id) of '\(Terminal.safe(r.userName))' revoked")
                    }
                } else if let user {
                    guard let revoked = try auth.revokeAPITokens(userName: user, actor: UsersCommand.actor) else {
                        throw UsersCommand.fail("no user named '\(user)'; see callqa users list")
                    }
                    print("\(revoked.count) token\(revoked.count == 1 ? "" : "s") of '\(Terminal.safe(user))' revoked"
                          + (revoked.isEmpty ? "" : ": " + revoked.map { "#\($0.tokenID)" }.joined(separator: ", ")))
                }
            } catch let e as StoreError {
                throw UsersCommand.fail(e.description, code: 2)
            }
        }
    }
}

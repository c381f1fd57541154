import ArgumentParser
import Dispatch
import Foundation
import Logging
import CallQAModel
import Store
import Workspace

/// `callqa serve`: the QA workspace in the browser. Loopback only unless told otherwise;
/// TLS belongs to a reverse proxy in front (README).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the QA workspace (login, recordings, users, audit log) over HTTP.",
        discussion: """
            Create accounts first with `callqa users add`. Listens on loopback unless --host names another address, which needs \
            --secure-cookies (behind a TLS reverse proxy) or, to send session cookies in clear, --insecure-http. \
            The database is shared with ingest/score running at the same time (SQLite WAL).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "TCP port (0: any free port, printed at start).") var port: Int = 8080
    @Flag(name: .customLong("secure-cookies"), help: "Mark cookies Secure (__Host- names): the browser reaches the workspace over HTTPS through a reverse proxy.")
    var secureCookies = false
    @Flag(name: .customLong("insecure-http"), help: "Allow a non-loopback address without --secure-cookies: session cookies then travel in clear.")
    var insecureHTTP = false
    @Flag(name: .customLong("behind-proxy"), help: "Take the client address from X-Real-IP (set by the reverse proxy) for throttling and the audit log.")
    var behindProxy = false
    @Option(name: .customLong("idle-timeout-min"), help: "A session unused this many minutes ends.") var idleTimeoutMin: Double = 30
    @Option(name: .customLong("session-hours"), help: "A session ends this many hours after login, however used.") var sessionHours: Double = 12
    @Option(name: .customLong("dispute-window-days"), help: "Days after an evaluator answer is stored during which it may be disputed (default: the settings file's disputes.window_days, else 7).")
    var disputeWindowDays: Double?
    @OptionGroup var configOption: ConfigOption

    var settings: WorkspaceConfiguration {
        var c = WorkspaceConfiguration()
        c.host = host
        c.port = port
        c.secureCookies = secureCookies
        c.insecureHTTP = insecureHTTP
        c.clientAddressFromProxy = behindProxy
        c.idleTimeoutS = idleTimeoutMin * 60
        c.sessionLifetimeS = sessionHours * 3600
        return c
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected 0 to 65535, got \(port)") }
        if let d = disputeWindowDays, !(d > 0 && d <= 3650) { throw ValidationError("--dispute-window-days: expected days > 0 and at most 3650") }
        guard idleTimeoutMin > 0, sessionHours > 0 else {
            throw ValidationError("--idle-timeout-min and --session-hours: expected values above 0")
        }
        if let problem = settings.bindingProblem { throw ValidationError(problem) }
    }

    func run() throws {
        let store = try database.open()
        let users = (try? store.users()) ?? []
        if !users.contains(where: { !$0.disabled }) {
            Terminal.warning("no active account in '\(database.path)': nobody can log in; add one with callqa users add NAME --role admin")
        }
        var configuration = settings
        configuration.disputeWindow = try disputeWindowDays.map { DisputeWindow(days: $0) } ?? configOption.settings().disputeWindow
        var logger = Logger(label: "callqa.serve")
        logger.logLevel = .warning
        let server = WorkspaceServer(store: store, configuration: configuration)
        let host = settings.host, dbPath = database.path
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run(logger: logger) { port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // Written straight to the descriptor: scripts wait for this line (e.g. with --port 0).
                    FileHandle.standardOutput.write(Data("callqa workspace: http://\(shown):\(port)/ (database \(dbPath)); Ctrl-C stops it\n".utf8))
                }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error {
            Terminal.error("serve: \(error)")
            throw ExitCode(2)
        }
    }
}

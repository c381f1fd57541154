import ArgumentParser
import CallQAModel
import CallRecords
import Foundation
import Store
import Workspace

/// `callqa audit`: the audit log of the workspace (logins, logouts, recordings played or
/// downloaded, user management) — who listened to which call, and when.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the workspace's audit log: logins, logouts, recordings played or downloaded, user management.",
        discussion: "Reading the log is itself recorded in it (action audit_read)."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "First day (YYYY-MM-DD, inclusive) or instant (ISO 8601).") var from: String?
    @Option(help: "Last day (YYYY-MM-DD, inclusive) or instant (ISO 8601, exclusive).") var to: String?
    @Option(parsing: .unconditional, help: "Time zone of the dates: an IANA name or ±HH:MM.") var tz: String = "UTC"
    @Option(help: "Output format.") var format: TextRendering.Format = .table

    func validate() throws {
        guard let zone = Timestamp.Zone(tz) else {
            throw ValidationError("--tz: expected an IANA zone name such as Europe/Berlin or an offset such as +01:00, got '\(tz)'")
        }
        if case let .failure(e) = AuditQuery.period(from: from, to: to, zone: zone) { throw ValidationError(e.description) }
    }

    func run() throws {
        guard let zone = Timestamp.Zone(tz), case let .success(period) = AuditQuery.period(from: from, to: to, zone: zone) else {
            throw ExitCode.validationFailure
        }
        let store = try database.open()
        do {
            let entries = try store.auditEntries(fromEpoch: period.fromEpoch, toEpoch: period.toEpoch)
            try store.appendAudit(AuditEntry(atEpoch: Date().timeIntervalSince1970, action: .auditRead, actor: UsersCommand.actor,
                                             detail: "cli: from \(from ?? "start") to \(to ?? "now"), \(entries.count) rows"))
            print(TextRendering.audit(entries, format: format), terminator: "")
        } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
    }
}

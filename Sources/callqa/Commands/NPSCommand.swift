import ArgumentParser
import CallRecords
import Foundation
import Pipeline
import Reports
import Store

struct NPSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nps",
        abstract: "Post-call survey answers (NPS 0–10).",
        subcommands: [Import.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import surveys: columns call_id, score, answered_at, comment [, survey_id, caller, csat].",
            discussion: """
            An empty score is "no answer / timed out": kept apart, not in NPS. Any other score must be a whole \
            number 0–10. Rows are joined to calls by call_id, else by hashed caller within --link-window-h \
            after the call; a survey whose call is not ingested yet waits and is joined by a later ingest. \
            Rejected rows are reported with file:line and stored in import_errors; re-importing changes nothing. \
            Exit status 0 (1 with --strict when rows were rejected; 2 when the file cannot be read).
            """)

        @Argument(help: "The CSV file.")
        var file: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var zoneOption: ZoneOption

        @Option(help: "Join window for surveys without call_id: the call started at most this many hours before the answer.")
        var linkWindowH: Double = NPSImport.defaultWindowS / 3600

        @Option(help: "Country code for national caller numbers before hashing (e.g. 49).")
        var countryCode: String?

        @Flag(help: "Exit with status 1 when any row is rejected.")
        var strict = false

        func validate() throws {
            if !(linkWindowH > 0 && linkWindowH <= 24 * 90) { throw ValidationError("--link-window-h: expected hours between 0 and 2160, got \(linkWindowH)") }
            _ = try zoneOption.zone()
        }

        func run() throws {
            let store = try database.open()
            let key: [UInt8]
            do { key = try CallerKey.load(forDatabase: database.path) } catch {
                Terminal.error(error.description)
                throw ExitCode(2)
            }
            let s = try storeCall {
                try NPSImport.run(path: file, store: store, hasher: CallerHasher(key: key, countryCode: countryCode),
                                  zone: try zoneOption.zone(), windowS: linkWindowH * 3600)
            }
            if let e = s.fileError {
                Terminal.error(e)
                throw ExitCode(2)
            }
            for r in s.rejected { Terminal.warning(TerminalText.clean(r.message)) }
            if s.rejectedCount > s.rejected.count { Terminal.warning("… and \(s.rejectedCount - s.rejected.count) more rejected rows (table import_errors)") }
            print("surveys: \(s.rows) row(s): \(s.imported) imported (\(s.noAnswer) without answer), \(s.alreadyImported) already imported, \(s.rejectedCount) rejected; in the database \(s.linked) linked to calls, \(s.waiting) waiting for their call\(s.timeFromCallNote)")
            if strict && s.rejectedCount > 0 { throw ExitCode(1) }
        }
    }
}

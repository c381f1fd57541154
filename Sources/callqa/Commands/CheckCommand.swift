import ArgumentParser
import Foundation
import Store

/// `callqa check`: is the database file sound? Reads only.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database file (SQLite integrity_check, schema version); reads only.",
        discussion: "Exit status 0 when sound, 2 when damaged, missing or unreadable. Writing commands also run a quick check before they write after an unclean shutdown."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open(forReading: true)
        let result: CallStore.CheckResult
        do { result = try store.check() } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        guard result.isSound else {
            for line in result.integrity { Terminal.error("database '\(database.path)': integrity_check: \(line)") }
            Terminal.error("database '\(database.path)' is damaged; restore it from a backup, or recover it with sqlite3 '.recover'")
            throw ExitCode(2)
        }
        print("database '\(Terminal.safe(database.path))' is sound: integrity_check ok, schema version \(result.schemaVersion), \(result.calls) calls")
    }
}

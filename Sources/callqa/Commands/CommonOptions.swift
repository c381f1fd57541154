import ArgumentParser
import CallQAModel
import CallRecords
import Foundation
import Synchronization
import Pipeline
import Reports
import Scorecard
import Store

/// `--db PATH`, shared by every command that reads or writes the database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite database (default: $CALLQA_DB, else ./callqa.sqlite).")
    var db: String?

    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["CALLQA_DB"], !env.isEmpty { return env }
        return "callqa.sqlite"
    }

    /// Opens the store; exits with status 2 when it cannot.
    /// - Parameter forReading: the command only reads (reports): a database this user may
    ///   not write, or one on read-only media, is opened read-only instead of failing.
    func open(forReading: Bool = false) throws -> CallStore {
        // Reports and `explain` only read: never create, migrate or write (a missing file is
        // an error, a stale snapshot is read from its base tables).
        let readOnly = forReading
        // The key is needed once, to upgrade a database of an earlier version that kept
        // customer numbers in clear; without it that upgrade (only) fails and says so.
        let hasher = readOnly ? nil : (try? CallerKey.load(forDatabase: path)).map { CallerHasher(key: $0) }
        do {
            let store = try CallStore(path: path, readOnly: readOnly, hasher: hasher)
            if store.madeByNewerVersion {
                Terminal.warning("database '\(path)' was made by a newer callqa: reading what this version knows; figures may be incomplete")
            }
            return store
        } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
    }
}

/// `--config FILE`: settings (analysis parameters, agent channel, KPI and NPS settings)
/// from a YAML file; without it, `callqa.yaml` in the working folder when there is one.
/// Command-line options win over the file.
struct ConfigOption: ParsableArguments {
    @Option(help: "Settings file (YAML; default: ./callqa.yaml when present). Command-line options win over it.")
    var config: String?

    /// The settings in force; exits with status 2 when the file cannot be used.
    func settings() throws -> SettingsFile {
        do {
            return try SettingsFile.resolve(explicitPath: config)
        } catch {
            for line in error.lines { Terminal.error("settings: \(line)") }
            throw ExitCode(2)
        }
    }
}

/// `--tz ZONE` for timestamps written without an offset.
struct ZoneOption: ParsableArguments {
    // `.unconditional`: `--tz -05:00` (every zone west of UTC) is a value, not an option.
    @Option(parsing: .unconditional,
            help: "Time zone for timestamps without an offset and for day/hour groups: an IANA name (Europe/Berlin) or ±HH:MM.")
    var tz: String?

    func zone() throws -> Timestamp.Zone? {
        guard let tz else { return nil }
        guard let z = Timestamp.Zone(tz) else {
            throw ValidationError("--tz: expected an IANA zone name such as Europe/Berlin or an offset such as +01:00, got '\(tz)'")
        }
        return z
    }
}

/// Writing to the terminal: errors to standard error, colour only on a TTY.
enum Terminal {
    static var stderrIsTTY: Bool { isatty(2) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("callqa: error: \(safe(message))\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("callqa: warning: \(safe(message))\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((safe(message) + "\n").utf8))
    }

    /// Messages quote file names, manifest values and call ids: their control characters
    /// (ESC sequences, bells, carriage returns) are shown as `\u{1B}`, never acted on.
    /// Line breaks between the lines of a multi-line message stay.
    static func safe(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.clean(String($0)) }
            .joined(separator: "\n")
    }
}

/// `--from/--to` (dates or timestamps) with `--tz`.
struct PeriodOptions: ParsableArguments {
    @Option(help: "First day (YYYY-MM-DD, inclusive) or instant (ISO 8601) of calls to include.")
    var from: String?

    @Option(help: "Last day (YYYY-MM-DD, inclusive) or instant (ISO 8601, exclusive) of calls to include.")
    var to: String?

    @OptionGroup var zoneOption: ZoneOption

    func period() throws -> Period {
        switch Period.parse(from: from, to: to, zone: try zoneOption.zone()) {
        case let .success(p): return p
        case let .failure(e): throw ValidationError(e.description)
        }
    }
}

/// `--scorecards DIR|FILE`.
struct ScorecardsOption: ParsableArguments {
    @Option(help: "Card file or folder of *.yaml cards (default: the first Scorecards folder found in the working folder, beside the database, in the day's folder or its parent).")
    var scorecards: String?

    /// The cards' path: `--scorecards`, else the first `Scorecards` folder that exists.
    func location(database: DatabaseOptions, dayFolder: String? = nil) -> ScorecardLocation {
        ScorecardLocation.resolve(explicit: scorecards, databasePath: database.path, dayFolder: dayFolder)
    }

    /// Loads every card; lint problems are printed and exit with status 2 (bad configuration).
    func load(database: DatabaseOptions) throws -> [Scorecard] {
        let where_ = location(database: database)
        guard let path = where_.path else {
            Terminal.error(where_.missing)
            throw ExitCode(2)
        }
        let (cards, issues) = CardLoader.loadAll(path)
        if !issues.isEmpty {
            for i in issues { Terminal.error(i.description) }
            Terminal.error("fix the scorecards above (callqa scorecard lint \(path))")
            throw ExitCode(2)
        }
        if cards.isEmpty {
            Terminal.error("no scorecards (*.yaml) in '\(path)'")
            throw ExitCode(2)
        }
        return cards
    }
}

/// Runs `work` on every file, at most `jobs` at once (default: the number of cores), and returns
/// the results in the files' order (`analyze`, `learn-hold-music`).
func eachFile<T: Sendable>(_ files: [String], jobs: Int?, _ work: @Sendable (String) -> T) -> [T] {
    let results = Mutex<[T?]>(Array(repeating: nil, count: files.count))
    let workers = min(files.count, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
        while true {
            let i = next.add(1, ordering: .relaxed).oldValue
            guard i < files.count else { return }
            let r = work(files[i])
            results.withLock { $0[i] = r }
        }
    }
    return results.withLock { $0 }.map { $0! }
}

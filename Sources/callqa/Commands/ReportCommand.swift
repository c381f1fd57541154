import Analytics
import ArgumentParser
import CallRecords
import CallQAModel
import Foundation
import Pipeline
import Reports
import Store

extension KPIDimension: ExpressibleByArgument {}
extension SLVariant: ExpressibleByArgument {}

/// Output formats of reports.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, html
}

/// `--format` and `--out` of every report.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "Output format.")
    var format: ReportFormat = .table

    @Option(help: "Write to this file instead of standard output; csv of a report with several tables: a folder, one file per table.")
    var out: String?

    /// Writes tables in the chosen format.
    func emit(_ tables: [ReportTable], html: (() -> String)? = nil) throws {
        var text: String
        switch format {
        case .table: text = ReportTable.text(tables)
        case .json: text = JSONValue.array(tables.map { $0.json() }).rendered() + "\n"
        case .csv:
            // CSV carries warnings in a `warning` column; they are said on standard error too.
            for w in tables.first?.warnings ?? [] { Terminal.warning(w) }
            let destination: CSVExport.Destination
            do { destination = try CSVExport.destination(out: out, tableCount: tables.count) } catch { throw ValidationError(error.description) }
            switch destination {
            case .folder(let dir):
                do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    Terminal.error("cannot create folder '\(dir)': \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                for t in tables { try write(t.csv(), to: (dir as NSString).appendingPathComponent(t.name + ".csv")) }
                return
            case .file, .standardOutput:
                text = (tables.count == 1 ? tables.first : CSVExport.mainTable(tables))?.csv() ?? ""
            }
        case .html:
            text = html?() ?? HTMLReport.page(title: tables.first?.title ?? "callqa report", tables: tables)
        }
        if let out { try write(text, to: out) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            Terminal.error("cannot write '\(path)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports: agents, one agent, one call, KPIs, NPS, disputes — as terminal tables, CSV, JSON or self-contained HTML.",
        subcommands: [AgentsCommand.self, AgentCommand.self, CallReportCommand.self, KPICommand.self, NPSReportCommand.self, ReportDisputesCommand.self]
    )
}

struct KPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Offered, answered, abandoned, service level (every variant), lost-call rate, ASA, AHT, FCR, calls per agent-day.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Group by (repeatable).")
    var by: [KPIDimension] = []

    @Option(help: "Service-level threshold T (s; default: the settings file's, else 20).")
    var slThresholdS: Double?

    @Option(help: "Abandons before this wait (s) are short abandons (default: the settings file's, else 5).")
    var shortAbandonS: Double?

    @Option(help: "FCR repeat window (days; default: the settings file's, else 7).")
    var fcrWindowDays: Double?

    @Option(help: "Headline service-level variant (default: the settings file's, else \(SLVariant.answeredOverAll.rawValue)).")
    var slVariant: SLVariant?

    @OptionGroup var configOption: ConfigOption

    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Only this agent's calls.")
    var agent: String?

    func validate() throws {
        if let slThresholdS, !(slThresholdS >= 0) { throw ValidationError("--sl-threshold-s: expected seconds ≥ 0") }
        if let shortAbandonS, !(shortAbandonS >= 0) { throw ValidationError("--short-abandon-s: expected seconds ≥ 0") }
        if let fcrWindowDays, !(fcrWindowDays > 0) { throw ValidationError("--fcr-window-days: expected days > 0") }
    }

    func run() throws {
        var settings = try configOption.settings().kpi
        if let slThresholdS { settings.slThresholdS = slThresholdS }
        if let shortAbandonS { settings.shortAbandonS = shortAbandonS }
        if let fcrWindowDays { settings.fcrWindowS = fcrWindowDays * 86400 }
        if let slVariant { settings.headline = slVariant }
        let store = try database.open(forReading: true)
        let zone = try periodOptions.zoneOption.zone()
        let period = try periodOptions.period()
        let scope = Scope.everything.narrowed(team: team, queue: queue, agent: agent)
        try reportCall { try ReportBuilder.checkSelection(store, period: period, scope: scope) }
        let report = try reportCall { try ReportBuilder.kpi(store, period: period, zone: zone, by: by, settings: settings, scope: scope) }
        try output.emit(report.tables) { report.html }
    }
}

struct NPSReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nps",
        abstract: "NPS with n and 95 % interval overall or by agent / team / queue / day; distribution; detractor comments.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Group by: day, queue, team, agent (repeatable).")
    var by: [String] = []

    @Option(help: "Below this many answers an NPS is marked not reliable (default: the settings file's, else 30).")
    var minN: Int?

    @OptionGroup var configOption: ConfigOption

    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Only this agent's surveys.")
    var agent: String?

    func dims() throws -> [NPSReport.Dimension] {
        try by.map { b in
            guard let d = NPSReport.Dimension(rawValue: b) else {
                throw ValidationError("--by: NPS groups by \(NPSReport.Dimension.allCases.map(\.rawValue).joined(separator: ", ")), got '\(b)'")
            }
            return d
        }
    }

    func validate() throws {
        _ = try dims()
        if let minN, minN < 1 { throw ValidationError("--min-n: expected a number ≥ 1") }
    }

    func run() throws {
        let store = try database.open(forReading: true)
        let period = try periodOptions.period()
        let scope = Scope.everything.narrowed(team: team, queue: queue, agent: agent)
        let minimumN = try minN ?? configOption.settings().npsMinimumN
        try reportCall { try ReportBuilder.checkSelection(store, period: period, scope: scope) }
        let report = try reportCall { try ReportBuilder.nps(store, period: period, by: try dims(), minimumN: minimumN, scope: scope) }
        try output.emit(report.tables) { report.html }
    }
}

/// Filters shared by the agent reports.
struct ReportFilters: ParsableArguments {
    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Limit the report to this agent's own calls, scores and comments.")
    var agent: String?

    @Option(help: "One card (id); default: each card that scored calls, as its own block.")
    var scorecard: String?

    @Option(help: "Below this many scored calls an agent's quality is marked too small to judge (default: the settings file's, else 10).")
    var minScored: Int?

    @OptionGroup var configOption: ConfigOption

    /// The command line reads everything the database holds, narrowed by these options.
    var scope: Scope { Scope.everything.narrowed(team: team, queue: queue, agent: agent, scorecard: scorecard) }

    /// `--min-scored`, else the settings file's, else 10.
    func minimumScored() throws -> Int { try minScored ?? configOption.settings().agentsMinimumScored }
}

struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "One row per agent: calls, quality with 95 % interval, share ≥ target, critical fails, NPS, talk, AHT; below target first.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var filters: ReportFilters
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Write one HTML file per agent into this folder, each with only that agent's data (and team figures for teams of at least 5 agents).")
    var splitDir: String?

    func run() throws {
        let store = try database.open(forReading: true)
        let period = try periodOptions.period()
        let minScored = try filters.minimumScored()
        try reportCall { try ReportBuilder.checkSelection(store, period: period, scope: filters.scope) }
        let report = try reportCall { try ReportBuilder.agents(store, period: period, scope: filters.scope, minScored: minScored) }
        if let splitDir {
            let files = try reportCall {
                try SplitReports.write(dir: splitDir, store: store, period: period, scope: filters.scope, minScored: minScored,
                                       summaries: report.summaries)
            }
            print("wrote \(files.count) agent file(s) to \(splitDir)")
            return
        }
        try output.emit(report.tables) { report.html }
    }
}

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "One agent: weekly trend, the criteria failed most (coaching focus), worst calls with evidence, NPS and comments.")

    @Argument(help: "The agent id.")
    var agentID: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var filters: ReportFilters
    @OptionGroup var output: ReportOutputOptions

    func run() throws {
        if let other = filters.agent, other != agentID {
            throw ValidationError("--agent \(other) limits the report to another agent than \(agentID)")
        }
        let store = try database.open(forReading: true)
        let period = try periodOptions.period()
        let minScored = try filters.minimumScored()
        try reportCall { try ReportBuilder.checkSelection(store, period: period, scope: filters.scope, agentID: agentID) }
        let report = try reportCall {
            try ReportBuilder.agent(store, agentID: agentID, period: period, scope: filters.scope, minScored: minScored)
        }
        try output.emit(report.tables) { report.html }
    }
}

struct CallReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Everything about one call: record, metrics, health, scores with evidence; HTML adds the timeline.")

    @Argument(help: "The call id.")
    var callID: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Only if the call is this agent's.")
    var agent: String?

    @Option(help: "Only if the call is this team's.")
    var team: String?

    @Option(help: "Only if the call is in this queue.")
    var queue: String?

    func run() throws {
        let store = try database.open(forReading: true)
        let period = try periodOptions.period()
        // The selection options limit what may be shown: a call outside them is not shown.
        let report = try reportCall {
            try ReportBuilder.call(store, callID: callID, period: period, scope: Scope.everything.narrowed(team: team, queue: queue, agent: agent))
        }
        let people = output.format == .table || output.format == .html
        let tables = report.tables(forPeople: people, evidence: people)
        try output.emit(tables) { HTMLPages.call(report.detail, tables: tables, transcript: report.transcript) }
    }
}

/// Runs a report query: a store failure exits 2, an unknown card is a usage error.
func reportCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as StoreError {
        Terminal.error(e.description)
        throw ExitCode(2)
    } catch let e as UnknownCard {
        throw ValidationError(e.description)
    } catch let e as SelectionError {
        // An unknown id or an empty period: said, with what the database holds; exit status 1.
        Terminal.error(e.description)
        throw ExitCode(1)
    } catch let e as SplitReportError {
        Terminal.error(e.description)
        throw ExitCode(2)
    } catch let e as CallReportError {
        Terminal.error(e.description)
        throw ExitCode(1)
    }
}

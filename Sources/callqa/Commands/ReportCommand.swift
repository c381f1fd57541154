import Analytics
import ArgumentParser
import CallRecords
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
    @Option(help: "Output: table, csv, json or html.")
    var format: ReportFormat = .table

    @Option(help: "Write to this file (csv of several tables: a folder, one file per table) instead of standard output.")
    var out: String?

    /// Writes tables in the chosen format.
    func emit(_ tables: [ReportTable], html: (() -> String)? = nil) throws {
        var text: String
        switch format {
        case .table: text = tables.map { $0.text() }.joined(separator: "\n")
        case .json: text = JSONValue.array(tables.map { $0.json() }).rendered() + "\n"
        case .csv:
            if let out, tables.count > 1 {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for t in tables { try write(t.csv(), to: (out as NSString).appendingPathComponent(t.name + ".csv")) }
                return
            }
            text = tables.first?.csv() ?? ""
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
        abstract: "Reports: KPIs, NPS (terminal, CSV, JSON, HTML).",
        subcommands: [KPICommand.self, NPSReportCommand.self]
    )
}

struct KPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Offered, answered, abandoned, service level (every variant), lost-call rate, ASA, AHT, FCR, calls per agent-day.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Group by: day, hour, weekday, queue, team, dialed, agent (repeatable).")
    var by: [KPIDimension] = []

    @Option(help: "Service-level threshold T (s).")
    var slThresholdS: Double = 20

    @Option(help: "Abandons before this wait (s) are short abandons.")
    var shortAbandonS: Double = 5

    @Option(help: "FCR repeat window (days).")
    var fcrWindowDays: Double = 7

    @Option(help: "Headline service-level variant: \(SLVariant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var slVariant: SLVariant = .answeredOverAll

    @Option(help: "Only this team.")
    var team: String?

    @Option(help: "Only this queue.")
    var queue: String?

    @Option(help: "Only this agent's calls.")
    var agent: String?

    func validate() throws {
        if !(slThresholdS >= 0) { throw ValidationError("--sl-threshold-s: expected seconds ≥ 0") }
        if !(shortAbandonS >= 0) { throw ValidationError("--short-abandon-s: expected seconds ≥ 0") }
        if !(fcrWindowDays > 0) { throw ValidationError("--fcr-window-days: expected days > 0") }
    }

    func run() throws {
        var settings = KPISettings()
        settings.slThresholdS = slThresholdS
        settings.shortAbandonS = shortAbandonS
        settings.fcrWindowS = fcrWindowDays * 86400
        settings.headline = slVariant
        let store = try database.open()
        let zone = try periodOptions.zoneOption.zone()
        var rows = try storeCall { try store.kpiRows(period: try periodOptions.period(), zone: zone, fcrWindowS: settings.fcrWindowS) }
        if let team { rows = rows.filter { $0.team == team } }
        if let queue { rows = rows.filter { $0.queue == queue } }
        if let agent { rows = rows.filter { $0.agentID == agent } }
        let groups = KPI.aggregate(rows, by: by, settings: settings)
        try output.emit(KPIReport.tables(groups, by: by, settings: settings))
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

    @Option(help: "Below this many answers an NPS is marked not reliable.")
    var minN: Int = 30

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
        if minN < 1 { throw ValidationError("--min-n: expected a number ≥ 1") }
    }

    func run() throws {
        let store = try database.open()
        var facts = try storeCall { try store.surveyFacts(period: try periodOptions.period()) }
        if let team { facts = facts.filter { $0.team == team } }
        if let queue { facts = facts.filter { $0.queue == queue } }
        if let agent { facts = facts.filter { $0.agentID == agent } }
        try output.emit(NPSReport.tables(facts, by: try dims(), minimumN: minN))
    }
}

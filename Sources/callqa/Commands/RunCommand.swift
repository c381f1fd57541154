import ArgumentParser
import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import Pipeline
import Reports
import Store

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The day's job: ingest a folder (manifest or Asterisk records + recordings), import surveys.csv and evaluations.csv, score, write the reports.",
        discussion: """
        Running it again on the same folder changes nothing and is fast; a new folder into the same database adds \
        that day. Prints what was done file by file and the agents table; writes HTML, CSV and JSON reports to --out, \
        covering the days of the folder's calls (--from/--to override). Exit status 1 \
        if any input failed, or no scorecards were found (everything that could be done was done).
        """
    )

    @Argument(help: "The folder of the day.")
    var folder: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var cardsOption: ScorecardsOption

    @Option(help: "Folder for the reports (default: FOLDER/callqa-report).")
    var out: String?

    @Option(help: "Default stereo channel of the agent (a manifest's agent_channel column overrides it; default: the settings file's, else left).")
    var agentChannel: AgentChannel?

    @Option(help: "Recordings analysed in parallel (default: number of cores).")
    var jobs: Int?

    @Option(help: "Reports from this day (YYYY-MM-DD) or instant (default: the first day of the folder's calls).")
    var from: String?

    @Option(help: "Reports up to this day (inclusive) or instant (default: the last day of the folder's calls).")
    var to: String?

    @OptionGroup var zoneOption: ZoneOption
    @OptionGroup var configOption: ConfigOption
    @OptionGroup var holdMusic: HoldMusicOption

    @Flag(help: "Transcribe the folder's calls before scoring (as the settings' transcription.stage: true does).")
    var transcribe = false

    @OptionGroup(title: "Transcription (with --transcribe or transcription.stage)")
    var transcription: TranscriptionOptions

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        _ = try period()
        try transcription.validateLanguage()
    }

    /// `--from/--to`, nil when neither is given.
    func period() throws -> Period? {
        guard from != nil || to != nil else { return nil }
        switch Period.parse(from: from, to: to, zone: try zoneOption.zone()) {
        case let .success(p): return p
        case let .failure(e): throw ValidationError(e.description)
        }
    }

    func run() async throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            Terminal.error("'\(folder)' is not a folder")
            throw ExitCode(2)
        }
        let store = try database.open()
        let key: [UInt8]
        do { key = try CallerKey.load(forDatabase: database.path) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        let settings = try configOption.settings()
        let cards = cardsOption.location(database: database, dayFolder: folder)
        var options = RunOptions(folder: folder, scorecards: cards.path, out: out)
        options.scorecardsMissing = cards.path == nil ? cards.missing : nil
        options.period = try period()
        options.ingest.analysis.parameters = settings.analysis
        options.ingest.analysis.knownAudio = try holdMusic.knownAudio(settings: settings)
        options.ingest.analysis.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        options.kpi = settings.kpi
        options.npsMinimumN = settings.npsMinimumN
        options.minScored = settings.agentsMinimumScored
        options.ingest.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.ingest.zone = try zoneOption.zone()
        options.transcription = transcription.stage(settings, on: transcribe)
        if options.transcription?.settings.redact == false {
            Terminal.warning("transcription.redact is false: card numbers, phone numbers and codes said on calls are stored in clear text")
        }
        let bar = Terminal.stderrIsTTY ? ProgressBar() : nil
        var progress: (@Sendable (IngestProgress) -> Void)?
        if let bar { progress = { bar.update($0) } }
        let summary: RunSummary
        do {
            summary = try await DailyRun.run(options, store: store, hasher: CallerHasher(key: key), progress: progress)
        } catch let e as StoreError {
            bar?.finish()
            Terminal.error(e.description)
            throw ExitCode(2)
        } catch {
            bar?.finish()
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        bar?.finish()
        for s in summary.steps {
            let mark = s.status == .ok ? "ok  " : s.status == .warning ? "warn" : "FAIL"
            let file = s.file.map { " \(TerminalText.clean($0)):" } ?? ""
            print("[\(mark)] \(s.step)\(file) \(TerminalText.clean(s.message))")
        }
        print("")
        print(ReportTable.text(summary.agentsTables))
        if summary.anyFailed { Terminal.error("some inputs failed (see [FAIL] above): exit status 1") }
        print("HTML report: \((options.out as NSString).appendingPathComponent("agents.html"))")
        if summary.anyFailed { throw ExitCode(1) }
    }
}

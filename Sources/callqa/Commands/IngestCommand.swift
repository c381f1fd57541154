import ArgumentParser
import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import Pipeline
import Reports
import Store
import Synchronization

extension InputKind: ExpressibleByArgument {}

/// Output formats of `ingest`.
enum SummaryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

extension ManifestLocale: ExpressibleByArgument {}

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store call records and the analysis of their recordings in the database.",
        discussion: """
        Inputs: a CSV manifest (header with call_id, recording, agent_id, …), an Asterisk Master.csv \
        (cdr_csv) and/or queue_log; the kind is detected from the content (force it with --input). \
        Recordings are analysed in parallel; unchanged recordings are skipped, changed ones replaced. \
        Bad rows and recordings are reported with file:line, stored in ingest_errors, and the batch \
        goes on. Exit status 1 if anything failed, 2 if the database cannot be opened.
        """
    )

    @Argument(help: "Manifest, Master.csv or queue_log files.")
    var inputs: [String]

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var zoneOption: ZoneOption

    @Option(help: "Number and date style of manifests: ISO (43.7 and 2026-11-24T09:18:00+01:00), or a German spreadsheet export's (43,7 and 24.11.2026 09:18, read in --tz).")
    var locale: ManifestLocale = .iso

    @Option(help: "Input kind (default: detected from the content).")
    var input: InputKind?

    @Option(help: "Folder the recordings live in (default: each input file's folder). Paths may not leave it.")
    var audioRoot: String?

    @Option(help: "Comma-separated Master.csv column order for sites that reorder it (names as in cdr_csv).")
    var cdrColumns: String?

    @Option(help: "Asterisk recording file name with {uniqueid}, relative to the audio root (default: any audio file whose name contains the uniqueid).")
    var recordingPattern: String?

    @Option(help: "Default stereo channel of the agent (a manifest's agent_channel column overrides it; default: the settings file's, else left).")
    var agentChannel: AgentChannel?

    @Option(help: "Recordings analysed in parallel (default: number of cores).")
    var jobs: Int?

    @Option(help: "Country code for national caller numbers before hashing (e.g. 49).")
    var countryCode: String?

    @Flag(help: "Also store caller numbers in clear text (personal data; off by default).")
    var storeCallerInClear = false

    @Option(help: "Output format (json: one summary object instead of the summary and errors as text).")
    var format: SummaryFormat = .table

    @OptionGroup var configOption: ConfigOption

    @Flag(help: "Transcribe the calls of the ingested days afterwards (as the settings' transcription.stage: true does).")
    var transcribe = false

    @OptionGroup(title: "Transcription (with --transcribe or transcription.stage)")
    var transcription: TranscriptionOptions

    /// Read only by the transcription stage when its selection names cards.
    @OptionGroup var cardsOption: ScorecardsOption

    @OptionGroup(title: "Analysis parameters")
    var parameterOptions: AnalysisParameterOptions

    func validate() throws {
        _ = try parameterOptions.parameters()
        _ = try zoneOption.zone()
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        if let countryCode, countryCode.isEmpty || !countryCode.allSatisfy(\.isNumber) {
            throw ValidationError("--country-code: expected digits such as 49, got '\(countryCode)'")
        }
        if let cdrColumns {
            let names = cdrColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let unknown = names.filter { !(AsteriskCDR.defaultColumns + AsteriskCDR.optionalColumns).contains($0) && $0 != "-" }
            if !unknown.isEmpty {
                throw ValidationError("--cdr-columns: unknown column(s) \(unknown.joined(separator: ", ")); known: \((AsteriskCDR.defaultColumns + AsteriskCDR.optionalColumns).joined(separator: ", ")) (use - to skip one)")
            }
            if !names.contains("uniqueid") { throw ValidationError("--cdr-columns: must include uniqueid") }
        }
        try transcription.validateLanguage()
        if let recordingPattern, !recordingPattern.contains("{uniqueid}") {
            throw ValidationError("--recording-pattern: must contain {uniqueid}, got '\(recordingPattern)'")
        }
    }

    func run() async throws {
        var options = IngestOptions(inputs: inputs)
        options.inputKind = input
        options.audioRoot = audioRoot
        options.zone = try zoneOption.zone()
        options.cdrColumns = cdrColumns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        options.recordingPattern = recordingPattern
        options.manifestLocale = locale
        let settings = try configOption.settings()
        options.analysis.parameters = try parameterOptions.parameters(base: settings.analysis)
        options.analysis.knownAudio = try parameterOptions.holdMusic.knownAudio(settings: settings)
        options.analysis.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        options.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.callerInClear = storeCallerInClear
        let store = try database.open()
        let key: [UInt8]
        do { key = try CallerKey.load(forDatabase: database.path) } catch {
            Terminal.error(error.description)
            throw ExitCode(2)
        }
        let hasher = CallerHasher(key: key, countryCode: countryCode)
        let bar = format == .table && Terminal.stderrIsTTY ? ProgressBar() : nil
        let summary: IngestSummary
        var progress: (@Sendable (IngestProgress) -> Void)?
        if let bar { progress = { bar.update($0) } }
        do {
            summary = try await Ingest.run(options, store: store, hasher: hasher, progress: progress)
        } catch {
            bar?.finish()
            Terminal.error("\(error)")
            throw ExitCode(2)
        }
        bar?.finish()
        // The transcription stage: the ingested days' calls (up-to-date ones are skipped).
        var transcribed: TranscribeSummary?
        if var t = transcription.stage(settings, on: transcribe), let first = summary.firstDate {
            t.period = Period(fromDate: first, toDate: summary.lastDate)
            let cards = t.selection.cards.isEmpty ? [] : try cardsOption.load(database: database)
            transcribed = try await TranscriptionStage.run(t, cards: cards, store: store, showProgress: format == .table)
        }
        switch format {
        case .json:
            var object = IngestRendering.json(summary, database: database.path)
            if let transcribed, case let .object(pairs) = object {
                object = .object(pairs + [("transcription", TranscriptionStage.json(transcribed, database: database.path))])
            }
            print(object.rendered())
        case .table:
            for p in summary.problems { Terminal.error(p.message) }
            for w in summary.warnings { Terminal.warning(w) }
            print(IngestRendering.text(summary, database: database.path), terminator: "")
            if let transcribed {
                for f in transcribed.failed { Terminal.error("call \(f.callID): \(f.message)") }
                print("  transcription         " + TerminalText.clean(TranscribeSummary.line(transcribed)))
            }
        }
        if summary.anyFailed || !(transcribed?.failed.isEmpty ?? true) { throw ExitCode(1) }
    }
}

/// A one-line progress bar on standard error, redrawn at most 10 times a second.
final class ProgressBar: Sendable {
    private let last = Mutex<Double>(-1)

    func update(_ p: IngestProgress) {
        let draw = last.withLock { t -> Bool in
            guard p.done == p.total || p.elapsedS - t >= 0.1 else { return false }
            t = p.elapsedS
            return true
        }
        guard draw, p.total > 0 else { return }
        let width = 30
        let filled = Int(Double(width) * Double(p.done) / Double(p.total))
        let rt = p.elapsedS > 0 ? p.audioS / p.elapsedS : 0
        let eta = p.done > 0 ? p.elapsedS / Double(p.done) * Double(p.total - p.done) : 0
        let line = "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(p.done)/\(p.total) calls  \(String(format: "%.0f", rt))× realtime  ETA \(String(format: "%.0f", eta)) s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if last.withLock({ $0 }) >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

import ArgumentParser
import CallAnalysis
import CallQAModel
import CallRecords
import Dispatch
import Foundation
import Logging
import Pipeline
import Store
import Watch

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Continuous ingest: follow recording folders and the PBX's call records; store, score and alert on each call within seconds.",
        discussion: """
        Each DIR is watched for recordings (recursively; inotify, with a periodic rescan) and for call-record files \
        directly in it (manifest, Master.csv, queue_log, told apart by content); --records adds files elsewhere. \
        Master.csv and queue_log are followed like tail -F (rotation, truncation), their position kept in the \
        database with the lines it consumed. A call is stored once its record is complete and its recording is \
        complete (unchanged for --settle-s, WAV header final, not open by the PBX), or after --wait-s without it \
        (flagged as a batch ingest flags it) — exactly as `callqa ingest` of the same files stores it — then scored \
        with the cards and checked against the settings file's alert rules. With --transcribe (or the settings' \
        transcription.stage) each call is transcribed before it is scored. SIGTERM or SIGINT: the calls being \
        analysed are finished and stored, exit status 0. Logs one JSON object per line on standard error.
        """
    )

    @Argument(help: "Folders of recordings (and of call-record files).")
    var folders: [String]

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var cardsOption: ScorecardsOption

    @Option(name: .customLong("records"), help: "A call-record file outside the folders to follow (Master.csv, queue_log, a manifest); repeatable.")
    var recordFiles: [String] = []

    @Option(help: "Folder the recordings of --records files live in (default: the first DIR).")
    var audioRoot: String?

    @Option(help: "Seconds a recording's size and time must stay unchanged before it is taken.")
    var settleS: Double = 10

    @Option(help: "Seconds between walks of every folder (what inotify cannot see: network file systems, lost events).")
    var rescanS: Double = 60

    @Option(help: "Seconds a call waits for its recording (or for the rest of its record) before it is stored as it is, flagged.")
    var waitS: Double = 120

    @Option(help: "Hours a stored call's record lines are kept, so that a late line or recording updates it.")
    var keepH: Double = 2

    @Option(help: "Seconds between rebuilds of the report aggregates while calls come in (reports read the base tables meanwhile).")
    var aggregatesS: Double = 10

    @Option(help: "Recordings analysed in parallel (default: number of cores).")
    var jobs: Int?

    @Option(help: "Input kind of every record file (default: detected from the content, or from the name Master*.csv / queue_log*).")
    var input: InputKind?

    @Option(help: "Comma-separated Master.csv column order for sites that reorder it (names as in cdr_csv).")
    var cdrColumns: String?

    @Option(help: "Asterisk recording file name with {uniqueid}, relative to the audio root.")
    var recordingPattern: String?

    @Option(help: "Default stereo channel of the agent (default: the settings file's, else left).")
    var agentChannel: AgentChannel?

    @Option(help: "Number and date style of manifests (iso or de).")
    var locale: ManifestLocale = .iso

    @Option(help: "Country code for national caller numbers before hashing (e.g. 49).")
    var countryCode: String?

    @Flag(help: "Also store caller numbers in clear text (personal data; off by default).")
    var storeCallerInClear = false

    @Option(help: "Least important log level written: debug, info, notice, warning or error.")
    var logLevel: String = "info"

    @OptionGroup var zoneOption: ZoneOption
    @OptionGroup var configOption: ConfigOption
    @OptionGroup var holdMusic: HoldMusicOption

    @Flag(help: "Transcribe each stored call before scoring it (as the settings' transcription.stage: true does).")
    var transcribe = false

    @OptionGroup(title: "Transcription (with --transcribe or transcription.stage)")
    var transcription: TranscriptionOptions

    func validate() throws {
        _ = try zoneOption.zone()
        try transcription.validateLanguage()
        for (name, v, low) in [("--settle-s", settleS, 0.0), ("--rescan-s", rescanS, 0.5), ("--wait-s", waitS, 0.0), ("--keep-h", keepH, 0.0),
                               ("--aggregates-s", aggregatesS, 0.0)] where !(v.isFinite && v >= low) {
            throw ValidationError("\(name): expected a number of at least \(low), got \(v)")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: expected debug, info, notice, warning or error, got '\(logLevel)'")
        }
        if let countryCode, countryCode.isEmpty || !countryCode.allSatisfy(\.isNumber) {
            throw ValidationError("--country-code: expected digits such as 49, got '\(countryCode)'")
        }
        if let recordingPattern, !recordingPattern.contains("{uniqueid}") {
            throw ValidationError("--recording-pattern: must contain {uniqueid}, got '\(recordingPattern)'")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = JSONLogHandler(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "callqa.watch")
        let settings = try configOption.settings()
        var ingest = IngestOptions(inputs: [])
        ingest.inputKind = input
        ingest.zone = try zoneOption.zone()
        ingest.cdrColumns = cdrColumns?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        ingest.recordingPattern = recordingPattern
        ingest.manifestLocale = locale
        ingest.analysis.parameters = settings.analysis
        ingest.analysis.knownAudio = try holdMusic.knownAudio(settings: settings)
        ingest.analysis.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        ingest.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        ingest.callerInClear = storeCallerInClear
        var options = WatchOptions(folders: folders, ingest: ingest)
        options.recordFiles = recordFiles
        options.audioRoot = audioRoot
        // An absolute folder: Foundation's path functions trap on some short relative names.
        options.scorecards = cardsOption.location(database: database,
                                                  dayFolder: folders.first.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).path
        options.settleS = settleS
        options.rescanS = rescanS
        options.waitS = waitS
        options.keepS = keepH * 3600
        options.aggregatesS = aggregatesS
        options.alerts = settings.alerts
        options.transcription = transcription.stage(settings, on: transcribe)
        options.curlPath = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let store = try database.open()
        let key: [UInt8]
        do { key = try CallerKey.load(forDatabase: database.path) } catch {
            logger.error("\(error.description)")
            throw ExitCode(2)
        }
        let hasher = CallerHasher(key: key, countryCode: countryCode)
        // SIGTERM (systemd's stop) and SIGINT: cancel the watcher's task, which finishes the
        // calls being analysed, stores them, and returns.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let task = Task { () async throws -> WatchSummary in
            let watcher = try Watcher(options: options, store: store, callerKey: key, hasher: hasher, logger: logger)
            return try await watcher.run()
        }
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                logger.notice("stopping: finishing the calls in flight", metadata: ["signal": "\(sig == SIGTERM ? "SIGTERM" : "SIGINT")"])
                task.cancel()
            }
            s.resume()
            sources.append(s)
        }
        do {
            let summary = try await task.value
            logger.notice("stopped", metadata: ["calls_stored": "\(summary.callsStored)", "analysed": "\(summary.analysed)",
                                                "stored_without_recording": "\(summary.withoutRecording)", "rows_rejected": "\(summary.rowsRejected)",
                                                "transcribed": "\(summary.transcribed)", "alerts": "\(summary.alerts)"])
        } catch let e as WatchError {
            logger.error("\(e.description)")
            throw ExitCode(2)
        } catch {
            logger.error("\(error)")
            throw ExitCode(2)
        }
        for s in sources { s.cancel() }
    }
}

/// swift-log to standard error, one JSON object per line: `ts` (UTC, ms), `level`, `msg`,
/// then the metadata as string fields. journald and log shippers take it as it is.
struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        let now = Date().timeIntervalSince1970
        let ms = Int((now * 1000).rounded(.down))
        let ts = Timestamp(epochS: Double(ms / 1000), offsetS: 0).iso8601.replacingOccurrences(of: "Z", with: "")
            .replacingOccurrences(of: "+00:00", with: "") + String(format: ".%03dZ", ms % 1000)
        var fields: [(String, String)] = [("ts", JSONText.string(ts)), ("level", JSONText.string(level.rawValue)),
                                          ("msg", JSONText.string(message.description))]
        let all = metadata.merging(extra ?? [:]) { _, new in new }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) where !["ts", "level", "msg"].contains(k) {
            fields.append((k, JSONText.string("\(v)")))
        }
        FileHandle.standardError.write(Data((JSONText.object(fields) + "\n").utf8))
    }
}

import ArgumentParser
import CallQAModel
import Foundation
import Pipeline
import Reports
import Scorecard
import Store
import Transcription

/// `--model`, `--language`, `--no-customer-channel`, `--transcription-jobs`: how transcripts
/// are made, shared by `transcribe` and the transcription stage of `ingest` and `run`.
struct TranscriptionOptions: ParsableArguments {
    @Option(help: "Speech model, a whisper.cpp ggml file (default: transcription.model of the settings file, else $CALLQA_WHISPER_MODEL, else ggml-base-q8_0.bin in $CALLQA_MODEL_DIR or /usr/local/share/callqa/models).")
    var model: String?

    @Option(help: "Language of every call: a code such as en, de, ru, or auto to detect it per call (default: the settings file's, else auto).")
    var language: String?

    @Flag(help: "Leave the customer's channel out (stereo recordings).")
    var noCustomerChannel = false

    /// The model in force: `--model`, the settings file's, `$CALLQA_WHISPER_MODEL`, the installed default.
    func modelPath(_ setup: TranscriptionSetup) -> String {
        if let model { return model }
        if let p = setup.modelPath { return p }
        let env = ProcessInfo.processInfo.environment
        if let p = env["CALLQA_WHISPER_MODEL"], !p.isEmpty { return p }
        let dir = env["CALLQA_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share/callqa/models"
        return (dir as NSString).appendingPathComponent("ggml-base-q8_0.bin")
    }

    func validateLanguage() throws {
        if let language, language != "auto", !WhisperSession.knowsLanguage(language) {
            throw ValidationError("--language: expected auto or a language code whisper knows (en, de, fr, es, it, ru, pl, nl, pt, …), got '\(language)'")
        }
    }

    /// What the transcription stage of `ingest` and `run` does, when on (`--transcribe` or
    /// the settings' `transcription.stage`); nil when off.
    func stage(_ settings: SettingsFile, on flag: Bool) -> TranscribeOptions? {
        let setup = apply(to: settings.transcription)
        guard flag || setup.stage else { return nil }
        var o = TranscribeOptions(modelPath: modelPath(setup))
        o.settings = setup.settings
        o.selection = setup.selection
        o.jobs = setup.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        o.threadsPerJob = setup.threads ?? 1
        return o
    }

    /// The settings file's transcription section with these options applied.
    func apply(to setup: TranscriptionSetup) -> TranscriptionSetup {
        var s = setup
        if let language { s.settings.language = language == "auto" ? nil : language }
        if noCustomerChannel { s.settings.customerChannel = false }
        return s
    }
}

struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe analysed calls offline (whisper.cpp): words per party with times, redacted before storage, searchable.",
        discussion: """
        Each party's channel alone on stereo recordings, the mixed line on mono ones; only the speech the analysis \
        found, packed into windows of at most 25 s. Digit runs (card and phone numbers, codes) are replaced by \
        [redacted] before anything is stored. Only calls whose transcript is missing or out of date (another \
        recording, analysis, model or settings) are transcribed, unless --force. Exit status 1 if a recording \
        failed, 2 if the model, the database or the settings cannot be used.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var periodOptions: PeriodOptions
    @OptionGroup var transcription: TranscriptionOptions
    @OptionGroup var cardsOption: ScorecardsOption
    @OptionGroup var configOption: ConfigOption

    @Option(help: "Only these calls (comma-separated ids).")
    var calls: String?

    @Option(help: "This machine's share of the work, I/N (e.g. 2/4): the calls whose id hashes to part I of N; the same split on every machine.")
    var shard: String?

    @Flag(help: "Every analysed call of the period, selected or not, current or not.")
    var force = false

    @Option(help: "Calls transcribed in parallel (default: the settings file's, else the number of cores).")
    var jobs: Int?

    @Option(help: "Recogniser threads per call (default: the settings file's, else 1).")
    var threads: Int?

    @Option(name: .customLong("import"), help: "Instead of transcribing: copy the transcripts of another callqa database (a --shard run on a copy of this one) into this one; repeatable.")
    var imports: [String] = []

    @Option(help: "Output format.")
    var format: SummaryFormat = .table

    /// `I/N` → (I, N).
    func shardValue() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 1, i <= n, n <= 10_000 else {
            throw ValidationError("--shard: expected I/N with 1 ≤ I ≤ N (e.g. 1/4), got '\(shard)'")
        }
        return (i, n)
    }

    func validate() throws {
        _ = try shardValue()
        _ = try periodOptions.period()
        try transcription.validateLanguage()
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads: expected 1 to 64, got \(threads)") }
    }

    func run() async throws {
        if !imports.isEmpty { return try importShards() }
        let settings = try configOption.settings()
        let setup = transcription.apply(to: settings.transcription)
        var options = TranscribeOptions(modelPath: transcription.modelPath(setup))
        options.settings = setup.settings
        options.selection = setup.selection
        options.period = try periodOptions.period()
        options.callIDs = calls.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        options.shard = try shardValue()
        options.force = force
        options.jobs = jobs ?? setup.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        options.threadsPerJob = threads ?? setup.threads ?? 1
        let cards = setup.selection.cards.isEmpty ? [] : try cardsOption.load(database: database)
        let unknown = setup.selection.cards.filter { id in !cards.contains { $0.id == id } }
        if !unknown.isEmpty {
            Terminal.error("settings: transcription.select.cards names unknown card(s) \(unknown.joined(separator: ", ")); known: \(cards.map(\.id).joined(separator: ", "))")
            throw ExitCode(2)
        }
        let store = try database.open()
        let summary = try await TranscriptionStage.run(options, cards: cards, store: store, showProgress: format == .table)
        switch format {
        case .json: print(TranscriptionStage.json(summary, database: database.path).rendered())
        case .table:
            for f in summary.failed { Terminal.error("call \(f.callID): \(f.message)") }
            print(TranscriptionStage.text(summary, database: database.path, jobs: options.jobs, threads: options.threadsPerJob), terminator: "")
        }
        if !summary.failed.isEmpty { throw ExitCode(1) }
    }

    /// `--import FILE…`: the transcripts of shard databases copied in; calls whose analysis
    /// differs here are listed (exit status 1) and left to `transcribe` on this database.
    /// When this run redacts (the settings' `transcription.redact`, on by default), a shard
    /// transcript made with redaction off is refused (named, exit status 1).
    func importShards() throws {
        let redact = transcription.apply(to: try configOption.settings().transcription).settings.redact
        if !redact {
            Terminal.warning("transcription.redact is false: card numbers, phone numbers and codes said on calls are stored in clear text")
        }
        let store = try database.open()
        var rows: [(String, TranscriptImportSummary)] = []
        for path in imports {
            do { rows.append((path, try store.importTranscripts(fromDatabase: path, requireRedaction: redact))) } catch {
                Terminal.error("\(error)")
                throw ExitCode(2)
            }
        }
        switch format {
        case .json:
            print(JSONValue.array(rows.map { path, s in
                .object([("database", .string(path)), ("imported", .int(s.imported)), ("unchanged", .int(s.unchanged)),
                         ("not_matching", .array(s.notMatching.map { .string($0) })),
                         ("unredacted", .array(s.unredacted.map { .string($0) }))])
            }).rendered())
        case .table:
            for (path, s) in rows {
                for id in s.notMatching.prefix(20) {
                    Terminal.error("\(path): call \(id): not imported: not in \(database.path), or analysed there from another recording or with another analysis")
                }
                if s.notMatching.count > 20 { Terminal.error("\(path): \(s.notMatching.count - 20) more calls not imported") }
                for id in s.unredacted.prefix(20) {
                    Terminal.error("\(path): call \(id): not imported: transcribed there with transcription.redact false (digit runs in clear), and this run redacts; transcribe it here or run the shard with redaction on")
                }
                if s.unredacted.count > 20 { Terminal.error("\(path): \(s.unredacted.count - 20) more calls not imported: not redacted") }
                print("\(path): \(s.imported) transcripts imported, \(s.unchanged) unchanged, \(s.notMatching.count) not matching, \(s.unredacted.count) refused (not redacted)")
            }
        }
        if rows.contains(where: { !$0.1.notMatching.isEmpty || !$0.1.unredacted.isEmpty }) { throw ExitCode(1) }
    }
}

/// Running a transcription (the command, and the stage of `ingest` and `run`) and saying
/// what it did.
enum TranscriptionStage {
    /// Runs; a model that cannot be used or a store failure exits with status 2.
    static func run(_ options: TranscribeOptions, cards: [Scorecard], store: CallStore, showProgress: Bool) async throws -> TranscribeSummary {
        if !options.settings.redact {
            Terminal.warning("transcription.redact is false: card numbers, phone numbers and codes said on calls are stored in clear text")
        }
        let bar = showProgress && Terminal.stderrIsTTY ? ProgressBar() : nil
        var progress: (@Sendable (TranscribeProgress) -> Void)?
        if let bar {
            progress = { p in bar.update(IngestProgress(done: p.done, total: p.total, audioS: p.audioS, elapsedS: p.elapsedS)) }
        }
        do {
            let summary = try await Transcribe.run(options, cards: cards, store: store, progress: progress)
            bar?.finish()
            return summary
        } catch let e as TranscriptionError {
            bar?.finish()
            Terminal.error(e.description)
            throw ExitCode(2)
        } catch let e as StoreError {
            bar?.finish()
            Terminal.error(e.description)
            throw ExitCode(2)
        }
    }

    static func text(_ s: TranscribeSummary, database: String, jobs: Int, threads: Int) -> String {
        func min(_ x: Double) -> String { String(format: "%.1f", x / 60) }
        let reasons = s.reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let languages = s.languages.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var rows: [(String, String)] = [
            ("analysed calls", String(s.candidates)),
            ("transcribed", "\(s.transcribed)" + (reasons.isEmpty ? "" : " (\(reasons))")),
            ("up to date", String(s.upToDate)),
            ("not selected", String(s.notSelected)),
        ]
        if s.otherShard > 0 { rows.append(("other shards", String(s.otherShard))) }
        if s.superseded > 0 { rows.append(("analysed again meanwhile", "\(s.superseded) (not stored; run again)")) }
        rows += [
            ("failed", String(s.failed.count)),
            ("words", String(s.words)),
            ("redacted digit runs", s.redactionOn ? String(s.redactions) : "redaction off"),
            ("customer channel", s.customerChannelOn ? "transcribed" : "not transcribed"),
        ]
        if !languages.isEmpty { rows.append(("languages", languages)) }
        if s.transcribed > 0 {
            rows.append(("speech", "\(min(s.speechS)) min of \(min(s.audioS)) min of recordings in \(String(format: "%.1f", s.wallS)) s: "
                         + "\(String(format: "%.1f", s.realtimeFactor))× realtime (\(jobs) job\(jobs == 1 ? "" : "s") × \(threads) thread\(threads == 1 ? "" : "s"))"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return "transcribe into \(database) with \(s.model) (\(WhisperModel.engineVersion))\n"
            + rows.map { "  " + $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + TerminalText.clean($0.1) }.joined(separator: "\n") + "\n"
    }

    static func json(_ s: TranscribeSummary, database: String) -> JSONValue {
        .object([
            ("database", .string(database)),
            ("model", .string(s.model)),
            ("engine", .string(WhisperModel.engineVersion)),
            ("candidates", .int(s.candidates)),
            ("transcribed", .int(s.transcribed)),
            ("reasons", .object(s.reasons.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("up_to_date", .int(s.upToDate)),
            ("not_selected", .int(s.notSelected)),
            ("other_shard", .int(s.otherShard)),
            ("superseded", .int(s.superseded)),
            ("failed", .array(s.failed.map { .object([("call_id", .string($0.callID)), ("message", .string($0.message))]) })),
            ("words", .int(s.words)),
            ("redactions", .int(s.redactions)),
            ("redaction", .bool(s.redactionOn)),
            ("customer_channel", .bool(s.customerChannelOn)),
            ("languages", .object(s.languages.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("speech_s", .number(s.speechS, decimals: 2)),
            ("audio_s", .number(s.audioS, decimals: 2)),
            ("wall_s", .number(s.wallS, decimals: 2)),
            ("realtime_factor", .number(s.realtimeFactor, decimals: 2)),
        ])
    }
}

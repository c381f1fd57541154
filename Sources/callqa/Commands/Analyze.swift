import ArgumentParser
import CallAnalysis
import Foundation
import Pipeline
import Reports

extension AgentChannel: ExpressibleByArgument {}

/// Output formats of `analyze`.
enum AnalyzeFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure recordings: per-party talk, silence, overtalk, interruptions, dead air, hold, levels, health.",
        discussion: """
        Reads every format libsndfile decodes (PCM, µ-law, A-law, GSM 6.10, IMA/MS ADPCM, FLAC, Ogg, MP3). \
        Stereo: one channel per party (--agent-channel). Mono: only 'mixed' figures. \
        --format json prints one JSON object per file (JSON Lines). Exit status 1 if any file failed.
        """
    )

    @Argument(help: "Recordings to analyse.")
    var files: [String]

    @Option(help: "Output format (json: one object per file, JSON Lines).")
    var format: AnalyzeFormat = .table

    @Flag(help: "Include every speech segment [start_s, end_s] per party (JSON).")
    var segments = false

    @OptionGroup var recording: RecordingAnalysisOptions

    func run() throws {
        let (settings, base) = try recording.analysisOptions()
        var options = base
        options.knownAudio = try recording.parameterOptions.holdMusic.knownAudio(settings: settings)
        let fixedOptions = options
        let all = eachFile(files, jobs: recording.jobs) { RecordingAnalysisOptions.analyze($0, options: fixedOptions) }
        var failed = 0
        switch format {
        case .json:
            var out = ""
            for (file, r) in zip(files, all) {
                switch r {
                case let .success(a):
                    out += AnalysisRendering.json(a, analyzerVersion: analyzerVersion, segments: segments).rendered() + "\n"
                case let .failure(e):
                    failed += 1
                    out += AnalysisRendering.errorJSON(file: file, error: e.message).rendered() + "\n"
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        case .table:
            print(AnalysisRendering.table(Array(zip(files, all)).map { ($0.0, $0.1) }), terminator: "")
            // The table's hold includes what the library found: say that it was used, and where.
            if let library = fixedOptions.knownAudio {
                let analysed = all.compactMap { try? $0.get() }
                let found = analysed.map { a in SpanMath.total(SpanMath.normalize(a.metrics.knownAudio.values.flatMap { $0.map(\.span) })) }
                Terminal.note("callqa: note: hold-music library (\(library.tracks.count) file(s)): its audio found in \(found.filter { $0 > 0 }.count) of \(analysed.count) recording(s), \(String(format: "%.1f", Double(found.reduce(0, +)) * frameDuration)) s, counted as hold (--format json lists where)")
            }
            for (file, r) in zip(files, all) {
                if case let .failure(e) = r {
                    failed += 1
                    _ = file
                    Terminal.error(e.message)
                }
            }
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("callqa: \(failed) of \(files.count) file(s) could not be analysed\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// What `analyze` and `learn-hold-music` share: the channels to read, the files at once, the
/// settings file and the analysis parameters.
struct RecordingAnalysisOptions: ParsableArguments {
    @Option(help: "Stereo channel carrying the agent (default: the settings file's, else left).")
    var agentChannel: AgentChannel?

    @Option(help: "For files with more than two channels: the channels to use, 1-based, agent first (e.g. 1,2), or one channel for mono.")
    var channels: String?

    @Option(help: "Files analysed in parallel (default: number of cores).")
    var jobs: Int?

    @OptionGroup var configOption: ConfigOption

    @OptionGroup(title: "Analysis parameters")
    var parameterOptions: AnalysisParameterOptions

    func validate() throws {
        _ = try parameterOptions.parameters()
        _ = try Self.channelSelection(channels)
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
    }

    /// The settings file, and the analysis options it and these options give (no hold-music
    /// library: the command reads it if it takes one).
    func analysisOptions() throws -> (settings: SettingsFile, options: AnalysisOptions) {
        let settings = try configOption.settings()
        var options = AnalysisOptions()
        options.parameters = try parameterOptions.parameters(base: settings.analysis)
        options.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        options.channelSelection = try Self.channelSelection(channels)
        return (settings, options)
    }

    /// The analysis of the recording at `path`, or why it failed.
    static func analyze(_ path: String, options: AnalysisOptions) -> Result<RecordingAnalysis, AnalysisFailure> {
        do {
            return .success(try RecordingAnalyzer.analyze(path: path, options: options))
        } catch {
            return .failure(AnalysisFailure(message: error.description))
        }
    }

    /// `--channels A,B` as 0-based channels (agent first), nil when not given.
    static func channelSelection(_ channels: String?) throws -> [Int]? {
        guard let channels else { return nil }
        let parts = channels.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == parts.count, (1...2).contains(values.count), values.allSatisfy({ $0 >= 1 }),
              Set(values).count == values.count else {
            throw ValidationError("--channels: expected one or two distinct 1-based channel numbers such as '1,2', got '\(channels)'")
        }
        return values.map { $0 - 1 }
    }
}

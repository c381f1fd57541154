import ArgumentParser
import CallAnalysis
import Foundation
import Pipeline
import Reports

/// `callqa learn-hold-music`: the site's music on hold, learned from its own recordings.
struct LearnHoldMusicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn-hold-music",
        abstract: "Learn the site's music on hold from its recordings, for --hold-music.",
        discussion: """
        Analyses the recordings and writes every stretch the analysis judges music on hold as a \
        whole (--min-s or longer, less --trim-s at each end) as a mono WAV file into the --out \
        folder. Given back as the hold-music library (--hold-music FOLDER, or the settings file's \
        analysis.hold_music), it finds the same music where the analysis alone takes it for talk in \
        other calls: learn from a past day's calls, analyse the next days' with it. The files are \
        pieces of the recordings (a mono line's hold can carry the caller's voice over the music): \
        keep the folder where the recordings are kept, and listen to it before use. File names \
        carry no part of a recording's name (a digest of its path, the party, the start in s); \
        learning the same recording again replaces its files. Exit status 1 if any recording \
        failed (the others are learned).
        """
    )

    @Argument(help: "Recordings to learn from.")
    var files: [String]

    @Option(help: ArgumentHelp("Folder the stretches are written to (created if missing).", valueName: "folder"))
    var out: String

    @Option(help: "Judged hold kept from this long on (s).")
    var minS: Double = HoldMusicLearning.defaultMinS

    @Option(help: "Left off each end of a stretch kept (s): words right before or after the music.")
    var trimS: Double = HoldMusicLearning.defaultTrimS

    @Option(help: "Stereo channel carrying the agent (default: the settings file's, else left).")
    var agentChannel: AgentChannel?

    @Option(help: "Files analysed in parallel (default: number of cores).")
    var jobs: Int?

    @OptionGroup var configOption: ConfigOption

    @OptionGroup(title: "Analysis parameters")
    var parameterOptions: AnalysisParameterOptions

    func validate() throws {
        _ = try parameterOptions.parameters()
        guard minS.isFinite, minS >= 1.5 else { throw ValidationError("--min-s: expected a length of at least 1.5 s, got \(minS)") }
        guard trimS.isFinite, trimS >= 0, 2 * trimS < minS else {
            throw ValidationError("--trim-s: expected 0 s or more and under half of --min-s (\(minS) s), got \(trimS)")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        if !parameterOptions.holdMusic.paths.isEmpty {
            throw ValidationError("--hold-music: learn-hold-music learns from the analysis' own judgement of hold; give the library to analyze, ingest, run or watch")
        }
    }

    func run() throws {
        let settings = try configOption.settings()
        var options = AnalysisOptions()
        options.parameters = try parameterOptions.parameters(base: settings.analysis)
        options.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            Terminal.error("--out '\(out)': cannot create the folder: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let fixed = options, folder = out, minS = self.minS, trimS = self.trimS
        let all = eachFile(files, jobs: jobs) { path -> Result<[LearnedStretch], AnalysisFailure> in
            do {
                let analysis = try RecordingAnalyzer.analyze(path: path, options: fixed)
                let kept = HoldMusicLearning.stretches(of: analysis, minS: minS, trimS: trimS)
                return .success(try HoldMusicLearning.write(recording: path, stretches: kept, into: folder))
            } catch {
                return .failure(AnalysisFailure(message: (error as? AnalysisError)?.description ?? "\(error)"))
            }
        }
        var failed = 0, stretches = 0, seconds = 0.0
        print("recording\tstretches\tseconds")
        for (file, r) in zip(files, all) {
            switch r {
            case let .success(learned):
                let s = learned.reduce(0) { $0 + $1.endS - $1.startS }
                print("\(Terminal.safe(file))\t\(learned.count)\t\(String(format: "%.1f", s))")
                stretches += learned.count
                seconds += s
            case let .failure(e):
                failed += 1
                Terminal.error(e.message)
            }
        }
        print("learned \(stretches) stretch(es) of hold, \(String(format: "%.1f", seconds)) s, from \(files.count - failed) recording(s) into \(Terminal.safe(folder))")
        if failed > 0 {
            FileHandle.standardError.write(Data("callqa: \(failed) of \(files.count) recording(s) could not be learned from\n".utf8))
            throw ExitCode(1)
        }
    }
}

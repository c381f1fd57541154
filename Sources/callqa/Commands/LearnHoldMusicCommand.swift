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

    @Option(help: "For files with more than two channels: the channels to use, 1-based, agent first (e.g. 1,2), or one channel for mono.")
    var channels: String?

    @Option(help: "Files analysed in parallel (default: number of cores).")
    var jobs: Int?

    @OptionGroup var configOption: ConfigOption

    @OptionGroup(title: "Analysis parameters")
    var parameterOptions: AnalysisParameterOptions

    func validate() throws {
        _ = try parameterOptions.parameters()
        _ = try Analyze.channelSelection(channels)
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, got an empty path") }
        guard minS.isFinite, minS >= 1.5, minS <= AnalysisParameters.maxDurationS else {
            throw ValidationError("--min-s: expected a length of 1.5 s to \(Int(AnalysisParameters.maxDurationS)) s, got \(minS)")
        }
        guard trimS.isFinite, trimS >= 0, 2 * trimS < minS else {
            throw ValidationError("--trim-s: expected 0 s or more and under \(minS / 2) s (half of --min-s), got \(trimS)")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected a number ≥ 1, got \(jobs)") }
        if !parameterOptions.holdMusic.paths.isEmpty {
            throw ValidationError("--hold-music: learn-hold-music learns from the analysis' own judgement of hold; give the library to analyze, ingest, run or watch")
        }
    }

    /// Why a folder cannot be made or written into: the nearest part of its path that exists.
    static func obstacle(_ path: String) -> String {
        var p = (path as NSString).standardizingPath
        while !p.isEmpty {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isFolder) {
                if !isFolder.boolValue { return "'\(p)' is a file, not a folder" }
                return FileManager.default.isWritableFile(atPath: p) ? "'\(p)' does not take new files" : "'\(p)' is not writable"
            }
            if p == "/" { break }
            p = (p as NSString).deletingLastPathComponent
        }
        return "no part of the path exists"
    }

    func run() throws {
        let settings = try configOption.settings()
        var options = AnalysisOptions()
        options.parameters = try parameterOptions.parameters(base: settings.analysis)
        options.agentChannel = agentChannel ?? settings.agentChannel ?? .left
        options.channelSelection = try Analyze.channelSelection(channels)
        // The folder made and written to before any recording is analysed: a folder that cannot
        // take the files stops the command (exit 2), rather than every recording failing.
        let probe = (out as NSString).appendingPathComponent(".callqa-learn-\(UUID().uuidString)")
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
            Terminal.error("--out '\(out)': a file is there, not a folder")
            throw ExitCode(2)
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
        } catch {
            Terminal.error("--out '\(out)': cannot make or write into the folder: \(Self.obstacle(out))")
            throw ExitCode(2)
        }
        // A recording named twice (another path to it, a link) is learned once.
        var seen: Set<String> = []
        let files = self.files.filter { seen.insert(HoldMusicLearning.digest(recording: $0)).inserted }
        let fixed = options, folder = out, minS = self.minS, trimS = self.trimS
        let all = eachFile(files, jobs: jobs) { path -> Result<(learned: [LearnedStretch], leftOut: [(party: Party, share: Double, seconds: Double)]), AnalysisFailure> in
            do {
                let analysis = try RecordingAnalyzer.analyze(path: path, options: fixed)
                let kept = HoldMusicLearning.stretches(of: analysis, minS: minS, trimS: trimS)
                return .success((try HoldMusicLearning.write(recording: path, stretches: kept, into: folder),
                                 HoldMusicLearning.leftOutForVoices(of: analysis, minS: minS)))
            } catch {
                return .failure(AnalysisFailure(message: (error as? AnalysisError)?.description ?? "\(error)"))
            }
        }
        var failed = 0, stretches = 0, seconds = 0.0
        print("recording\tstretches\tseconds")
        for (file, r) in zip(files, all) {
            switch r {
            case let .success(result):
                let s = result.learned.reduce(0) { $0 + $1.endS - $1.startS }
                print("\(TerminalText.clean(file))\t\(result.learned.count)\t\(String(format: "%.1f", s))")
                stretches += result.learned.count
                seconds += s
                for l in result.leftOut {
                    Terminal.note("callqa: note: \(TerminalText.clean(file)): the \(l.party.rawValue)'s line carried voices behind its talker \(Int((100 * l.share).rounded())) % of the call: its \(String(format: "%.1f", l.seconds)) s of hold not learned (the voices would be learned with the music)")
                }
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

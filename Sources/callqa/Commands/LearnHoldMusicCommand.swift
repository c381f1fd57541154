import ArgumentParser
import CallAnalysis
import Foundation
import Synchronization
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
        analysis.hold_music; refused here), it finds the same music where the analysis alone takes it for talk in \
        other calls: learn from a past day's calls, analyse the next days' with it. Only the seconds \
        that --recurrence other recordings' judged hold also plays are kept (or the folder's files \
        learned before from other recordings): the site's music repeats call after call, a \
        prompt or a party's words judged hold with it do not. The files are \
        pieces of the recordings (a mono line's hold can carry the caller's voice over the music): \
        keep the folder where the recordings are kept, and listen to it before use. File names \
        carry no part of a recording's name (a keyed digest of its path, the party, the start in s); \
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

    @Option(help: "Other recordings whose judged hold (or the folder's files learned from them) must also play a second for it to be kept; 0 keeps every stretch.")
    var recurrence: Int = HoldMusicLearning.defaultRecurrence

    @OptionGroup var recording: RecordingAnalysisOptions

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, got an empty path") }
        guard minS.isFinite, minS >= 1.5, minS <= AnalysisParameters.maxDurationS else {
            throw ValidationError("--min-s: expected a length of 1.5 s to \(Int(AnalysisParameters.maxDurationS)) s, got \(minS)")
        }
        guard trimS.isFinite, trimS >= 0, 2 * trimS < minS else {
            throw ValidationError("--trim-s: expected 0 s or more and under \(minS / 2) s (half of --min-s), got \(trimS)")
        }
        guard recurrence >= 0 else { throw ValidationError("--recurrence: expected a number of recordings ≥ 0, got \(recurrence)") }
        if !recording.parameterOptions.holdMusic.paths.isEmpty {
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

    /// What the first pass gives of a recording: its stretches of judged hold, staged; its lines
    /// left out for the voices behind their talker; its hold as the analysis measures it (s).
    struct Staged: Sendable {
        var stretches: [LearnedStretch]
        var leftOut: [(party: Party, share: Double, seconds: Double)]
        var holdS: Double
    }

    /// Set when SIGINT or SIGTERM arrives: the handler removes the staged files and ends the
    /// process; what fails meanwhile for want of them is not reported.
    static let stopping = Atomic<Bool>(false)

    /// Parks the calling thread while the signal handler ends the process.
    static func waitIfStopping() {
        while stopping.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 1) }
    }

    func run() throws {
        let options = try recording.analysisOptions().options
        // The folder made and written to before any recording is analysed: a folder that cannot
        // take the files stops the command (exit 2), rather than every recording failing.
        let probe = (out as NSString).appendingPathComponent(".callqa-learn-\(UUID().uuidString)")
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
            Terminal.error("--out '\(out)': a file is there, not a folder")
            throw ExitCode(2)
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data().write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
        } catch {
            Terminal.error("--out '\(out)': cannot make or write into the folder: \(Self.obstacle(out))")
            throw ExitCode(2)
        }
        // The folder's key names the files (a digest of each recording's path under it).
        let key: [UInt8]
        do { key = try HoldMusicLearning.folderKey(out) } catch {
            Terminal.error("--out '\(out)': \(error.message)")
            throw ExitCode(2)
        }
        // What each recording's analysis judged hold, staged in a private folder until the
        // stretches are checked against each other (removed however the command ends).
        // A run killed outright (SIGKILL, a power cut) leaves its staged pieces behind: those of
        // this user a day old or more are removed first (a run's own folder changes as it writes).
        let temporary = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("callqa-learn-") {
            let path = (temporary as NSString).appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeDirectory,
                  (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == getuid(),
                  let modified = attributes[.modificationDate] as? Date, modified.timeIntervalSinceNow < -86_400 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
        let staging = (temporary as NSString).appendingPathComponent("callqa-learn-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            Terminal.error("learn-hold-music: cannot make a temporary folder in \(FileManager.default.temporaryDirectory.path): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        defer { try? FileManager.default.removeItem(atPath: staging) }
        // Interrupted (Ctrl-C, SIGTERM): the staged pieces of the calls are removed before the
        // command ends (status 128 + the signal), not left in the temporary folder.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stops = [SIGINT, SIGTERM].map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                Self.stopping.store(true, ordering: .sequentiallyConsistent)
                for _ in 0..<3 where FileManager.default.fileExists(atPath: staging) {
                    try? FileManager.default.removeItem(atPath: staging)
                }
                FileHandle.standardError.write(Data("callqa: learn-hold-music stopped (\(sig == SIGINT ? "SIGINT" : "SIGTERM")): nothing more written\n".utf8))
                _exit(128 + sig)
            }
            source.resume()
            return source
        }
        defer { stops.forEach { $0.cancel() } }
        // A recording named twice (another path to it, a link) is learned once.
        var seen: Set<String> = []
        let files = self.files.filter { seen.insert(HoldMusicLearning.digest(recording: $0, key: key)).inserted }
        if files.count < self.files.count {
            Terminal.note("callqa: note: \(self.files.count - files.count) recording(s) named again (the same path, another path to it or a link): learned once")
        }
        let fixed = options, minS = self.minS, trimS = self.trimS
        let all = eachFile(files, jobs: recording.jobs) { path -> Result<Staged, AnalysisFailure> in
            RecordingAnalysisOptions.analyze(path, options: fixed).flatMap { analysis in
                let kept = HoldMusicLearning.stretches(of: analysis, minS: minS, trimS: trimS)
                do {
                    return .success(Staged(stretches: try HoldMusicLearning.write(recording: path, stretches: kept, into: staging, key: key),
                                           leftOut: HoldMusicLearning.leftOutForVoices(of: analysis, minS: minS),
                                           holdS: analysis.metrics.holdS))
                } catch {
                    return .failure(AnalysisFailure(message: "\(error)"))
                }
            }
        }
        // Each stretch checked against the others and against the folder's files learned before
        // from other recordings (those of the recordings learned now give way to what they give now).
        var learnedNow: Set<String> = []
        var staged: [LearnedStretch] = []
        for (file, r) in zip(files, all) {
            if case let .success(result) = r {
                learnedNow.insert(HoldMusicLearning.digest(recording: file, key: key))
                staged += result.stretches
            }
        }
        let others = recurrence > 0
            ? HoldMusicLibrary.audioFiles(in: out).filter { !learnedNow.contains(HoldMusicLearning.source(ofFile: $0)) } : []
        var passedOver: [HoldMusicError] = []
        let parts: [[FrameSpan]]
        do {
            parts = try HoldMusicLearning.recurringParts(of: staged, others: others, recurrence: recurrence, minS: minS,
                                                        trimS: trimS, passedOver: &passedOver)
        } catch {
            Self.waitIfStopping()
            Terminal.error("learn-hold-music: \(error.message)")
            throw ExitCode(1)
        }
        for e in passedOver { Terminal.warning("\(e.message): not taken into account") }
        var partsOf: [String: [FrameSpan]] = [:]
        for (s, p) in zip(staged, parts) { partsOf[s.file] = p }

        var failed = 0, stretches = 0, seconds = 0.0, judged = 0.0
        Self.waitIfStopping()
        print("recording\tstretches\tseconds\thold s\tchecked s")
        for (file, r) in zip(files, all) {
            let result: Staged
            switch r {
            case let .success(value): result = value
            case let .failure(e):
                failed += 1
                Terminal.error(e.message)
                continue
            }
            let learned: [LearnedStretch]
            do {
                learned = try HoldMusicLearning.place(result.stretches, parts: result.stretches.map { partsOf[$0.file] ?? [] },
                                                      recording: file, into: out, key: key)
            } catch {
                Self.waitIfStopping()
                failed += 1
                Terminal.error("\(TerminalText.clean(file)): cannot write what was learned into '\(Terminal.safe(out))': \(error)")
                continue
            }
            let s = learned.reduce(0) { $0 + $1.endS - $1.startS }
            let j = result.stretches.reduce(0) { $0 + $1.endS - $1.startS }
            print("\(TerminalText.clean(file))\t\(learned.count)\t\(String(format: "%.1f", s))\t\(String(format: "%.1f", result.holdS))\t\(String(format: "%.1f", j))")
            stretches += learned.count
            seconds += s
            judged += j
            for l in result.leftOut {
                Terminal.note("callqa: note: \(TerminalText.clean(file)): the \(l.party.rawValue)'s line carried voices behind its talker \(Int((100 * l.share).rounded())) % of the call: its \(String(format: "%.1f", l.seconds)) s of hold judged as a whole not learned (the voices would be learned with the music)")
            }
        }
        let held = HoldMusicLibrary.audioFiles(in: out).count
        print("learned \(stretches) stretch(es) of hold, \(String(format: "%.1f", seconds)) s, from \(files.count - failed) recording(s) into \(Terminal.safe(out)) (the folder holds \(held) audio file(s))")
        if recurrence > 0 && judged - seconds >= 0.05 {
            Terminal.note("callqa: note: \(String(format: "%.1f", judged - seconds)) s of the \(String(format: "%.1f", judged)) s checked not kept: played in fewer than \(recurrence) other recording(s) or the folder's files (--recurrence), or in parts too short to keep")
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("callqa: \(failed) of \(files.count) recording(s) could not be learned from\n".utf8))
            throw ExitCode(1)
        }
    }
}

import Analytics
import CallQAModel
import CallRecords
import Foundation
import Reports
import Scorecard
import Store

/// One step of `callqa run`, file by file.
public struct RunStep: Sendable {
    public enum Status: String, Sendable { case ok, warning, failed }
    public var step: String
    public var file: String?
    public var status: Status
    public var message: String
}

/// What `callqa run` did.
public struct RunSummary: Sendable {
    public var steps: [RunStep] = []
    public var ingest: IngestSummary?
    public var reportFiles: [String] = []
    /// The agents report, for the terminal.
    public var agentsTables: [ReportTable] = []
    /// A primary input failed (exit status 1).
    public var anyFailed: Bool { steps.contains { $0.status == .failed } }
}

/// Where the cards are: `--scorecards`, else the first `Scorecards` folder found in the
/// working folder, beside the database, in the day's folder, or in its parent.
public struct ScorecardLocation: Sendable, Equatable {
    /// The cards' file or folder; nil when `--scorecards` was not given and no default exists.
    public var path: String?
    /// The folders looked at (for the message when none exists).
    public var tried: [String]

    /// - Parameter workingFolder: where a relative `Scorecards` is looked for (nil: the process's).
    public static func resolve(explicit: String?, databasePath: String, dayFolder: String?, workingFolder: String? = nil) -> ScorecardLocation {
        if let explicit { return ScorecardLocation(path: explicit, tried: [explicit]) }
        var candidates = [workingFolder.map { ($0 as NSString).appendingPathComponent("Scorecards") } ?? "Scorecards"]
        let dbDir = (databasePath as NSString).deletingLastPathComponent
        if !dbDir.isEmpty { candidates.append((dbDir as NSString).appendingPathComponent("Scorecards")) }
        if let dayFolder {
            candidates.append((dayFolder as NSString).appendingPathComponent("Scorecards"))
            // A name without a slash has no parent here; Foundation's deletingLastPathComponent
            // traps on some of them (a one-letter folder: `callqa run e`).
            let standardized = (dayFolder as NSString).standardizingPath
            let parent = standardized.contains("/") ? (standardized as NSString).deletingLastPathComponent : ""
            if !parent.isEmpty { candidates.append((parent as NSString).appendingPathComponent("Scorecards")) }
        }
        var seen = Set<String>(), tried: [String] = []
        for c in candidates where seen.insert(URL(fileURLWithPath: c).standardizedFileURL.path).inserted { tried.append(c) }
        let found = tried.first { path in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
        }
        return ScorecardLocation(path: found, tried: tried)
    }

    /// Why there are no cards, and the fix.
    public var missing: String {
        "no scorecards: --scorecards not given and no Scorecards folder in " + tried.map { "'\($0)'" }.joined(separator: ", ")
            + "; give --scorecards DIR"
    }
}

/// How to run a day's folder.
public struct RunOptions: Sendable {
    public var folder: String
    /// The cards' file or folder; nil: none found (the run scores nothing and every report says so).
    public var scorecards: String?
    /// Why `scorecards` is nil.
    public var scorecardsMissing: String?
    public var out: String
    /// The reports' period; nil: the local days of the folder's calls.
    public var period: Period?
    public var ingest: IngestOptions
    public var minScored = 10
    public var kpi = KPISettings()
    /// Below this many answers an NPS is marked not reliable.
    public var npsMinimumN = 30
    /// Transcribe the folder's calls before scoring (the settings' `transcription.stage`,
    /// or `--transcribe`); nil: no transcription stage.
    public var transcription: TranscribeOptions?

    public init(folder: String, scorecards: String?, out: String?) {
        self.folder = folder
        self.scorecards = scorecards
        self.out = out ?? (folder as NSString).appendingPathComponent("callqa-report")
        ingest = IngestOptions(inputs: [])
    }
}

/// `callqa run DIR`: ingest the call records and recordings, import surveys and
/// evaluations, score with every card that applies, write the reports.
public enum DailyRun {
    public static let surveysFile = "surveys.csv"
    public static let evaluationsFile = "evaluations.csv"

    /// The call-record files of a folder: manifests, Master.csv, queue_log (by content).
    public static func callRecordFiles(in folder: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.filter { $0 != surveysFile && $0 != evaluationsFile && !$0.hasPrefix(".") }
            .map { (folder as NSString).appendingPathComponent($0) }
            .filter { path in
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { return false }
                let ext = (path as NSString).pathExtension.lowercased()
                guard ext == "csv" || ext == "" || ext == "log" || ext == "txt" else { return false }
                return InputKind.detect(path: path) != nil
            }
    }

    public static func run(_ o: RunOptions, store: CallStore, hasher: CallerHasher,
                           progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws -> RunSummary {
        var summary = RunSummary()
        func step(_ name: String, _ file: String?, _ status: RunStep.Status, _ message: String) {
            summary.steps.append(RunStep(step: name, file: file, status: status, message: message))
        }
        // 1. Call records and recordings.
        let inputs = callRecordFiles(in: o.folder)
        if inputs.isEmpty {
            step("ingest", o.folder, .failed, "no manifest (CSV with a call_id header), Asterisk Master.csv or queue_log in \(o.folder)")
        } else {
            var io = o.ingest
            io.inputs = inputs
            let s = try await Ingest.run(io, store: store, hasher: hasher, progress: progress)
            summary.ingest = s
            for f in inputs {
                let problems = s.problems.filter { $0.sourceFile == f }
                step("ingest", f, problems.isEmpty ? .ok : .failed,
                     problems.isEmpty ? "ok" : "\(problems.count) problem(s): " + problems.prefix(3).map(\.message).joined(separator: "; ") + (problems.count > 3 ? "; …" : ""))
            }
            step("ingest", nil, s.anyFailed ? .failed : .ok,
                 "\(s.calls) calls: \(s.analysed) analysed, \(s.unchanged) unchanged, \(s.recordsStored) stored without audio, \(s.recordingsFailed) recordings failed, \(s.rowsRejected) rows rejected; \(String(format: "%.2f", s.audioS / 3600)) h of audio at \(String(format: "%.0f", s.realtimeFactor))× realtime")
            for w in s.warnings { step("ingest", nil, .warning, w) }
        }
        // 2. Surveys.
        let surveys = (o.folder as NSString).appendingPathComponent(surveysFile)
        if FileManager.default.fileExists(atPath: surveys) {
            let s = try NPSImport.run(path: surveys, store: store, hasher: hasher, zone: o.ingest.zone, windowS: o.ingest.surveyWindowS)
            if let e = s.fileError {
                step("surveys", surveys, .failed, e)
            } else {
                step("surveys", surveys, s.rejected.isEmpty ? .ok : .warning,
                     "\(s.rows) rows: \(s.imported) imported (\(s.noAnswer) without answer), \(s.alreadyImported) already imported, \(s.rejectedCount) rejected; \(s.linked) linked, \(s.waiting) waiting for their call\(s.timeFromCallNote)")
                for r in s.rejected { step("surveys", surveys, .warning, r.message) }
            }
        }
        // 3. Cards and evaluations.
        let (cards, issues) = o.scorecards.map { CardLoader.loadAll($0) } ?? ([], [])
        if o.scorecards == nil { step("scorecards", nil, .failed, o.scorecardsMissing ?? "no scorecards") }
        if let path = o.scorecards, !cards.isEmpty, issues.isEmpty {
            step("scorecards", path, .ok, "\(cards.count) card\(cards.count == 1 ? "" : "s"): " + cards.map(\.id).joined(separator: ", "))
        }
        for i in issues { step("scorecards", i.file, .failed, i.description) }
        let evaluations = (o.folder as NSString).appendingPathComponent(evaluationsFile)
        if FileManager.default.fileExists(atPath: evaluations), !cards.isEmpty {
            let s = try EvaluationsImport.run(path: evaluations, cards: cards, store: store)
            if let e = s.fileError {
                step("evaluations", evaluations, .failed, e)
            } else {
                step("evaluations", evaluations, s.rejected.isEmpty ? .ok : .warning,
                     "\(s.rows) rows: \(s.stored) stored, \(s.alreadyImported) already imported, \(s.rejectedCount) rejected")
                for r in s.rejected { step("evaluations", evaluations, .warning, r.message) }
            }
        }
        // 4. Transcripts of the folder's calls (before scoring: phrase criteria read them).
        if var t = o.transcription {
            if let first = summary.ingest?.firstDate { t.period = Period(fromDate: first, toDate: summary.ingest?.lastDate) }
            do {
                let s = try await Transcribe.run(t, cards: cards, store: store)
                step("transcribe", nil, s.failed.isEmpty ? .ok : .failed, TranscribeSummary.line(s))
                for f in s.failed.prefix(10) { step("transcribe", f.callID, .failed, f.message) }
            } catch let e as StoreError {
                throw e
            } catch {
                step("transcribe", nil, .failed, "\(error)")
            }
        }
        // 5. Scores.
        if !cards.isEmpty {
            for c in try Scoring.run(cards: cards, store: store) {
                let mean = c.meanScore.map { String(format: "%.1f %%", $0) } ?? "—"
                if c.applicable == 0 {
                    step("score", c.cardID, .warning, "applies to no call of the database: " + (c.excluded.isEmpty ? "no calls" : c.exclusionSummary))
                    continue
                }
                step("score", c.cardID, .ok, "\(c.applicable) calls (\(c.rescored) rescored): \(c.complete) complete, \(c.provisional) provisional, \(c.notScorable) not scorable, \(c.criticalFails) critical fails, mean \(mean)")
            }
        } else if issues.isEmpty, let path = o.scorecards {
            step("scorecards", path, .failed, "no cards (*.yaml) in \(path)")
        }
        // Reports that lack this run's scores say so at the top.
        var warnings: [String] = []
        if cards.isEmpty {
            warnings.append("this run scored nothing: " + (o.scorecards == nil ? (o.scorecardsMissing ?? "no scorecards")
                : issues.isEmpty ? "no cards in \(o.scorecards!)" : "the cards in \(o.scorecards!) have errors")
                + "; quality figures are missing or older than this run's calls")
        }
        // The reports cover the folder's calls (their local days) unless a period is given.
        let period = o.period ?? summary.ingest.flatMap { s in s.firstDate.map { Period(fromDate: $0, toDate: s.lastDate) } } ?? .all
        func stamped(_ r: BuiltReport) -> BuiltReport {
            var r = r
            if warnings.isEmpty { return r }
            for i in r.tables.indices { r.tables[i].warnings = warnings }
            if !warnings.isEmpty {
                let banner = warnings.map { "<p class=\"bad\">Warning: \(HTMLReport.escape($0))</p>\n" }.joined()
                if let at = r.html.range(of: "</h1>\n") { r.html.insert(contentsOf: banner, at: at.upperBound) }
            }
            return r
        }
        // 6. Reports.
        try FileManager.default.createDirectory(atPath: o.out, withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws {
            let path = (o.out as NSString).appendingPathComponent(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            summary.reportFiles.append(path)
        }
        // The folder's pages link to one another: each agent and call of the period has its page.
        let calls = try StaticFolder.calls(store, period: period, scope: .everything)
        let folder = StaticFolder.runFolder(root: o.out, calls: calls)
        var agents = stamped(try ReportBuilder.agents(store, period: period, scope: .everything, minScored: o.minScored,
                                                      links: folder.links(page: "agents.html")))
        agents.html = StaticFolder.underHeading(agents.html, StaticFolder.agentsNavigation(folder, calls: calls))
        summary.agentsTables = agents.tables
        try put("agents.html", agents.html)
        try put("agents.json", JSONValue.array(agents.tables.map { $0.json() }).rendered() + "\n")
        for t in agents.tables { try put(t.name + ".csv", t.csv()) }
        let kpi = stamped(try ReportBuilder.kpi(store, period: period, zone: nil, by: [.day], settings: o.kpi, scope: .everything,
                                                links: folder.links(page: "kpi.html")))
        try put("kpi.html", StaticFolder.underHeading(kpi.html, StaticFolder.folderNavigation))
        try put("kpi.json", JSONValue.array(kpi.tables.map { $0.json() }).rendered() + "\n")
        for t in kpi.tables { try put(t.name + ".csv", t.csv()) }
        let nps = stamped(try ReportBuilder.nps(store, period: period, by: [.agent], minimumN: o.npsMinimumN, scope: .everything,
                                                links: folder.links(page: "nps.html")))
        try put("nps.html", StaticFolder.underHeading(nps.html, StaticFolder.folderNavigation))
        try put("nps.json", JSONValue.array(nps.tables.map { $0.json() }).rendered() + "\n")
        for t in nps.tables { try put(t.name + ".csv", t.csv()) }
        let periodLine = agents.tables.first?.period.map { "<p>\(HTMLReport.escape($0.label.prefix(1).uppercased() + $0.label.dropFirst()))</p>\n" } ?? ""
        let index = HTMLReport.page(title: "callqa report", tables: [], body: warnings.map { "<p class=\"bad\">Warning: \(HTMLReport.escape($0))</p>\n" }.joined() + periodLine + """
            <ul><li><a href="agents.html">Agents: quality against the target</a></li>
            <li><a href="kpi.html">KPIs by day and service level by hour</a></li>
            <li><a href="nps.html">NPS by agent</a></li>
            <li><a href="calls.html">Calls of the period, each with its page and recording</a></li></ul>
            """)
        try put("index.html", index)
        try StaticFolder.writeRunPages(store, folder: folder, calls: calls, period: period, minScored: o.minScored, warnings: warnings) { name, text in
            let path = (o.out as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            summary.reportFiles.append(path)
        }
        // Beside the CSV files, a file nobody opening the folder can miss; gone when a later
        // run of the day scored (a stale one would mislead).
        let warningsFile = (o.out as NSString).appendingPathComponent("WARNINGS.txt")
        let reportWarnings = Array(Set(agents.tables.flatMap(\.warnings))).sorted()
        if reportWarnings.isEmpty {
            try? FileManager.default.removeItem(atPath: warningsFile)
        } else {
            try put("WARNINGS.txt", reportWarnings.map { "WARNING: " + $0 + "\n" }.joined()
                + "Every report of this folder says so: at the top of the HTML pages, in the JSON key \"warnings\", and in the last column \"warning\" of every CSV file.\n")
        }
        step("reports", o.out, .ok, "\(summary.reportFiles.count) files (open \((o.out as NSString).appendingPathComponent("agents.html")))")
        return summary
    }
}

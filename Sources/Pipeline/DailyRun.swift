import Analytics
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

/// How to run a day's folder.
public struct RunOptions: Sendable {
    public var folder: String
    public var scorecards: String
    public var out: String
    public var ingest: IngestOptions
    public var minScored = 10
    public var kpi = KPISettings()
    /// Below this many answers an NPS is marked not reliable.
    public var npsMinimumN = 30

    public init(folder: String, scorecards: String, out: String?) {
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
                           progress: (@Sendable (IngestProgress) -> Void)? = nil) throws -> RunSummary {
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
            let s = try Ingest.run(io, store: store, hasher: hasher, progress: progress)
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
                     "\(s.rows) rows: \(s.imported) imported (\(s.noAnswer) without answer), \(s.alreadyImported) already imported, \(s.rejectedCount) rejected; \(s.linked) linked, \(s.waiting) waiting for their call")
                for r in s.rejected { step("surveys", surveys, .warning, r.message) }
            }
        }
        // 3. Cards and evaluations.
        let (cards, issues) = CardLoader.loadAll(o.scorecards)
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
        // 4. Scores.
        if !cards.isEmpty {
            for c in try Scoring.run(cards: cards, store: store) {
                let mean = c.meanScore.map { String(format: "%.1f %%", $0) } ?? "—"
                step("score", c.cardID, .ok, "\(c.applicable) calls (\(c.rescored) rescored): \(c.complete) complete, \(c.provisional) provisional, \(c.notScorable) not scorable, \(c.criticalFails) critical fails, mean \(mean)")
            }
        } else if issues.isEmpty {
            step("scorecards", o.scorecards, .failed, "no cards (*.yaml) in \(o.scorecards)")
        }
        // 5. Reports.
        try FileManager.default.createDirectory(atPath: o.out, withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws {
            let path = (o.out as NSString).appendingPathComponent(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            summary.reportFiles.append(path)
        }
        let agents = try ReportBuilder.agents(store, period: .all, filter: ReportFilter(), minScored: o.minScored)
        summary.agentsTables = agents.tables
        try put("agents.html", agents.html)
        try put("agents.json", JSONValue.array(agents.tables.map { $0.json() }).rendered() + "\n")
        for t in agents.tables { try put(t.name + ".csv", t.csv()) }
        let kpi = try ReportBuilder.kpi(store, period: .all, zone: nil, by: [.day], settings: o.kpi, filter: ReportFilter())
        try put("kpi.html", kpi.html)
        try put("kpi.json", JSONValue.array(kpi.tables.map { $0.json() }).rendered() + "\n")
        for t in kpi.tables { try put(t.name + ".csv", t.csv()) }
        let nps = try ReportBuilder.nps(store, period: .all, by: [.agent], minimumN: o.npsMinimumN, filter: ReportFilter())
        try put("nps.html", nps.html)
        try put("nps.json", JSONValue.array(nps.tables.map { $0.json() }).rendered() + "\n")
        for t in nps.tables { try put(t.name + ".csv", t.csv()) }
        let index = HTMLReport.page(title: "callqa report", tables: [], body: """
            <ul><li><a href="agents.html">Agents: quality against the target</a></li>
            <li><a href="kpi.html">KPIs by day and service level by hour</a></li>
            <li><a href="nps.html">NPS by agent</a></li></ul>
            """)
        try put("index.html", index)
        step("reports", o.out, .ok, "\(summary.reportFiles.count) files (open \((o.out as NSString).appendingPathComponent("agents.html")))")
        return summary
    }
}

import CallQAModel
import CallRecords
import Foundation
import Logging
import Pipeline
import Scorecard
import Store

/// How `callqa watch` runs.
public struct WatchOptions: Sendable {
    /// Folders watched for recordings (recursively) and for call-record files (directly in
    /// them: manifests, Master.csv, queue_log, recognised by their content as `run` does).
    public var folders: [String]
    /// Call-record files elsewhere (`/var/log/asterisk/cdr-csv/Master.csv`, `/var/log/asterisk/queue_log`).
    public var recordFiles: [String] = []
    /// The audio root of `recordFiles` (default: the first folder). Watched for recordings too.
    public var audioRoot: String?
    /// What a batch ingest would be given: zone, CDR columns, recording pattern, analysis
    /// parameters, agent channel, jobs, caller privacy (`inputs` is not used).
    public var ingest: IngestOptions
    /// The cards to score with (a file or folder); nil: calls are stored, not scored.
    public var scorecards: String?
    /// A recording is complete once its size and time stayed the same this long (s).
    public var settleS = 10.0
    /// Every folder is walked again this often (s): what inotify cannot see (network file
    /// systems, a full event queue) is found this way.
    public var rescanS = 60.0
    /// How long a call waits for its recording (or its record for its last part) before it
    /// is stored as it is, flagged as a batch ingest flags it (s).
    public var waitS = 120.0
    /// How long a stored call's record lines are kept, so that a late line (a further CDR
    /// leg, a recording that comes late) updates it (s).
    public var keepS = 7200.0
    /// The report aggregates are rebuilt at most this often while calls come in (s);
    /// meanwhile reports compute from the base tables, so the workspace is never behind.
    public var aggregatesS = 10.0
    public var alerts = AlertSettings()
    /// Transcribe each cycle's stored calls before they are scored (phrase criteria read the
    /// transcripts; the selection of the settings' `transcription` section applies); nil: no
    /// transcription stage.
    public var transcription: TranscribeOptions?
    /// The `curl` program for webhooks (nil: not installed).
    public var curlPath: String?
    /// How often the loop looks at the followed files and the waiting calls (s).
    public var tickS = 0.1

    public init(folders: [String], ingest: IngestOptions) {
        self.folders = folders
        self.ingest = ingest
    }
}

/// Why `callqa watch` cannot start.
public struct WatchError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What a watch run did, for its last log line.
public struct WatchSummary: Sendable, Equatable {
    public var callsStored = 0
    public var analysed = 0
    public var withoutRecording = 0
    public var transcribed = 0
    public var rowsRejected = 0
    public var alerts = 0
}

/// Continuous ingest: follows the call-record files, watches the recording folders, and
/// stores each finished call exactly as a batch `ingest` of the same files would store it
/// (the same folds of the records, the same recording lookup, the same `IngestDriver`),
/// scores it with the cards that apply, and checks the alert rules. Stops when its task is
/// cancelled (SIGTERM): the calls being analysed are finished and stored, nothing else is
/// started.
public final class Watcher {
    let options: WatchOptions
    let store: CallStore
    let hasher: CallerHasher
    let seal: LineSeal
    let logger: Logger
    private let recordings: RecordingWatch
    private let assembler: CallAssembler
    private var followers: [String: FollowedLog] = [:]
    private var followerOrder: [String] = []
    private var cards: [Scorecard] = []
    private var runID: Int64 = 0
    private var summary = WatchSummary()
    private let evaluator: AlertEvaluator
    private let notifier: AlertNotifier
    private let started = ContinuousClock.now
    private var surveysSince = 0.0
    /// Standardized folders, and the audio root of `--records` files.
    private let folders: [String]
    private let recordRoot: String

    public init(options: WatchOptions, store: CallStore, callerKey: [UInt8], hasher: CallerHasher, logger: Logger) throws(WatchError) {
        self.options = options
        self.store = store
        self.hasher = hasher
        self.logger = logger
        seal = LineSeal(callerKey: callerKey)
        func standard(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }
        guard !options.folders.isEmpty else { throw WatchError("no folder to watch") }
        for f in options.folders + [options.audioRoot].compactMap({ $0 }) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue else {
                throw WatchError("'\(f)' is not a folder")
            }
        }
        folders = options.folders.map(standard)
        recordRoot = standard(options.audioRoot ?? options.folders[0])
        var roots = folders
        if !roots.contains(recordRoot) { roots.append(recordRoot) }
        recordings = RecordingWatch(roots: roots, settleS: options.settleS)
        assembler = CallAssembler(zone: options.ingest.zone, locale: options.ingest.manifestLocale, cdrColumns: options.ingest.cdrColumns,
                                  recordingPattern: options.ingest.recordingPattern)
        evaluator = AlertEvaluator(settings: options.alerts)
        notifier = AlertNotifier(settings: options.alerts, store: store, logger: logger, curl: options.curlPath)
        if options.alerts.webhook != nil && options.curlPath == nil {
            throw WatchError("alerts.webhook needs curl (Debian package curl), which is not installed")
        }
        if let t = options.transcription, !FileManager.default.fileExists(atPath: t.modelPath) {
            throw WatchError("speech model '\(t.modelPath)' not found (transcription.model, --model; see the README's Transcripts)")
        }
        if let path = options.scorecards {
            let (loaded, issues) = CardLoader.loadAll(path)
            if !issues.isEmpty { throw WatchError(issues.map(\.description).joined(separator: "\n") + "\nfix the scorecards above (callqa scorecard lint \(path))") }
            cards = loaded
        }
    }

    private var mono: Double { let d = ContinuousClock.now - started; return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    private var epoch: Double { Date().timeIntervalSince1970 }

    /// Runs until the task is cancelled.
    public func run() async throws -> WatchSummary {
        try setUp()
        notifier.start()
        defer { notifier.stop() }
        var lastRescan = mono, lastEvict = mono, lastAggregates = mono, lastSurveys = -1e9, lastRecordFiles = mono
        var storedSinceAggregates = false
        while !Task.isCancelled {
            let now = mono
            recordings.applyEvents(now: now)
            if now - lastRescan >= options.rescanS {
                recordings.scanAll(now: now)
                lastRescan = now
            }
            if now - lastRecordFiles >= 1 {
                try discoverRecordFiles()
                lastRecordFiles = now
            }
            try readRecords()
            if recordings.takeChanges() {
                for key in assembler.recheckStored(recordings: recordings) {
                    logger.info("recording came or changed after its call was stored: storing it again", metadata: ["call_id": "\(key)"])
                }
            }
            let ready = assembler.ready(nowEpoch: epoch, nowMono: mono, settleS: options.settleS, waitS: options.waitS, recordings: recordings)
            if !ready.isEmpty {
                try await cycle(ready)
                storedSinceAggregates = true
            }
            if now - lastEvict >= 5 {
                try store.deleteWatchLines(assembler.evict(nowEpoch: epoch, keepS: options.keepS))
                lastEvict = now
            }
            if storedSinceAggregates, now - lastAggregates >= options.aggregatesS {
                try store.refreshAggregates()
                storedSinceAggregates = false
                lastAggregates = now
            }
            if now - lastSurveys >= 10 {
                try surveyAlerts()
                lastSurveys = now
            }
            if ready.isEmpty { try? await Task.sleep(for: .milliseconds(Int(options.tickS * 1000))) }
        }
        // Stopping: what was stored is in the aggregates, and the run is closed.
        try store.refreshAggregates()
        try store.finishRun(runID, stored: summary.callsStored, unchanged: 0, failed: summary.withoutRecording, rejected: summary.rowsRejected,
                            audioS: 0, wallS: mono)
        store.checkpoint()
        return summary
    }

    // MARK: Start

    private func setUp() throws {
        runID = try store.beginRun(inputs: ["watch"] + folders + options.recordFiles)
        for p in recordings.inotifyProblems { logger.warning("\(p)") }
        if let since = try store.watchState("alerts_surveys_since").flatMap(Double.init) {
            surveysSince = since
        } else {
            surveysSince = epoch
            try store.setWatchState("alerts_surveys_since", String(surveysSince))
        }
        let stored = Dictionary(try store.watchSources().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Files followed before that still belong to this configuration (a rotated file
        // whose new one is not there yet is still followed).
        for s in stored.values.sorted(by: { $0.path < $1.path }) where belongs(s.path) {
            try follow(path: s.path, kind: s.kind, stored: s)
        }
        for f in options.recordFiles {
            let path = URL(fileURLWithPath: f).standardizedFileURL.path
            guard followers[path] == nil else { continue }
            guard let kind = options.ingest.inputKind ?? InputKind.detect(path: path) ?? Self.kindByName(path) else {
                throw WatchError("\(f): cannot tell the input kind (a manifest, Master.csv or queue_log); force it with --input")
            }
            try follow(path: path, kind: kind, stored: nil)
        }
        try discoverRecordFiles()
        // Manifests read before: their header, from the file.
        for path in followerOrder {
            guard let f = followers[path], f.kind == .manifest, f.state.offset > 0, let header = f.header() else { continue }
            try? assembler.sources[path]?.setHeader(header, file: f.reading, zone: options.ingest.zone, locale: options.ingest.manifestLocale)
        }
        recordings.scanAll(now: mono)
        // The record lines of calls that may still change, folded in again.
        var replayed = 0
        for row in try store.watchLines() {
            guard assembler.sources[row.sourcePath] != nil else { continue }
            let fields: [String]
            do {
                guard let f = FieldCodec.decode(try seal.open(row.sealed)) else { throw LineSeal.Failure.crypto("layout") }
                fields = f
            } catch {
                throw WatchError("\(error): the kept record lines cannot be read; move the database's key file back, or stop watch and delete the rows of watch_lines to start over from the files")
            }
            assembler.replay(row, fields: fields)
            replayed += 1
        }
        logger.info("watching", metadata: [
            "folders": "\(folders.joined(separator: ", "))", "record_files": "\(followerOrder.joined(separator: ", "))",
            "cards": "\(cards.map(\.id).joined(separator: ", "))", "settle_s": "\(options.settleS)", "wait_s": "\(options.waitS)",
            "kept_lines": "\(replayed)", "pending_calls": "\(assembler.pendingCount)", "alert_rules": "\(options.alerts.rules.count)",
            "inotify": "\(recordings.inotifyProblems.isEmpty ? "on" : "degraded")",
            "transcription": "\(options.transcription.map { ($0.modelPath as NSString).lastPathComponent } ?? "off")",
        ])
        if options.scorecards == nil { logger.warning("no scorecards: calls are stored and analysed, not scored") }
    }

    static func kindByName(_ path: String) -> InputKind? {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.hasPrefix("master") && name.hasSuffix(".csv") { return .asteriskCDR }
        if name.hasPrefix("queue_log") { return .queueLog }
        return nil
    }

    /// A stored source belongs to this run: a `--records` file, or a file directly in a folder.
    private func belongs(_ path: String) -> Bool {
        let records = options.recordFiles.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return records.contains(path) || folders.contains((path as NSString).deletingLastPathComponent)
    }

    private func follow(path: String, kind: InputKind, stored: WatchSourceRow?) throws {
        guard followers[path] == nil else { return }
        let folder = (path as NSString).deletingLastPathComponent
        let root = folders.contains(folder) ? folder : recordRoot
        do { try assembler.addSource(path: path, kind: kind, root: root) } catch { throw WatchError("\(path): \(error.message)") }
        followers[path] = FollowedLog(path: path, kind: kind, stored: stored)
        followerOrder.append(path)
        if stored == nil { logger.info("following", metadata: ["file": "\(path)", "kind": "\(kind.rawValue)"]) }
    }

    /// Call-record files that appeared directly in a watched folder.
    private func discoverRecordFiles() throws {
        for folder in folders {
            for path in DailyRun.callRecordFiles(in: folder) {
                let p = URL(fileURLWithPath: path).standardizedFileURL.path
                guard followers[p] == nil, let kind = options.ingest.inputKind ?? InputKind.detect(path: p) else { continue }
                try follow(path: p, kind: kind, stored: nil)
            }
        }
    }

    // MARK: Records

    /// Reads what the followed files gained: each read is stored (lines kept, offset, rows
    /// rejected) in one transaction before anything is done with it.
    private func readRecords() throws {
        for path in followerOrder {
            guard let f = followers[path] else { continue }
            // At most a few MiB per file and tick, so that recordings are looked at meanwhile.
            for _ in 0..<8 {
                guard let batch = f.poll(now: mono, graceS: options.settleS) else { break }
                for n in batch.notes { logger.notice("\(n)") }
                let (kept, errors, notes) = assembler.fold(batch, source: path)
                for n in notes { logger.warning("\(n)") }
                let now = epoch
                var lines: [WatchLineRow] = []
                for k in kept {
                    lines.append(WatchLineRow(sourcePath: path, file: k.file, line: k.line, callKey: k.key, readEpoch: now,
                                              sealed: try seal.seal(FieldCodec.encode(k.fields))))
                }
                let rows = errors.map { e in
                    IngestErrorRow(stage: .record, sourceFile: e.source.file, line: e.source.line > 0 ? e.source.line : nil, callID: e.callID,
                                   field: e.field, message: e.description)
                }
                let ids = try store.consumeWatchLines(source: batch.state, lines: lines, errors: rows, run: runID)
                assembler.attach(kept, ids: ids, readEpoch: now)
                summary.rowsRejected += rows.count
                for r in rows { logger.warning("row rejected", metadata: ["error": "\(r.message)"]) }
                if batch.records.isEmpty { break }
            }
        }
    }

    // MARK: Calls

    /// Stores the ready calls (parallel analysis, one transaction per call), marks their
    /// lines done, scores them, checks the alert rules.
    private func cycle(_ ready: [CallAssembler.Ready]) async throws {
        let items = ready.flatMap(\.items)
        var driver = try IngestDriver(options: options.ingest, store: store, hasher: hasher, runID: runID)
        try await driver.ingest(items)
        let handled = Set(driver.handledCallIDs)
        let cycle = try driver.endCycle()
        summary.analysed += cycle.analysed
        for p in cycle.problems { logger.warning("\(p.message)", metadata: ["call_id": "\(p.callID ?? "")"]) }
        var done: [Int64] = []
        var storedIDs: [String] = []
        for r in ready {
            // Cancelled before this call was reached: it stays waiting (the next start does it).
            guard r.items.allSatisfy({ handled.contains($0.record.callID) }) else { continue }
            done += assembler.stored(r, stamp: r.recording.flatMap { recordings.stamp(of: $0) })
            storedIDs += r.items.map(\.record.callID)
            if let why = r.gaveUp { logger.warning("stored after waiting \(Int(options.waitS)) s for \(why)", metadata: ["call_id": "\(r.key)"]) }
            if r.withoutRecording { summary.withoutRecording += 1 }
        }
        // Scored and checked before the lines are marked done: killed in between, the next
        // start stores the call again (unchanged: nothing written), scores it (only if its
        // score is not current) and checks the rules (an alert is stored once per call and rule).
        summary.callsStored += storedIDs.count
        if var t = options.transcription, !storedIDs.isEmpty {
            t.callIDs = storedIDs
            do {
                let s = try await Transcribe.run(t, cards: cards, store: store)
                summary.transcribed += s.transcribed
                for f in s.failed { logger.warning("not transcribed: \(f.message)", metadata: ["call_id": "\(f.callID)"]) }
            } catch let e as StoreError {
                throw e
            } catch {
                // The model became unusable (replaced, removed): calls are still stored and scored.
                logger.error("transcription: \(error)")
            }
        }
        if !cards.isEmpty, !storedIDs.isEmpty {
            _ = try Scoring.run(cards: cards, store: store, callIDs: storedIDs, refreshAggregates: false)
        }
        let raised = try store.raiseAlerts(try evaluator.evaluate(callIDs: storedIDs, store: store, nowEpoch: epoch))
        report(raised)
        try store.markWatchLinesDone(done)
        guard !storedIDs.isEmpty else { return }
        // One line per call, after its score is in the database (what `make bench-watch` reads).
        let now = epoch
        for id in storedIDs {
            var meta: Logger.Metadata = ["call_id": "\(id)"]
            let scores = cards.isEmpty ? [] : try store.storedScores(callID: id, scope: .everything)
            if !scores.isEmpty {
                meta["scores"] = "\(scores.map { "\($0.cardID)=\($0.score.map { FactValue.format(($0 * 10).rounded() / 10) } ?? "-")/\($0.status.rawValue)" }.joined(separator: " "))"
            }
            if let r = ready.first(where: { $0.items.contains { $0.record.callID == id } }), let path = r.recording {
                meta["recording"] = "\(path)"
                if let stamp = recordings.stamp(of: path) {
                    meta["since_recording_s"] = "\(String(format: "%.3f", now - Double(stamp.mtimeNs) / 1e9))"
                }
            }
            logger.info("call stored and scored", metadata: meta)
        }
    }

    private func report(_ raised: [NewAlert]) {
        guard !raised.isEmpty else { return }
        summary.alerts += raised.count
        for a in raised {
            logger.notice("alert", metadata: ["call_id": "\(a.callID)", "rule": "\(a.ruleID)", "reason": "\(a.reason)"])
        }
        notifier.poke()
    }

    /// Detractor surveys imported (by `callqa nps import` or `run`) since the watcher first
    /// started, on calls without that alert yet.
    private func surveyAlerts() throws {
        var found: [NewAlert] = []
        for rule in options.alerts.rules {
            guard case let .surveyAtMost(limit) = rule.condition else { continue }
            for (callID, score) in try store.detractorsWithoutAlert(ruleID: rule.id, maxScore: limit, sinceEpoch: surveysSince, scope: .everything) {
                found.append(NewAlert(callID: callID, ruleID: rule.id, reason: "survey score \(score) (at most \(limit))", raisedEpoch: epoch,
                                      notify: options.alerts.notifies))
            }
        }
        report(try store.raiseAlerts(found))
    }
}

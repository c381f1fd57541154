import CallAnalysis
import CallRecords
import FileAccess
import FileDigest
import Foundation
import Store
import Synchronization

/// How to ingest a batch.
public struct IngestOptions: Sendable {
    /// Manifest, Master.csv and/or queue_log files.
    public var inputs: [String]
    /// Forces the input kind; detected from each file's content when nil.
    public var inputKind: InputKind?
    /// Where recordings live; default: each input file's folder. Paths never leave it.
    public var audioRoot: String?
    /// Zone for timestamps without an offset (Asterisk; manifests only when set).
    public var zone: Timestamp.Zone?
    /// How manifests write numbers and dates (`--locale de`: a German spreadsheet export).
    public var manifestLocale: ManifestLocale = .iso
    /// Column order of Master.csv for sites that reorder it.
    public var cdrColumns: [String]?
    /// Recording file name for Asterisk calls, relative to the audio root, with `{uniqueid}`
    /// (e.g. `{uniqueid}.wav` or `q-{uniqueid}.wav`); default: any audio file whose name
    /// contains the uniqueid.
    public var recordingPattern: String?
    public var analysis = AnalysisOptions()
    /// Recordings analysed in parallel.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// Store caller numbers in clear text beside their hash (off by default: personal data).
    public var callerInClear = false
    /// Window for joining waiting surveys to calls by caller (s).
    public var surveyWindowS = NPSImport.defaultWindowS
    /// Calls of a streamed manifest held in memory at once.
    public var chunkSize = 5_000
    /// Called for each recording after it was hashed and before it is analysed (tests).
    public var afterHash: @Sendable (String) -> Void = { _ in }

    public init(inputs: [String]) {
        self.inputs = inputs
    }
}

/// Progress of the analysis part of an ingest.
public struct IngestProgress: Sendable {
    public var done: Int
    public var total: Int
    /// Audio analysed so far (s).
    public var audioS: Double
    /// Wall time since the start (s).
    public var elapsedS: Double
}

/// What an ingest did.
public struct IngestSummary: Sendable {
    /// Calls read from the inputs (valid rows).
    public var calls = 0
    /// Calls whose recording was analysed and stored (new or re-analysed).
    public var analysed = 0
    /// Calls stored without analysis: no recording, a record-only change, or a failure.
    public var recordsStored = 0
    /// Calls skipped: record and recording unchanged since the last ingest.
    public var unchanged = 0
    /// Recordings that could not be read or analysed, or are missing / outside the root.
    public var recordingsFailed = 0
    /// Answered calls stored without any recording.
    public var answeredWithoutRecording = 0
    /// Rows rejected from the inputs, and input files that could not be read at all.
    public var rowsRejected = 0
    public var filesFailed = 0
    /// Audio analysed in this run (s) and wall time (s).
    public var audioS = 0.0
    public var wallS = 0.0
    /// Every problem, in input order.
    public var problems: [IngestErrorRow] = []
    /// Notes that are not failures (e.g. recordings no row references).
    public var warnings: [String] = []
    public var runID: Int64 = 0
    /// First and last local day (`YYYY-MM-DD`, the call's own offset) of the calls in the input.
    public var firstDate: String?
    public var lastDate: String?

    /// Whether a primary input failed (exit status 1).
    public var anyFailed: Bool { recordingsFailed > 0 || rowsRejected > 0 || filesFailed > 0 }
    /// Audio analysed per wall second.
    public var realtimeFactor: Double { wallS > 0 ? audioS / wallS : 0 }
}

/// Reads call records and recordings into the store: parallel analysis, one writer,
/// idempotent (unchanged input is skipped), one transaction per call.
public enum Ingest {
    public static let audioExtensions: Set<String> = ["wav", "flac", "mp3", "ogg", "oga", "opus", "au", "snd", "aif", "aiff", "gsm", "caf", "w64", "rf64"]

    /// A call and where its recording is.
    struct Item {
        var record: CallRecord
        var kind: InputKind
        var root: String
        var resolved: Resolution
    }

    enum Resolution {
        case none
        case file(path: String)
        case missing(path: String)
        case outside(path: String, reason: String)
    }

    /// Runs the ingest. Throws only when the store itself fails; input problems are in the summary.
    ///
    /// Manifests are streamed in chunks of `options.chunkSize` calls (memory does not grow with the
    /// file beyond one entry per distinct call id for duplicate detection); Asterisk
    /// Master.csv and queue_log are read whole, since they are joined by uniqueid.
    public static func run(_ options: IngestOptions, store: CallStore, hasher: CallerHasher,
                           progress: (@Sendable (IngestProgress) -> Void)? = nil) throws(StoreError) -> IngestSummary {
        var batch = Batch(options: options, store: store, hasher: hasher, progress: progress)
        batch.summary.runID = try store.beginRun(inputs: options.inputs)
        var cdrItems: [(CallRecord, String)] = [], queueItems: [(CallRecord, String)] = []
        var manifests: [(path: String, root: String)] = []

        for input in options.inputs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir), !isDir.boolValue else {
                batch.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: nil, callID: nil, field: nil,
                                                message: "\(input): no such file (expected a manifest, Master.csv or queue_log)"))
                continue
            }
            var st = stat()
            if stat(input, &st) == 0, let special = RegularFile.kindName(mode: st.st_mode) {
                batch.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: nil, callID: nil, field: nil,
                                                message: "\(input): is \(special), not a regular file; not read"))
                continue
            }
            guard let kind = options.inputKind ?? InputKind.detect(path: input) else {
                batch.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: 1, callID: nil, field: nil,
                                                message: "\(input): cannot tell the input kind: expected a manifest with a 'call_id' header, an Asterisk Master.csv or a queue_log (force one with --input)"))
                continue
            }
            let folder = options.audioRoot ?? (input as NSString).deletingLastPathComponent
            let root = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path
            if kind == .manifest {
                manifests.append((input, root))
                continue
            }
            let parsed = kind == .asteriskCDR
                ? AsteriskCDR.parse(path: input, zone: options.zone ?? .fixed(offsetS: 0), columns: options.cdrColumns)
                : QueueLog.parse(path: input, zone: options.zone ?? .fixed(offsetS: 0))
            if let e = parsed.fileError {
                batch.fileFailed(row(e, stage: .file))
                continue
            }
            batch.rejected(parsed.errors)
            if kind == .asteriskCDR { cdrItems += parsed.records.map { ($0, root) } } else { queueItems += parsed.records.map { ($0, root) } }
        }
        if !cdrItems.isEmpty || !queueItems.isEmpty {
            let roots = Dictionary(cdrItems.map { ($0.0.callID, $0.1) } + queueItems.map { ($0.0.callID, $0.1) }, uniquingKeysWith: { a, _ in a })
            let merged = QueueLog.merge(cdr: cdrItems.map(\.0), queueLog: queueItems.map(\.0))
            let cdrIDs = Set(cdrItems.map(\.0.callID))
            cdrItems = []
            queueItems = []
            var finders: [String: RecordingFinder] = [:]
            var items: [Item] = []
            for var r in merged {
                guard r.startedAt != nil else { continue }
                let root = roots[r.callID] ?? "."
                if finders[root] == nil { finders[root] = RecordingFinder(root: root) }
                if let named = r.recording {
                    // The row's own `recordingfile` (FreePBX stores a bare name under YYYY/MM/DD).
                    r.recording = finders[root]!.find(named: named)
                    for i in r.legs.indices { r.legs[i].recording = r.legs[i].recording.map { finders[root]!.find(named: $0) } }
                } else {
                    r.recording = finders[root]!.find(uniqueID: r.callID, pattern: options.recordingPattern)
                }
                items.append(Item(record: r, kind: cdrIDs.contains(r.callID) ? .asteriskCDR : .queueLog, root: root, resolved: .none))
                if items.count == options.chunkSize { try batch.process(items); items.removeAll(keepingCapacity: true) }
            }
            try batch.process(items)
        }

        // Manifests, streamed. Audio files under their roots are listed first; each one a
        // call references is struck off, what remains is reported as unreferenced.
        let checkUnreferenced = options.inputKind == nil || options.inputKind == .manifest
        var scannedRoots = Set<String>()
        for (path, root) in manifests {
            let reader: Manifest.Reader
            do { reader = try Manifest.Reader(path: path, zone: options.zone, locale: options.manifestLocale) } catch {
                batch.fileFailed(row(error, stage: .file))
                continue
            }
            if let notice = reader.notice { batch.summary.warnings.append(notice) }
            if !reader.extraColumns.isEmpty {
                batch.summary.warnings.append("\(path): extra columns kept as call attributes (call.attr.NAME in rules): " + reader.extraColumns.joined(separator: ", "))
            }
            if checkUnreferenced, scannedRoots.insert(root).inserted {
                batch.unreferenced = (batch.unreferenced ?? []).union(audioFiles(under: [root]))
            }
            var items: [Item] = []
            var errors: [RecordError] = []
            while let call = reader.next(errors: &errors) {
                batch.rejected(errors)
                errors.removeAll(keepingCapacity: true)
                items.append(Item(record: call, kind: .manifest, root: root, resolved: .none))
                if items.count == options.chunkSize { try batch.process(items); items.removeAll(keepingCapacity: true) }
            }
            batch.rejected(errors)
            try batch.process(items)
        }
        if let left = batch.unreferenced, !left.isEmpty {
            let shown = left.sorted().prefix(20).joined(separator: ", ")
            batch.summary.warnings.append("\(left.count) recording(s) under the audio root are not referenced by any call: \(shown)\(left.count > 20 ? ", …" : "")")
        }

        var summary = batch.summary
        summary.wallS = (ContinuousClock.now - batch.clock).seconds
        // Surveys that arrived before their call are joined now; report aggregates follow.
        _ = try store.linkWaitingSurveys(windowS: options.surveyWindowS)
        try store.refreshAggregates()
        try store.recordErrors(run: summary.runID, summary.problems)
        try store.finishRun(summary.runID, stored: summary.analysed + summary.recordsStored, unchanged: summary.unchanged,
                            failed: summary.recordingsFailed + summary.filesFailed, rejected: summary.rowsRejected,
                            audioS: summary.audioS, wallS: summary.wallS)
        // Rewritten rows (a clear number removed, a record updated) leave the old page in the
        // main file until a checkpoint: do it now.
        store.checkpoint()
        return summary
    }

    /// The state of one ingest across its chunks.
    struct Batch {
        let options: IngestOptions
        let store: CallStore
        let hasher: CallerHasher
        let progress: (@Sendable (IngestProgress) -> Void)?
        let clock = ContinuousClock.now
        let parametersJSON: String
        var summary = IngestSummary()
        /// First occurrence of each call id in this run: a hash of its fingerprint and where
        /// it was (an index into `files` and a line): 16 bytes per call id, the only memory
        /// that grows with a streamed manifest.
        var seen: [String: (fingerprint: Int, file: Int32, line: Int32)] = [:]
        var files: [String] = []
        /// Audio files under the manifests' roots no call has referenced yet (nil: not checked).
        var unreferenced: Set<String>?
        /// Analysis jobs so far (progress total) and finished (progress done).
        var jobsTotal = 0, jobsDone = 0

        init(options: IngestOptions, store: CallStore, hasher: CallerHasher, progress: (@Sendable (IngestProgress) -> Void)?) {
            self.options = options
            self.store = store
            self.hasher = hasher
            self.progress = progress
            parametersJSON = Ingest.parametersText(options.analysis)
        }

        mutating func fileFailed(_ problem: IngestErrorRow) {
            summary.filesFailed += 1
            summary.problems.append(problem)
        }

        mutating func rejected(_ errors: [RecordError]) {
            summary.rowsRejected += errors.count
            summary.problems += errors.map { Ingest.row($0, stage: .record) }
        }

        /// Stores one chunk of calls: duplicates refused, records without (usable) audio
        /// written in transactions of 1,000, recordings analysed in parallel and each
        /// written in its own transaction by one writer.
        mutating func process(_ items: [Item]) throws(StoreError) {
            guard !items.isEmpty else { return }
            var unique: [Item] = []
            unique.reserveCapacity(items.count)
            for item in items {
                let r = item.record
                let fingerprint = r.fingerprint.hashValue
                if let first = seen[r.callID] {
                    if first.fingerprint != fingerprint {
                        let file = files[Int(first.file)]
                        let at = file == r.source.file ? "line \(first.line)" : SourceRef(file: file, line: Int(first.line)).description
                        summary.rowsRejected += 1
                        summary.problems.append(IngestErrorRow(stage: .record, sourceFile: r.source.file, line: r.source.line,
                                                               callID: r.callID, field: "call_id",
                                                               message: "\(r.source): duplicate call_id '\(r.callID)' with different content (first at \(at))"))
                    }
                    continue
                }
                if files.last != r.source.file { files.append(r.source.file) }
                seen[r.callID] = (fingerprint, Int32(files.count - 1), Int32(clamping: r.source.line))
                var it = item
                it.resolved = Ingest.resolve(r.recording, root: it.root)
                if item.kind == .manifest, unreferenced != nil {
                    switch it.resolved {
                    case let .file(p), let .missing(p), let .outside(p, _): unreferenced!.remove(p)
                    case .none: break
                    }
                }
                unique.append(it)
            }
            summary.calls += unique.count
            for item in unique {
                guard let d = item.record.startedAt?.localDate else { continue }
                if summary.firstDate.map({ d < $0 }) ?? true { summary.firstDate = d }
                if summary.lastDate.map({ d > $0 }) ?? true { summary.lastDate = d }
            }

            let states = try store.callStates(ids: unique.map(\.record.callID))
            var recordOnly: [CallWrite] = []
            var jobs: [(Item, CallRow, StoredCallState?)] = []
            for item in unique {
                let r = item.record
                var row = Ingest.privateRow(r, kind: item.kind, hasher: hasher, inClear: options.callerInClear)
                let stored = states[r.callID]
                // A call without a usable recording: stored unless the same record and status are there.
                func storeUnlessUnchanged(_ row: CallRow) {
                    if let stored, stored.fingerprint == row.fingerprint, stored.recordingStatus == row.recordingStatus, stored.analysis == nil {
                        summary.unchanged += 1
                    } else {
                        recordOnly.append(CallWrite(call: row, analysis: .remove))
                    }
                }
                // A recording that cannot be used: reported, and the call stored without it.
                func recordingFailed(_ message: String) {
                    summary.recordingsFailed += 1
                    summary.problems.append(IngestErrorRow(stage: .recording, sourceFile: r.source.file, line: r.source.line, callID: r.callID,
                                                           field: "recording", message: "\(r.source): call \(r.callID): \(message)"))
                    storeUnlessUnchanged(row)
                }
                switch item.resolved {
                case .none:
                    if r.isAnswered {
                        row.recordingStatus = .missing
                        row.recordingError = "answered call without a recording"
                        summary.answeredWithoutRecording += 1
                    }
                    storeUnlessUnchanged(row)
                case let .outside(_, reason):
                    row.recordingStatus = .outsideRoot
                    row.recordingError = reason
                    recordingFailed(reason)
                case let .missing(path):
                    row.recordingPath = path
                    row.recordingStatus = .missing
                    row.recordingError = "recording not found: \(path)"
                    recordingFailed("recording '\(path)' not found")
                case let .file(path):
                    row.recordingPath = path
                    row.recordingStatus = .analysed
                    let (size, mtime) = FileDigest.sizeAndModification(path: path) ?? (-1, 0)
                    let paramsHash = Ingest.parametersHash(parametersJSON, options: options.analysis, agentChannel: r.agentChannel)
                    if let stored, let a = stored.analysis, stored.recordingStatus == .analysed, a.recordingPath == path,
                       a.sizeBytes == size, a.mtimeEpoch == mtime, a.analyzerVersion == analyzerVersion, a.parametersHash == paramsHash {
                        if stored.fingerprint == row.fingerprint {
                            summary.unchanged += 1
                        } else {
                            recordOnly.append(CallWrite(call: row, analysis: .keep))
                        }
                    } else {
                        jobs.append((item, row, stored))
                    }
                }
            }
            for start in stride(from: 0, to: recordOnly.count, by: 1000) {
                try store.save(Array(recordOnly[start..<min(recordOnly.count, start + 1000)]))
            }
            summary.recordsStored += recordOnly.count
            try analyse(jobs)
        }

        /// Analysis in parallel; each finished call is written in its own transaction.
        private mutating func analyse(_ jobList: [(Item, CallRow, StoredCallState?)]) throws(StoreError) {
            guard !jobList.isEmpty else { return }
            jobsTotal += jobList.count
            let shared = Mutex(AnalysisTally())
            let next = Atomic<Int>(0)
            let workers = max(1, min(options.jobs, jobList.count))
            let analysisOptions = options.analysis
            let parametersJSON = self.parametersJSON
            let store = self.store, progress = self.progress, clock = self.clock, afterHash = options.afterHash
            let (doneBefore, audioBefore, total) = (jobsDone, summary.audioS, jobsTotal)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < jobList.count else { return }
                    let (item, baseRow, stored) = jobList[i]
                    let outcome = Ingest.analyseOne(item: item, row: baseRow, stored: stored, options: analysisOptions,
                                                    parametersJSON: parametersJSON, afterHash: afterHash)
                    var storeError: StoreError?
                    do throws(StoreError) { try store.save([outcome.write]) } catch { storeError = error }
                    let snapshot = shared.withLock { t -> IngestProgress in
                        t.done += 1
                        t.audioS += outcome.audioS
                        switch outcome.write.analysis {
                        case .replace: t.analysed += 1
                        case .touch, .keep: t.unchanged += 1
                        case .remove: t.failed += 1
                        }
                        if let p = outcome.problem { t.problems.append((i, p)) }
                        if let storeError, t.storeError == nil { t.storeError = storeError }
                        return IngestProgress(done: doneBefore + t.done, total: total, audioS: audioBefore + t.audioS,
                                              elapsedS: (ContinuousClock.now - clock).seconds)
                    }
                    progress?(snapshot)
                }
            }
            let tally = shared.withLock { $0 }
            if let e = tally.storeError { throw e }
            jobsDone += tally.done
            summary.analysed += tally.analysed
            summary.unchanged += tally.unchanged
            summary.recordingsFailed += tally.failed
            summary.recordsStored += tally.failed
            summary.audioS += tally.audioS
            summary.problems += tally.problems.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    struct AnalysisTally {
        var done = 0, analysed = 0, unchanged = 0, failed = 0
        var audioS = 0.0
        var problems: [(Int, IngestErrorRow)] = []
        var storeError: StoreError?
    }

    /// Hashes and (when its content or settings changed) analyses one recording.
    static func analyseOne(item: Item, row baseRow: CallRow, stored: StoredCallState?, options: AnalysisOptions,
                           parametersJSON: String, afterHash: (String) -> Void = { _ in }) -> (write: CallWrite, audioS: Double, problem: IngestErrorRow?) {
        var row = baseRow
        let r = item.record
        guard case let .file(path) = item.resolved else { return (CallWrite(call: row, analysis: .keep), 0, nil) }
        var opts = options
        if let c = r.agentChannel { opts.agentChannel = c }
        let paramsHash = parametersHash(parametersJSON, options: options, agentChannel: r.agentChannel)
        func fail(_ message: String) -> (CallWrite, Double, IngestErrorRow?) {
            row.recordingStatus = .failed
            row.recordingError = message
            return (CallWrite(call: row, analysis: .remove), 0,
                    IngestErrorRow(stage: .analysis, sourceFile: r.source.file, line: r.source.line, callID: r.callID,
                                   field: "recording", message: "\(r.source): call \(r.callID): \(message)"))
        }
        let digest: FileDigestResult
        do { digest = try FileDigest.sha256(path: path) } catch { return fail(error.description) }
        if let a = stored?.analysis, stored?.recordingStatus == .analysed, a.contentSHA256 == digest.sha,
           a.analyzerVersion == analyzerVersion, a.parametersHash == paramsHash {
            return (CallWrite(call: row, analysis: .touch(path: path, mtimeEpoch: digest.mtime)), 0, nil)
        }
        afterHash(path)
        do {
            var analysis = try RecordingAnalyzer.analyze(path: path, options: opts)
            analysis.file = path
            // A recording replaced or still being written while we read it: the hash and the
            // analysis would describe different files. Refuse; the next run picks it up.
            if let now = FileDigest.sizeAndModification(path: path), now.0 != digest.size || now.1 != digest.mtime {
                return fail("the recording changed while it was being read (still being written?); run ingest again")
            }
            let state = StoredAnalysisState(recordingPath: path, contentSHA256: digest.sha, sizeBytes: digest.size,
                                            mtimeEpoch: digest.mtime, analyzerVersion: analyzerVersion, parametersHash: paramsHash)
            return (CallWrite(call: row, analysis: .replace(AnalysisRow(analysis: analysis, state: state, parametersJSON: parametersJSON))),
                    analysis.metrics.durationS, nil)
        } catch {
            return fail(error.description)
        }
    }

    static func row(_ e: RecordError, stage: IngestErrorRow.Stage) -> IngestErrorRow {
        IngestErrorRow(stage: stage, sourceFile: e.source.file, line: e.source.line > 0 ? e.source.line : nil,
                       callID: e.callID, field: e.field, message: e.description)
    }

    /// The parameter values as a JSON object, in a fixed order.
    public static func parametersText(_ options: AnalysisOptions) -> String {
        JSONText.object(options.parameters.namedValues.map { ($0.0, "\($0.1)") })
    }

    /// What decides whether a stored analysis is still valid: parameters, the agent channel
    /// and the channel choice.
    static func parametersHash(_ json: String, options: AnalysisOptions, agentChannel: AgentChannel?) -> String {
        let channel = (agentChannel ?? options.agentChannel).rawValue
        let selection = options.channelSelection.map { $0.map(String.init).joined(separator: ",") } ?? ""
        return String(SHA256.hex(Array("\(json)|\(channel)|\(selection)".utf8)).prefix(32))
    }

    /// Resolves a recording path against the root and refuses anything outside it
    /// (`../`, absolute paths elsewhere, symlinks leading out).
    /// The row to store for a record, with personal data handled: the customer's number
    /// (the remote party: caller on inbound calls and calls without a direction, dialed
    /// number on outbound ones) only as a keyed hash (nil when withheld), in clear only when
    /// asked for; the dialed number kept in clear only where it is the contact center's own
    /// line (inbound); phone numbers scrubbed from free-text attributes. The fingerprint is
    /// keyed and covers the privacy setting, so a change of `--store-caller-in-clear`
    /// rewrites the call.
    static func privateRow(_ r: CallRecord, kind: InputKind, hasher: CallerHasher, inClear: Bool) -> CallRow {
        let customer = r.direction == .outbound ? r.dialed : r.caller
        let customerHash = customer.flatMap { hasher.hash($0) }
        var stored = r
        let known = [r.caller, r.dialed].compactMap { $0 }
        for (k, v) in r.attributes where !Self.identifierAttributes.contains(k) {
            stored.attributes[k] = PhoneScrub.scrub(v, known: known)
        }
        stored.caller = nil
        stored.dialed = nil
        let clear = inClear && customerHash != nil ? customer.map { hasher.normalize($0) } : nil
        return CallRow(record: stored, sourceKind: kind, customerHash: customerHash, customerClear: clear,
                       dialed: r.direction == .outbound ? nil : r.dialed,
                       fingerprint: hasher.keyedDigest(r.fingerprint + (inClear ? "\u{1F}clear" : "")),
                       recordingPath: nil, recordingStatus: .none, recordingError: nil)
    }

    /// Attributes that are identifiers of the call, not free text (never scrubbed).
    static let identifierAttributes: Set<String> = ["cdr_linkedid", "cdr_uniqueid", "cdr_sequence", "cdr_amaflags", "cdr_disposition"]

    static func resolve(_ recording: String?, root: String) -> Resolution {
        guard let rec = recording, !rec.isEmpty else { return .none }
        if rec.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 32 } ?? false) }) {
            return .outside(path: rec, reason: "recording path contains control characters")
        }
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        var candidate = rec.hasPrefix("/") ? URL(fileURLWithPath: rec).standardizedFileURL
            : rootURL.appendingPathComponent(rec).standardizedFileURL
        let rootReal = rootURL.resolvingSymlinksInPath().path
        func inside(_ p: String, _ r: String) -> Bool { r == "/" || p == r || p.hasPrefix(r.hasSuffix("/") ? r : r + "/") }
        guard inside(candidate.path, rootURL.path) || inside(candidate.path, rootReal) else {
            return .outside(path: candidate.path, reason: "recording path '\(rec)' resolves outside the audio root '\(root)'")
        }
        if !FileManager.default.fileExists(atPath: candidate.path) {
            // Names copied from a Mac are often decomposed (NFD) where the file system holds
            // them composed (NFC), or the other way round: the same name, other bytes.
            let forms = [candidate.path.precomposedStringWithCanonicalMapping, candidate.path.decomposedStringWithCanonicalMapping]
            // Swift's == treats both forms as equal: compare the bytes.
            guard let other = forms.first(where: { !$0.utf8.elementsEqual(candidate.path.utf8) && FileManager.default.fileExists(atPath: $0) }) else {
                return .missing(path: candidate.path)
            }
            candidate = URL(fileURLWithPath: other)
        }
        let real = candidate.resolvingSymlinksInPath().path
        guard inside(real, rootReal) else {
            return .outside(path: candidate.path, reason: "recording '\(rec)' is a link to '\(real)', outside the audio root '\(root)'")
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: real, isDirectory: &isDir), isDir.boolValue {
            return .outside(path: candidate.path, reason: "recording path '\(rec)' is a folder, not a file")
        }
        return .file(path: candidate.path)
    }

    /// Every audio file under the roots (standardized full paths).
    static func audioFiles(under roots: Set<String>) -> Set<String> {
        var found = Set<String>()
        for root in roots {
            guard let e = FileManager.default.enumerator(atPath: root) else { continue }
            while let rel = e.nextObject() as? String {
                guard audioExtensions.contains((rel as NSString).pathExtension.lowercased()) else { continue }
                found.insert(URL(fileURLWithPath: root).appendingPathComponent(rel).standardizedFileURL.path)
            }
        }
        return found
    }
}

/// Finds Asterisk recordings by uniqueid in file names under a root.
struct RecordingFinder {
    let root: String
    /// File names (relative to root) of audio files.
    private var names: [String] = []

    init(root: String) {
        self.root = root
        if let e = FileManager.default.enumerator(atPath: root) {
            while let rel = e.nextObject() as? String {
                if Ingest.audioExtensions.contains((rel as NSString).pathExtension.lowercased()) { names.append(rel) }
            }
        }
        names.sort()
    }

    /// A recording a CDR row names (`recordingfile`): the path as given when it is a file
    /// under the root, else the first audio file of that name under the root (FreePBX keeps
    /// a bare name and files it under YYYY/MM/DD), else the name as given (reported missing).
    func find(named: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(named), isDirectory: &isDir), !isDir.boolValue {
            return named
        }
        let base = (named as NSString).lastPathComponent
        return names.first { ($0 as NSString).lastPathComponent == base } ?? named
    }

    /// The relative path of the recording of `uniqueID`: by the pattern when given, else the
    /// first audio file whose name contains the id with no digit or dot-digit right after it.
    func find(uniqueID: String, pattern: String?) -> String? {
        if let pattern {
            let rel = pattern.replacingOccurrences(of: "{uniqueid}", with: uniqueID)
            return rel
        }
        for rel in names {
            let name = (rel as NSString).lastPathComponent
            var search = name.startIndex..<name.endIndex
            while let r = name.range(of: uniqueID, range: search) {
                let before = r.lowerBound == name.startIndex ? nil : name[name.index(before: r.lowerBound)]
                let after = r.upperBound == name.endIndex ? nil : name[r.upperBound]
                let boundaryBefore = before.map { !$0.isNumber && $0 != "." } ?? true
                var boundaryAfter = after.map { !$0.isNumber } ?? true
                if after == ".", name.index(after: r.upperBound) < name.endIndex,
                   name[name.index(after: r.upperBound)].isNumber { boundaryAfter = false }
                if boundaryBefore && boundaryAfter { return rel }
                search = r.upperBound..<name.endIndex
            }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

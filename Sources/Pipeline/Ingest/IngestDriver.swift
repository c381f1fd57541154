import CallQAModel
import CallRecords
import Foundation
import Store

/// Runs an ingest: takes calls chunk by chunk (a whole manifest's worth, or one call at a
/// time as they appear), refuses duplicates, stores records without a usable recording,
/// runs the recordings' jobs in parallel, and persists each call in its own transaction
/// as soon as its job is done. `finish()` ends the run (waiting surveys linked, report
/// aggregates refreshed, the run and its problems recorded).
///
/// Cancellable: when the task running `ingest` is cancelled, the jobs already started are
/// finished and stored, no other is started, and `finish()` records what was done.
public struct IngestDriver {
    let options: IngestOptions
    let store: CallStore
    let hasher: CallerHasher
    let progress: (@Sendable (IngestProgress) -> Void)?
    let context: JobContext
    let clock = ContinuousClock.now
    /// What was done so far.
    public private(set) var summary = IngestSummary()
    var resolver: RecordingResolver
    /// First occurrence of each call id in this run: a hash of its fingerprint and where
    /// it was (an index into `files` and a line): 16 bytes per call id, the only memory
    /// that grows with a streamed manifest.
    var seen: [String: (fingerprint: Int, file: Int32, line: Int32)] = [:]
    var files: [String] = []
    /// Recording jobs so far (progress total) and finished (progress done).
    var jobsTotal = 0, jobsDone = 0
    /// Calls of this run (or cycle) whose write committed, or that were found unchanged.
    public private(set) var handledCallIDs: [String] = []

    /// Begins a run in the store (`ingest_runs`), or goes on with `runID` (a service that
    /// ingests in cycles: `callqa watch`).
    public init(options: IngestOptions, store: CallStore, hasher: CallerHasher,
                progress: (@Sendable (IngestProgress) -> Void)? = nil, runID: Int64? = nil) throws(StoreError) {
        self.options = options
        self.store = store
        self.hasher = hasher
        self.progress = progress
        context = JobContext(analysis: options.analysis, afterHash: options.afterHash)
        resolver = RecordingResolver(recordingPattern: options.recordingPattern, scanLimit: options.unreferencedScanLimit)
        if let runID { summary.runID = runID } else { summary.runID = try store.beginRun(inputs: options.inputs) }
    }

    // MARK: What the inputs report

    mutating func fileFailed(_ problem: IngestErrorRow) {
        summary.filesFailed += 1
        summary.problems.append(problem)
    }

    mutating func rejected(_ errors: [RecordError]) {
        summary.rowsRejected += errors.count
        summary.problems += errors.map { Ingest.row($0, stage: .record) }
    }

    mutating func warn(_ text: String) {
        summary.warnings.append(text)
    }

    /// Lists the audio files under a manifest's root; each one a manifest call references
    /// is struck off, what remains is reported when the run finishes.
    mutating func lookForUnreferencedRecordings(under root: String) {
        resolver.lookForUnreferenced(under: root)
    }

    /// Notes that the run stopped before all its input was read.
    mutating func cancelled() {
        summary.cancelled = true
    }

    // MARK: Calls

    /// Calls without a recording to analyse written per transaction.
    static let recordBatch = 100

    /// Stores calls: duplicates refused, records without (usable) audio written in
    /// transactions of `recordBatch`, then the recordings' jobs run in parallel, each call written
    /// in its own transaction as its job finishes. Returns early, with everything done so far
    /// stored, when the task is cancelled.
    public mutating func ingest(_ items: [IngestItem]) async throws(StoreError) {
        guard !items.isEmpty else { return }
        if Task.isCancelled {
            summary.cancelled = true
            return
        }
        var unique: [(IngestItem, Resolution)] = []
        unique.reserveCapacity(items.count)
        for var item in items {
            if item.kind != .manifest && !item.located { resolver.locate(&item.record, root: item.root) }
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
            let resolved = RecordingResolver.resolve(r.recording, root: item.root)
            if item.kind == .manifest { resolver.referenced(resolved) }
            unique.append((item, resolved))
        }
        summary.calls += unique.count
        for (item, _) in unique {
            guard let d = item.record.startedAt?.localDate else { continue }
            if summary.firstDate.map({ d < $0 }) ?? true { summary.firstDate = d }
            if summary.lastDate.map({ d > $0 }) ?? true { summary.lastDate = d }
        }

        let states = try store.callStates(ids: unique.map(\.0.record.callID), scope: .everything)
        var recordOnly: [CallWrite] = []
        var jobs: [RecordingJob] = []
        for (item, resolved) in unique {
            let r = item.record
            var row = Ingest.privateRow(r, kind: item.kind, hasher: hasher, inClear: options.callerInClear)
            let stored = states[r.callID]
            // A call without a usable recording: stored unless the same record and status are there.
            func storeUnlessUnchanged(_ row: CallRow) {
                if let stored, stored.fingerprint == row.fingerprint, stored.recordingStatus == row.recordingStatus, stored.analysis == nil {
                    summary.unchanged += 1
                    handledCallIDs.append(r.callID)
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
            switch resolved {
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
                switch RecordingJob.plan(record: r, row: row, stored: stored, path: path, context: context) {
                case .unchanged:
                    summary.unchanged += 1
                    handledCallIDs.append(r.callID)
                case let .recordOnly(write): recordOnly.append(write)
                case let .job(job): jobs.append(job)
                }
            }
        }
        // Short transactions: another process's write (the workspace's audit log, a session)
        // waits for one batch at most.
        for start in stride(from: 0, to: recordOnly.count, by: Self.recordBatch) {
            let part = Array(recordOnly[start..<min(recordOnly.count, start + Self.recordBatch)])
            try store.save(part)
            handledCallIDs += part.map(\.call.record.callID)
        }
        summary.recordsStored += recordOnly.count
        try await run(jobs)
    }

    /// Runs the jobs, at most `options.jobs` at a time; each finished call is written in its
    /// own transaction by the job's task, progress is reported here, on the driver's task.
    /// No job starts once the task is cancelled or a write failed.
    private mutating func run(_ jobs: [RecordingJob]) async throws(StoreError) {
        guard !jobs.isEmpty else { return }
        jobsTotal += jobs.count
        let workers = max(1, min(options.jobs, jobs.count))
        let store = self.store, context = self.context, progress = self.progress
        let (doneBefore, audioBefore, total, clock) = (jobsDone, summary.audioS, jobsTotal, self.clock)
        var tally = Tally()
        await withTaskGroup(of: (Int, RecordingJob.Result, StoreError?)?.self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count, tally.storeError == nil, !Task.isCancelled else { return }
                let i = next, job = jobs[i]
                next += 1
                group.addTask {
                    // Between recordings: a job not yet begun when the ingest is cancelled is not begun.
                    guard !Task.isCancelled else { return nil }
                    let result = job.run(context)
                    do throws(StoreError) {
                        try store.save([result.write])
                        return (i, result, nil)
                    } catch {
                        return (i, result, error)
                    }
                }
            }
            for _ in 0..<workers { startNext() }
            while let finished = await group.next() {
                if let (i, result, storeError) = finished {
                    if let storeError {
                        if tally.storeError == nil { tally.storeError = storeError }
                    } else {
                        tally.count(i, result)
                        progress?(IngestProgress(done: doneBefore + tally.done, total: total, audioS: audioBefore + tally.audioS,
                                                 elapsedS: (ContinuousClock.now - clock).seconds))
                    }
                }
                startNext()
            }
            if next < jobs.count { tally.skipped = true }
        }
        jobsDone += tally.done
        summary.analysed += tally.analysed
        summary.unchanged += tally.unchanged
        summary.recordingsFailed += tally.failed
        summary.recordsStored += tally.failed
        summary.audioS += tally.audioS
        summary.problems += tally.problems.sorted { $0.0 < $1.0 }.map(\.1)
        handledCallIDs += tally.handled.sorted().map { jobs[$0].record.callID }
        if let e = tally.storeError { throw e }
        if tally.skipped || tally.done < jobs.count { summary.cancelled = true }
    }

    /// What the jobs of one chunk did.
    struct Tally {
        var done = 0, analysed = 0, unchanged = 0, failed = 0
        var audioS = 0.0
        var problems: [(Int, IngestErrorRow)] = []
        var storeError: StoreError?
        var skipped = false
        /// Indices of the jobs whose write committed.
        var handled: [Int] = []

        mutating func count(_ i: Int, _ result: RecordingJob.Result) {
            done += 1
            handled.append(i)
            audioS += result.audioS
            switch result.outcome {
            case .analysed: analysed += 1
            case .unchanged: unchanged += 1
            case .failed: failed += 1
            }
            if let p = result.problem { problems.append((i, p)) }
        }
    }

    // MARK: The end of the run

    /// Ends the run: the warning about unreferenced recordings (unless cancelled: then not
    /// every call was read), surveys that arrived before their call joined, report aggregates
    /// refreshed, the run's counts and problems recorded, the WAL checkpointed.
    public mutating func finish() throws(StoreError) -> IngestSummary {
        if !summary.cancelled, let warning = resolver.unreferencedWarning { summary.warnings.append(warning) }
        summary.wallS = (ContinuousClock.now - clock).seconds
        _ = try store.linkWaitingSurveys(windowS: options.surveyWindowS)
        try store.refreshAggregates()
        try store.recordErrors(run: summary.runID, summary.problems)
        try store.finishRun(summary.runID, stored: summary.analysed + summary.recordsStored, unchanged: summary.unchanged,
                            failed: summary.recordingsFailed + summary.filesFailed, rejected: summary.rowsRejected,
                            audioS: summary.audioS, wallS: summary.wallS)
        // Rewritten rows (a clear number removed, a record updated) leave the old page in the
        // main file until a checkpoint: do it now. A recording analysed again or gone takes
        // its transcript with it: the index drops that transcript's words first.
        try store.optimizeTranscriptIndex()
        store.checkpoint()
        return summary
    }
}

extension IngestDriver {
    /// Ends one cycle of a service's run (`callqa watch`): surveys that were waiting for the
    /// calls just stored are linked, the cycle's problems are recorded under the run, and
    /// the cycle's summary is returned; the next cycle starts afresh (duplicates are looked
    /// for within a cycle: a call that comes again in a later one is an update). Report
    /// aggregates are not rebuilt here: the caller does it at its own pace (reports compute
    /// from the base tables meanwhile), and no checkpoint is forced (readers may be busy).
    public mutating func endCycle() throws(StoreError) -> IngestSummary {
        summary.wallS = (ContinuousClock.now - clock).seconds
        _ = try store.linkWaitingSurveys(windowS: options.surveyWindowS)
        try store.recordErrors(run: summary.runID, summary.problems)
        let done = summary
        summary = IngestSummary()
        summary.runID = done.runID
        seen = [:]
        files = []
        handledCallIDs = []
        return done
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

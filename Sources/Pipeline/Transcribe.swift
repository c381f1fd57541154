import CallQAModel
import FileDigest
import Foundation
import Scorecard
import Store
import Transcription

/// Which calls need transcripts. With no rule at all, every analysed call; otherwise a call
/// is selected when any rule holds.
public struct TranscriptSelection: Sendable, Equatable {
    /// Calls one of these cards applies to (by card id).
    public var cards: [String] = []
    /// Calls of these queues (case-insensitive).
    public var queues: [String] = []
    /// This share (0–1) of all calls, chosen by call id: the same calls on every run and
    /// every machine.
    public var sampleShare: Double?

    public init() {}

    public var selectsAll: Bool { cards.isEmpty && queues.isEmpty && sampleShare == nil }
}

/// How `callqa transcribe` (and the transcription stage of `ingest` and `run`) runs.
public struct TranscribeOptions: Sendable {
    public var modelPath: String
    public var settings = TranscriptionSettings()
    public var selection = TranscriptSelection()
    public var period: Period = .all
    /// Only these calls (still subject to the selection unless `force`).
    public var callIDs: [String]?
    /// This machine's part of the work: calls whose id hashes to shard `index` of `count`
    /// (1-based), so N machines given 1/N … N/N share a day without overlap.
    public var shard: (index: Int, count: Int)?
    /// Calls transcribed in parallel, and recogniser threads for each.
    public var jobs = 1
    public var threadsPerJob = 1
    /// Transcribe again even when the stored transcript is current.
    public var force = false

    public init(modelPath: String) {
        self.modelPath = modelPath
    }
}

/// What a transcription run did.
public struct TranscribeSummary: Sendable {
    /// Analysed calls of the period in scope.
    public var candidates = 0
    public var notSelected = 0
    public var otherShard = 0
    public var upToDate = 0
    public var transcribed = 0
    /// Transcribed but not stored: the call was analysed again meanwhile.
    public var superseded = 0
    public var failed: [(callID: String, message: String)] = []
    /// Why the transcribed ones were out of date: "new", "the recording changed", … → calls.
    public var reasons: [String: Int] = [:]
    public var words = 0
    public var redactions = 0
    /// Speech given to the recogniser, and the recordings' length (s).
    public var speechS = 0.0
    public var audioS = 0.0
    public var wallS = 0.0
    /// Languages of the calls transcribed → calls.
    public var languages: [String: Int] = [:]
    public var model = ""
    public var redactionOn = true
    public var customerChannelOn = true

    /// Recording time per wall time (×), over the recordings transcribed.
    public var realtimeFactor: Double { wallS > 0 ? audioS / wallS : 0 }

    /// One line: `9 calls transcribed (new 9), 2 up to date, 0 not selected, 0 failed; 780
    /// words, 1 digit run redacted; 12.3× realtime`.
    public static func line(_ s: TranscribeSummary) -> String {
        let reasons = s.reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var out = "\(s.transcribed) call\(s.transcribed == 1 ? "" : "s") transcribed" + (reasons.isEmpty ? "" : " (\(reasons))")
            + ", \(s.upToDate) up to date, \(s.notSelected) not selected, \(s.failed.count) failed"
        if s.otherShard > 0 { out += ", \(s.otherShard) in other shards" }
        out += "; \(s.words) words, " + (s.redactionOn ? "\(s.redactions) digit run\(s.redactions == 1 ? "" : "s") redacted" : "redaction OFF")
        if !s.customerChannelOn { out += ", customer channel not transcribed" }
        if s.transcribed > 0 { out += "; " + String(format: "%.1f", s.realtimeFactor) + "× realtime" }
        return out
    }
}

/// Progress of a transcription run.
public struct TranscribeProgress: Sendable {
    public var done: Int
    public var total: Int
    public var audioS: Double
    public var elapsedS: Double
}

/// Transcribes analysed calls and stores the transcripts (redacted before storage), each in
/// one transaction; only those whose transcript is missing or out of date (another
/// recording, analysis, model, engine or settings), unless forced.
public enum Transcribe {
    /// Whether a call is selected by `selection` (cards applied to the call's facts).
    static func selected(_ c: TranscriptionCandidate, selection: TranscriptSelection, cards: [Scorecard], facts: CallFacts?) -> Bool {
        if selection.selectsAll { return true }
        if let q = c.queue?.lowercased(), selection.queues.contains(where: { $0.lowercased() == q }) { return true }
        if let share = selection.sampleShare, unitHash(c.callID, salt: "sample") < share { return true }
        if let facts {
            for card in cards where selection.cards.contains(card.id) {
                if ScoringEngine.exclusion(card, facts: facts) == nil { return true }
            }
        }
        return false
    }

    /// A call id's place in [0, 1): the first 8 bytes of SHA-256(salt ‖ id). Stable across
    /// runs, machines and versions.
    public static func unitHash(_ callID: String, salt: String) -> Double {
        var hasher = SHA256()
        hasher.update(salt + "\u{1F}" + callID)
        let digest = hasher.finalize()
        var v: UInt64 = 0
        for b in digest.prefix(8) { v = v << 8 | UInt64(b) }
        return Double(v >> 11) / Double(1 << 53)
    }

    /// The shard (1…count) a call belongs to.
    public static func shard(of callID: String, count: Int) -> Int {
        min(count, Int(unitHash(callID, salt: "shard") * Double(count)) + 1)
    }

    public static func run(_ o: TranscribeOptions, cards: [Scorecard], store: CallStore,
                           progress: (@Sendable (TranscribeProgress) -> Void)? = nil) async throws -> TranscribeSummary {
        let clock = Date()
        var summary = TranscribeSummary()
        summary.model = (o.modelPath as NSString).lastPathComponent
        summary.redactionOn = o.settings.redact
        summary.customerChannelOn = o.settings.customerChannel
        guard FileManager.default.fileExists(atPath: o.modelPath) else { throw TranscriptionError.modelMissing(path: o.modelPath) }
        let modelSHA: String
        do { modelSHA = try FileDigest.sha256(path: o.modelPath).sha } catch {
            throw TranscriptionError.modelUnusable(path: o.modelPath)
        }
        let settingsJSON = o.settings.json
        let settingsHash = SHA256.hex(Array(settingsJSON.utf8))
        func provenance(_ c: TranscriptionCandidate) -> TranscriptProvenance {
            TranscriptProvenance(model: summary.model, modelSHA256: modelSHA, engine: WhisperModel.engineVersion, settings: settingsJSON,
                                 settingsHash: settingsHash, contentSHA256: c.contentSHA256, analysisHash: c.analysisHash)
        }
        let candidates = try store.transcriptionCandidates(period: o.period, callIDs: o.callIDs, scope: .everything)
        summary.candidates = candidates.count
        // Facts for card selection: only when the selection names cards.
        var facts: [String: CallFacts] = [:]
        if !o.selection.cards.isEmpty {
            let keys = try store.scoringKeys(period: o.period, callIDs: o.callIDs, partyFacts: false, scope: .everything)
            for k in keys { facts[k.callID] = k.facts }
        }
        var work: [(candidate: TranscriptionCandidate, provenance: TranscriptProvenance)] = []
        for c in candidates {
            if let shard = o.shard, shard.count > 1, Self.shard(of: c.callID, count: shard.count) != shard.index {
                summary.otherShard += 1
                continue
            }
            guard o.force || selected(c, selection: o.selection, cards: cards, facts: facts[c.callID]) else {
                summary.notSelected += 1
                continue
            }
            let p = provenance(c)
            let reason: String
            if let stored = c.stored {
                if let why = p.staleness(of: stored) { reason = why } else if o.force { reason = "forced" } else {
                    summary.upToDate += 1
                    continue
                }
            } else {
                reason = "new"
            }
            summary.reasons[reason, default: 0] += 1
            work.append((c, p))
        }
        summary.wallS = Date().timeIntervalSince(clock)
        guard !work.isEmpty else { return summary }
        // Loaded only when there is something to transcribe (a re-run reads 80 MB less).
        let model = try WhisperModel(path: o.modelPath)
        let queue = WorkQueue(count: work.count)
        let items = work
        let settings = o.settings
        let threads = o.threadsPerJob
        let total = work.count
        let workers = min(max(1, o.jobs), work.count)
        let results = await withTaskGroup(of: [WorkResult].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var out: [WorkResult] = []
                    let session: WhisperSession
                    do { session = try model.session(threads: threads) } catch {
                        while let i = await queue.take() { out.append(WorkResult(index: i, failure: "\(error)")) }
                        return out
                    }
                    let transcriber = CallTranscriber(settings: settings)
                    while let i = await queue.take() {
                        if Task.isCancelled { break }
                        let (c, p) = items[i]
                        let started = Date()
                        let job = Self.job(c)
                        do {
                            let (t, stats) = try transcriber.transcribe(job, session: session)
                            let wall = Date().timeIntervalSince(started)
                            let stored = try store.saveTranscript(t, provenance: p, wallS: wall)
                            out.append(WorkResult(index: i, transcript: t, stored: stored, speechS: stats.speechS, audioS: c.durationS))
                        } catch let e as StoreError {
                            out.append(WorkResult(index: i, storeError: e))
                        } catch {
                            out.append(WorkResult(index: i, failure: "\(error)"))
                        }
                        let finished = await queue.finish(audioS: c.durationS)
                        progress?(TranscribeProgress(done: finished.done, total: total, audioS: finished.audioS,
                                                     elapsedS: Date().timeIntervalSince(clock)))
                    }
                    return out
                }
            }
            var all: [WorkResult] = []
            for await part in group { all += part }
            return all.sorted { $0.index < $1.index }
        }
        for r in results {
            if let e = r.storeError { throw e }
            let c = work[r.index].candidate
            if let failure = r.failure {
                summary.failed.append((c.callID, failure))
                continue
            }
            guard let t = r.transcript else { continue }
            if !r.stored {
                summary.superseded += 1
                continue
            }
            summary.transcribed += 1
            summary.words += t.wordCount
            summary.redactions += t.redactions
            summary.speechS += r.speechS
            summary.audioS += r.audioS
            summary.languages[t.language, default: 0] += 1
        }
        // The replaced transcripts' words leave the full-text index and the file.
        if summary.transcribed > 0 { try store.compactTranscriptIndex() }
        summary.wallS = Date().timeIntervalSince(clock)
        return summary
    }

    /// The transcriber's job for a candidate: its channels by party (agent first on stereo,
    /// as the analysis used them).
    static func job(_ c: TranscriptionCandidate) -> TranscriptionJob {
        var channels: [String: Int] = [:]
        if c.channelsUsed.count == 2 {
            channels["agent"] = c.channelsUsed[0] - 1
            channels["customer"] = c.channelsUsed[1] - 1
        } else if let only = c.channelsUsed.first {
            channels["mixed"] = only - 1
        }
        return TranscriptionJob(callID: c.callID, path: c.recordingPath, queue: c.queue, channels: channels, fileChannels: c.fileChannels,
                                durationS: c.durationS, parties: c.parties)
    }

    struct WorkResult: Sendable {
        var index: Int
        var transcript: CallTranscript?
        var stored = false
        var speechS = 0.0
        var audioS = 0.0
        var failure: String?
        var storeError: StoreError?

        init(index: Int, transcript: CallTranscript, stored: Bool, speechS: Double, audioS: Double) {
            self.index = index
            self.transcript = transcript
            self.stored = stored
            self.speechS = speechS
            self.audioS = audioS
        }

        init(index: Int, failure: String) {
            self.index = index
            self.failure = failure
        }

        init(index: Int, storeError: StoreError) {
            self.index = index
            self.storeError = storeError
        }
    }

    /// Hands out work indices in order; counts what is finished.
    actor WorkQueue {
        let count: Int
        var next = 0
        var done = 0
        var audioS = 0.0

        init(count: Int) { self.count = count }

        func take() -> Int? {
            guard next < count else { return nil }
            next += 1
            return next - 1
        }

        func finish(audioS: Double) -> (done: Int, audioS: Double) {
            done += 1
            self.audioS += audioS
            return (done, self.audioS)
        }
    }
}

import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import Store

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
    /// Directory entries looked at, at most, when listing the audio files under a manifest's
    /// root for the warning about recordings no row references (the walk's cost is bounded).
    public var unreferencedScanLimit = 1_000_000
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

    public init(done: Int, total: Int, audioS: Double, elapsedS: Double) {
        self.done = done
        self.total = total
        self.audioS = audioS
        self.elapsedS = elapsedS
    }
}

/// Reads call records and recordings into the store: parallel analysis, one transaction
/// per call, idempotent (unchanged input is skipped), cancellable between recordings.
///
/// The seams: `IngestInputs` reads the input files into calls (manifests streamed in chunks,
/// Asterisk Master.csv and queue_log merged by uniqueid); `RecordingResolver` finds each
/// call's recording on disk inside the audio root; a `RecordingJob` hashes one recording and
/// makes its outputs (the analysis); `IngestDriver` runs the batch: duplicates, records
/// without audio, jobs in parallel, progress, and persistence after each call.
public enum Ingest {
    public static let audioExtensions: Set<String> = ["wav", "flac", "mp3", "ogg", "oga", "opus", "au", "snd", "aif", "aiff", "gsm", "caf", "w64", "rf64"]

    /// Runs the ingest. Throws only when the store itself fails; input problems are in the summary.
    ///
    /// Manifests are streamed in chunks of `options.chunkSize` calls (memory does not grow with the
    /// file beyond one entry per distinct call id for duplicate detection); Asterisk
    /// Master.csv and queue_log are read whole, since they are joined by uniqueid.
    ///
    /// Cancelling the calling task stops the ingest between recordings: the recordings being
    /// analysed are finished and stored, nothing more is started, and the run is recorded
    /// with what it did (`cancelled` in the summary). Stored calls are always whole.
    /// `progress` is called on this task after each recording is stored.
    public static func run(_ options: IngestOptions, store: CallStore, hasher: CallerHasher,
                           progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws(StoreError) -> IngestSummary {
        var driver = try IngestDriver(options: options, store: store, hasher: hasher, progress: progress)
        var inputs = IngestInputs(options: options)
        while let event = inputs.next() {
            if Task.isCancelled {
                driver.cancelled()
                break
            }
            switch event {
            case let .fileFailed(problem): driver.fileFailed(problem)
            case let .rejected(errors): driver.rejected(errors)
            case let .warning(text): driver.warn(text)
            case let .manifestRoot(root): driver.lookForUnreferencedRecordings(under: root)
            case let .calls(items): try await driver.ingest(items)
            }
        }
        return try driver.finish()
    }

    static func row(_ e: RecordError, stage: IngestErrorRow.Stage) -> IngestErrorRow {
        IngestErrorRow(stage: stage, sourceFile: e.source.file, line: e.source.line > 0 ? e.source.line : nil,
                       callID: e.callID, field: e.field, message: e.description)
    }

    /// The parameter values as a JSON object, in a fixed order.
    public static func parametersText(_ options: AnalysisOptions) -> String {
        // The hold-music library by its digest: analyses are redone when it changes.
        JSONText.object(options.parameters.namedValues.map { ($0.0, "\($0.1)") }
                            + (options.knownAudio.map { [("hold_music", "\"\($0.digest)\"")] } ?? []))
    }

    /// What decides whether a stored analysis is still valid: parameters, the agent channel
    /// and the channel choice.
    static func parametersHash(_ json: String, options: AnalysisOptions, agentChannel: AgentChannel?) -> String {
        let channel = (agentChannel ?? options.agentChannel).rawValue
        let selection = options.channelSelection.map { $0.map(String.init).joined(separator: ",") } ?? ""
        return String(SHA256.hex(Array("\(json)|\(channel)|\(selection)".utf8)).prefix(32))
    }

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
}

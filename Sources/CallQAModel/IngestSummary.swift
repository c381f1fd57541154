import Foundation

/// What an ingest did.
/// What one ingest did: counts, every problem in input order, warnings, its run id.
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
    /// The ingest's task was cancelled before every input was read and every recording
    /// analysed: what was stored is whole, and the next run does the rest.
    public var cancelled = false

    public init() {}

    /// Whether a primary input failed (exit status 1).
    public var anyFailed: Bool { recordingsFailed > 0 || rowsRejected > 0 || filesFailed > 0 }
    /// Audio analysed per wall second.
    public var realtimeFactor: Double { wallS > 0 ? audioS / wallS : 0 }
}

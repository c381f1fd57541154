import CallAnalysis
import Foundation

/// Where a call's recording stands.
public enum RecordingStatus: String, Sendable, Equatable, CaseIterable {
    /// The call has no recording (e.g. abandoned).
    case none
    /// A recording is named but the file is not there.
    case missing
    /// Analysed; its metrics are in `analyses`.
    case analysed
    /// The file is there but could not be decoded or analysed.
    case failed
    /// The path resolves outside the audio root and was not read.
    case outsideRoot = "outside_root"
}

/// What is stored about a call's current analysis, to decide whether it must be redone.
public struct StoredAnalysisState: Sendable, Equatable {
    public var recordingPath: String
    public var contentSHA256: String
    public var sizeBytes: Int64
    public var mtimeEpoch: Double
    public var analyzerVersion: String
    public var parametersHash: String

    public init(recordingPath: String, contentSHA256: String, sizeBytes: Int64, mtimeEpoch: Double,
                analyzerVersion: String, parametersHash: String) {
        self.recordingPath = recordingPath
        self.contentSHA256 = contentSHA256
        self.sizeBytes = sizeBytes
        self.mtimeEpoch = mtimeEpoch
        self.analyzerVersion = analyzerVersion
        self.parametersHash = parametersHash
    }
}

/// What is stored about a call, to tell unchanged from changed input.
public struct StoredCallState: Sendable, Equatable {
    public var fingerprint: String
    public var recordingStatus: RecordingStatus
    public var analysis: StoredAnalysisState?

    public init(fingerprint: String, recordingStatus: RecordingStatus, analysis: StoredAnalysisState? = nil) {
        self.fingerprint = fingerprint
        self.recordingStatus = recordingStatus
        self.analysis = analysis
    }
}

/// A call record ready to store: the record plus what ingest resolved about it.
public struct CallRow: Sendable {
    /// The record as stored: its `attributes` already scrubbed of phone numbers; its
    /// `caller` and `dialed` are never written (see `customerHash`, `dialed`).
    public var record: CallRecord
    public var sourceKind: InputKind
    /// Keyed hash of the customer's number (the remote party: the caller on inbound calls,
    /// the dialed number on outbound ones); nil when withheld or absent.
    public var customerHash: String?
    /// The customer's normalised number, only when clear-text storage was asked for explicitly.
    public var customerClear: String?
    /// The contact center's own number the call came in on (inbound dialed number); nil on
    /// outbound calls, whose dialed number is the customer's.
    public var dialed: String?
    /// What identifies the stored record's content and the privacy setting it was stored
    /// under (a keyed digest: it cannot be used to guess the numbers).
    public var fingerprint: String
    public var recordingPath: String?
    public var recordingStatus: RecordingStatus
    public var recordingError: String?

    public init(record: CallRecord, sourceKind: InputKind, customerHash: String?, customerClear: String?,
                dialed: String?, fingerprint: String,
                recordingPath: String?, recordingStatus: RecordingStatus, recordingError: String?) {
        self.record = record
        self.sourceKind = sourceKind
        self.customerHash = customerHash
        self.customerClear = customerClear
        self.dialed = dialed
        self.fingerprint = fingerprint
        self.recordingPath = recordingPath
        self.recordingStatus = recordingStatus
        self.recordingError = recordingError
    }
}

/// An analysis ready to store, with what identifies the input and the settings.
public struct AnalysisRow: Sendable {
    public var analysis: RecordingAnalysis
    public var state: StoredAnalysisState
    /// JSON object of the parameter values used.
    public var parametersJSON: String

    public init(analysis: RecordingAnalysis, state: StoredAnalysisState, parametersJSON: String) {
        self.analysis = analysis
        self.state = state
        self.parametersJSON = parametersJSON
    }
}

/// One unit of work for the writer: a call and what to do with its analysis.
public struct CallWrite: Sendable {
    public enum AnalysisChange: Sendable {
        /// Keep the stored analysis (record-only change).
        case keep
        /// Replace it with this one.
        case replace(AnalysisRow)
        /// Remove it (the recording is gone or failed).
        case remove
        /// The recording is unchanged; only its path or modification time moved.
        case touch(path: String, mtimeEpoch: Double)
    }

    public var call: CallRow
    public var analysis: AnalysisChange

    public init(call: CallRow, analysis: AnalysisChange) {
        self.call = call
        self.analysis = analysis
    }
}

/// A rejected input, as stored in `ingest_errors`.
public struct IngestErrorRow: Sendable, Equatable {
    public enum Stage: String, Sendable { case file, record, recording, analysis }
    public var stage: Stage
    public var sourceFile: String
    public var line: Int?
    public var callID: String?
    public var field: String?
    public var message: String

    public init(stage: Stage, sourceFile: String, line: Int?, callID: String?, field: String?, message: String) {
        self.stage = stage
        self.sourceFile = sourceFile
        self.line = line
        self.callID = callID
        self.field = field
        self.message = message
    }
}

/// Speech segments as stored in `party_metrics.segments`: a JSON array of centiseconds
/// (10 ms frames), start and end alternating: `[120,480,530,910]` = 1.20–4.80 s, 5.30–9.10 s.
/// Queryable with `json_each`.
public enum SegmentCodec {
    public static func encode(_ spans: [FrameSpan]) -> String {
        var out = "["
        for (i, s) in spans.enumerated() {
            if i > 0 { out += "," }
            out += "\(s.start),\(s.end)"
        }
        return out + "]"
    }

    public static func decode(_ text: String) -> [FrameSpan]? {
        let inner = text.trimmingCharacters(in: .whitespaces).dropFirst().dropLast()
        if inner.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let values = inner.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count % 2 == 0, values.allSatisfy({ $0 != nil }) else { return nil }
        return stride(from: 0, to: values.count, by: 2).map { FrameSpan(values[$0]!, values[$0 + 1]!) }
    }
}

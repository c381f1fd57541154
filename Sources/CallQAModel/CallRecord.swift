import CallAnalysis
import Foundation

/// Where a call record came from: file and 1-based line.
public struct SourceRef: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// Inbound or outbound.
public enum CallDirection: String, Sendable, Equatable, CaseIterable {
    case inbound, outbound
}

/// One call as the call record (manifest row, CDR, queue_log) describes it.
/// Caller numbers are held in clear only in memory; the store hashes them.
public struct CallRecord: Sendable, Equatable {
    public var callID: String
    /// Recording path as written in the source (relative to its folder or the audio root);
    /// nil for a call without a recording.
    public var recording: String?
    public var agentID: String?
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var direction: CallDirection?
    public var startedAt: Timestamp?
    /// Queue wait before answer or abandon (s).
    public var waitS: Double?
    public var answered: Bool?
    public var talkS: Double?
    public var holdS: Double?
    /// After-call work (s).
    public var acwS: Double?
    public var caller: String?
    public var dialed: String?
    public var agentChannel: AgentChannel?
    /// Columns the format does not know, kept as they are (sorted by name).
    public var attributes: [String: String]
    /// The legs of a call that was transferred (Asterisk 12+ writes one CDR per bridge):
    /// each agent's part, in order. Empty for a call with one leg.
    public var legs: [CallLeg] = []
    public var source: SourceRef

    public init(callID: String, source: SourceRef) {
        self.callID = callID
        self.source = source
        attributes = [:]
    }

    /// Answered as recorded; when the source does not say, a call with talk time or a
    /// recording counts as answered.
    public var isAnswered: Bool {
        answered ?? ((talkS ?? 0) > 0 || recording != nil)
    }
}

/// One agent's part of a transferred call: one Asterisk CDR row (one bridge).
public struct CallLeg: Sendable, Equatable {
    /// The agent (channel without its sequence suffix) of this bridge.
    public var agentID: String?
    /// Talk in this bridge (`billsec`, s).
    public var talkS: Double?
    /// When the leg started.
    public var startedAt: Timestamp?
    /// `disposition = ANSWERED`.
    public var answered: Bool
    /// Where the leg's row is.
    public var source: SourceRef
    /// The leg's own recording (`recordingfile` of its row), relative to the audio root; nil
    /// when the row names none (one recording for the whole call, found by uniqueid).
    public var recording: String?
    /// The call's analysed recording covers this leg: its score is this leg's agent's.
    public var scored: Bool = true

    public init(agentID: String?, talkS: Double?, startedAt: Timestamp?, answered: Bool, source: SourceRef, recording: String? = nil) {
        self.recording = recording
        self.agentID = agentID
        self.talkS = talkS
        self.startedAt = startedAt
        self.answered = answered
        self.source = source
    }
}

/// The kinds of call-record input `ingest` reads.
public enum InputKind: String, Sendable, CaseIterable {
    case manifest
    case asteriskCDR = "asterisk-cdr"
    case queueLog = "queue-log"
}

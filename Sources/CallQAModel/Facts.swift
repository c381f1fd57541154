import Foundation
/// A value a rule can compare.
public enum FactValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case flag(Bool)

    public var description: String {
        switch self {
        case let .number(v): Self.format(v)
        case let .text(s): "'\(s)'"
        case let .flag(b): b ? "true" : "false"
        }
    }

    /// Shortest exact-looking form: 14.2, 10, 0.35.
    public static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(r)
        if s.contains("e") { s = String(v) }
        return s
    }
}

/// A time span in a recording (s), as evidence.
public struct EvidenceSpan: Sendable, Equatable {
    public var startS: Double
    public var endS: Double

    public init(startS: Double, endS: Double) {
        self.startS = startS
        self.endS = endS
    }

    /// `03:12–03:26`.
    public var clock: String { "\(Self.clock(startS))–\(Self.clock(endS))" }

    public static func clock(_ s: Double) -> String {
        let t = Int(s.rounded(.down))
        let h = t / 3600, m = (t % 3600) / 60, sec = t % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(two(m)):\(two(sec))"
    }
}

/// Everything the rules can know about one call: call-record facts (`call.*`) and audio
/// facts (`audio.*`), with the spans that show where audio facts come from.
public struct CallFacts: Sendable, Equatable {
    public var callID: String
    public var agentID: String?
    public var values: [String: FactValue]
    /// Why an `audio.*` value is absent: "no recording", "mono recording", …
    public var audioAbsentReason: String?
    /// Evidence spans per metric name (e.g. the longest silence, each dead-air gap).
    public var spans: [String: [EvidenceSpan]]
    /// The recording, for evidence links (`file#t=START`).
    public var recordingPath: String?
    /// The call's transcript, for phrase criteria; nil when it has none.
    public var transcript: CallTranscript?
    /// Why there is no transcript ("not transcribed yet", "out of date: …").
    public var transcriptAbsentReason: String?

    public init(callID: String, agentID: String? = nil, values: [String: FactValue] = [:], audioAbsentReason: String? = nil,
                spans: [String: [EvidenceSpan]] = [:], recordingPath: String? = nil, transcript: CallTranscript? = nil,
                transcriptAbsentReason: String? = nil) {
        self.callID = callID
        self.agentID = agentID
        self.values = values
        self.audioAbsentReason = audioAbsentReason
        self.spans = spans
        self.recordingPath = recordingPath
        self.transcript = transcript
        self.transcriptAbsentReason = transcriptAbsentReason
    }

    /// Whether the call has an analysed recording.
    public var hasAudio: Bool { values["audio.duration_s"] != nil }
}

import Foundation
import CallAnalysis
import Foundation

/// One call as the agent reports need it.
public struct AgentCallRow: Sendable, Equatable {
    public var callID: String
    public var agentID: String
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var localDate: String
    public var startedAt: String
    public var answered: Bool
    public var handleS: Double?
    public var agentTalkRatio: Double?
    public var silenceRatio: Double?
    public var overtalkRatio: Double?
    public var recordingPath: String?
    /// Current score on the card asked for (nil: not scored by it).
    public var cardID: String?
    public var status: ScoreStatus?
    public var score: Double?
    public var target: Double?
    public var criticalFailed: Bool

    public init(callID: String, agentID: String, agentName: String? = nil, team: String? = nil, queue: String? = nil, localDate: String, startedAt: String, answered: Bool, handleS: Double? = nil, agentTalkRatio: Double? = nil, silenceRatio: Double? = nil, overtalkRatio: Double? = nil, recordingPath: String? = nil, cardID: String? = nil, status: ScoreStatus? = nil, score: Double? = nil, target: Double? = nil, criticalFailed: Bool) {
        self.callID = callID
        self.agentID = agentID
        self.agentName = agentName
        self.team = team
        self.queue = queue
        self.localDate = localDate
        self.startedAt = startedAt
        self.answered = answered
        self.handleS = handleS
        self.agentTalkRatio = agentTalkRatio
        self.silenceRatio = silenceRatio
        self.overtalkRatio = overtalkRatio
        self.recordingPath = recordingPath
        self.cardID = cardID
        self.status = status
        self.score = score
        self.target = target
        self.criticalFailed = criticalFailed
    }
}

/// A failed (or partly met) criterion with its evidence, for coaching.
public struct FailedCriterion: Sendable, Equatable {
    public var callID: String
    public var cardID: String
    public var criterionID: String
    public var outcome: Outcome
    public var evidence: String
    public var evidenceStartS: Double?
    public var recordingPath: String?
    public var critical: Bool

    public init(callID: String, cardID: String, criterionID: String, outcome: Outcome, evidence: String, evidenceStartS: Double? = nil, recordingPath: String? = nil, critical: Bool) {
        self.callID = callID
        self.cardID = cardID
        self.criterionID = criterionID
        self.outcome = outcome
        self.evidence = evidence
        self.evidenceStartS = evidenceStartS
        self.recordingPath = recordingPath
        self.critical = critical
    }
}

/// A card as stored (for names and criterion texts).
public struct StoredCard: Sendable, Equatable {
    public var id: String
    public var name: String
    public var target: Double
    public var hash: String

    public init(id: String, name: String, target: Double, hash: String) {
        self.id = id
        self.name = name
        self.target = target
        self.hash = hash
    }
}

/// How a stored value reads in the raw field lists (`report call --format csv|json`):
/// integers as they are, reals with at most four decimals (`12.0`, `0.3457`), texts as
/// they are. Figures to read, not to recompute.
public enum StoredText {
    public static func real(_ d: Double) -> String {
        if d == d.rounded() { return formatted(d, decimals: 1) }
        var s = formatted(d, decimals: 4)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    public static func int(_ i: Int) -> String { String(i) }

    static func formatted(_ d: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", d)
    }
}

/// The call record as stored (`calls`): the typed fields the per-call view shows.
public struct StoredCallRecord: Sendable, Equatable {
    public var callID: String
    public var agentID: String?
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var direction: CallDirection?
    /// ISO 8601 with the offset the record carried.
    public var startedAt: String
    public var waitS: Double?
    public var answered: Bool
    public var talkS: Double?
    public var holdS: Double?
    public var acwS: Double?
    /// talk + hold + ACW (s).
    public var handleS: Double?
    /// The contact center's own number the call came in on (never the customer's).
    public var dialed: String?
    /// The recording as the record names it.
    public var recording: String?
    public var recordingStatus: RecordingStatus
    public var recordingError: String?
    /// The recording resolved on disk (nil: none or missing).
    public var recordingPath: String?

    public init(callID: String, agentID: String? = nil, agentName: String? = nil, team: String? = nil, queue: String? = nil,
                direction: CallDirection? = nil, startedAt: String, waitS: Double? = nil, answered: Bool, talkS: Double? = nil,
                holdS: Double? = nil, acwS: Double? = nil, handleS: Double? = nil, dialed: String? = nil, recording: String? = nil,
                recordingStatus: RecordingStatus = .none, recordingError: String? = nil, recordingPath: String? = nil) {
        self.callID = callID
        self.agentID = agentID
        self.agentName = agentName
        self.team = team
        self.queue = queue
        self.direction = direction
        self.startedAt = startedAt
        self.waitS = waitS
        self.answered = answered
        self.talkS = talkS
        self.holdS = holdS
        self.acwS = acwS
        self.handleS = handleS
        self.dialed = dialed
        self.recording = recording
        self.recordingStatus = recordingStatus
        self.recordingError = recordingError
        self.recordingPath = recordingPath
    }

    /// Every stored field with a value, in the order of the raw view.
    public var fields: [(String, String)] {
        var out: [(String, String)] = []
        func add(_ k: String, _ v: String?) { if let v { out.append((k, v)) } }
        add("call_id", callID); add("agent_id", agentID); add("agent_name", agentName); add("team", team); add("queue", queue)
        add("direction", direction?.rawValue); add("started_at", startedAt); add("wait_s", waitS.map(StoredText.real))
        add("answered", answered ? "1" : "0"); add("talk_s", talkS.map(StoredText.real)); add("hold_s", holdS.map(StoredText.real))
        add("acw_s", acwS.map(StoredText.real)); add("handle_s", handleS.map(StoredText.real)); add("dialed", dialed)
        add("recording", recording); add("recording_status", recordingStatus.rawValue); add("recording_error", recordingError)
        return out
    }
}

/// A recording's current analysis as stored (`analyses`): format and whole-call figures.
public struct StoredAnalysis: Sendable, Equatable {
    public var recordingPath: String
    public var contentSHA256: String
    public var container: String
    public var encoding: String
    public var sampleRate: Int
    public var channels: Int
    public var analyzerVersion: String
    public var durationS: Double
    public var silenceS: Double
    public var silenceRatio: Double
    public var nonTalkS: Double
    /// Stereo only.
    public var overtalkS: Double?
    public var overtalkRatio: Double?
    public var interruptionsByAgent: Int?
    public var interruptionsByCustomer: Int?
    public var deadAirCount: Int
    public var deadAirS: Double
    public var longestSilenceS: Double
    public var longestSilenceStartS: Double?
    /// Music or tones on hold (s).
    public var holdS: Double
    public var toneS: Double
    public var talkToListen: Double?
    public var agentResponseGapS: Double?
    /// Health flags (`HealthFlag` raw values; a newer version's unknown ones kept as text).
    public var health: [String]

    public init(recordingPath: String, contentSHA256: String, container: String, encoding: String, sampleRate: Int, channels: Int,
                analyzerVersion: String, durationS: Double, silenceS: Double, silenceRatio: Double, nonTalkS: Double,
                overtalkS: Double?, overtalkRatio: Double?, interruptionsByAgent: Int?, interruptionsByCustomer: Int?,
                deadAirCount: Int, deadAirS: Double, longestSilenceS: Double, longestSilenceStartS: Double?, holdS: Double,
                toneS: Double, talkToListen: Double?, agentResponseGapS: Double?, health: [String]) {
        self.recordingPath = recordingPath
        self.contentSHA256 = contentSHA256
        self.container = container
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        self.analyzerVersion = analyzerVersion
        self.durationS = durationS
        self.silenceS = silenceS
        self.silenceRatio = silenceRatio
        self.nonTalkS = nonTalkS
        self.overtalkS = overtalkS
        self.overtalkRatio = overtalkRatio
        self.interruptionsByAgent = interruptionsByAgent
        self.interruptionsByCustomer = interruptionsByCustomer
        self.deadAirCount = deadAirCount
        self.deadAirS = deadAirS
        self.longestSilenceS = longestSilenceS
        self.longestSilenceStartS = longestSilenceStartS
        self.holdS = holdS
        self.toneS = toneS
        self.talkToListen = talkToListen
        self.agentResponseGapS = agentResponseGapS
        self.health = health
    }

    /// The whole-call fields of the raw view, in order.
    public var fields: [(String, String)] {
        var out: [(String, String)] = []
        func add(_ k: String, _ v: String?) { if let v { out.append((k, v)) } }
        add("container", container); add("encoding", encoding); add("sample_rate", StoredText.int(sampleRate))
        add("channels", StoredText.int(channels)); add("duration_s", StoredText.real(durationS)); add("silence_s", StoredText.real(silenceS))
        add("silence_ratio", StoredText.real(silenceRatio)); add("non_talk_s", StoredText.real(nonTalkS))
        add("overtalk_s", overtalkS.map(StoredText.real)); add("overtalk_ratio", overtalkRatio.map(StoredText.real))
        add("interruptions_by_agent", interruptionsByAgent.map(StoredText.int))
        add("interruptions_by_customer", interruptionsByCustomer.map(StoredText.int))
        add("dead_air_count", StoredText.int(deadAirCount)); add("dead_air_s", StoredText.real(deadAirS))
        add("longest_silence_s", StoredText.real(longestSilenceS)); add("longest_silence_start_s", longestSilenceStartS.map(StoredText.real))
        add("hold_s", StoredText.real(holdS)); add("tone_s", StoredText.real(toneS)); add("talk_to_listen", talkToListen.map(StoredText.real))
        add("agent_response_gap_s", agentResponseGapS.map(StoredText.real)); add("analyzer_version", analyzerVersion)
        add("content_sha256", contentSHA256)
        return out
    }
}

/// One party's figures as stored (`party_metrics`): agent, customer, or mixed (mono).
public struct StoredParty: Sendable, Equatable {
    /// `agent`, `customer` or `mixed`.
    public var party: String
    public var talkS: Double
    public var talkRatio: Double
    public var segmentCount: Int
    public var longestMonologueS: Double
    public var longestMonologueStartS: Double?
    public var speechDBFS: Double?
    public var noiseDBFS: Double?
    public var snrDB: Double?
    public var peakDBFS: Double?
    public var clippedShare: Double
    /// The other party heard on this channel (echo taken off); nil when none was.
    public var echoCouplingDB: Double?
    public var echoDelayMs: Double?
    public var echoAppliedShare: Double?
    /// Share of the call with voices behind this party (0–1).
    public var backgroundVoicesShare: Double?
    /// Speech segments (10 ms frames).
    public var segments: [FrameSpan]

    public init(party: String, talkS: Double, talkRatio: Double, segmentCount: Int, longestMonologueS: Double,
                longestMonologueStartS: Double?, speechDBFS: Double?, noiseDBFS: Double?, snrDB: Double?, peakDBFS: Double?,
                clippedShare: Double, echoCouplingDB: Double?, echoDelayMs: Double?, echoAppliedShare: Double?,
                backgroundVoicesShare: Double?, segments: [FrameSpan]) {
        self.party = party
        self.talkS = talkS
        self.talkRatio = talkRatio
        self.segmentCount = segmentCount
        self.longestMonologueS = longestMonologueS
        self.longestMonologueStartS = longestMonologueStartS
        self.speechDBFS = speechDBFS
        self.noiseDBFS = noiseDBFS
        self.snrDB = snrDB
        self.peakDBFS = peakDBFS
        self.clippedShare = clippedShare
        self.echoCouplingDB = echoCouplingDB
        self.echoDelayMs = echoDelayMs
        self.echoAppliedShare = echoAppliedShare
        self.backgroundVoicesShare = backgroundVoicesShare
        self.segments = segments
    }

    /// This party's fields of the raw view (`agent.talk_s`, …), in order.
    public var fields: [(String, String)] {
        var out: [(String, String)] = []
        func add(_ k: String, _ v: String?) { if let v { out.append(("\(party).\(k)", v)) } }
        add("talk_s", StoredText.real(talkS)); add("talk_ratio", StoredText.real(talkRatio)); add("segment_count", StoredText.int(segmentCount))
        add("longest_monologue_s", StoredText.real(longestMonologueS)); add("speech_dbfs", speechDBFS.map(StoredText.real))
        add("noise_dbfs", noiseDBFS.map(StoredText.real)); add("snr_db", snrDB.map(StoredText.real)); add("peak_dbfs", peakDBFS.map(StoredText.real))
        add("clipped_share", StoredText.real(clippedShare)); add("echo_coupling_db", echoCouplingDB.map(StoredText.real))
        add("echo_delay_ms", echoDelayMs.map(StoredText.real)); add("echo_applied_share", echoAppliedShare.map(StoredText.real))
        add("background_voices_share", backgroundVoicesShare.map(StoredText.real))
        return out
    }
}

/// What an audio event marks.
public enum AudioEventKind: String, Sendable, Equatable, CaseIterable {
    case deadAir = "dead_air"
    case hold
    case overtalk
    case interruption
    /// Ring-back, dial, busy or SIT tones, beeps, DTMF keypresses (union over channels);
    /// stored from analyzer version 14 on (earlier analyses have `tone_s` only).
    case tone
}

/// A stretch of a recording the analysis marked (`audio_events`).
public struct AudioEvent: Sendable, Equatable {
    public var kind: AudioEventKind
    /// Who interrupted (interruptions only).
    public var party: String?
    public var startS: Double
    public var endS: Double

    public init(kind: AudioEventKind, party: String?, startS: Double, endS: Double) {
        self.kind = kind
        self.party = party
        self.startS = startS
        self.endS = endS
    }
}

/// Everything about one call for the per-call view: the record, its analysis, each party's
/// figures, the marked events and the legs, all typed; `record` and `analysis` give the raw
/// field lists of `report call --format csv|json`.
public struct CallDetail: Sendable {
    public var call: StoredCallRecord
    public var audio: StoredAnalysis?
    /// In party order (agent, customer; or mixed).
    public var parties: [StoredParty]
    public var events: [AudioEvent]
    /// The legs of a transferred call (Asterisk, one CDR per bridge); empty for one leg.
    public var legs: [StoredLeg]

    public init(call: StoredCallRecord, audio: StoredAnalysis?, parties: [StoredParty], events: [AudioEvent], legs: [StoredLeg] = []) {
        self.call = call
        self.audio = audio
        self.parties = parties
        self.events = events
        self.legs = legs
    }

    public var callID: String { call.callID }
    /// The record's stored fields (raw view).
    public var record: [(String, String)] { call.fields }
    /// The analysis fields, then each party's (raw view); empty without an analysis.
    public var analysis: [(String, String)] { audio.map { $0.fields + parties.flatMap(\.fields) } ?? [] }
    public var health: [String] { audio?.health ?? [] }
    public var durationS: Double? { audio?.durationS }
    /// Speech segments per party (agent, customer or mixed).
    public var segments: [(party: String, spans: [FrameSpan])] { parties.map { ($0.party, $0.segments) } }
    /// The analysed recording, else the one the record resolved to.
    public var recordingPath: String? { audio?.recordingPath ?? call.recordingPath }
}

/// One leg of a transferred call as stored in `call_legs`.
public struct StoredLeg: Sendable, Equatable {
    public var leg: Int
    public var agentID: String?
    public var talkS: Double?
    public var startedAt: String?
    /// The leg's own recording (`recordingfile`); nil when one recording holds the whole call.
    public var recording: String?
    /// The call's analysed recording covers this leg: the call's scores are this leg's agent's.
    public var scored: Bool

    public init(leg: Int, agentID: String?, talkS: Double?, startedAt: String?, recording: String?, scored: Bool) {
        self.leg = leg
        self.agentID = agentID
        self.talkS = talkS
        self.startedAt = startedAt
        self.recording = recording
        self.scored = scored
    }
}

/// One row of the calls list (the workspace's calls page, a static report folder's `calls.html`).
public struct CallListRow: Sendable, Equatable {
    public var callID: String
    public var startedAt: String
    public var startedEpoch: Double
    public var agentID: String?
    public var agentName: String?
    public var team: String?
    public var queue: String?
    public var direction: String?
    public var answered: Bool
    public var handleS: Double?
    public var durationS: Double?
    public var deadAirS: Double?
    public var interruptions: Int?
    public var health: [String]
    /// The shown card's current score (the filter's card, else the lowest of the call's cards).
    public var cardID: String?
    public var score: Double?
    public var provisional: Bool
    public var criticalFailed: Bool
    public var nps: Int?
    /// With a transcript search: the party and the words around the match, matched words in `[ ]`.
    public var snippet: String?

    public init(callID: String, startedAt: String, startedEpoch: Double, agentID: String?, agentName: String?, team: String?,
                queue: String?, direction: String?, answered: Bool, handleS: Double?, durationS: Double?, deadAirS: Double?,
                interruptions: Int?, health: [String], cardID: String?, score: Double?, provisional: Bool, criticalFailed: Bool, nps: Int?,
                snippet: String? = nil) {
        self.snippet = snippet
        self.callID = callID
        self.startedAt = startedAt
        self.startedEpoch = startedEpoch
        self.agentID = agentID
        self.agentName = agentName
        self.team = team
        self.queue = queue
        self.direction = direction
        self.answered = answered
        self.handleS = handleS
        self.durationS = durationS
        self.deadAirS = deadAirS
        self.interruptions = interruptions
        self.health = health
        self.cardID = cardID
        self.score = score
        self.provisional = provisional
        self.criticalFailed = criticalFailed
        self.nps = nps
    }
}


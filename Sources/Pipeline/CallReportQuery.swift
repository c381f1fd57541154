import CallQAModel
import Reports
import Store

/// Why a call's report cannot be shown.
public enum CallReportError: Error, Equatable, CustomStringConvertible {
    /// No such call (or one outside the reader's access: the same answer).
    case unknown(callID: String, database: String)
    /// The call exists but a narrowing option (`--agent`, `--team`, `--queue`) excludes it.
    case notInSelection(callID: String, option: String, value: String)
    /// The call did not start within the period.
    case notInPeriod(callID: String)

    public var description: String {
        switch self {
        case let .unknown(id, db): "no call '\(id)' in \(db)"
        case let .notInSelection(id, option, value): "call '\(id)' is not in the selection (\(option) \(value))"
        case let .notInPeriod(id): "call '\(id)' did not start within --from/--to"
        }
    }
}

/// Everything `report call`, `explain` and the workspace's call page show about one call.
public struct CallReport: Sendable {
    public var detail: CallDetail
    /// Current scores, each with its card's outline.
    public var scores: [StoredScore]
    /// Cards that did not score the call, and why.
    public var notScored: [(cardID: String, reason: String)]
    /// The call's transcript, when it has one.
    public var transcript: StoredTranscript?

    /// The tables: grouped for people (terminal, HTML) or raw (CSV, JSON); the transcript last
    /// (`transcript`: false leaves it out, for pages that show it on their own).
    public func tables(forPeople: Bool, evidence: Bool, links: Links = .files, transcript withTranscript: Bool = true) -> [ReportTable] {
        CallLayout.report(detail, scores: scores, notScored: notScored, forPeople: forPeople, evidence: evidence, links: links)
            + (withTranscript ? TranscriptRendering.tables(transcript, forPeople: forPeople) : [])
    }
}

extension ReportBuilder {
    /// One call under `scope`: its detail, scores and the cards that did not score it. The
    /// scope's narrowing filters and the period limit what may be shown; a call outside the
    /// access itself is `unknown`, exactly like a missing one.
    /// `cards`: parses each card version once over many calls.
    public static func call(_ store: CallStore, callID: String, period: Period, scope: Scope, cards: CardCache? = nil) throws -> CallReport {
        guard let detail = try store.callDetail(callID, scope: scope.unfiltered) else {
            throw CallReportError.unknown(callID: callID, database: store.path)
        }
        for (option, value, actual) in [("--agent", scope.agent, detail.call.agentID), ("--team", scope.team, detail.call.team),
                                        ("--queue", scope.queue, detail.call.queue)] {
            if let value, actual != value { throw CallReportError.notInSelection(callID: callID, option: option, value: value) }
        }
        if try store.scoringInputs(period: period, callIDs: [callID], scope: scope.unfiltered).isEmpty {
            throw CallReportError.notInPeriod(callID: callID)
        }
        let scores = try storedScores(store, callID: callID, scope: scope.unfiltered, cards: cards)
        let notScored = try Scoring.whyNotScored(callID: callID, store: store, scope: scope.unfiltered, cards: cards)
            .filter { n in !scores.contains { $0.cardID == n.cardID } }
        return CallReport(detail: detail, scores: scores, notScored: notScored, transcript: try store.transcript(callID: callID, scope: scope.unfiltered))
    }
}

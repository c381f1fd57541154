import Foundation

/// Where the links of a rendered report point: the same renderers serve the single static
/// files (`report --format html`), whose links open the recording file at its second, the
/// static report folders (`run`, `report agents --split-dir`: `ReportFolder.links(page:)`),
/// whose links open their own agent and call pages, and the workspace, whose links open its
/// pages. A value, given to the renderers.
public struct Links: Sendable {
    /// A call's recording at a moment (`startS` nil: the whole recording); nil: no link.
    public var recording: @Sendable (_ callID: String, _ path: String?, _ startS: Double?) -> String?
    /// A call's page; nil: none (a single static file has no per-call page).
    public var call: @Sendable (_ callID: String) -> String?
    /// An agent's page; nil: none.
    public var agent: @Sendable (_ agentID: String) -> String?
    /// The list of an agent's calls in the report's period (the calls behind the agent's
    /// numbers); nil: none.
    public var agentCalls: @Sendable (_ agentID: String) -> String?
    /// An agent's NPS answers (behind the agent's NPS); nil: none.
    public var agentSurveys: @Sendable (_ agentID: String) -> String?
    /// The calls of a day (`YYYY-MM-DD`, the calls' local day); nil: none.
    public var dayCalls: @Sendable (_ day: String) -> String?

    public init(recording: @escaping @Sendable (String, String?, Double?) -> String?,
                call: @escaping @Sendable (String) -> String? = { _ in nil },
                agent: @escaping @Sendable (String) -> String? = { _ in nil },
                agentCalls: @escaping @Sendable (String) -> String? = { _ in nil },
                agentSurveys: @escaping @Sendable (String) -> String? = { _ in nil },
                dayCalls: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.recording = recording
        self.call = call
        self.agent = agent
        self.agentCalls = agentCalls
        self.agentSurveys = agentSurveys
        self.dayCalls = dayCalls
    }

    /// Single static files: `file:///…/c-003.wav#t=START` (percent-encoded path), which a
    /// browser plays from that second; nothing else links.
    public static let files = Links(recording: { _, path, start in path.map { HTMLPages.fileURL($0, start: start) } })

    /// The workspace served at `prefix` (e.g. "" or "/qa"): `/calls/ID?t=START`, `/calls/ID`,
    /// `/agents/ID`, ids percent-encoded.
    public static func workspace(prefix: String = "") -> Links {
        @Sendable func id(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#%"))) ?? s }
        return Links(recording: { callID, _, start in "\(prefix)/calls/\(id(callID))" + (start.map { "?t=" + JSONValue.format($0, decimals: 2) } ?? "") },
                     call: { "\(prefix)/calls/\(id($0))" },
                     agent: { "\(prefix)/agents/\(id($0))" })
    }

    /// The links of a table's cells: a call id opens the call's page, an agent id the agent's
    /// page, and each number with calls behind it the list of those calls (an agent's
    /// calls, quality, critical fails → the agent's calls; an agent's NPS → the agent's NPS
    /// answers; a day's offered, answered and abandoned calls → that day's calls; a call's
    /// score → the call). Nil for a cell that links nowhere (always, with `files`).
    public func cellLink(for t: ReportTable) -> (Int, String) -> String? {
        var index: [String: Int] = [:]
        for (i, c) in t.columns.enumerated() where index[c.key] == nil { index[c.key] = i }
        func text(_ row: Int, _ key: String) -> String? {
            guard let i = index[key], row < t.rows.count, case let .text(s) = t.rows[row][i], !s.isEmpty else { return nil }
            return s
        }
        let kind = t.kind
        let groupedByAgent = kind.hasPrefix("nps_by") && index["agent"] != nil
        let agentNumbers: Set<String> = ["calls", "scored_calls", "provisional_calls", "quality", "share_at_target", "critical_fails"]
        let npsNumbers: Set<String> = ["nps", "nps_n"]
        return { row, key in
            // An empty cell (shown as "—") links nowhere.
            if let i = index[key], row < t.rows.count, t.rows[row][i] == .null { return nil }
            func agentOfRow() -> String? { text(row, "agent_id") ?? (groupedByAgent ? text(row, "agent") : nil) ?? t.agentID }
            switch key {
            case "call_id": return text(row, "call_id").flatMap(call)
            case "agent_id": return kind == "agent_summary" ? nil : text(row, "agent_id").flatMap(agent)
            case "agent" where groupedByAgent: return text(row, "agent").flatMap(agent)
            default: break
            }
            switch kind {
            case "agents", "agent_summary":
                if agentNumbers.contains(key) { return agentOfRow().flatMap(agentCalls) }
                if npsNumbers.contains(key) { return agentOfRow().flatMap(agentSurveys) }
            case "agent_trend" where ["scored_calls", "quality", "quality_low", "quality_high"].contains(key),
                 "agent_coaching_focus" where ["calls_failed", "share_of_scored_calls"].contains(key):
                return agentOfRow().flatMap(agentCalls)
            case "agent_worst_calls" where key == "score", "agent_calls" where key.hasPrefix("score"), "calls" where key == "score":
                return text(row, "call_id").flatMap(call)
            case "kpi_by_day" where ["offered", "answered", "abandoned", "short_abandons", "outbound"].contains(key):
                return text(row, "day").flatMap(dayCalls)
            default:
                if groupedByAgent, ["n", "promoters", "passives", "detractors", "nps"].contains(key) { return agentOfRow().flatMap(agentSurveys) }
            }
            return nil
        }
    }
}

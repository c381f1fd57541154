import CallQAModel
import Foundation
import StrictYAML
import Yams

/// A rule of the settings file's `alerts:` section: one condition on a call that `callqa
/// watch` has just stored and scored (or on a survey linked to it).
public struct AlertRule: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// A number metric of the call (`callqa scorecard metrics`) at or above / at or below
        /// a limit (either or both).
        case metric(name: String, atLeast: Double?, atMost: Double?)
        /// A critical criterion failed on a card (any card when nil).
        case criticalFailed(card: String?)
        /// A complete score below a limit (percent) on a card (any card when nil).
        case scoreBelow(Double, card: String?)
        /// A survey answer linked to the call at or below this score (6: an NPS detractor).
        case surveyAtMost(Int)
    }

    /// Names the rule in the alert list, the log and the notification (letters, digits, `-`, `_`).
    public var id: String
    public var condition: Condition

    public init(id: String, condition: Condition) {
        self.id = id
        self.condition = condition
    }
}

/// The `alerts:` section: rules, and where their alerts are sent besides the database (a
/// command run with the alert as JSON on its standard input, a webhook that receives it as
/// an HTTP POST).
public struct AlertSettings: Sendable, Equatable {
    public var rules: [AlertRule] = []
    /// Program and arguments (no shell).
    public var command: [String]?
    /// An `http://` or `https://` URL.
    public var webhook: String?
    /// How long one command run or POST may take (s).
    public var timeoutS: Double = 10
    /// Attempts per alert before it is marked failed (retries back off: 10 s, 20 s, 40 s, …).
    public var attempts = 5
    /// The workspace's address: the payload then carries a link to the call's page.
    public var workspaceURL: String?
    /// Adds the call's agent id and team to the payload (off: no personal data leaves).
    public var includeAgent = false

    public init() {}

    /// Whether alerts are sent anywhere besides the database.
    public var notifies: Bool { command != nil || webhook != nil }

    static let keys = ["rules", "command", "webhook", "timeout_s", "attempts", "workspace_url", "include_agent"]
    static let ruleKeys = ["id", "metric", "at_least", "at_most", "critical_failed", "score_below", "card", "survey_score_at_most"]

    /// Reads the section (its problems go to `reader`).
    static func parse(_ node: Node, reader: inout YAMLReader) -> AlertSettings {
        var s = AlertSettings()
        guard let m = reader.mapping(node, what: "alerts", keys: keys, depth: 1) else { return s }
        var seen = Set<String>()
        if let rules = m["rules"] {
            for (i, r) in reader.list(rules, depth: 2).enumerated() {
                if let rule = parseRule(r, index: i + 1, reader: &reader) {
                    if seen.insert(rule.id).inserted { s.rules.append(rule) } else { reader.error(r, "alerts.rules[\(i + 1)]: id '\(rule.id)' is used twice") }
                }
            }
        }
        if let c = m["command"] {
            let parts = reader.list(c, depth: 2).compactMap { reader.string($0, what: "alerts.command") }
            if parts.isEmpty || parts[0].isEmpty {
                reader.error(c, "alerts.command: expected a program and its arguments, e.g. [/usr/local/bin/notify-qa, --channel, qa]")
            } else if !parts[0].hasPrefix("/") {
                reader.error(c, "alerts.command: the program must be an absolute path (no shell, no PATH search), got '\(parts[0])'")
            } else {
                s.command = parts
            }
        }
        if let w = m["webhook"], let url = reader.string(w, what: "alerts.webhook") {
            if let why = webhookProblem(url) { reader.error(w, "alerts.webhook: \(why)") } else { s.webhook = url }
        }
        if let t = m["timeout_s"], let v = reader.number(t, what: "alerts.timeout_s", range: 1...300) { s.timeoutS = v }
        if let a = m["attempts"], let v = reader.number(a, what: "alerts.attempts", range: 1...100) {
            if v == v.rounded() { s.attempts = Int(v) } else { reader.error(a, "alerts.attempts: expected a whole number, got \(YAMLReader.format(v))") }
        }
        if let w = m["workspace_url"], let url = reader.string(w, what: "alerts.workspace_url") {
            if let why = webhookProblem(url) { reader.error(w, "alerts.workspace_url: \(why)") } else { s.workspaceURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        }
        if let b = m["include_agent"], let v = reader.bool(b, what: "alerts.include_agent") { s.includeAgent = v }
        return s
    }

    /// Why a URL cannot be used (nil when it can): http or https, a host, no spaces or
    /// control characters (it becomes a command-line argument of curl).
    static func webhookProblem(_ url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return "expected an http:// or https:// URL, got '\(url)'" }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return "the URL contains spaces or control characters" }
        guard let parsed = URL(string: url), let host = parsed.host, !host.isEmpty else { return "no host in '\(url)'" }
        return nil
    }

    static func parseRule(_ n: Node, index: Int, reader: inout YAMLReader) -> AlertRule? {
        let what = "alerts.rules[\(index)]"
        guard let m = reader.mapping(n, what: what, keys: ruleKeys, required: ["id"], depth: 3) else { return nil }
        guard let id = reader.string(m["id"], what: "\(what).id") else { return nil }
        guard !id.isEmpty, id.count <= 64, id.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }) else {
            reader.error(m["id"]!, "\(what).id: expected letters, digits, '-' or '_' (at most 64), got '\(id)'")
            return nil
        }
        let kinds = ["metric", "critical_failed", "score_below", "survey_score_at_most"].filter { m[$0] != nil }
        guard kinds.count == 1 else {
            reader.error(n, "\(what) '\(id)': expected exactly one of metric, critical_failed, score_below, survey_score_at_most; got \(kinds.isEmpty ? "none" : kinds.joined(separator: ", "))")
            return nil
        }
        func onlyWith(_ key: String, _ allowed: [String]) -> Bool {
            if let node = m[key], !allowed.contains(kinds[0]) {
                reader.error(node, "\(what) '\(id)': '\(key)' goes with \(allowed.joined(separator: " or ")), not with \(kinds[0])")
                return false
            }
            return true
        }
        guard onlyWith("at_least", ["metric"]), onlyWith("at_most", ["metric"]), onlyWith("card", ["critical_failed", "score_below"]) else { return nil }
        let card = reader.string(m["card"], what: "\(what).card")
        switch kinds[0] {
        case "metric":
            guard let name = reader.string(m["metric"], what: "\(what).metric") else { return nil }
            guard let entry = FactSchema.entry(name) else {
                let hint = FactSchema.suggestion(for: name).map { " (did you mean '\($0)'?)" } ?? ""
                reader.error(m["metric"]!, "\(what).metric: unknown metric '\(name)'\(hint); see callqa scorecard metrics")
                return nil
            }
            guard entry.kind == .number else {
                reader.error(m["metric"]!, "\(what).metric: '\(name)' is not a number; rules compare numbers (at_least, at_most)")
                return nil
            }
            let low = reader.number(m["at_least"], what: "\(what).at_least")
            let high = reader.number(m["at_most"], what: "\(what).at_most")
            guard low != nil || high != nil else {
                reader.error(n, "\(what) '\(id)': a metric rule needs at_least, at_most or both")
                return nil
            }
            return AlertRule(id: id, condition: .metric(name: name, atLeast: low, atMost: high))
        case "critical_failed":
            guard let v = reader.string(m["critical_failed"], what: "\(what).critical_failed") else { return nil }
            guard v == "any" || v == "true" else {
                reader.error(m["critical_failed"]!, "\(what).critical_failed: expected any (name a card with card: ID), got '\(v)'")
                return nil
            }
            return AlertRule(id: id, condition: .criticalFailed(card: card))
        case "score_below":
            guard let v = reader.number(m["score_below"], what: "\(what).score_below", range: 0...100) else { return nil }
            return AlertRule(id: id, condition: .scoreBelow(v, card: card))
        default:
            guard let v = reader.number(m["survey_score_at_most"], what: "\(what).survey_score_at_most", range: 0...10) else { return nil }
            guard v == v.rounded() else {
                reader.error(m["survey_score_at_most"]!, "\(what).survey_score_at_most: expected a whole score 0–10, got \(YAMLReader.format(v))")
                return nil
            }
            return AlertRule(id: id, condition: .surveyAtMost(Int(v)))
        }
    }
}

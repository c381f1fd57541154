import CallQAModel

/// One section of a call's score: what it earned after its fails-section rule.
public struct SectionScore: Sendable, Equatable {
    public var sectionID: String
    public var name: String?
    /// W_s of the score formula (1 unless the card sets `weight:`).
    public var weight: Double
    /// Points earned, after a triggered fails-section rule (then 0).
    public var earned: Double
    /// Points the section's criteria earned before that rule.
    public var criteriaEarned: Double
    public var possible: Double
    /// Fails-section criteria not fully met: they set the section to 0.
    public var failedBy: [String]
    /// earned / possible (percent); nil when every criterion is N/A.
    public var percent: Double? { possible > 0 ? 100 * earned / possible : nil }
}

/// How stored scores are shown (`explain`, `report call`).
public enum ScoreRendering {
    /// The sections of a stored score, in card order, with their weights from the stored card.
    public static func sections(_ s: StoredScore) -> [SectionScore] {
        let card = s.outline
        var order: [String] = []
        for r in s.results where !order.contains(r.sectionID) { order.append(r.sectionID) }
        return order.map { id in
            let rs = s.results.filter { $0.sectionID == id }
            let earned = rs.reduce(0) { $0 + $1.earned }, possible = rs.reduce(0) { $0 + $1.possible }
            let failedBy = rs.filter { failsSectionTriggered($0) }.map(\.criterionID)
            let section = card?.sections.first { $0.id == id }
            return SectionScore(sectionID: id, name: section?.name, weight: section?.weight ?? 1, earned: failedBy.isEmpty ? earned : 0,
                                criteriaEarned: earned, possible: possible, failedBy: failedBy)
        }
    }

    /// `opening 0/5 (fails section: greeting) · order ×2 10/10 · close n/a · total 0 (critical: confirm_order)`:
    /// one call's sections in one line (the worst calls of `report agent`): points earned after
    /// the fails-section rule over points possible, the section weight when it is not 1, `n/a`
    /// when every criterion of the section is N/A.
    public static func sectionsSummary(_ s: StoredScore) -> String {
        var parts = sections(s).map { x in
            x.sectionID + (x.weight == 1 ? "" : " ×\(JSONValue.format(x.weight, decimals: 2))")
                + (x.possible > 0 ? " \(JSONValue.format(x.earned, decimals: 2))/\(JSONValue.format(x.possible, decimals: 2))" : " n/a")
                + (x.failedBy.isEmpty ? "" : " (fails section: \(x.failedBy.joined(separator: ", ")))")
        }
        let crit = s.results.filter { criticalTriggered($0) }.map(\.criterionID)
        parts.append("total " + (s.score.map { JSONValue.format($0, decimals: 1) } ?? "—") + (crit.isEmpty ? "" : " (critical: \(crit.joined(separator: ", ")))"))
        return parts.joined(separator: " · ")
    }

    /// A fails-section criterion that applies and is not fully met (as the engine decides).
    static func failsSectionTriggered(_ r: StoredCriterionResult) -> Bool {
        r.failsSection && r.possible > 0 && (r.credit ?? 1) < 1
    }

    /// A critical criterion that applies and is not fully met.
    static func criticalTriggered(_ r: StoredCriterionResult) -> Bool {
        r.critical && r.possible > 0 && (r.credit ?? 1) < 1
    }

    /// `critical → call 0` when a critical criterion failed, `fails section → 0` when a
    /// fails-section criterion did, else `critical` / `fails section` / nothing.
    static func effect(_ r: StoredCriterionResult) -> String {
        if criticalTriggered(r) { return "critical → call 0" }
        if failsSectionTriggered(r) { return "fails section → 0" }
        return r.critical ? "critical" : r.failsSection ? "fails section" : ""
    }

    /// `Maria Lopez` for `evaluator: Maria Lopez`, `auto` for `automatic`.
    static func shortProvenance(_ p: String) -> String {
        if p == "automatic" { return "auto" }
        if p.hasPrefix("evaluator: ") { return String(p.dropFirst("evaluator: ".count)) }
        return p
    }

    /// The criteria table of one score.
    public static func criteriaTable(_ s: StoredScore, name: String, title: String, recordingPath: String? = nil, links: Links = .files) -> ReportTable {
        ReportTable(
            name: name, title: title,
            columns: [Column("section", .text).width(12), Column("criterion", .text).width(22), Column("outcome", .text),
                      Column("points", .text).terminal, Column("earned", nil, .number(decimals: 2), inTable: false),
                      Column("possible", nil, .number(decimals: 2), inTable: false),
                      Column("critical", nil, .text, inTable: false), Column("fails_section", nil, .text, inTable: false),
                      Column("effect", "marks", .text), Column("provenance", nil, .text, inTable: false),
                      Column("by", .text).width(16).terminal, Column("evidence", nil, .text, inTable: false),
                      Column("evidence_link", nil, .text, inTable: false)],
            rows: s.results.map { r in
                let points = r.possible > 0 ? "\(JSONValue.format(r.earned, decimals: 2))/\(JSONValue.format(r.possible, decimals: 2))" : "—"
                return [.text(r.sectionID), .text(r.criterionID), .text(r.outcome.rawValue), .text(points), .number(r.earned), .number(r.possible),
                        .text(r.critical ? "yes" : "no"), .text(r.failsSection ? "yes" : "no"), .text(effect(r)), .text(r.provenance),
                        .text(shortProvenance(r.provenance)), .text(r.evidence),
                        .opt(recordingPath.flatMap { p in r.evidenceStartS.flatMap { links.recording(s.callID, p, $0) } })]
            })
    }

    /// The sections table of one score, ending with the call's total.
    public static func sectionsTable(_ s: StoredScore, name: String, title: String) -> ReportTable {
        let secs = sections(s)
        var rows: [[Cell]] = secs.map { x in
            let note = x.failedBy.isEmpty ? "" : "\(x.failedBy.joined(separator: ", ")) failed → 0 (criteria earned \(JSONValue.format(x.criteriaEarned, decimals: 2)))"
            return [.text(x.sectionID), .number(x.weight), .number(x.earned), .number(x.possible), .opt(x.percent), .text(note)]
        }
        var total = ""
        if s.criticalFailed {
            let num = secs.reduce(0) { $0 + $1.weight * $1.earned }, den = secs.reduce(0) { $0 + $1.weight * $1.possible }
            total = "critical fail → call 0" + (den > 0 ? " (sections: \(JSONValue.format(100 * num / den, decimals: 1)))" : "")
                + ": " + s.results.filter { criticalTriggered($0) }.map(\.criterionID).joined(separator: ", ")
        }
        rows.append([.text("total"), .null, .null, .null, .opt(s.score), .text(total)])
        return ReportTable(name: name, title: title,
                           columns: [Column("section", .text).width(12), Column("weight", .number(decimals: 2)), Column("earned", .number(decimals: 2)),
                                     Column("possible", .number(decimals: 2)), Column("score", "score %", .percent), Column("effect", .text)],
                           rows: rows)
    }

    /// The head line of one score.
    public static func head(_ s: StoredScore, withCall: Bool = true) -> String {
        let value = s.score.map { JSONValue.format($0, decimals: 1, padded: true) + " %" } ?? "—"
        var head = (withCall ? "\(s.callID) · " : "") + "\(s.cardName) [\(s.cardID) \(s.cardHash.prefix(8))]: \(value), \(s.status.rawValue), target \(JSONValue.format(s.target, decimals: 1))"
        if s.criticalFailed { head += " · CRITICAL FAIL" }
        if let r = s.reason { head += " · \(r)" }
        return head
    }

    public static func text(_ scores: [StoredScore]) -> String {
        var out = ""
        for s in scores {
            out += criteriaTable(s, name: "explain", title: head(s)).text()
            out += sectionsTable(s, name: "explain_sections", title: "sections").text()
            out += "evidence:\n"
            for r in s.results {
                out += ReportTable.wrap("  \(TerminalText.clean(r.criterionID)): \(TerminalText.clean(r.evidence))", width: 100, indent: "    ")
            }
            out += "\n"
        }
        return out
    }

    /// `explain --format json`: keys documented in the README.
    public static func json(callID: String, _ scores: [StoredScore], notScored: [(cardID: String, reason: String)] = [],
                            agentID: String? = nil, legs: [StoredLeg] = [], hasRecording: Bool = true) -> JSONValue {
        .object([
            ("call_id", .string(callID)),
            ("agent_id", .optional(agentID) { .string($0) }),
            ("transfer", .optional(CallLayout.transferNote(legs, agentID: agentID, hasRecording: hasRecording)) { .string($0) }),
            ("legs", .array(legs.map { l in
                .object([("leg", .int(l.leg)), ("agent_id", .optional(l.agentID) { .string($0) }),
                         ("started_at", .optional(l.startedAt) { .string($0) }), ("talk_s", .optional(l.talkS) { .number($0, decimals: 3) }),
                         ("recording", .optional(l.recording) { .string($0) }), ("scored", .bool(l.scored))])
            })),
            ("scores", .array(scores.map { s in
                .object([
                    ("scorecard", .string(s.cardID)), ("name", .string(s.cardName)), ("card_hash", .string(s.cardHash)),
                    ("status", .string(s.status.rawValue)), ("score", .optional(s.score) { .number($0, decimals: 2) }),
                    ("critical_score", .optional(s.criticalScore) { .number($0, decimals: 2) }),
                    ("critical_failed", .bool(s.criticalFailed)), ("target", .number(s.target, decimals: 2)),
                    ("unanswered", .int(s.unanswered)), ("reason", .optional(s.reason) { .string($0) }),
                    ("scored_at", .string(s.scoredAt)),
                    ("sections", .array(sections(s).map { x in
                        .object([
                            ("section", .string(x.sectionID)), ("weight", .number(x.weight, decimals: 4)),
                            ("earned", .number(x.earned, decimals: 4)), ("criteria_earned", .number(x.criteriaEarned, decimals: 4)),
                            ("possible", .number(x.possible, decimals: 4)), ("score", .optional(x.percent) { .number($0, decimals: 2) }),
                            ("failed_by", .array(x.failedBy.map { .string($0) })),
                        ])
                    })),
                    ("criteria", .array(s.results.map { r in
                        .object([
                            ("section", .string(r.sectionID)), ("criterion", .string(r.criterionID)),
                            ("outcome", .string(r.outcome.rawValue)), ("credit", .optional(r.credit) { .number($0, decimals: 4) }),
                            ("earned", .number(r.earned, decimals: 4)), ("possible", .number(r.possible, decimals: 4)),
                            ("critical", .bool(r.critical)), ("fails_section", .bool(r.failsSection)),
                            ("effect", criticalTriggered(r) ? .string("call_zero") : failsSectionTriggered(r) ? .string("section_zero") : .null),
                            ("provenance", .string(r.provenance)), ("evidence", .string(r.evidence)),
                            ("evidence_start_s", .optional(r.evidenceStartS) { .seconds($0) }),
                            ("evidence_end_s", .optional(r.evidenceEndS) { .seconds($0) }),
                        ])
                    })),
                ])
            })),
            ("not_scored", .array(notScored.map { .object([("scorecard", .string($0.cardID)), ("reason", .string($0.reason))]) })),
        ])
    }
}

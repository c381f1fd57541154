import Scorecard
import Store

/// How stored scores are shown (`explain`, `report call`).
public enum ScoreRendering {
    public static func text(_ scores: [StoredScore]) -> String {
        var out = ""
        for s in scores {
            let value = s.score.map { JSONValue.format($0, decimals: 1, padded: true) + " %" } ?? "—"
            var head = "\(s.callID) · \(s.cardName) [\(s.cardID) \(s.cardHash.prefix(8))]: \(value) (\(s.status.rawValue), target \(JSONValue.format(s.target, decimals: 1)) %)"
            if s.criticalFailed { head += " · CRITICAL FAIL" }
            if let r = s.reason { head += " · \(r)" }
            let rows: [[Cell]] = s.results.map { r in
                let points = r.possible > 0 ? "\(JSONValue.format(r.earned, decimals: 2))/\(JSONValue.format(r.possible, decimals: 2))" : "—"
                let mark = r.critical ? " (critical)" : r.failsSection ? " (fails section)" : ""
                return [.text(r.sectionID), .text(r.criterionID + mark), .text(r.outcome.rawValue), .text(points),
                        .text(r.provenance)]
            }
            let table = ReportTable(name: "explain", title: head,
                                    columns: [Column("section", .text).width(14), Column("criterion", .text).width(30),
                                              Column("outcome", .text), Column("points", .text), Column("by", .text).width(28)],
                                    rows: rows)
            out += table.text() + "evidence:\n"
            for r in s.results {
                out += ReportTable.wrap("  \(TerminalText.clean(r.criterionID)): \(TerminalText.clean(r.evidence))", width: 100)
            }
            out += "\n"
        }
        return out
    }

    public static func json(callID: String, _ scores: [StoredScore]) -> JSONValue {
        .object([
            ("call_id", .string(callID)),
            ("scores", .array(scores.map { s in
                .object([
                    ("scorecard", .string(s.cardID)), ("name", .string(s.cardName)), ("card_hash", .string(s.cardHash)),
                    ("status", .string(s.status.rawValue)), ("score", .optional(s.score) { .number($0, decimals: 2) }),
                    ("critical_score", .optional(s.criticalScore) { .number($0, decimals: 2) }),
                    ("critical_failed", .bool(s.criticalFailed)), ("target", .number(s.target, decimals: 2)),
                    ("unanswered", .int(s.unanswered)), ("reason", .optional(s.reason) { .string($0) }),
                    ("scored_at", .string(s.scoredAt)),
                    ("criteria", .array(s.results.map { r in
                        .object([
                            ("section", .string(r.sectionID)), ("criterion", .string(r.criterionID)),
                            ("outcome", .string(r.outcome.rawValue)), ("credit", .optional(r.credit) { .number($0, decimals: 4) }),
                            ("earned", .number(r.earned, decimals: 4)), ("possible", .number(r.possible, decimals: 4)),
                            ("critical", .bool(r.critical)), ("fails_section", .bool(r.failsSection)),
                            ("provenance", .string(r.provenance)), ("evidence", .string(r.evidence)),
                            ("evidence_start_s", .optional(r.evidenceStartS) { .seconds($0) }),
                            ("evidence_end_s", .optional(r.evidenceEndS) { .seconds($0) }),
                        ])
                    })),
                ])
            })),
        ])
    }
}

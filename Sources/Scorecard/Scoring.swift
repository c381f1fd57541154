import CallQAModel
import Foundation

/// Why a card does not apply to a call: the card's filter as written in its YAML and what
/// the call has instead.
public struct Exclusion: Sendable, Equatable, CustomStringConvertible {
    /// `applies_to.queue: support`, or `abandoned (no conversation)`.
    public var filter: String
    /// The call field the filter reads (`queue`, `team`, `direction`), when the values seen are worth listing.
    public var field: String?
    /// The call's own value (`support_de`), nil when it has none.
    public var callValue: String?

    public init(filter: String, field: String?, callValue: String?) {
        self.filter = filter
        self.field = field
        self.callValue = callValue
    }

    /// `applies_to.queue: support (this call: support_de)`.
    public var description: String {
        guard field != nil || callValue != nil || filter.hasPrefix("applies_to") else { return filter }
        return filter + " (this call: " + (callValue ?? "none") + ")"
    }
}

/// Pure scoring of one call on one card (the formula is in Scorecards/README.md).
public enum ScoringEngine {
    /// Whether the card applies to the call; nil when it does, else why not.
    public static func notApplicableReason(_ card: Scorecard, facts: CallFacts) -> String? {
        exclusion(card, facts: facts)?.description
    }

    /// The card's filter that excludes the call, and the call's own value; nil when the card applies.
    public static func exclusion(_ card: Scorecard, facts: CallFacts) -> Exclusion? {
        func text(_ key: String) -> String? {
            switch facts.values[key] {
            case let .text(t)?: t
            case let .number(v)?: FactValue.format(v)
            case let .flag(b)?: b ? "true" : "false"
            case nil: nil
            }
        }
        if facts.values["call.answered"] == .flag(false) {
            return Exclusion(filter: "abandoned (no conversation)", field: nil, callValue: nil)
        }
        let a = card.appliesTo
        if let d = a.direction, facts.values["call.direction"].map({ !Comparison.same(.text(d), $0) }) ?? true {
            return Exclusion(filter: "applies_to.direction: \(d)", field: "direction", callValue: text("call.direction"))
        }
        if let qs = a.queues, !qs.contains(where: { q in facts.values["call.queue"].map { Comparison.same(.text(q), $0) } ?? false }) {
            return Exclusion(filter: "applies_to.queue: \(qs.joined(separator: ", "))", field: "queue", callValue: text("call.queue"))
        }
        if let ts = a.teams, !ts.contains(where: { t in facts.values["call.team"].map { Comparison.same(.text(t), $0) } ?? false }) {
            return Exclusion(filter: "applies_to.team: \(ts.joined(separator: ", "))", field: "team", callValue: text("call.team"))
        }
        if let minD = a.minDurationS {
            let d: Double? = {
                if case let .number(v)? = facts.values["audio.duration_s"] { return v }
                if case let .number(v)? = facts.values["call.talk_s"] { return v }
                return nil
            }()
            guard let d, d >= minD else {
                return Exclusion(filter: "applies_to.min_duration_s: \(FactValue.format(minD))", field: nil, callValue: d.map { FactValue.format($0) + " s" })
            }
        }
        for c in a.conditions {
            guard let v = facts.values[c.metric], c.comparison.matches(v) else {
                return Exclusion(filter: "applies_to.when: \(c.metric) \(c.comparison.describe(unit: ""))", field: nil, callValue: text(c.metric))
            }
        }
        return nil
    }

    public static func score(_ card: Scorecard, facts: CallFacts, answers: [String: EvaluatorAnswer]) -> CallScore {
        var results: [CriterionResult] = []
        for s in card.sections {
            for c in s.criteria { results.append(evaluate(c, section: s.id, facts: facts, answer: answers[c.id])) }
        }
        var out = CallScore(cardID: card.id, cardHash: card.contentHash, target: card.target, status: .complete, score: nil,
                            criticalScore: nil, criticalFailed: false, weightedEarned: 0, weightedPossible: 0,
                            results: results, reason: nil, unanswered: results.filter { $0.outcome == .unanswered }.count)
        if card.requiresAudio && !facts.hasAudio {
            out.status = .notScorable
            out.reason = "the card requires audio: \(facts.audioAbsentReason ?? "no analysed recording")"
            return out
        }
        // Only N/A and unanswered criteria drop out: a criterion with an answer (met, partial,
        // not met) counts whatever its weight, and is never reported as N/A.
        func counts(_ r: CriterionResult) -> Bool { r.outcome == .met || r.outcome == .partial || r.outcome == .notMet }
        var num = 0.0, den = 0.0
        // Scale-free: within a section, weights relative to its largest counted one; across
        // sections, W_s × that largest weight relative to the largest such product (in logs),
        // so tiny or huge weights neither underflow to 0/0 nor overflow.
        var parts: [(logW: Double, earned: Double, possible: Double, failed: Bool)] = []
        for s in card.sections {
            let rs = results.filter { $0.sectionID == s.id && counts($0) }
            let earned = rs.reduce(0) { $0 + $1.earned }
            let possible = rs.reduce(0) { $0 + $1.possible }
            // A criterion of weight 0 is left out: it does not zero its section either.
            let sectionFailed = rs.contains { $0.failsSection && $0.possible > 0 && $0.failed }
            let w = s.weight ?? 1
            num += w * (sectionFailed ? 0 : earned)
            den += w * possible
            let top = rs.map(\.possible).max() ?? 0
            guard w > 0, top > 0 else { continue }
            let e = rs.reduce(0) { $0 + ($1.credit ?? 0) * ($1.possible / top) }
            let p = rs.reduce(0) { $0 + $1.possible / top }
            parts.append((log(w) + log(top), e, p, sectionFailed))
        }
        let critical = results.filter { $0.critical && counts($0) && $0.possible > 0 }
        if !critical.isEmpty {
            let p = critical.reduce(0) { $0 + $1.possible }
            if p.isNormal && p.isFinite {
                out.criticalScore = 100 * critical.reduce(0) { $0 + $1.earned } / p
            } else {
                let top = critical.map(\.possible).max()!
                out.criticalScore = 100 * critical.reduce(0) { $0 + ($1.credit ?? 0) * ($1.possible / top) }
                    / critical.reduce(0) { $0 + $1.possible / top }
            }
        }
        out.criticalFailed = critical.contains { $0.failed }
        out.weightedEarned = num
        out.weightedPossible = den
        let answered = results.filter(counts)
        if den.isNormal && den.isFinite && num.isFinite {
            out.score = out.criticalFailed ? 0 : 100 * num / den
            out.status = out.unanswered > 0 ? .provisional : .complete
        } else if let maxLog = parts.map(\.logW).max() {
            var n = 0.0, d = 0.0
            for part in parts {
                let k = exp(part.logW - maxLog)
                n += k * (part.failed ? 0 : part.earned)
                d += k * part.possible
            }
            out.score = out.criticalFailed ? 0 : 100 * n / d
            out.status = out.unanswered > 0 ? .provisional : .complete
        } else if out.unanswered > 0 {
            out.status = .provisional
            out.reason = answered.isEmpty ? "only manual criteria apply and none is answered yet"
                : "the answered criteria carry no weight (weight 0) and the manual ones are not answered yet"
        } else if !answered.isEmpty {
            out.status = .notScorable
            out.reason = "the answered criteria (\(answered.prefix(3).map(\.criterionID).joined(separator: ", "))\(answered.count > 3 ? ", …" : "")) carry no weight: their weight or their section's is 0"
        } else {
            out.status = .notScorable
            out.reason = "every criterion is N/A for this call"
        }
        return out
    }

    static func evaluate(_ c: Criterion, section: String, facts: CallFacts, answer: EvaluatorAnswer?) -> CriterionResult {
        var r = CriterionResult(sectionID: section, criterionID: c.id, outcome: .notApplicable, credit: nil, earned: 0,
                                possible: 0, provenance: "automatic", evidence: "", evidenceSpan: nil,
                                critical: c.critical, failsSection: c.failsSection)
        for cond in c.naWhen {
            switch lookup(cond.metric, facts) {
            case let .value(v, _) where cond.comparison.matches(v):
                let unit = FactSchema.entry(cond.metric)?.unit ?? ""
                r.evidence = "N/A: \(cond.metric) = \(v) (na_when \(cond.comparison.describe(unit: unit)))"
                return r
            default: continue
            }
        }
        func count(_ credit: Double) {
            r.credit = credit
            r.possible = c.weight
            r.earned = credit * c.weight
            r.outcome = credit >= 1 ? .met : credit > 0 ? .partial : .notMet
        }
        switch c.answering {
        case let .auto(rule):
            guard case let .value(v, spans) = lookup(rule.metric, facts) else {
                if case let .absent(why) = lookup(rule.metric, facts) { r.evidence = "N/A: \(rule.metric) unavailable (\(why))" }
                return r
            }
            let entry = FactSchema.entry(rule.metric)
            let unit = entry?.unit ?? ""
            let label = entry?.label ?? rule.metric
            var shown = "\(label) \(display(v, unit: unit))"
            if !spans.isEmpty {
                let list = spans.prefix(3).map(\.clock).joined(separator: ", ")
                shown += " at \(list)\(spans.count > 3 ? " (+\(spans.count - 3) more)" : "")"
                r.evidenceSpan = spans.first
            }
            switch rule.mode {
            case let .pass(cmp):
                let ok = cmp.matches(v)
                count(ok ? 1 : 0)
                r.evidence = "\(shown) \(verdict(cmp, ok: ok, unit: unit))"
            case let .bands(bands):
                if let (i, band) = bands.enumerated().first(where: { $0.element.comparison.map { $0.matches(v) } ?? true }) {
                    count(band.credit)
                    let cond = band.comparison.map { "band \(i + 1) (\($0.describe(unit: unit)))" } ?? "fallback band"
                    r.evidence = "\(shown): \(cond) → \(FactValue.format(band.credit * 100)) % credit"
                } else {
                    count(0)
                    r.evidence = "\(shown): no band matches → no credit"
                }
            }
        case let .phrase(rule):
            // What the transcript says, overridden by an evaluator's answer when there is one.
            var heard: String
            var credit: Double?
            var span: EvidenceSpan?
            if let t = facts.transcript {
                let duration: Double? = { if case let .number(v)? = facts.values["audio.duration_s"] { return v }; return nil }()
                switch PhraseMatcher.judge(rule, transcript: t, durationS: duration) {
                case let .met(evidence, s): (heard, credit, span) = (evidence, 1, s)
                case let .notMet(evidence, s): (heard, credit, span) = (evidence, 0, s)
                case let .cannotTell(why): (heard, credit) = ("transcript cannot tell: \(why)", nil)
                }
            } else {
                heard = "no transcript (\(facts.transcriptAbsentReason ?? "not transcribed"))"
            }
            if let a = answer {
                r.provenance = "evaluator: \(a.evaluator) (overrides transcript)"
                var said = "answered \(a.answer) by \(a.evaluator)"
                if let at = a.evaluatedAt { said += " on \(at)" }
                if let comment = a.comment, !comment.isEmpty { said += ": \(comment)" }
                r.evidence = said + "; transcript: " + heard
                r.evidenceSpan = span
                switch a.answer {
                case .notApplicable: return r
                case .yes: count(1)
                case .no: count(0)
                case .partial: count(c.partialCredit)
                case .points:
                    r.outcome = .unanswered
                    r.provenance = "awaiting evaluator"
                    r.evidence = "answer '\(a.answer)' does not fit this criterion; transcript: " + heard
                }
                return r
            }
            guard let credit else {
                r.outcome = .unanswered
                r.provenance = "awaiting transcript or evaluator"
                r.evidence = heard
                return r
            }
            count(credit)
            r.provenance = "transcript"
            r.evidence = heard
            r.evidenceSpan = span
        case .yesNo, .scale:
            guard let a = answer else {
                r.outcome = .unanswered
                r.provenance = "awaiting evaluator"
                r.evidence = "not answered yet"
                return r
            }
            r.provenance = "evaluator: \(a.evaluator)"
            var said = "answered \(a.answer) by \(a.evaluator)"
            if let at = a.evaluatedAt { said += " on \(at)" }
            if let comment = a.comment, !comment.isEmpty { said += ": \(comment)" }
            r.evidence = said
            switch (c.answering, a.answer) {
            case (_, .notApplicable): return r
            case (.yesNo, .yes): count(1)
            case (.yesNo, .no): count(0)
            case (.yesNo, .partial): count(c.partialCredit)
            case let (.scale(lo, hi), .points(p)): count(Double(min(max(p, lo), hi) - lo) / Double(hi - lo))
            default:
                r.outcome = .unanswered
                r.provenance = "awaiting evaluator"
                r.evidence = "answer '\(a.answer)' does not fit this criterion"
            }
        }
        return r
    }

    enum Lookup {
        case value(FactValue, [EvidenceSpan])
        case absent(String)
    }

    static func lookup(_ metric: String, _ facts: CallFacts) -> Lookup {
        if let v = facts.values[metric] { return .value(v, facts.spans[metric] ?? []) }
        if metric.hasPrefix("audio.") {
            if !facts.hasAudio { return .absent(facts.audioAbsentReason ?? "no analysed recording") }
            if FactSchema.entry(metric)?.stereoOnly == true { return .absent("mono recording: no per-party figures") }
            if metric.hasPrefix("audio.mixed.") { return .absent("stereo recording: per-party figures instead of mixed") }
            return .absent("not measured for this recording")
        }
        return .absent("not in the call record")
    }

    static func display(_ v: FactValue, unit: String) -> String {
        switch (v, unit) {
        case let (.number(x), "s"): return FactValue.format((x * 10).rounded() / 10) + " s"
        case let (.number(x), "ratio"): return FactValue.format((x * 1000).rounded() / 1000)
        case let (.number(x), u) where !u.isEmpty: return FactValue.format((x * 10).rounded() / 10) + " \(u)"
        default: return v.description
        }
    }

    /// "exceeds 10 s" / "within 10 s" / "meets = 'inbound'" …
    static func verdict(_ cmp: Comparison, ok: Bool, unit: String) -> String {
        let u = unit.isEmpty || unit == "ratio" ? "" : " \(unit)"
        switch cmp {
        case let .atMost(l): return ok ? "within \(FactValue.format(l))\(u)" : "exceeds \(FactValue.format(l))\(u)"
        case let .below(l): return ok ? "below \(FactValue.format(l))\(u)" : "not below \(FactValue.format(l))\(u)"
        case let .atLeast(l): return ok ? "reaches \(FactValue.format(l))\(u)" : "falls short of \(FactValue.format(l))\(u)"
        case let .above(l): return ok ? "above \(FactValue.format(l))\(u)" : "not above \(FactValue.format(l))\(u)"
        case let .between(a, b): return ok ? "within \(FactValue.format(a))–\(FactValue.format(b))\(u)" : "outside \(FactValue.format(a))–\(FactValue.format(b))\(u)"
        default: return ok ? "meets \(cmp.describe(unit: unit))" : "fails \(cmp.describe(unit: unit))"
        }
    }
}

extension ManualAnswer {
    /// Whether this answer fits the criterion; nil when it does, else what is expected.
    public func mismatch(for answering: Answering) -> String? {
        switch (answering, self) {
        case (.auto, _): return "criterion is answered automatically, not by evaluators"
        case (.phrase, .points): return "expected yes, no, partial or n/a (overriding the transcript)"
        case (.phrase, _): return nil
        case (.yesNo, .points): return "expected yes, no, partial or n/a"
        case (.yesNo, _): return nil
        case let (.scale(lo, hi), .points(p)): return (lo...hi).contains(p) ? nil : "expected a whole number from \(lo) to \(hi) or n/a"
        case (.scale, .notApplicable): return nil
        case let (.scale(lo, hi), _): return "expected a whole number from \(lo) to \(hi) or n/a"
        }
    }
}

import CallQAModel
import CallRecords
import Foundation
import Reports
import Scorecard
import Store

/// What a `score` run did, per card.
public struct CardScoreSummary: Sendable {
    public var cardID: String
    public var cardName: String
    public var target: Double
    /// Calls the card applies to.
    public var applicable = 0
    /// Newly (re)scored in this run; the rest were unchanged.
    public var rescored = 0
    public var complete = 0
    public var provisional = 0
    public var notScorable = 0
    public var criticalFails = 0
    /// Mean of complete scores (percent) and the share of them at or above target.
    public var meanScore: Double?
    public var shareAtTarget: Double?
    /// Calls the card does not apply to, by the filter that excluded them, with the values
    /// those calls have instead (`applies_to.queue: support` → 9 calls, queues support_de, support_pl).
    public var excluded: [(filter: String, field: String?, calls: Int, seen: [String])] = []

    /// `applies to no call: applies_to.queue: support excluded 9 calls (queues seen: support_de, support_pl); abandoned (no conversation): 2 calls`.
    public var exclusionSummary: String {
        excluded.map { e in
            let seen = e.seen.isEmpty ? "" : " (\(e.field.map { $0 == "queue" ? "queues" : $0 + "s" } ?? "values") seen: "
                + e.seen.prefix(8).joined(separator: ", ") + (e.seen.count > 8 ? ", …" : "") + ")"
            return "\(e.filter): \(e.calls) call\(e.calls == 1 ? "" : "s")\(seen)"
        }.joined(separator: "; ")
    }
}

/// Per-agent change a new card version would cause.
public struct WhatIfRow: Sendable {
    public var agentID: String
    public var calls: Int
    public var currentMean: Double?
    public var newMean: Double?
}

/// Scores calls with cards and stores the results.
public enum Scoring {
    /// Scores every call started in the period with every card that applies. Only the calls
    /// whose inputs changed since their current score on a card (new or changed call record,
    /// analysis or evaluator answers, or another version of the card) are read in full and
    /// scored again; the others are counted from their stored scores.
    ///
    /// - Parameters:
    ///   - callIDs: only these calls (`callqa watch` scores the calls it just stored); the
    ///     summaries then count only them. Nil: every call of the period.
    ///   - refreshAggregates: rebuild the report aggregates of the days changed (a service
    ///     that scores call by call does it at its own pace instead).
    public static func run(cards: [Scorecard], store: CallStore, period: Period = .all, callIDs: [String]? = nil,
                           refreshAggregates: Bool = true) throws(StoreError) -> [CardScoreSummary] {
        // What decides freshness, and the facts card filters read, for every call: light.
        let partyFacts = cards.contains { $0.appliesTo.conditions.contains { isPartyMetric($0.metric) } }
        let keys = try store.scoringKeys(period: period, callIDs: callIDs, partyFacts: partyFacts, scope: .everything)
        var plans: [CardPlan] = []
        var stale = Set<String>()
        for card in cards {
            let plan = CardPlan(card: card, keys: keys, current: try store.currentScoreStates(cardID: card.id, callIDs: callIDs, scope: .everything))
            for i in plan.stale { stale.insert(keys[i].callID) }
            plans.append(plan)
        }
        // Evidence spans and answers only for the calls to score again.
        var inputs: [String: ScoringInput] = [:]
        let staleIDs = keys.map(\.callID).filter { stale.contains($0) }
        for start in stride(from: 0, to: staleIDs.count, by: 500) {
            for input in try store.scoringInputs(period: .all, callIDs: Array(staleIDs[start..<min(staleIDs.count, start + 500)]), scope: .everything) {
                inputs[input.facts.callID] = input
            }
        }
        var summaries: [CardScoreSummary] = []
        for plan in plans {
            let card = plan.card
            try store.registerCard(card.version)
            var summary = CardScoreSummary(cardID: card.id, cardName: card.name, target: card.target)
            var writes: [(callID: String, score: CallScore?, inputsHash: String)] = []
            var scores: [Double] = []
            for (i, key) in keys.enumerated() {
                let id = key.callID
                let inputsHash = card.contentHash + ":" + key.dataFingerprint
                let status: ScoreStatus, value: Double?, criticalFailed: Bool
                switch plan.decisions[i] {
                case .excluded(retire: let retire):
                    if retire { writes.append((id, nil, inputsHash)) }
                    continue
                case let .unchanged(stored):
                    (status, value, criticalFailed) = (stored.status, stored.score, stored.criticalFailed)
                case .stale:
                    // Gone since the keys were read (purged meanwhile): nothing to score.
                    guard let input = inputs[id] else { continue }
                    let s = ScoringEngine.score(card, facts: input.facts, answers: input.answers[card.id] ?? [:])
                    (status, value, criticalFailed) = (s.status, s.score, s.criticalFailed)
                    summary.rescored += 1
                    writes.append((id, s, inputsHash))
                    if writes.count >= 2000 {
                        try store.saveScores(card: card.version, writes)
                        writes.removeAll(keepingCapacity: true)
                    }
                }
                summary.applicable += 1
                switch status {
                case .complete:
                    summary.complete += 1
                    if let value { scores.append(value) }
                case .provisional: summary.provisional += 1
                case .notScorable: summary.notScorable += 1
                }
                if criticalFailed { summary.criticalFails += 1 }
            }
            try store.saveScores(card: card.version, writes)
            summary.excluded = plan.excluded.sorted { ($1.value.calls, $0.key) < ($0.value.calls, $1.key) }
                .map { (filter: $0.key, field: $0.value.field, calls: $0.value.calls, seen: $0.value.seen.sorted()) }
            if !scores.isEmpty {
                summary.meanScore = scores.reduce(0, +) / Double(scores.count)
                summary.shareAtTarget = Double(scores.filter { $0 >= card.target }.count) / Double(scores.count)
            }
            summaries.append(summary)
        }
        if refreshAggregates { try store.refreshAggregates() }
        return summaries
    }

    /// Whether a metric is a per-party value (`audio.agent.talk_s`), read only when a card's
    /// filter names one.
    static func isPartyMetric(_ name: String) -> Bool {
        ["audio.agent.", "audio.customer.", "audio.mixed."].contains { name.hasPrefix($0) }
    }

    /// What one card does with each call of a `score` run, decided from the light keys and
    /// the card's current scores.
    struct CardPlan {
        enum Decision {
            /// The card does not apply; `retire`: its current score stops being current.
            case excluded(retire: Bool)
            /// Scored from the same inputs and card version: counted as stored.
            case unchanged(CurrentScoreState)
            /// To score again.
            case stale
        }

        let card: Scorecard
        /// One per key, in key order.
        var decisions: [Decision] = []
        /// Indices of the stale keys.
        var stale: [Int] = []
        /// Calls the card does not apply to, by filter, with the values they have instead.
        var excluded: [String: (field: String?, calls: Int, seen: Set<String>)] = [:]

        init(card: Scorecard, keys: [ScoringKey], current: [String: CurrentScoreState]) {
            self.card = card
            decisions.reserveCapacity(keys.count)
            for (i, key) in keys.enumerated() {
                let stored = current[key.callID]
                if let why = ScoringEngine.exclusion(card, facts: key.facts) {
                    var e = excluded[why.filter] ?? (why.field, 0, [])
                    e.calls += 1
                    if why.field != nil, let v = why.callValue { e.seen.insert(v) }
                    excluded[why.filter] = e
                    decisions.append(.excluded(retire: stored != nil))
                } else if let stored, stored.cardHash == card.contentHash, stored.inputsHash == card.contentHash + ":" + key.dataFingerprint {
                    decisions.append(.unchanged(stored))
                } else {
                    decisions.append(.stale)
                    stale.append(i)
                }
            }
        }
    }

    /// Why a call has no score on each stored card: the card's filter that excludes it
    /// (`applies_to.queue: support (this call: support_de)`, `abandoned (no conversation)`),
    /// or that it was not scored yet. Cards are the latest stored versions.
    public static func whyNotScored(callID: String, store: CallStore, scope: Scope, cards: CardCache? = nil) throws(StoreError) -> [(cardID: String, reason: String)] {
        guard let input = try store.scoringInputs(period: .all, callIDs: [callID], scope: scope).first else { return [] }
        var out: [(cardID: String, reason: String)] = []
        for stored in try store.latestCardTexts() {
            let parse = { try? CardLoader.parse(text: stored.yaml, file: stored.file, contentHash: stored.hash) }
            guard let card = cards.map({ $0.card(hash: stored.hash, parse) }) ?? parse() else { continue }
            let reason = ScoringEngine.exclusion(card, facts: input.facts)?.description ?? "applies, not scored yet (run callqa score)"
            out.append((card.id, reason))
        }
        return out
    }

    /// The per-agent change scoring with `card` would cause against the current scores of
    /// the card with the same id. Nothing is stored.
    public static func whatIf(card: Scorecard, store: CallStore, period: Period = .all) throws(StoreError) -> [WhatIfRow] {
        let inputs = try store.scoringInputs(period: period, scope: .everything)
        let current = try store.currentScores(cardID: card.id, scope: .everything)
        var byAgent: [String: (n: Int, old: [Double], new: [Double])] = [:]
        for input in inputs where ScoringEngine.notApplicableReason(card, facts: input.facts) == nil {
            let agent = input.facts.agentID ?? "(no agent)"
            let s = ScoringEngine.score(card, facts: input.facts, answers: input.answers[card.id] ?? [:])
            var entry = byAgent[agent] ?? (0, [], [])
            entry.n += 1
            if s.status == .complete, let v = s.score { entry.new.append(v) }
            if let old = current[input.facts.callID], let v = old { entry.old.append(v) }
            byAgent[agent] = entry
        }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        return byAgent.sorted { $0.key < $1.key }.map {
            WhatIfRow(agentID: $0.key, calls: $0.value.n, currentMean: mean($0.value.old), newMean: mean($0.value.new))
        }
    }
}

/// What an evaluations import did.
public struct ImportSummary: Sendable {
    public var rows = 0
    public var stored = 0
    public var alreadyImported = 0
    /// The first `ImportSession.keptMessages` rejected rows (all are in `import_errors`).
    public var rejected: [ImportErrorRow] = []
    public var rejectedCount = 0
    public var fileError: String?
}

/// `callqa evaluations import`: evaluator answers for manual criteria.
public enum EvaluationsImport {
    public static let columns = ["call_id", "scorecard", "criterion", "answer", "evaluator", "evaluated_at", "comment"]
    /// How far an `evaluated_at` may be ahead of this computer's clock (s): clock skew
    /// between machines, not answers dated years ahead.
    public static let clockSkewS: Double = 600

    /// Streams the file in one transaction, checking every row against the stored calls, the
    /// cards and the stored answers (earlier rows of this file included). Same row again →
    /// already imported. A different answer to the same criterion of the same call replaces
    /// the stored one when its `evaluated_at` is not older.
    public static func run(path: String, cards: [Scorecard], store: CallStore) throws -> ImportSummary {
        var summary = ImportSummary()
        let reader: CSVReader
        do { reader = try CSVReader(path: path) } catch {
            summary.fileError = error.description
            return summary
        }
        var header: [String] = []
        switch CSVReader.result(reader) {
        case .success(nil):
            summary.fileError = "\(path): empty file: expected a header with \(columns.joined(separator: ", "))"
            return summary
        case let .success(h?):
            header = h.fields.map { $0.trimmedSpaces.lowercased() }
        case let .failure(e):
            summary.fileError = e.description
            return summary
        }
        let missing = columns.filter { $0 != "comment" && !header.contains($0) }
        if !missing.isEmpty {
            summary.fileError = "\(path):1: header lacks \(missing.joined(separator: ", ")); expected \(columns.joined(separator: ", "))"
            return summary
        }
        if Set(header).count != header.count {
            summary.fileError = "\(path):1: a column appears twice in the header"
            return summary
        }
        let cardsByID = Dictionary(cards.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var result = summary
        do {
            _ = try store.importSession(kind: "evaluations", file: path) { session -> (Void, rows: Int, stored: Int) in
                var s = result
                defer { result = s }
                defer {
                    s.rejected = session.rejected
                    s.rejectedCount = session.rejectedCount
                }
                func reject(_ ref: SourceRef, _ field: String?, _ message: String) throws {
                    try session.reject(ref, field: field, message)
                }
                let rows = try session.eachRow(of: reader, path: path, columns: header.count) { ref, fields in
                    let v = Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a })
                    let t = { (k: String) in v[k, default: ""].trimmedSpaces }
                    let callID = t("call_id"), cardID = t("scorecard"), criterionID = t("criterion")
                    guard !callID.isEmpty else { try reject(ref, "call_id", "missing call_id"); return }
                    guard let card = cardsByID[cardID] else {
                        try reject(ref, "scorecard", "unknown scorecard '\(cardID)'; known: \(cardsByID.keys.sorted().joined(separator: ", "))")
                        return
                    }
                    guard let criterion = card.criteria.first(where: { $0.id == criterionID }) else {
                        try reject(ref, "criterion", "card '\(cardID)' has no criterion '\(criterionID)'")
                        return
                    }
                    guard try session.callExists(callID) else { try reject(ref, "call_id", "unknown call '\(callID)' (ingest it first)"); return }
                    guard criterion.takesEvaluatorAnswers else { try reject(ref, "criterion", "'\(criterionID)' is answered automatically, not by evaluators"); return }
                    guard let answer = ManualAnswer(t("answer")) else {
                        try reject(ref, "answer", "expected yes, no, partial, n/a or a number, got \"\(t("answer"))\"")
                        return
                    }
                    if let why = answer.mismatch(for: criterion.answering) { try reject(ref, "answer", "\(why), got \"\(t("answer"))\""); return }
                    let evaluator = t("evaluator")
                    guard !evaluator.isEmpty, evaluator.count <= 200 else { try reject(ref, "evaluator", "missing evaluator name"); return }
                    guard let when = Timestamp.parse(t("evaluated_at"), zone: nil) else {
                        try reject(ref, "evaluated_at", "expected ISO 8601 with offset (or a date), got \"\(t("evaluated_at"))\"")
                        return
                    }
                    // An answer from the future would block every later correction as "older".
                    guard when.epochS <= Date().timeIntervalSince1970 + EvaluationsImport.clockSkewS else {
                        try reject(ref, "evaluated_at", "\(t("evaluated_at")) is in the future (more than \(Int(EvaluationsImport.clockSkewS / 60)) minutes ahead of this computer's clock)")
                        return
                    }
                    let comment = v["comment"].flatMap { $0.isEmpty ? nil : $0 }
                    let row = EvaluationRow(callID: callID, cardID: cardID, criterionID: criterionID, answer: answer,
                                            evaluator: evaluator, evaluatedAt: when.iso8601, comment: comment, source: ref)
                    let key = "\(callID)/\(cardID)/\(criterionID)"
                    switch try session.evaluation(row, evaluatedEpoch: when.epochS) {
                    case .stored: s.stored += 1
                    case .alreadyImported: s.alreadyImported += 1
                    case let .duplicateInFile(first, _):
                        try reject(ref, "criterion", "second answer to \(key) in this file (first at line \(first))")
                    case let .olderThanStored(at, by):
                        try reject(ref, "evaluated_at", "older than the stored answer to \(key) (\(at) by \(by))")
                    case .conflict:
                        break
                    }
                }
                s.rows = rows
                return ((), s.rows, s.stored)
            }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.database(path: store.path, reason: "\(error)")
        }
        return result
    }

    /// The CSV an evaluator fills in: one row per call and manual criterion of the card
    /// (only calls the card applies to), answers left empty.
    public static func template(card: Scorecard, store: CallStore, callIDs: [String]?, period: Period) throws(StoreError) -> String {
        var out = CSVWriter.line(columns + ["criterion_text", "agent_id"])
        for input in try store.scoringInputs(period: period, callIDs: callIDs, scope: .everything)
        where ScoringEngine.notApplicableReason(card, facts: input.facts) == nil {
            for c in card.manualCriteria {
                let answered = input.answers[card.id]?[c.id]
                out += CSVWriter.line([input.facts.callID, card.id, c.id, answered?.answer.description ?? "", answered?.evaluator ?? "",
                                       answered?.evaluatedAt ?? "", answered?.comment ?? "", c.text, input.facts.agentID ?? ""])
            }
        }
        return out
    }
}

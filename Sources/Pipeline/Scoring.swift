import CallRecords
import Foundation
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
    /// Scores every call started in the period with every card that applies. Calls whose
    /// inputs and card are unchanged since their current score are skipped.
    public static func run(cards: [Scorecard], store: CallStore, period: Period = .all) throws(StoreError) -> [CardScoreSummary] {
        let inputs = try store.scoringInputs(period: period)
        var summaries: [CardScoreSummary] = []
        for card in cards {
            try store.registerCard(card)
            let current = try store.currentScoreKeys(cardID: card.id)
            var summary = CardScoreSummary(cardID: card.id, cardName: card.name, target: card.target)
            var writes: [(callID: String, score: CallScore?, inputsHash: String)] = []
            var scores: [Double] = []
            for input in inputs {
                let id = input.facts.callID
                let inputsHash = card.contentHash + ":" + input.dataFingerprint
                guard ScoringEngine.notApplicableReason(card, facts: input.facts) == nil else {
                    if current[id] != nil { writes.append((id, nil, inputsHash)) }
                    continue
                }
                summary.applicable += 1
                let s = ScoringEngine.score(card, facts: input.facts, answers: input.answers[card.id] ?? [:])
                switch s.status {
                case .complete:
                    summary.complete += 1
                    if let v = s.score { scores.append(v) }
                case .provisional: summary.provisional += 1
                case .notScorable: summary.notScorable += 1
                }
                if s.criticalFailed { summary.criticalFails += 1 }
                if let c = current[id], c.cardHash == card.contentHash, c.inputsHash == inputsHash { continue }
                summary.rescored += 1
                writes.append((id, s, inputsHash))
                if writes.count >= 2000 {
                    try store.saveScores(card: card, writes)
                    writes.removeAll(keepingCapacity: true)
                }
            }
            try store.saveScores(card: card, writes)
            if !scores.isEmpty {
                summary.meanScore = scores.reduce(0, +) / Double(scores.count)
                summary.shareAtTarget = Double(scores.filter { $0 >= card.target }.count) / Double(scores.count)
            }
            summaries.append(summary)
        }
        return summaries
    }

    /// The per-agent change scoring with `card` would cause against the current scores of
    /// the card with the same id. Nothing is stored.
    public static func whatIf(card: Scorecard, store: CallStore, period: Period = .all) throws(StoreError) -> [WhatIfRow] {
        let inputs = try store.scoringInputs(period: period)
        let current = try store.currentScores(cardID: card.id)
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
    public var rejected: [ImportErrorRow] = []
    public var fileError: String?
}

/// `callqa evaluations import`: evaluator answers for manual criteria.
public enum EvaluationsImport {
    public static let columns = ["call_id", "scorecard", "criterion", "answer", "evaluator", "evaluated_at", "comment"]

    /// Reads the file, checks every row against the stored calls and the cards, stores the
    /// valid rows and the rejected ones in one transaction. Same row again → already imported.
    /// A different answer to the same criterion of the same call replaces the stored one when
    /// its `evaluated_at` is not older.
    public static func run(path: String, cards: [Scorecard], store: CallStore) throws(StoreError) -> ImportSummary {
        var summary = ImportSummary()
        let reader: CSVReader
        do { reader = try CSVReader(path: path) } catch {
            summary.fileError = error.description
            return summary
        }
        var header: [String] = []
        var rows: [(CSVRecord, [String: String])] = []
        do {
            guard let h = try reader.next() else {
                summary.fileError = "\(path): empty file: expected a header with \(columns.joined(separator: ", "))"
                return summary
            }
            header = h.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let missing = columns.filter { $0 != "comment" && !header.contains($0) }
            if !missing.isEmpty {
                summary.fileError = "\(path):1: header lacks \(missing.joined(separator: ", ")); expected \(columns.joined(separator: ", "))"
                return summary
            }
            if Set(header).count != header.count {
                summary.fileError = "\(path):1: a column appears twice in the header"
                return summary
            }
        } catch {
            summary.fileError = error.description
            return summary
        }
        while true {
            do {
                guard let r = try reader.next() else { break }
                summary.rows += 1
                guard r.fields.count == header.count else {
                    summary.rejected.append(ImportErrorRow(source: SourceRef(file: path, line: r.line), field: nil,
                                                           message: "\(path):\(r.line): expected \(header.count) fields as in the header, got \(r.fields.count)"))
                    continue
                }
                rows.append((r, Dictionary(zip(header, r.fields), uniquingKeysWith: { a, _ in a })))
            } catch {
                summary.rows += 1
                summary.rejected.append(ImportErrorRow(source: SourceRef(file: path, line: error.line), field: nil, message: error.description))
                if case .unterminatedQuote = error { break }
            }
        }
        let known = try store.existingCalls(Array(Set(rows.map { $0.1["call_id", default: ""].trimmingCharacters(in: .whitespaces) })))
        let stored = try store.storedEvaluations(callIDs: Array(known))
        let cardsByID = Dictionary(cards.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var accepted: [String: EvaluationRow] = [:]
        var toStore: [EvaluationRow] = []
        for (rec, v) in rows {
            let ref = SourceRef(file: path, line: rec.line)
            func reject(_ field: String?, _ message: String) {
                summary.rejected.append(ImportErrorRow(source: ref, field: field, message: "\(ref): \(field.map { "column '\($0)': " } ?? "")\(message)"))
            }
            let t = { (k: String) in v[k, default: ""].trimmingCharacters(in: .whitespaces) }
            let callID = t("call_id"), cardID = t("scorecard"), criterionID = t("criterion")
            guard !callID.isEmpty else { reject("call_id", "missing call_id"); continue }
            guard known.contains(callID) else { reject("call_id", "unknown call '\(callID)' (ingest it first)"); continue }
            guard let card = cardsByID[cardID] else {
                reject("scorecard", "unknown scorecard '\(cardID)'; known: \(cardsByID.keys.sorted().joined(separator: ", "))")
                continue
            }
            guard let criterion = card.criteria.first(where: { $0.id == criterionID }) else {
                reject("criterion", "card '\(cardID)' has no criterion '\(criterionID)'")
                continue
            }
            guard criterion.isManual else { reject("criterion", "'\(criterionID)' is answered automatically, not by evaluators"); continue }
            guard let answer = ManualAnswer(t("answer")) else {
                reject("answer", "expected yes, no, partial, n/a or a number, got \"\(t("answer"))\"")
                continue
            }
            if let why = answer.mismatch(for: criterion.answering) { reject("answer", "\(why), got \"\(t("answer"))\""); continue }
            let evaluator = t("evaluator")
            guard !evaluator.isEmpty, evaluator.count <= 200 else { reject("evaluator", "missing evaluator name"); continue }
            guard let when = Timestamp.parse(t("evaluated_at"), zone: nil) else {
                reject("evaluated_at", "expected ISO 8601 with offset (or a date), got \"\(t("evaluated_at"))\"")
                continue
            }
            let comment = v["comment"].flatMap { $0.isEmpty ? nil : $0 }
            let row = EvaluationRow(callID: callID, cardID: cardID, criterionID: criterionID, answer: answer.description,
                                    evaluator: evaluator, evaluatedAt: when.iso8601, comment: comment, source: ref)
            let key = "\(callID)/\(cardID)/\(criterionID)"
            func same(_ a: EvaluationRow, _ b: EvaluationRow) -> Bool {
                a.answer == b.answer && a.evaluator == b.evaluator && a.evaluatedAt == b.evaluatedAt && a.comment == b.comment
            }
            if let earlier = accepted[key] {
                if !same(earlier, row) { reject("criterion", "second answer to \(key) in this file (first at line \(earlier.source.line))") }
                continue
            }
            accepted[key] = row
            if let old = stored[key] {
                if same(old, row) { summary.alreadyImported += 1; continue }
                let oldTime = Timestamp.parse(old.evaluatedAt, zone: nil)?.epochS ?? 0
                if when.epochS < oldTime {
                    reject("evaluated_at", "older than the stored answer to \(key) (\(old.evaluatedAt) by \(old.evaluator))")
                    continue
                }
            }
            toStore.append(row)
        }
        try store.saveEvaluations(toStore, errors: summary.rejected)
        summary.stored = toStore.count
        return summary
    }

    /// The CSV an evaluator fills in: one row per call and manual criterion of the card
    /// (only calls the card applies to), answers left empty.
    public static func template(card: Scorecard, store: CallStore, callIDs: [String]?, period: Period) throws(StoreError) -> String {
        var out = CSVWriter.line(columns + ["criterion_text", "agent_id"])
        for input in try store.scoringInputs(period: period, callIDs: callIDs)
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

import ArgumentParser
import CallQAModel
import Foundation
import Pipeline
import Reports
import Scorecard
import Store

struct ScorecardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "Check coaching cards and list what rules can use.",
        subcommands: [Lint.self, Metrics.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check card files: every problem as file:line:column. Exit status 1 on findings.")

        @Argument(help: "Card files or folders.")
        var files: [String]

        func run() throws {
            var findings = 0, cards = 0
            for f in files {
                let (ok, issues) = CardLoader.loadAll(f)
                cards += ok.count
                findings += issues.count
                for i in issues { print(TerminalText.clean(i.description)) }
            }
            print("\(cards) card(s) clean, \(findings) finding(s)")
            if findings > 0 { throw ExitCode(1) }
        }
    }

    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "metrics", abstract: "List the metrics rules may name.")

        func run() {
            var rows = [["metric", "kind", "unit", "stereo only", "meaning"]]
            for e in FactSchema.entries {
                rows.append([e.name, e.kind.rawValue, e.unit, e.stereoOnly ? "yes" : "", e.label])
            }
            rows.append(["call.attr.NAME", "text", "", "", "a manifest's extra column NAME"])
            print(TextTable.render(rows), terminator: "")
        }
    }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score every call with every card that applies; store per-criterion results with evidence.",
        discussion: """
        Unchanged calls (same card version, call record, analysis and evaluations) are skipped. \
        --what-if CARD shows per agent how a new version of a card would change the scores, storing nothing.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var cardsOption: ScorecardsOption
    @OptionGroup var periodOptions: PeriodOptions

    @Option(help: "A card file: print the per-agent change it would cause against the current scores; store nothing.")
    var whatIf: String?

    @Option(help: "Output format.")
    var format: SummaryFormat = .table

    func run() throws {
        let period = try periodOptions.period()
        let store = try database.open()
        if let whatIf {
            let card: Scorecard
            do { card = try CardLoader.load(path: whatIf) } catch {
                for i in error.issues { Terminal.error(i.description) }
                throw ExitCode(2)
            }
            let rows = try storeCall { try Scoring.whatIf(card: card, store: store, period: period) }
            switch format {
            case .json:
                print(JSONValue.array(rows.map { r in
                    .object([("agent_id", .string(r.agentID)), ("calls", .int(r.calls)),
                             ("current_quality", .optional(r.currentMean) { .number($0, decimals: 2) }),
                             ("new_quality", .optional(r.newMean) { .number($0, decimals: 2) }),
                             ("change", .optional(r.newMean.flatMap { n in r.currentMean.map { n - $0 } }) { .number($0, decimals: 2) })])
                }).rendered())
            case .table:
                print("what if '\(card.id)' were scored with \(whatIf) (nothing stored)")
                var table = [["agent", "calls", "current", "new", "change"]]
                for r in rows {
                    let change = r.newMean.flatMap { n in r.currentMean.map { n - $0 } }
                    table.append([r.agentID, "\(r.calls)", pct(r.currentMean), pct(r.newMean),
                                  change.map { String(format: "%+.1f pp", $0) } ?? "—"])
                }
                print(TextTable.render(table), terminator: "")
            }
            return
        }
        let cards = try cardsOption.load(database: database)
        let summaries = try storeCall { try Scoring.run(cards: cards, store: store, period: period) }
        switch format {
        case .json:
            print(JSONValue.array(summaries.map { s in
                .object([("scorecard", .string(s.cardID)), ("name", .string(s.cardName)), ("target", .number(s.target, decimals: 2)),
                         ("calls", .int(s.applicable)), ("rescored", .int(s.rescored)), ("complete", .int(s.complete)),
                         ("provisional", .int(s.provisional)), ("not_scorable", .int(s.notScorable)),
                         ("critical_fails", .int(s.criticalFails)),
                         ("mean_quality", .optional(s.meanScore) { .number($0, decimals: 2) }),
                         ("share_at_target", .optional(s.shareAtTarget) { .ratio($0) }),
                         ("excluded", .array(s.excluded.map { e in
                             .object([("filter", .string(e.filter)), ("calls", .int(e.calls)), ("values_seen", .array(e.seen.map { .string($0) }))])
                         }))])
            }).rendered())
        case .table:
            let table = ReportTable(
                name: "score", title: "Scores stored (mean and ≥ target over complete scores)",
                columns: [Column("scorecard", "card", .text), Column("calls", .count), Column("rescored", .count), Column("complete", .count),
                          Column("provisional", "prov.", .count), Column("not_scorable", "unscorable", .count),
                          Column("critical_fails", "crit. fails", .count), Column("mean_quality", "mean %", .percent),
                          Column("share_at_target", "≥ target", .ratioWhole)],
                rows: summaries.map { s in
                    [.text(s.cardID), .int(s.applicable), .int(s.rescored), .int(s.complete), .int(s.provisional), .int(s.notScorable),
                     .int(s.criticalFails), .opt(s.meanScore), .opt(s.shareAtTarget)]
                })
            print(table.text(), terminator: "")
            for s in summaries where s.applicable == 0 {
                print(ReportTable.wrap("\(s.cardID) applies to no call" + (s.excluded.isEmpty ? " (no calls in the period)" : ": " + s.exclusionSummary), width: 100), terminator: "")
            }
        }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a call's scores: each criterion's answer, points, provenance and evidence.")

    @Argument(help: "The call id.")
    var callID: String

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Output format.")
    var format: SummaryFormat = .table

    func run() throws {
        let store = try database.open(forReading: true)
        // The call's scores, the cards that did not score it and why (their filter, an
        // abandoned call, not scored yet), and for a transferred call its legs.
        let report = try reportCall { try ReportBuilder.call(store, callID: callID, period: .all, scope: .everything) }
        let scores = report.scores, notScored = report.notScored
        let agentID = report.detail.call.agentID
        let legs = report.detail.legs
        let hasRecording = report.detail.recordingPath != nil
        switch format {
        case .json:
            print(ScoreRendering.json(callID: callID, scores, notScored: notScored, agentID: agentID, legs: legs, hasRecording: hasRecording).rendered())
        case .table:
            if let note = CallLayout.transferNote(legs, agentID: agentID, hasRecording: hasRecording) {
                print(ReportTable.wrap("\(callID) · " + note, width: 100), terminator: "")
            }
            if scores.isEmpty && notScored.isEmpty { print("call \(callID): no scores yet (no card stored: run callqa score)") }
            print(ScoreRendering.text(scores), terminator: "")
            for n in notScored { print(ReportTable.wrap("\(callID) · \(n.cardID): not scored: \(n.reason)", width: 100), terminator: "") }
        }
    }
}

/// Runs a store operation; a store failure exits with status 2.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as StoreError {
        Terminal.error(e.description)
        throw ExitCode(2)
    }
}

func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0) } ?? "—" }

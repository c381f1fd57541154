import ArgumentParser
import Foundation
import Pipeline
import Reports
import Scorecard
import Store

struct EvaluationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluations",
        abstract: "Evaluator answers to manual criteria: import them, or write the sheet to fill in.",
        subcommands: [Import.self, Template.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import answers (columns call_id, scorecard, criterion, answer, evaluator, evaluated_at, comment).",
            discussion: "Bad rows are rejected with file:line and reason (and stored in import_errors); the rest are stored. Re-importing changes nothing. Exit status 0 (1 with --strict when rows were rejected).")

        @Argument(help: "The CSV file.")
        var file: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var cardsOption: ScorecardsOption

        @Flag(help: "Exit with status 1 when any row is rejected.")
        var strict = false

        func run() throws {
            let cards = try cardsOption.load(database: database)
            let store = try database.open()
            let s = try storeCall { try EvaluationsImport.run(path: file, cards: cards, store: store) }
            if let e = s.fileError {
                Terminal.error(e)
                throw ExitCode(2)
            }
            for r in s.rejected { Terminal.warning(TerminalText.clean(r.message)) }
            if s.rejectedCount > s.rejected.count { Terminal.warning("… and \(s.rejectedCount - s.rejected.count) more rejected rows (table import_errors)") }
            print("evaluations: \(s.rows) row(s): \(s.stored) stored, \(s.alreadyImported) already imported, \(s.rejectedCount) rejected")
            if strict && s.rejectedCount > 0 { throw ExitCode(1) }
        }
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Write the CSV an evaluator fills in: one row per call and manual criterion of a card.")

        @Option(help: "The card id.")
        var scorecard: String

        @Option(help: "Comma-separated call ids (default: every call the card applies to in the period).")
        var calls: String?

        @Option(help: "Write to this file instead of standard output.")
        var out: String?

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var cardsOption: ScorecardsOption
        @OptionGroup var periodOptions: PeriodOptions

        func run() throws {
            let period = try periodOptions.period()
            let cards = try cardsOption.load(database: database)
            guard let card = cards.first(where: { $0.id == scorecard }) else {
                throw ValidationError("--scorecard: unknown card '\(scorecard)'; known: \(cards.map(\.id).joined(separator: ", "))")
            }
            let store = try database.open()
            let ids = calls?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let csv = try storeCall { try EvaluationsImport.template(card: card, store: store, callIDs: ids, period: period) }
            if let out {
                do { try csv.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    Terminal.error("cannot write '\(out)': \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            } else {
                print(csv, terminator: "")
            }
        }
    }
}

import ArgumentParser
import CallRecords
import Foundation

@main
struct CallQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callqa",
        abstract: "Offline call-quality analytics: measure recordings, score calls, report per agent.",
        version: "0.1.0",
        subcommands: [RunCommand.self, IngestCommand.self, Analyze.self, LearnHoldMusicCommand.self, TranscribeCommand.self, ScoreCommand.self, ExplainCommand.self, ScorecardCommand.self, EvaluationsCommand.self, NPSCommand.self, ReportCommand.self, CheckCommand.self, ServeCommand.self, UsersCommand.self, AuditCommand.self, WatchCommand.self, DisputesCommand.self, CalibrationCommand.self, CoachingCommand.self, TokensCommand.self]
    )

    /// Parses and runs; an unknown option gets our own "did you mean" (a swap of two letters
    /// is one edit, so `--fromat` means `--format`, not `--from`).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            // `run` and `ingest` are asynchronous (a cancellable ingest); the others are not.
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            let message = fullMessage(for: error)
            if let better = betterSuggestion(message, arguments: arguments) {
                FileHandle.standardError.write(Data((better + "\n").utf8))
                Foundation.exit(exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }

    /// The parser's message with the suggestion replaced by the nearest option of the
    /// subcommand in Damerau–Levenshtein distance; nil when the parser's stands.
    static func betterSuggestion(_ message: String, arguments: [String]) -> String? {
        guard let r = message.range(of: #"Unknown option '(--[^']+)'\. Did you mean '(--[^']+)'\?"#, options: .regularExpression) else { return nil }
        let found = String(message[r])
        let parts = found.split(separator: "'")
        guard parts.count >= 4 else { return nil }
        let typo = String(parts[1]), theirs = String(parts[3])
        // The subcommand the arguments name, and its options (from its help text).
        var type: ParsableCommand.Type = CallQA.self
        for a in arguments where !a.hasPrefix("-") {
            guard let sub = type.configuration.subcommands.first(where: { $0._commandName == a }) else { break }
            type = sub
        }
        let help = helpMessage(for: type)
        var options = Set<String>()
        var i = help.startIndex
        while let m = help.range(of: #"--[a-z][a-z0-9-]*"#, options: .regularExpression, range: i..<help.endIndex) {
            options.insert(String(help[m]))
            i = m.upperBound
        }
        guard let ours = Suggest.nearest(typo, in: options.sorted()), ours != theirs,
              Suggest.distance(Array(typo), Array(ours)) < Suggest.distance(Array(typo), Array(theirs)) else { return nil }
        return message.replacingOccurrences(of: found, with: "Unknown option '\(typo)'. Did you mean '\(ours)'?")
    }
}

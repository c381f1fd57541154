import ArgumentParser

@main
struct CallQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callqa",
        abstract: "Offline call-quality analytics: measure recordings, score calls, report per agent.",
        version: "0.1.0",
        subcommands: [RunCommand.self, IngestCommand.self, Analyze.self, ScoreCommand.self, ExplainCommand.self, ScorecardCommand.self, EvaluationsCommand.self, NPSCommand.self, ReportCommand.self, CheckCommand.self]
    )
}

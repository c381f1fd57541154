import ArgumentParser

@main
struct CallQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callqa",
        abstract: "Offline call-quality analytics: measure recordings, score calls, report per agent.",
        version: "0.1.0",
        subcommands: [Analyze.self, IngestCommand.self, ScorecardCommand.self, EvaluationsCommand.self, ScoreCommand.self, ExplainCommand.self, NPSCommand.self, ReportCommand.self, RunCommand.self]
    )
}

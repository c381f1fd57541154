import CallRecords
import Foundation
import Store

/// `report agents --split-dir`: one HTML file per agent with only that agent's own data.
public enum SplitReports {
    /// Team aggregates appear only for teams of at least this many agents.
    public static let minimumTeamAgents = 5

    /// Writes the files; returns their paths.
    public static func write(dir: String, store: CallStore, period: Period, filter: ReportFilter, minScored: Int,
                             summaries: [(card: StoredCard, agents: [AgentSummary])]) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let agents = Set(summaries.flatMap { $0.agents.map(\.agentID) }).sorted()
        var files: [String] = []
        for agent in agents {
            var own = filter
            own.agent = agent
            let report = try ReportBuilder.agent(store, agentID: agent, period: period, filter: own, minScored: minScored,
                                                 teamSummaries: summaries, minimumTeamAgents: minimumTeamAgents)
            let safe = String(agent.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
            let file = (dir as NSString).appendingPathComponent("agent-\(safe)-\(SHA256.hex(Array(agent.utf8)).prefix(6)).html")
            try HTMLReport.page(title: "callqa — your calls (\(agent))", tables: report.tables)
                .write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        return files
    }
}

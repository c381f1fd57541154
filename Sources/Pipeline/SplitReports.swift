import CallQAModel
import CallRecords
import Reports
import Foundation
import Store

/// `report agents --split-dir`: one HTML file per agent with only that agent's own data.
public enum SplitReports {
    /// Team aggregates appear only for teams of at least this many agents.
    public static let minimumTeamAgents = 5

    /// Writes the files; returns their paths.
    public static func write(dir: String, store: CallStore, period: Period, scope: Scope, minScored: Int,
                             summaries: [(card: StoredCard, agents: [AgentSummary])]) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            // Foundation's error wraps the POSIX one; its text is what a user can act on.
            let ns = error as NSError
            let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
            throw SplitReportError(description: "cannot create the folder '\(dir)': "
                + (posix.map { String(cString: strerror($0)).lowercased() } ?? "it cannot be created here"))
        }
        let agents = Set(summaries.flatMap { $0.agents.map(\.agentID) }).sorted()
        var files: [String] = []
        for agent in agents {
            let report = try ReportBuilder.agent(store, agentID: agent, period: period, scope: scope.requiring(agent: agent), minScored: minScored,
                                                 teamSummaries: summaries, minimumTeamAgents: minimumTeamAgents)
            let file = (dir as NSString).appendingPathComponent(fileName(agentID: agent))
            let html = HTMLReport.page(title: "callqa — your calls (\(agent))", tables: report.tables)
            guard FileManager.default.createFile(atPath: file, contents: Data(html.utf8)) else {
                throw SplitReportError(description: "cannot write '\(file)': \(String(cString: strerror(errno)).lowercased())")
            }
            files.append(file)
        }
        return files
    }

    /// `agent-<id>-<hash>.html`: the id's letters, digits, `-` and `_` (others become `_`),
    /// cut to 40 characters, then 6 hex digits of its SHA-256, so long or odd ids (300
    /// characters, slashes, control characters) still give a short, distinct, safe name.
    public static func fileName(agentID agent: String) -> String {
        let safe = String(agent.prefix(40).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return "agent-\(safe)-\(SHA256.hex(Array(agent.utf8)).prefix(6)).html"
    }
}

/// A `--split-dir` file or folder that could not be written, in plain words.
public struct SplitReportError: Error, CustomStringConvertible {
    public var description: String
}

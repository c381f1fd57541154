import CallQAModel
import Reports
import Foundation
import Store

/// `report agents --split-dir`: one HTML file per agent with only that agent's own data, and
/// beside it a folder of that agent's call pages.
public enum SplitReports {
    /// Team aggregates appear only for teams of at least this many agents.
    public static let minimumTeamAgents = 5

    /// Writes the files; returns the agents' pages. Beside each agent's page
    /// `agent-<id>-<hash>.html`, a folder of the same name holds a page per call of that
    /// agent in the period (`call-<id>-<hash>.html`, with the recording's player) and the
    /// call pages' script: the page and its folder together are what to hand that agent.
    public static func write(dir: String, store: CallStore, period: Period, scope: Scope, minScored: Int,
                             summaries: [(card: StoredCard, agents: [AgentSummary])]) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw SplitReportError(description: "cannot create the folder '\(dir)': " + reason(error))
        }
        let agents = Set(summaries.flatMap { $0.agents.map(\.agentID) }).sorted()
        let root = StaticFolder.absolute(dir)
        var files: [String] = []
        let cards = CardCache()
        for agent in agents {
            let own = scope.requiring(agent: agent)
            // Call pages show that agent's access: a transferred call's other agents are not named.
            let callScope = scope.access == .everything ? Scope.agent(agent) : own
            let name = fileName(agentID: agent)
            let companion = String(name.dropLast(".html".count))
            var pages: [String: String] = [:]
            for c in try StaticFolder.calls(store, period: period, scope: own) where c.agentID == agent {
                pages[c.callID] = companion + "/" + ReportFolder.callFileName(c.callID)
            }
            let folder = ReportFolder(root: root, agentPages: [agent: name], callPages: pages)
            let links = folder.links(page: name)
            let report = try ReportBuilder.agent(store, agentID: agent, period: period, scope: own, minScored: minScored,
                                                 teamSummaries: summaries, minimumTeamAgents: minimumTeamAgents, links: links, callList: true,
                                                 cardCache: cards)
            let file = (dir as NSString).appendingPathComponent(name)
            let html = HTMLReport.page(title: "callqa — your calls (\(agent))", tables: report.tables, links: links, anchors: true,
                                       style: "td:first-child{white-space:nowrap}")
            try put(file, html)
            files.append(file)
            let companionDir = (dir as NSString).appendingPathComponent(companion)
            if !pages.isEmpty {
                do { try FileManager.default.createDirectory(atPath: companionDir, withIntermediateDirectories: true) } catch {
                    throw SplitReportError(description: "cannot create the folder '\(companionDir)': " + reason(error))
                }
            }
            try StaticFolder.writeCallPages(store, folder: folder, scope: callScope, cards: cards, navigation: { _, page in
                StaticFolder.nav([(folder.href(from: page, to: name), "your calls (\(agent))")])
            }, put: { relative, text in try put((dir as NSString).appendingPathComponent(relative), text) })
            StaticFolder.removeStale(in: companionDir, prefix: "call", keep: Set(pages.values.map { ($0 as NSString).lastPathComponent }))
        }
        return files
    }

    static func put(_ file: String, _ text: String) throws {
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw SplitReportError(description: "cannot write '\(file)': \(String(cString: strerror(errno)).lowercased())")
        }
    }

    /// Foundation's error wraps the POSIX one; its text is what a user can act on.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
        return posix.map { String(cString: strerror($0)).lowercased() } ?? "it cannot be created here"
    }

    /// `agent-<id>-<hash>.html` (`ReportFolder.agentFileName`): the id's letters, digits,
    /// `-` and `_` (others become `_`), cut to 40 characters, then 6 hex digits of its
    /// SHA-256, so long or odd ids (300 characters, slashes, control characters) still give a
    /// short, distinct, safe name.
    public static func fileName(agentID agent: String) -> String { ReportFolder.agentFileName(agent) }
}

/// A `--split-dir` file or folder that could not be written, in plain words.
public struct SplitReportError: Error, CustomStringConvertible {
    public var description: String
}

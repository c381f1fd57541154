import CallQAModel
import Foundation
import Reports
import Store

/// The linked pages of a static report folder (`ReportFolder`): a page per agent with the
/// list of that agent's calls, a page per call with a player for its recording, the calls of
/// the period by day, and the call pages' script beside them. `callqa run` writes a whole
/// folder; `report agents --split-dir` one agent page per agent with that agent's own call
/// pages in a folder of the same name beside it.
public enum StaticFolder {
    /// The calls of the period in scope, in start order.
    public static func calls(_ store: CallStore, period: Period, scope: Scope) throws -> [CallListRow] {
        var filter = CallListFilter()
        filter.period = period
        var out: [CallListRow] = []
        var after: CallListCursor?
        let pageSize = 5000
        while true {
            let page = try store.callList(filter, sort: .started, descending: false, after: after, limit: pageSize, scope: scope)
            out += page
            guard page.count == pageSize, let last = page.last else { return out }
            after = CallListCursor(value: String(last.startedEpoch), callID: last.callID)
        }
    }

    /// An absolute, standardised path for a folder given on the command line.
    public static func absolute(_ path: String) -> String {
        let base = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return URL(fileURLWithPath: base).standardizedFileURL.path
    }

    /// How the call page at `page` plays `d`'s recording; nil without one.
    static func player(_ d: CallDetail, folder: ReportFolder, page: String) -> RecordingPlayer? {
        guard let path = d.recordingPath else { return nil }
        let (href, relative) = folder.recording(path, from: page)
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
        let script = folder.href(from: page, to: ((page as NSString).deletingLastPathComponent as NSString).appendingPathComponent(ReportFolder.scriptName))
        return RecordingPlayer(href: href, path: path, relative: relative, holder: (folder.root as NSString).deletingLastPathComponent,
                               exists: exists, container: d.audio?.container, encoding: d.audio?.encoding, script: script)
    }

    /// Writes the page of each call of `folder.callPages` as `scope` sees it, and the script
    /// beside them. `navigation(detail, page)`: the links under each page's heading.
    /// `put(path relative to the folder, text)` writes a file.
    static func writeCallPages(_ store: CallStore, folder: ReportFolder, scope: Scope, cards: CardCache = CardCache(),
                               navigation: (CallDetail, String) -> String, put: (String, String) throws -> Void) throws {
        var scriptFolders = Set<String>()
        for (callID, page) in folder.callPages.sorted(by: { $0.key < $1.key }) {
            let report = try ReportBuilder.call(store, callID: callID, period: .all, scope: scope, cards: cards)
            let links = folder.links(page: page)
            let tables = report.tables(forPeople: true, evidence: true, links: links)
            try put(page, HTMLPages.call(report.detail, tables: tables, transcript: report.transcript, links: links,
                                         player: player(report.detail, folder: folder, page: page),
                                         navigation: navigation(report.detail, page)))
            scriptFolders.insert((page as NSString).deletingLastPathComponent)
        }
        for dir in scriptFolders.sorted() { try put((dir as NSString).appendingPathComponent(ReportFolder.scriptName), PlayerScript.source) }
    }

    /// Removes the pages of an earlier run in `dir` (`prefix-….html`) that are not in `keep`:
    /// a page left from another period would be found by nothing and mislead whoever opens it.
    static func removeStale(in dir: String, prefix: String, keep: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix + "-") && name.hasSuffix(".html") && !keep.contains(name) {
            try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
        }
    }

    /// `<p class="nav">` with the given links (href, text), escaped.
    static func nav(_ items: [(href: String, text: String)]) -> String {
        "<p class=\"nav\">" + items.map { "<a href=\"\(HTMLReport.escape($0.href))\">\(HTMLReport.escape($0.text))</a>" }.joined(separator: " · ") + "</p>\n"
    }

    /// The line under the heading of the folder's top pages (KPIs, NPS, calls).
    static let folderNavigation = nav([("index.html", "report"), ("agents.html", "agents"), ("calls.html", "all calls"), ("kpi.html", "KPIs"),
                                       ("nps.html", "NPS")])

    /// The line under the agents page's heading: the folder's other pages and each agent's
    /// page (the agents' tables come after the charts, far down the page).
    static func agentsNavigation(_ folder: ReportFolder, calls: [CallListRow]) -> String {
        var names: [String: String] = [:]
        for c in calls { if let a = c.agentID, let n = c.agentName { names[a] = n } }
        let agents = folder.agentPages.sorted { $0.key < $1.key }.map { (href: $0.value, text: $0.key + (names[$0.key].map { " (\($0))" } ?? "")) }
        return folderNavigation
            + (agents.isEmpty ? "" : "<p class=\"nav\">Each agent's page: " + agents.map { "<a href=\"\(HTMLReport.escape($0.href))\">\(HTMLReport.escape($0.text))</a>" }.joined(separator: " · ") + "</p>\n")
    }

    /// `html` with `insert` right under its heading.
    static func underHeading(_ html: String, _ insert: String) -> String {
        guard let at = html.range(of: "</h1>\n") else { return html }
        var out = html
        out.insert(contentsOf: insert, at: at.upperBound)
        return out
    }

    /// The pages `callqa run` adds to its report folder `root`: `calls.html` (the period's
    /// calls by day), `agents/agent-….html` (each agent of those calls: the agent's report
    /// and calls), `calls/call-….html` (each call, with its player) and `calls/callqa-report.js`.
    /// `folder` comes from `runFolder(root:calls:)`.
    static func writeRunPages(_ store: CallStore, folder: ReportFolder, calls: [CallListRow], period: Period, minScored: Int,
                              warnings: [String], put: (String, String) throws -> Void) throws {
        let banner = warnings.map { "<p class=\"bad\">Warning: \(HTMLReport.escape($0))</p>\n" }.joined()
        // The calls of the period.
        var list = ReportBuilder.stamp(CallsListReport.tables(calls), try ReportBuilder.reportPeriod(store, period: period, scope: .everything))
        for i in list.indices { list[i].warnings = warnings }
        let callsPage = HTMLReport.page(title: "callqa — calls", tables: list, links: folder.links(page: "calls.html"), anchors: true,
                                        style: "td{white-space:nowrap}")
        try put("calls.html", underHeading(callsPage, folderNavigation))
        // Each agent's page.
        let cards = CardCache()
        for (agentID, page) in folder.agentPages.sorted(by: { $0.key < $1.key }) {
            let links = folder.links(page: page)
            let report = try ReportBuilder.agent(store, agentID: agentID, period: period, scope: .everything, minScored: minScored,
                                                 links: links, callList: true, cardCache: cards)
            try put(page, underHeading(report.html, banner + nav([(folder.href(from: page, to: "index.html"), "report"),
                                                                  (folder.href(from: page, to: "agents.html"), "all agents"),
                                                                  (folder.href(from: page, to: "calls.html"), "all calls"),
                                                                  ("#" + ReportFolder.agentCallsAnchor, "this agent's calls")])))
        }
        // Each call's page.
        try writeCallPages(store, folder: folder, scope: .everything, cards: cards, navigation: { d, page in
            var items = [(href: folder.href(from: page, to: "index.html"), text: "report"), (folder.href(from: page, to: "agents.html"), "all agents")]
            if let a = d.call.agentID, let p = folder.agentPages[a] {
                items.append((folder.href(from: page, to: p), "agent \(a)" + (d.call.agentName.map { " (\($0))" } ?? "")))
            }
            let day = String(d.call.startedAt.prefix(10))
            items.append((folder.href(from: page, to: "calls.html") + (day.isEmpty ? "" : "#" + ReportFolder.dayTableName(day)),
                          day.isEmpty ? "all calls" : "calls of \(day)"))
            return banner + nav(items)
        }, put: put)
        removeStale(in: (folder.root as NSString).appendingPathComponent("agents"), prefix: "agent",
                    keep: Set(folder.agentPages.values.map { ($0 as NSString).lastPathComponent }))
        removeStale(in: (folder.root as NSString).appendingPathComponent("calls"), prefix: "call",
                    keep: Set(folder.callPages.values.map { ($0 as NSString).lastPathComponent }))
    }

    /// The layout of `run`'s report folder at `root` for these calls: every call has a page,
    /// and every agent of them.
    static func runFolder(root: String, calls: [CallListRow]) -> ReportFolder {
        var agents: [String: String] = [:], pages: [String: String] = [:]
        for c in calls {
            pages[c.callID] = "calls/" + ReportFolder.callFileName(c.callID)
            if let a = c.agentID { agents[a] = "agents/" + ReportFolder.agentFileName(a) }
        }
        return ReportFolder(root: absolute(root), agentPages: agents, callPages: pages, callsList: "calls.html")
    }
}

import CallQAModel
import Foundation
import Pipeline
import Reports
import Store
import Testing

/// The static report folders link like the workspace: `run`'s folder (agents → agent → call,
/// numbers → the calls behind them, evidence → `call-….html#t=START`) and the `--split-dir`
/// pages (each agent's page with its own call pages beside it). Every link of every page
/// leads to a file that exists; `#t=` anchors are seconds; other anchors are ids of the page
/// they name; recordings are linked relative to the page, and a call page's player plays a
/// file that exists (or the page says why there is none).
@Suite struct StaticFolderTests {
    /// Every `href="…"` and `src="…"` of a page (HTML-unescaped).
    static func references(_ html: String) -> [String] {
        var out: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = html[...]
            while let r = rest.range(of: attribute) {
                rest = rest[r.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                out.append(String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'"))
            }
        }
        return out
    }

    /// The link graph of a folder of pages: checks every reference of every `.html` file in
    /// it; returns page → the pages (absolute paths) it links to.
    static func checkLinks(in root: URL, recordingsIn holder: URL) throws -> [String: Set<String>] {
        var graph: [String: Set<String>] = [:]
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".html") }
        #expect(!files.isEmpty)
        for file in files {
            let page = root.appendingPathComponent(file).standardizedFileURL
            let html = try String(contentsOf: page, encoding: .utf8)
            // Scripts only from a file, never inline (the workspace's CSP rule holds here too).
            var scripts = html[...]
            while let r = scripts.range(of: "<script") {
                let tag = scripts[r.lowerBound...].prefix { $0 != ">" }
                #expect(tag.contains(" src=\""), "\(file): inline script \(tag)")
                scripts = scripts[r.upperBound...]
            }
            for ref in references(html) {
                #expect(!ref.contains("://") && !ref.hasPrefix("//") && !ref.lowercased().hasPrefix("javascript:") && !ref.hasPrefix("/"),
                        "\(file): \(ref) is not relative")
                let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let pathPart = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let fragment = parts.count > 1 ? String(parts[1]) : nil
                let target = pathPart.isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(pathPart).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: target.path), "\(file): \(ref) → \(target.path) does not exist")
                let inside = target.path.hasPrefix(root.standardizedFileURL.path + "/")
                #expect(inside || (target.path.hasPrefix(holder.standardizedFileURL.path + "/") && target.pathExtension == "wav"),
                        "\(file): \(ref) leads out of the folder")
                guard let fragment else {
                    if target.pathExtension == "html" { graph[page.path, default: []].insert(target.path) }
                    continue
                }
                if fragment.hasPrefix("t=") {
                    let t = Double(fragment.dropFirst(2))
                    #expect(t.map { $0.isFinite && $0 >= 0 } == true, "\(file): \(ref): #t= is not a number of seconds")
                    #expect(target.lastPathComponent.hasPrefix("call-"), "\(file): \(ref): #t= on a page that is no call's")
                } else {
                    let text = (try? String(contentsOf: target, encoding: .utf8)) ?? ""
                    #expect(text.contains("id=\"\(fragment)\""), "\(file): \(ref): no element #\(fragment) there")
                }
                graph[page.path, default: []].insert(target.path)
            }
        }
        return graph
    }

    /// The pages reachable from `start` by following links.
    static func reachable(_ graph: [String: Set<String>], from start: String) -> Set<String> {
        var seen: Set<String> = [start], todo = [start]
        while let p = todo.popLast() {
            for q in graph[p] ?? [] where seen.insert(q).inserted { todo.append(q) }
        }
        return seen
    }

    @Test func theRunFolderAndTheSplitPagesLinkLikeTheWorkspace() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-static-\(UUID().uuidString)")
        let day = dir.appendingPathComponent("day")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("SampleAudio"), to: day)
        try? FileManager.default.removeItem(at: day.appendingPathComponent("callqa-report"))
        // A page of an earlier run that this run does not write is removed; other files stay.
        let out = day.appendingPathComponent("callqa-report")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("calls"), withIntermediateDirectories: true)
        try write("old", to: out.appendingPathComponent("calls/call-gone-000000.html"))
        try write("mine", to: out.appendingPathComponent("calls/notes.txt"))
        let store = try CallStore(path: dir.appendingPathComponent("day.sqlite").path)
        var o = RunOptions(folder: day.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: nil)
        o.ingest.jobs = 2
        _ = try await DailyRun.run(o, store: store, hasher: testKey)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("calls/call-gone-000000.html").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("calls/notes.txt").path))

        let graph = try Self.checkLinks(in: out, recordingsIn: day)
        let calls = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("calls").path).filter { $0.hasSuffix(".html") }
        let agents = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("agents").path).filter { $0.hasSuffix(".html") }
        #expect(calls.count == 11 && agents.count == 4, "\(calls) \(agents)")
        // agents → agent → call: from agents.html every agent's page, and from the agents'
        // pages every call of an agent (c-009 and c-010 were abandoned with no agent: the
        // calls page and the KPI's day reach them).
        let agentsPage = out.appendingPathComponent("agents.html").path
        let fromAgents = Self.reachable(graph.filter { $0.key == agentsPage || $0.key.contains("/agents/") }, from: agentsPage)
        for a in agents { #expect(fromAgents.contains(out.appendingPathComponent("agents/" + a).path), "agents.html does not reach \(a)") }
        for c in calls where !c.contains("c-009") && !c.contains("c-010") {
            #expect(fromAgents.contains(out.appendingPathComponent("calls/" + c).path), "no agent page reaches \(c)")
        }
        let fromIndex = Self.reachable(graph, from: out.appendingPathComponent("index.html").path)
        for c in calls { #expect(fromIndex.contains(out.appendingPathComponent("calls/" + c).path), "index.html does not reach \(c)") }
        #expect(graph[out.appendingPathComponent("kpi.html").path]?.contains(out.appendingPathComponent("calls.html").path) == true)

        // The agent's numbers open that agent's calls; evidence opens the call at its second.
        let a2 = try String(contentsOf: out.appendingPathComponent("agents.html"), encoding: .utf8)
        let a2Page = "agents/" + ReportFolder.agentFileName("a2")
        #expect(a2.contains("<a href=\"\(a2Page)\">a2</a>"))
        #expect(a2.contains("<td class=\"n\"><a href=\"\(a2Page)#agent_calls\">43.8</a></td>"))
        let agentPage = try String(contentsOf: out.appendingPathComponent(a2Page), encoding: .utf8)
        let c003 = ReportFolder.callFileName("c-003")
        #expect(agentPage.contains("<a href=\"../calls/\(c003)#t=15.41\">longest silence 12.7 s at 00:15–00:28"))
        #expect(agentPage.contains("<table id=\"agent_calls\">"))

        // The call page plays its recording through a relative link and seeks with the script.
        let callPage = try String(contentsOf: out.appendingPathComponent("calls/" + c003), encoding: .utf8)
        #expect(callPage.contains("<audio id=\"player\" controls preload=\"metadata\" src=\"../../c-003-ulaw.wav\"></audio>"))
        #expect(callPage.contains("<script src=\"callqa-report.js\" defer></script>"))
        #expect(callPage.contains("<a href=\"\(c003)#t=15.41\">"))
        #expect(callPage.contains(">tones</text>"), "the timeline has its tones lane")
        #expect(try String(contentsOf: out.appendingPathComponent("calls/callqa-report.js"), encoding: .utf8) == PlayerScript.source)
        // GSM 6.10 plays in no browser: no player, and the page says why.
        let gsm = try String(contentsOf: out.appendingPathComponent("calls/" + ReportFolder.callFileName("c-008")), encoding: .utf8)
        #expect(!gsm.contains("<audio") && gsm.contains("Browsers cannot play this recording's format (WAV GSM 6.10)"))
        // An abandoned call without a recording has its page, without a player.
        let abandoned = try String(contentsOf: out.appendingPathComponent("calls/" + ReportFolder.callFileName("c-009")), encoding: .utf8)
        #expect(!abandoned.contains("<audio") && !abandoned.contains("<script"))

        // The split pages: each agent's page and, beside it, that agent's calls only; a
        // transcribed call's page shows its transcript under the player (the words lit by
        // the page's script as they are said).
        try FactSchemaTests.saveTranscript(store, callID: "c-003")
        let split = dir.appendingPathComponent("split")
        let report = try ReportBuilder.agents(store, period: .all, scope: .everything, minScored: 10)
        let files = try SplitReports.write(dir: split.path, store: store, period: .all, scope: .everything, minScored: 10, summaries: report.summaries)
        #expect(files.count == 4)
        let splitGraph = try Self.checkLinks(in: split, recordingsIn: dir)
        for agent in ["a1", "a2", "a3", "a4"] {
            let name = SplitReports.fileName(agentID: agent)
            let own = try FileManager.default.contentsOfDirectory(atPath: split.appendingPathComponent(String(name.dropLast(5))).path)
                .filter { $0.hasSuffix(".html") }.sorted()
            let expected = SampleDay.calls.filter { $0.value == agent }.keys.map(ReportFolder.callFileName).sorted()
            #expect(own == expected, "\(agent): \(own)")
            let linked = splitGraph[split.appendingPathComponent(name).path] ?? []
            for c in own { #expect(linked.contains(split.appendingPathComponent(String(name.dropLast(5)) + "/" + c).path), "\(agent) → \(c)") }
        }
        let a2Split = split.appendingPathComponent(String(SplitReports.fileName(agentID: "a2").dropLast(5)))
        let transcribed = try String(contentsOf: a2Split.appendingPathComponent(c003), encoding: .utf8)
        #expect(transcribed.contains("<section class=\"card transcript\" id=\"transcript\">"))
        #expect(transcribed.contains("<span class=\"w\" data-s=\"1\" data-e=\"1.4\">hello</span>"), "the words with their seconds")
        if let t = transcribed.range(of: "id=\"transcript\""), let a = transcribed.range(of: "<audio") {
            #expect(t.lowerBound > a.lowerBound, "the transcript follows the player")
        } else {
            Issue.record("the split call page has no player or no transcript")
        }
        #expect(!callPage.contains("id=\"transcript\""), "the run's page was written before the transcript existed")
    }

    @Test func aRecordingOutsideTheFolderHoldingTheReportIsLinkedByItsFullPathAndSaysSo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-static-\(UUID().uuidString)")
        let day = dir.appendingPathComponent("day")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("SampleAudio"), to: day)
        try? FileManager.default.removeItem(at: day.appendingPathComponent("callqa-report"))
        let out = dir.appendingPathComponent("reports/2026-11-24")
        let store = try CallStore(path: dir.appendingPathComponent("day.sqlite").path)
        var o = RunOptions(folder: day.path, scorecards: packageRoot.appendingPathComponent("Scorecards").path, out: out.path)
        o.ingest.jobs = 2
        _ = try await DailyRun.run(o, store: store, hasher: testKey)
        let page = try String(contentsOf: out.appendingPathComponent("calls/" + ReportFolder.callFileName("c-003")), encoding: .utf8)
        let url = HTMLPages.fileURL(day.appendingPathComponent("c-003-ulaw.wav").standardizedFileURL.path)
        #expect(page.contains("<audio id=\"player\" controls preload=\"metadata\" src=\"\(url)\"></audio>"))
        #expect(page.contains("linked by its full path because it lies outside the folder that holds this report: it plays on this computer only"))
        // The pages still link to each other relatively.
        let agents = try String(contentsOf: out.appendingPathComponent("agents.html"), encoding: .utf8)
        #expect(agents.contains("<a href=\"agents/\(ReportFolder.agentFileName("a1"))\">a1</a>"))
    }
}

/// The sample day's calls and their agents (SampleAudio/README.md).
enum SampleDay {
    static let calls: [String: String] = [
        "c-001": "a1", "c-002": "a1", "c-011": "a1", "c-003": "a2", "c-004": "a2", "c-005": "a3", "c-006": "a3", "c-007": "a4", "c-008": "a4",
    ]
}

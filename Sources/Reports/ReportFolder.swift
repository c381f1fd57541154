import CallQAModel
import Foundation

/// A folder of static HTML pages that link to one another like the workspace's pages:
/// agents → agent → call, each number to the calls behind it, evidence to
/// `call-….html#t=START` (the call's page, whose player seeks there). `callqa run` writes one
/// (`agents.html`, `calls.html`, `agents/`, `calls/`); `report agents --split-dir` one per
/// agent (`agent-….html` and, beside it, a folder of the same name with that agent's calls).
///
/// A value: which agents and calls have a page and where (paths relative to `root`), and
/// the `Links` of a page at a given place in it. Nothing is read or written here.
public struct ReportFolder: Sendable {
    /// The folder: an absolute path (standardised: no `.` or `..`).
    public var root: String
    /// Agent id → its page, relative to `root` (`agents/agent-a1-f55ff1.html`).
    public var agentPages: [String: String]
    /// Call id → its page, relative to `root` (`calls/call-c-003-9c1d2e.html`).
    public var callPages: [String: String]
    /// The page listing the folder's calls, one table per day (`calls.html`); nil: none.
    public var callsList: String?

    /// The script of the call pages, written beside them.
    public static let scriptName = "callqa-report.js"
    /// The anchor of an agent page's list of calls, and of its NPS answers.
    public static let agentCallsAnchor = "agent_calls"
    public static let agentSurveysAnchor = "agent_nps_comments"

    public init(root: String, agentPages: [String: String] = [:], callPages: [String: String] = [:], callsList: String? = nil) {
        self.root = Self.absolute(root)
        self.agentPages = agentPages
        self.callPages = callPages
        self.callsList = callsList
    }

    /// `agent-<id>-<hash>.html`: the id's letters, digits, `-` and `_` (others become `_`),
    /// cut to 40 characters, then 6 hex digits of its SHA-256, so long or odd ids (300
    /// characters, slashes, control characters) still give a short, distinct, safe name.
    public static func agentFileName(_ agentID: String) -> String { fileName("agent", agentID) }

    /// `call-<id>-<hash>.html`, made like `agentFileName`.
    public static func callFileName(_ callID: String) -> String { fileName("call", callID) }

    static func fileName(_ prefix: String, _ id: String) -> String {
        let safe = String(id.prefix(40).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return "\(prefix)-\(safe)-\(SHA256.hex(Array(id.utf8)).prefix(6)).html"
    }

    /// The name of the table listing a day's calls on the calls page (its anchor too).
    public static func dayTableName(_ day: String) -> String { "calls_" + day }

    /// The links of the page at `page` (relative to `root`): agents and calls that have a
    /// page open it, evidence opens the call's page at its second (`#t=START`), and a call
    /// without a page in the folder opens its recording at that second.
    public func links(page: String) -> Links {
        let folder = self
        return Links(
            recording: { callID, path, start in
                let at = start.map { "#t=" + JSONValue.format($0, decimals: 2) } ?? ""
                if let target = folder.callPages[callID] { return folder.href(from: page, to: target) + at }
                return path.map { folder.recording($0, from: page).href + at }
            },
            call: { folder.callPages[$0].map { folder.href(from: page, to: $0) } },
            agent: { folder.agentPages[$0].map { folder.href(from: page, to: $0) } },
            agentCalls: { agentID in folder.agentPages[agentID].map { folder.href(from: page, to: $0) + "#" + Self.agentCallsAnchor } },
            agentSurveys: { folder.agentPages[$0].map { folder.href(from: page, to: $0) + "#" + Self.agentSurveysAnchor } },
            dayCalls: { day in folder.callsList.map { folder.href(from: page, to: $0) + "#" + Self.dayTableName(day) } })
    }

    /// How a page reaches a recording: relative when the recording lies inside the folder
    /// that holds this report folder (the day's folder, for `run`'s default `DIR/callqa-report`),
    /// so that folder can be moved, zipped or mailed whole and still play; else its absolute
    /// `file://` URL, which plays only on this computer.
    public func recording(_ path: String, from page: String) -> (href: String, relative: Bool) {
        let file = Self.absolute(path)
        let holder = (root as NSString).deletingLastPathComponent
        let inside = !holder.isEmpty && holder != "/" && file.hasPrefix(holder.hasSuffix("/") ? holder : holder + "/")
        guard inside else { return (HTMLPages.fileURL(file), false) }
        return (Self.relative(from: directory(of: page), to: file), true)
    }

    /// The href from the page at `page` to the file at `target` (both relative to `root`).
    public func href(from page: String, to target: String) -> String {
        Self.relative(from: directory(of: page), to: (root as NSString).appendingPathComponent(target))
    }

    func directory(of page: String) -> String {
        ((root as NSString).appendingPathComponent(page) as NSString).deletingLastPathComponent
    }

    /// A relative URL path from folder `from` to file `to` (both absolute), each component
    /// percent-encoded.
    static func relative(from: String, to: String) -> String {
        let a = (from as NSString).pathComponents.filter { $0 != "/" }
        let b = (to as NSString).pathComponents.filter { $0 != "/" }
        var common = 0
        while common < a.count, common < b.count - 1, a[common] == b[common] { common += 1 }
        let up = Array(repeating: "..", count: a.count - common)
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#%;"))
        let down = b[common...].map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
        return (up + down).joined(separator: "/")
    }

    /// An absolute path without `.` and `..`, by its text alone (recording paths are stored
    /// that way: absolute, standardised, links not resolved).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path.hasPrefix("/") ? path : "/" + path).standardizedFileURL.path
    }
}

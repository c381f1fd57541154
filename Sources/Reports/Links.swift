import Foundation

/// Where the links of a rendered report point: the same renderers serve the static files
/// (`report --format html`, `run`), whose links open the recording file at its second, and
/// the workspace, whose links open its own pages. A value, given to the renderers.
public struct Links: Sendable {
    /// A call's recording at a moment (`startS` nil: the whole recording); nil: no link.
    public var recording: @Sendable (_ callID: String, _ path: String?, _ startS: Double?) -> String?
    /// A call's page; nil: none (static files have no per-call page of their own).
    public var call: @Sendable (_ callID: String) -> String?
    /// An agent's page; nil: none.
    public var agent: @Sendable (_ agentID: String) -> String?

    public init(recording: @escaping @Sendable (String, String?, Double?) -> String?,
                call: @escaping @Sendable (String) -> String? = { _ in nil },
                agent: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.recording = recording
        self.call = call
        self.agent = agent
    }

    /// Static reports: `file:///…/c-003.wav#t=START` (percent-encoded path), which a browser
    /// plays from that second.
    public static let files = Links(recording: { _, path, start in path.map { HTMLPages.fileURL($0, start: start) } })

    /// The workspace served at `prefix` (e.g. "" or "/qa"): `/calls/ID?t=START`, `/calls/ID`,
    /// `/agents/ID`, ids percent-encoded.
    public static func workspace(prefix: String = "") -> Links {
        @Sendable func id(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#%"))) ?? s }
        return Links(recording: { callID, _, start in "\(prefix)/calls/\(id(callID))" + (start.map { "?t=" + JSONValue.format($0, decimals: 2) } ?? "") },
                     call: { "\(prefix)/calls/\(id($0))" },
                     agent: { "\(prefix)/agents/\(id($0))" })
    }
}

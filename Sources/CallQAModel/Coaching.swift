import Foundation

/// Coaching: a supervisor or QA turns scores into a conversation with an agent — what to keep,
/// what to change, the calls and seconds it is about, a follow-up date. The agent reads and
/// acknowledges it; the follow-up is marked done with its result.

/// A call (and optionally a stretch of it) a coaching note refers to.
public struct CoachingReference: Sendable, Equatable {
    public var callID: String
    /// Seconds into the recording; nil: the call as a whole.
    public var startS: Double?
    /// End of the stretch (s); nil: a moment, or the call as a whole.
    public var endS: Double?

    public init(callID: String, startS: Double? = nil, endS: Double? = nil) {
        self.callID = callID
        self.startS = startS
        self.endS = endS
    }

    /// `c-001`, `c-001@12.5` or `c-001@12.5-20` (seconds); nil for anything else, and for a
    /// stretch that ends before it starts.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let id = parts.first, !id.isEmpty, !id.contains(where: { $0.isWhitespace }) else { return nil }
        callID = String(id)
        guard parts.count == 2 else { return }
        let span = parts[1].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let s = Double(span[0]), s.isFinite, s >= 0 else { return nil }
        startS = s
        if span.count == 2 {
            guard let e = Double(span[1]), e.isFinite, e >= s else { return nil }
            endS = e
        }
    }

    /// Written as it is parsed (`c-001@12.5-20`).
    public var text: String {
        guard let s = startS else { return callID }
        return "\(callID)@\(Self.seconds(s))" + (endS.map { "-\(Self.seconds($0))" } ?? "")
    }

    static func seconds(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    /// A comma- or whitespace-separated list; the first entry that does not parse is returned
    /// as the problem.
    public static func list(_ text: String) -> Result<[CoachingReference], CoachingInputError> {
        var out: [CoachingReference] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }) where !item.isEmpty {
            guard let r = CoachingReference(parsing: String(item)) else { return .failure(.reference(String(item))) }
            out.append(r)
        }
        return .success(out)
    }
}

/// A coaching note as stored and shown.
public struct CoachingNote: Sendable, Equatable {
    public var id: Int64
    public var agentID: String
    public var author: String
    public var authorRole: Role
    /// ISO 8601 UTC, and epoch seconds.
    public var createdAt: String
    public var createdEpoch: Double
    /// The local day of the note (`YYYY-MM-DD`, UTC): where the agent's trend marks it.
    public var createdDate: String { String(createdAt.prefix(10)) }
    /// What to keep doing, and what to change.
    public var keep: String
    public var change: String
    /// The calls and seconds it refers to (only those the reader may see).
    public var references: [CoachingReference]
    /// `YYYY-MM-DD`; nil: no follow-up planned.
    public var followUpDate: String?
    public var acknowledgedBy: String?
    public var acknowledgedAt: String?
    public var followUpDoneBy: String?
    public var followUpDoneAt: String?
    public var followUpResult: String?

    public init(id: Int64, agentID: String, author: String, authorRole: Role, createdAt: String, createdEpoch: Double, keep: String,
                change: String, references: [CoachingReference], followUpDate: String?, acknowledgedBy: String?, acknowledgedAt: String?,
                followUpDoneBy: String?, followUpDoneAt: String?, followUpResult: String?) {
        self.id = id
        self.agentID = agentID
        self.author = author
        self.authorRole = authorRole
        self.createdAt = createdAt
        self.createdEpoch = createdEpoch
        self.keep = keep
        self.change = change
        self.references = references
        self.followUpDate = followUpDate
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.followUpDoneBy = followUpDoneBy
        self.followUpDoneAt = followUpDoneAt
        self.followUpResult = followUpResult
    }

    public var acknowledged: Bool { acknowledgedAt != nil }

    /// The follow-up date has passed (`today` is `YYYY-MM-DD`) and it is not marked done.
    public func overdue(today: String) -> Bool {
        guard let d = followUpDate, followUpDoneAt == nil else { return false }
        return d < today
    }
}

/// What may record and read coaching: supervisors and QA write notes and close follow-ups;
/// the agent acknowledges their own.
public enum CoachingRules {
    public static func mayWrite(_ role: Role) -> Bool { role == .supervisor || role == .qa }
    public static func mayAcknowledge(_ role: Role) -> Bool { role == .agent }
}

/// Input a coaching note cannot be made of.
public enum CoachingInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A reference that is not `CALL`, `CALL@START` or `CALL@START-END`.
    case reference(String)
    /// A follow-up date that is not `YYYY-MM-DD`.
    case date(String)
    /// Neither what to keep nor what to change was written, or a text is too long.
    case text(String)

    public var description: String {
        switch self {
        case let .reference(r): "reference \(r.debugDescription): expected CALL, CALL@SECONDS or CALL@START-END (seconds)"
        case let .date(d): "follow-up date \(d.debugDescription): expected YYYY-MM-DD"
        case let .text(why): why
        }
    }
}

/// Coaching texts are bounded.
public enum CoachingText {
    public static let maxCharacters = 4000

    /// Checks keep/change: at least one written, each within the limit; returns them trimmed.
    public static func check(keep: String, change: String) -> Result<(keep: String, change: String), CoachingInputError> {
        let k = DisputeText.oneLine(keep), c = DisputeText.oneLine(change)
        if k.isEmpty && c.isEmpty { return .failure(.text("write what to keep, what to change, or both")) }
        if k.count > maxCharacters || c.count > maxCharacters { return .failure(.text("keep and change: at most \(maxCharacters) characters each")) }
        return .success((k, c))
    }

    /// `YYYY-MM-DD` with a real day; nil otherwise.
    public static func date(_ text: String) -> String? {
        let p = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m), d >= 1 else { return nil }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1] ? text : nil
    }
}

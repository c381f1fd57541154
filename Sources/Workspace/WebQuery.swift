import CallQAModel
import Foundation
import Store

/// A request's query value that did not pass its format or allow-list: answered 400 (the
/// API says which parameter and what it expects; the pages show their one error page).
struct BadQuery: Error, Equatable {
    /// The query parameter.
    var field: String
    /// What was expected and what came, e.g. `expected asc or desc, got "up"`.
    var message: String

    init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `expected …, got "VALUE"` (the value cut to 100 characters).
    init(_ field: String, expected: String, got value: String) {
        self.init(field, "expected \(expected), got \(Self.quoted(value))")
    }

    static func quoted(_ value: String) -> String {
        (value.count > 100 ? String(value.prefix(100)) + "…" : value).debugDescription
    }
}

/// A filter naming an agent, team, queue or card the user cannot see (or that does not
/// exist): answered with the one 404 (the same whichever of the two it is).
struct UnknownValue: Error, Equatable {
    /// The query parameter.
    var field: String
}

/// The period of a page: a day, an ISO week (Monday–Sunday) or a calendar month around a
/// date, a custom range of dates, or everything. Dates are the calls' local days, as
/// `report --from/--to` reads them. Always shown on the page.
struct WebPeriod: Equatable {
    enum Kind: String, CaseIterable {
        case day, week, month, custom, all
    }

    var kind: Kind
    /// The date it was chosen around (day, week, month).
    var date: String?
    /// Inclusive local dates; nil: open.
    var from: String?
    var to: String?

    var period: Period { Period(fromDate: from, toDate: to) }

    /// `2026-11-24 to 2026-11-30 (week)`.
    var label: String {
        switch kind {
        case .all: "all calls"
        case .day: "\(from ?? "") (day)"
        default: "\(from ?? "…") to \(to ?? "…") (\(kind.rawValue))"
        }
    }

    /// The query that selects it again (for links and forms).
    var query: [(String, String)] {
        switch kind {
        case .all: [("period", "all")]
        case .custom: [("period", "custom")] + (from.map { [("from", $0)] } ?? []) + (to.map { [("to", $0)] } ?? [])
        default: [("period", kind.rawValue), ("date", date ?? "")]
        }
    }

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        c.firstWeekday = 2
        return c
    }()

    /// `YYYY-MM-DD` → a date at UTC midnight; nil for anything else.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...12).contains(m), (1...31).contains(d) else { return nil }
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
              calendar.component(.day, from: date) == d else { return nil }
        return date
    }

    static func text(_ d: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// From the query (`period`, `date`, `from`, `to`); `latest` (the last day with calls in
    /// the user's scope) anchors a period without a date. Unknown values throw `BadQuery`.
    static func parse(_ q: (String) -> String?, latest: String?) throws(BadQuery) -> WebPeriod {
        let kindText = q("period") ?? (q("from") != nil || q("to") != nil ? "custom" : "month")
        guard let kind = Kind(rawValue: kindText) else { throw BadQuery("period", expected: "day, week, month, custom or all", got: kindText) }
        switch kind {
        case .all:
            return WebPeriod(kind: .all)
        case .custom:
            let from = q("from"), to = q("to")
            if let from, day(from) == nil { throw BadQuery("from", expected: "a date YYYY-MM-DD", got: from) }
            if let to, day(to) == nil { throw BadQuery("to", expected: "a date YYYY-MM-DD", got: to) }
            if let from, let to, from > to { throw BadQuery("from", "the period is empty: from \(from) is after to \(to)") }
            return WebPeriod(kind: .custom, from: from, to: to)
        case .day, .week, .month:
            let anchorText = q("date") ?? latest ?? text(Date())
            guard let anchor = day(anchorText) else { throw BadQuery("date", expected: "a date YYYY-MM-DD", got: anchorText) }
            let start: Date, end: Date
            switch kind {
            case .day:
                start = anchor; end = anchor
            case .week:
                let weekday = calendar.component(.weekday, from: anchor)  // 1 = Sunday
                start = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: anchor)!
                end = calendar.date(byAdding: .day, value: 6, to: start)!
            default:
                let c = calendar.dateComponents([.year, .month], from: anchor)
                start = calendar.date(from: c)!
                end = calendar.date(byAdding: DateComponents(month: 1, day: -1), to: start)!
            }
            return WebPeriod(kind: kind, date: anchorText, from: text(start), to: text(end))
        }
    }
}

/// Query strings for links: every value percent-encoded.
enum Query {
    /// RFC 3986 unreserved characters stay, every other byte of the UTF-8 is `%XX` (byte by
    /// byte: Foundation's character sets cost microseconds per call, and a page of 200
    /// agents makes thousands of links).
    static func encode(_ s: String) -> String { HTML.pathSegment(s) }

    static func string(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

/// The calls list's query: filters, sort and cursor, each checked against its allow-list or
/// format (a value that fails is a 400, never SQL).
struct CallsQuery {
    var period: WebPeriod
    var filter = CallListFilter()
    var agent: String?
    var team: String?
    var queue: String?
    var sort: CallListSort = .started
    var descending = true
    var after: CallListCursor?

    /// The names of the filter parameters, in form order.
    static let filterNames = ["agent", "team", "queue", "dialed", "direction", "card", "min_score", "max_score", "critical",
                              "provisional", "dead_air", "interruptions", "detractor", "health", "said"]

    /// The values the user may name: cards, agents, teams and queues of calls in their scope.
    struct Known {
        var cards: [String]
        var agents: [String]
        var teams: [String]
        var queues: [String]
    }

    /// Malformed values throw `BadQuery`; an agent, team, queue or card outside `known`
    /// throws `UnknownValue` (one answer for "not yours" and "does not exist").
    static func parse(_ q: @escaping (String) -> String?, latest: String?, known: Known) throws -> CallsQuery {
        // An empty form field is an absent filter.
        let v: (String) -> String? = { name in q(name).flatMap { $0.isEmpty ? nil : $0 } }
        var r = CallsQuery(period: try WebPeriod.parse(v, latest: latest))
        r.agent = v("agent"); r.team = v("team"); r.queue = v("queue")
        for (field, value, allowed) in [("agent", r.agent, known.agents), ("team", r.team, known.teams), ("queue", r.queue, known.queues)] {
            if let value, !allowed.contains(value) { throw UnknownValue(field: field) }
        }
        r.filter.period = r.period.period
        r.filter.dialed = v("dialed")
        if let d = v("direction") {
            guard let dir = CallDirection(rawValue: d) else { throw BadQuery("direction", expected: "inbound or outbound", got: d) }
            r.filter.direction = dir
        }
        if let c = v("card") {
            guard known.cards.contains(c) else { throw UnknownValue(field: "card") }
            r.filter.cardID = c
        }
        func number(_ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let t = v(name) else { return nil }
            guard let x = Double(t), x.isFinite, range.contains(x) else {
                throw BadQuery(name, expected: "a number from \(num(range.lowerBound)) to \(num(range.upperBound))", got: t)
            }
            return x
        }
        func flag(_ name: String) throws -> Bool {
            guard let t = v(name) else { return false }
            guard t == "1" || t == "on" else { throw BadQuery(name, expected: "1 (or on; leave the parameter out for no filter)", got: t) }
            return true
        }
        r.filter.minScore = try number("min_score", 0...100)
        r.filter.maxScore = try number("max_score", 0...100)
        r.filter.minDeadAirS = try number("dead_air", 0...86_400)
        if let n = try number("interruptions", 0...100_000) {
            guard n == n.rounded() else { throw BadQuery("interruptions", expected: "a whole number from 0 to 100000", got: v("interruptions") ?? "") }
            r.filter.minInterruptions = Int(n)
        }
        r.filter.criticalFail = try flag("critical")
        r.filter.provisional = try flag("provisional")
        r.filter.detractor = try flag("detractor")
        if let h = v("health") {
            guard healthFlags.contains(h) else { throw BadQuery("health", expected: "a recording health flag (\(healthFlags.joined(separator: ", ")))", got: h) }
            r.filter.health = h
        }
        // Words said (transcript search): letters and digits only reach the index.
        if let said = v("said") {
            guard said.count <= 200 else { throw BadQuery("said", "expected at most 200 characters, got \(said.count)") }
            // A card number typed here would go into the audit log with the search: refused
            // (without echoing it), as it could never match a redacted transcript.
            if Self.holdsRedactedDigitRun(said) {
                throw BadQuery("said", "digit runs of \(TranscriptText.redactionMinDigits) or more are redacted from transcripts, so a search for them finds nothing; search for words said instead")
            }
            r.filter.transcript = TranscriptQuery(said)
            // Only punctuation or quotes would silently list every call: refused instead.
            if r.filter.transcript == nil, !said.trimmingCharacters(in: .whitespaces).isEmpty {
                throw BadQuery("said", expected: "words (letters or digits) to search the transcripts for", got: said)
            }
        }
        if let s = v("sort") {
            guard let sort = CallListSort(rawValue: s) else {
                throw BadQuery("sort", expected: CallListSort.allCases.map(\.rawValue).joined(separator: ", "), got: s)
            }
            r.sort = sort
        }
        if let o = v("order") {
            guard o == "asc" || o == "desc" else { throw BadQuery("order", expected: "asc or desc", got: o) }
            r.descending = o == "desc"
        }
        if let id = q("after_id") {
            let value = q("after") ?? ""
            if !r.sort.isTextKey {
                guard Double(value)?.isFinite == true else { throw BadQuery("after", expected: "the number the last row was sorted by", got: value) }
            }
            r.after = CallListCursor(value: value, callID: id)
        }
        return r
    }

    /// The recording health flags a filter may name (those the analysis sets).
    static let healthFlags = ["agent_channel_silent", "customer_channel_silent", "no_speech", "agent_clipping", "customer_clipping",
                              "clipping", "agent_low_snr", "customer_low_snr", "low_snr", "channels_identical", "crosstalk",
                              "truncated", "non_finite_samples", "out_of_range_samples", "agent_channel_echo", "customer_channel_echo", "agent_background_voices",
                              "customer_background_voices", "background_voices", "hold_music_not_applied"]

    /// The scope narrowed by the agent, team and queue filters (never wider than the access).
    func scope(_ base: Scope) -> Scope { base.narrowed(team: team, queue: queue, agent: agent) }

    /// Every parameter but the cursor (for the next page, the export and the sort links).
    var items: [(String, String)] {
        var out = period.query
        for (k, val) in [("agent", agent), ("team", team), ("queue", queue), ("dialed", filter.dialed),
                         ("direction", filter.direction?.rawValue), ("card", filter.cardID),
                         ("min_score", filter.minScore.map(Self.num)), ("max_score", filter.maxScore.map(Self.num)),
                         ("critical", filter.criticalFail ? "1" : nil), ("provisional", filter.provisional ? "1" : nil),
                         ("dead_air", filter.minDeadAirS.map(Self.num)), ("interruptions", filter.minInterruptions.map(String.init)),
                         ("detractor", filter.detractor ? "1" : nil), ("health", filter.health), ("said", filter.transcript?.label)] {
            if let val { out.append((k, val)) }
        }
        out.append(("sort", sort.rawValue))
        out.append(("order", descending ? "desc" : "asc"))
        return out
    }

    static func num(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    /// Whether `text` holds a run of `TranscriptText.redactionMinDigits` digits or more, its
    /// digits apart only by spaces or punctuation (`4111 1111`, `4111-1111`) as the redactor
    /// joins them; a letter ends a run.
    static func holdsRedactedDigitRun(_ text: String) -> Bool {
        var run = 0
        for c in text {
            if c.isNumber {
                run += 1
                if run >= TranscriptText.redactionMinDigits { return true }
            } else if c.isLetter {
                run = 0
            }
        }
        return false
    }
}

extension CallListSort {
    var isTextKey: Bool { self == .agent }
}

extension CallListRow {
    /// The value of `sort` on this row, as the next page's cursor carries it.
    func cursorValue(_ sort: CallListSort) -> String {
        func n(_ v: Double?) -> String { String(v ?? -1) }
        switch sort {
        case .started: return String(startedEpoch)
        case .score: return n(score)
        case .agent: return agentID ?? ""
        case .deadAir: return n(deadAirS)
        case .interruptions: return String(interruptions ?? -1)
        case .handle: return n(handleS)
        }
    }
}

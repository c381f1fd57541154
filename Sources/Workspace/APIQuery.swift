import CallQAModel
import CallRecords
import Foundation
import Hummingbird
import Store

/// A request's query parameters for the API: each name must be one the route takes (a
/// typo is a 400 with "did you mean"), and none may be given twice. Values are
/// percent-decoded only (RFC 3986): a `+` stays a plus, as in `dialed=+4930…` or `tz=+01:00`
/// (a space is `%20`).
struct APIQuery {
    private(set) var values: [String: String] = [:]

    static func decode(_ s: Substring) throws(APIError) -> String {
        guard let d = String(s).removingPercentEncoding else {
            throw APIError.badRequest(nil, "the query has a malformed %-escape in \(BadQuery.quoted(String(s)))")
        }
        return d
    }

    init(_ request: Request, allowed: [String]) throws(APIError) {
        for pair in (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            guard allowed.contains(name) else {
                let near = Suggest.nearest(name, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                let list = allowed.isEmpty ? "this route takes none" : "allowed: " + allowed.joined(separator: ", ")
                throw APIError(.badRequest, "bad_request", "unknown query parameter \(BadQuery.quoted(name))\(near); \(list)", field: name)
            }
            guard values[name] == nil else { throw APIError(.badRequest, "bad_request", "query parameter '\(name)' is given twice", field: name) }
            values[name] = parts.count > 1 ? try Self.decode(parts[1]) : ""
        }
    }

    /// The value of `name`; nil when absent.
    func value(_ name: String) -> String? { values[name] }

    /// A function for the pages' query parsers (`CallsQuery`, `WebPeriod`).
    var lookup: (String) -> String? {
        let v = values
        return { v[$0] }
    }

    /// `limit`: rows per page, 1…`max`.
    func limit(default d: Int, max: Int) throws(APIError) -> Int {
        guard let t = value("limit"), !t.isEmpty else { return d }
        guard let n = Int(t), (1...max).contains(n) else { throw .badQuery(BadQuery("limit", expected: "a whole number from 1 to \(max)", got: t)) }
        return n
    }

    /// An optional whole number within `range`.
    func integer(_ name: String, _ range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let t = value(name), !t.isEmpty else { return nil }
        guard let n = Int(t), range.contains(n) else {
            throw .badQuery(BadQuery(name, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", got: t))
        }
        return n
    }
}

/// Opaque keyset cursors: where the next page starts, bound to the order it was made for.
/// base64url of NUL-separated parts with a version tag; any other text is a 400.
enum APICursor {
    static func encode(_ parts: [String]) -> String { Secrets.base64URL(Array(parts.joined(separator: "\u{0}").utf8)) }

    static func decode(_ text: String, tag: String, count: Int) throws(APIError) -> [String] {
        let bad = APIError.badQuery(BadQuery("cursor", "not a cursor of this list: pass next_cursor of the previous page unchanged, with the same sort and order"))
        guard text.utf8.count <= 4096, let bytes = base64URLDecode(text), let s = String(validating: bytes, as: UTF8.self) else { throw bad }
        let parts = s.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count, parts[0] == tag else { throw bad }
        return parts
    }

    /// The calls list: sort, order, the last row's sort value and call id.
    static func calls(_ row: CallListRow, sort: CallListSort, descending: Bool) -> String {
        encode(["c1", sort.rawValue, descending ? "desc" : "asc", row.cursorValue(sort), row.callID])
    }

    static func calls(_ text: String, sort: CallListSort, descending: Bool) throws(APIError) -> CallListCursor {
        let p = try decode(text, tag: "c1", count: 5)
        guard p[1] == sort.rawValue, p[2] == (descending ? "desc" : "asc") else {
            throw .badQuery(BadQuery("cursor", "made for sort \(p[1]) \(p[2]), not \(sort.rawValue) \(descending ? "desc" : "asc"): keep the sort and order while paging"))
        }
        if !sort.isTextKey, Double(p[3])?.isFinite != true {
            throw .badQuery(BadQuery("cursor", "not a cursor of this list: pass next_cursor of the previous page unchanged"))
        }
        return CallListCursor(value: p[3], callID: p[4])
    }

    /// The evaluations list: the last row's call, card and criterion.
    static func evaluations(_ row: EvaluationListRow) -> String { encode(["e1", row.callID, row.cardID, row.criterionID]) }

    static func evaluations(_ text: String) throws(APIError) -> EvaluationListCursor {
        let p = try decode(text, tag: "e1", count: 4)
        return EvaluationListCursor(callID: p[1], cardID: p[2], criterionID: p[3])
    }

    static func base64URLDecode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !s.contains("=") else { return nil }
        while s.utf8.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { [UInt8]($0) }
    }
}

import HTTPTypes
import Hummingbird
import NIOCore
import Reports

/// An error of the API (`/api/v1`), answered as JSON:
/// `{"error": {"status": 400, "code": "bad_request", "message": "…", "field": "min_score"}}`.
/// Every 404 of a resource — missing, or outside the caller's scope — is the same bytes.
struct APIError: Error {
    var status: HTTPResponse.Status
    /// A stable word for programs: `bad_request`, `not_found`, `unauthorized`, …
    var code: String
    /// For people: what was wrong, naming the field and what is allowed.
    var message: String
    /// The query parameter or body field at fault, when there is one.
    var field: String?
    /// More keys of the error object (`version` of a stale write, `problems` of invalid answers).
    var details: [(String, JSONValue)] = []
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil,
         details: [(String, JSONValue)] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details
        self.headers = headers
    }

    /// The one answer for a resource that does not exist or is outside the caller's scope.
    static let notFound = APIError(.notFound, "not_found", "there is nothing here, or nothing you may see")

    /// A filter naming an agent, team, queue or card that does not exist or that the caller
    /// may not see (the same answer for both).
    static func unknownValue(_ field: String) -> APIError {
        APIError(.notFound, "not_found", "query parameter '\(field)': no such value, or none you may see", field: field)
    }

    static func badRequest(_ field: String?, _ message: String) -> APIError {
        APIError(.badRequest, "bad_request", field.map { "\($0): \(message)" } ?? message, field: field)
    }

    static func badQuery(_ e: BadQuery) -> APIError {
        APIError(.badRequest, "bad_request", "query parameter '\(e.field)': \(e.message)", field: e.field)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, "unauthorized", message, headers: [.wwwAuthenticate: "Bearer realm=\"callqa\""])
    }

    /// An error of another kind (the router's, a page's) as the API answers it.
    static func from(status: HTTPResponse.Status, headers: HTTPFields = [:]) -> APIError {
        var e: APIError
        switch status.code {
        case 404: e = .notFound
        case 401: e = .unauthorized("send 'Authorization: Bearer <token>' (callqa tokens add) or use the API from a logged-in workspace session")
        case 403: e = APIError(.forbidden, "forbidden", "a write from a browser session needs the session's CSRF token in the X-CSRF-Token header")
        case 405: e = .notFound
        case 413: e = APIError(.contentTooLarge, "payload_too_large", "the request body is larger than this route takes")
        case 416: e = APIError(.rangeNotSatisfiable, "range_not_satisfiable", "the requested byte range lies outside the recording")
        case 400: e = .badRequest(nil, "the request could not be read")
        default: e = APIError(.internalServerError, "internal", "something went wrong on the server; its log says what")
        }
        for field in headers where field.name != .contentLength && field.name != .contentType { e.headers.append(field) }
        return e
    }

    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("status", .int(Int(status.code))), ("code", .string(code)), ("message", .string(message))]
        if let field { pairs.append(("field", .string(field))) }
        return .object([("error", .object(pairs + details))])
    }

    func response() -> Response { .json(json, status: status, headers: headers) }
}

extension HTTPField.Name {
    static let wwwAuthenticate = Self("WWW-Authenticate")!
}

extension Response {
    /// A JSON body (compact, keys in the order given).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        let buffer = ByteBuffer(string: value.rendered())
        h[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: h, body: .init(byteBuffer: buffer))
    }
}

/// A JSON value as a request body sent it: object keys in their order (a key given twice is
/// an error), numbers as their literal text, so that `7.0` reaches the same checks as the
/// text `7.0` in a CSV file.
indirect enum JSONInput: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text (`7`, `-1`, `7.5`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONInput])
    case object([(String, JSONInput)])

    static func == (a: JSONInput, b: JSONInput) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)), let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// A member of an object; nil when absent (or not an object).
    subscript(key: String) -> JSONInput? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Why a body is not JSON: where (byte offset) and what was expected.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "request body is not valid JSON: at byte \(offset): \(message)" }
    }

    /// Parses a whole body (UTF-8, at most `maxDepth` nested arrays and objects).
    static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(ParseError) -> JSONInput {
        var p = Parser(bytes: bytes, maxDepth: maxDepth)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw ParseError(offset: p.i, message: "unexpected text after the value") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var i = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ message: String) -> ParseError { ParseError(offset: i, message: message) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func literal(_ word: String, _ value: JSONInput) throws(ParseError) -> JSONInput {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("expected a value") }
            i += w.count
            return value
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONInput {
            guard i < bytes.count else { throw fail("expected a value, found the end of the body") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
                i += 1
                var pairs: [(String, JSONInput)] = []
                var keys = Set<String>()
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                    let keyAt = i
                    let key = try string()
                    guard keys.insert(key).inserted else { throw ParseError(offset: keyAt, message: "key \(key.debugDescription) appears twice") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                    i += 1
                    skipSpace()
                    pairs.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw fail("expected ',' or '}', found the end of the body") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
                i += 1
                var items: [JSONInput] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw fail("expected ',' or ']', found the end of the body") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                return try number()
            }
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
        mutating func number() throws(ParseError) -> JSONInput {
            let start = i
            func digit(_ j: Int) -> Bool { j < bytes.count && bytes[j] >= 0x30 && bytes[j] <= 0x39 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digit(i) else { i = start; throw fail("expected a value") }
            if bytes[i] == 0x30 { i += 1 } else { while digit(i) { i += 1 } }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digit(i) else { throw fail("expected a digit after '.'") }
                while digit(i) { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digit(i) else { throw fail("expected a digit in the exponent") }
                while digit(i) { i += 1 }
            }
            return .number(String(decoding: bytes[start..<i], as: UTF8.self))
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard i + 4 <= bytes.count else { throw fail("expected 4 hexadecimal digits after \\u") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw fail("expected a hexadecimal digit after \\u")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        mutating func string() throws(ParseError) -> String {
            i += 1  // the opening quote
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw fail("a string is never closed") }
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw fail("a control character inside a string must be escaped") }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < bytes.count else { throw fail("a string is never closed") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 2 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw fail("a \\u surrogate must come in a pair")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("a \\u surrogate must come in a pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("a \\u surrogate must come in a pair")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("not a Unicode scalar") }
                    out += Array(String(Character(u)).utf8)
                default:
                    throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
            return s
        }
    }
}

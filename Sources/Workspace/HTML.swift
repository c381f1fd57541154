import Reports

/// A piece of HTML. Literal text written in Swift is markup; every interpolated `String` is
/// escaped (`& < > " '`), so data can only ever appear as text:
/// `let row: HTML = "<td>\(user.name)</td>"` is safe whatever the name holds.
/// Attribute values must be double-quoted in the literal.
public struct HTML: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The markup.
    public private(set) var rendered: String

    public init(stringLiteral value: String) { rendered = value }
    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }
    public var description: String { rendered }

    /// Nothing.
    public static let empty: HTML = ""

    /// Markup produced by Reports' renderers, which escape every data-derived text themselves
    /// (`HTMLReport.table`, `SVGCharts`); never for text from the data.
    init(rendered markup: String) { rendered = markup }

    /// Joins pieces of markup.
    public static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        var out = HTML.empty
        out.rendered = parts.map(\.rendered).joined(separator: separator.rendered)
        return out
    }

    /// `&`, `<`, `>`, `"` and `'` (and control characters) as character references: safe in text
    /// and in quoted attributes. The same escaping as the static reports.
    public static func escape(_ text: String) -> String { HTMLReport.escape(text) }

    /// Percent-encodes one URL path segment (RFC 3986 unreserved characters stay).
    public static func pathSegment(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }

    public struct Interpolation: StringInterpolationProtocol {
        var output = ""
        public init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { output += literal }
        /// Data: escaped.
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        /// Data that may be absent: escaped, `—` when nil.
        public mutating func appendInterpolation(_ text: String?) { output += text.map(HTML.escape) ?? "—" }
        /// Markup built the same way: inserted as it is.
        public mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        public mutating func appendInterpolation(_ list: [HTML]) { output += list.map(\.rendered).joined() }
        public mutating func appendInterpolation(_ n: Int) { output += String(n) }
    }
}

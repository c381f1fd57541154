import CallQAModel

/// A JSON value whose objects keep their key order, rendered deterministically:
/// same value → same bytes. Numbers are rounded to a fixed number of decimals.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number rendered with at most `decimals` decimals, trailing zeros removed.
    case number(Double, decimals: Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// Seconds, rounded to the 10 ms frame (2 decimals).
    public static func seconds(_ v: Double) -> JSONValue { .number(v, decimals: 2) }
    /// Ratios and shares, 4 decimals.
    public static func ratio(_ v: Double) -> JSONValue { .number(v, decimals: 4) }
    /// Levels in dB, 1 decimal.
    public static func decibels(_ v: Double) -> JSONValue { .number(v, decimals: 1) }
    /// `nil` → null.
    public static func optional<T>(_ v: T?, _ f: (T) -> JSONValue) -> JSONValue { v.map(f) ?? .null }

    /// Compact one-line rendering (JSON Lines).
    public func rendered() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .number(v, decimals): out += Self.format(v, decimals: decimals)
        case let .string(s): out += JSONText.string(s)
        case let .array(items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.render(into: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.string(k)
                out += ":"
                v.render(into: &out)
            }
            out += "}"
        }
    }

    /// Fixed-point formatting without Foundation: exact, locale-free, deterministic.
    public static func format(_ v: Double, decimals: Int, padded: Bool = false) -> String {
        guard v.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e15 else { return String(v) }
        let units = Int64(scaled)
        let intPart = units / Int64(scale)
        var frac = units % Int64(scale)
        var digits = ""
        if padded && decimals > 0 {
            let s = String(frac)
            digits = "." + String(repeating: "0", count: decimals - s.count) + s
        } else if decimals > 0 && frac > 0 {
            var d = decimals
            while frac % 10 == 0 && d > 0 { frac /= 10; d -= 1 }
            let s = String(frac)
            digits = "." + String(repeating: "0", count: d - s.count) + s
        }
        let sign = (v < 0 && units != 0) ? "-" : ""
        return sign + String(intPart) + digits
    }

}

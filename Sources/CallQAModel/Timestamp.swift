import Foundation

/// A moment with the UTC offset it was written in, so that "day" and "hour" can be formed
/// in the caller's local time.
public struct Timestamp: Sendable, Equatable, Hashable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z (may carry milliseconds).
    public var epochS: Double
    /// Offset from UTC of the local time it was written in (s), e.g. 3600 for +01:00.
    public var offsetS: Int

    public init(epochS: Double, offsetS: Int) {
        self.epochS = epochS
        self.offsetS = offsetS
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.epochS < b.epochS }

    /// ISO 8601 with offset, seconds precision (milliseconds when present):
    /// `2026-11-24T09:15:00+01:00`.
    public var iso8601: String {
        let local = epochS + Double(offsetS)
        let whole = local.rounded(.down)
        let millis = Int(((local - whole) * 1000).rounded())
        let (y, mo, d, h, mi, s) = Self.civil(Int64(whole))
        var out = Self.pad(y, 4) + "-" + Self.pad(mo, 2) + "-" + Self.pad(d, 2) + "T" + Self.pad(h, 2) + ":" + Self.pad(mi, 2) + ":" + Self.pad(s, 2)
        if millis > 0 && millis < 1000 { out += "." + Self.pad(millis, 3) }
        if offsetS == 0 { return out + "Z" }
        let a = abs(offsetS)
        return out + (offsetS < 0 ? "-" : "+") + Self.pad(a / 3600, 2) + ":" + Self.pad((a % 3600) / 60, 2)
    }

    /// Zero-padded decimal (no Foundation formatting: this runs once per imported row).
    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Local calendar date `YYYY-MM-DD` in the timestamp's own offset.
    public var localDate: String {
        let (y, mo, d, _, _, _) = Self.civil(Int64((epochS + Double(offsetS)).rounded(.down)))
        return Self.pad(y, 4) + "-" + Self.pad(mo, 2) + "-" + Self.pad(d, 2)
    }

    /// Days since 1970-01-01 → (year, month, day); Howard Hinnant's algorithm.
    static func civil(_ secs: Int64) -> (Int, Int, Int, Int, Int, Int) {
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d), Int(rem / 3600), Int((rem % 3600) / 60), Int(rem % 60))
    }

    /// (year, month, day) → days since 1970-01-01.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses ISO 8601 / RFC 3339 date-times: `2026-11-24T09:15:00+01:00`, `…Z`,
    /// `2026-11-24 09:15:00.250+0100`; without an offset, `zone` decides it (nil → error).
    /// A bare date `2026-11-24` is midnight in `zone` (or UTC).
    public static func parse(_ text: String, zone: Zone?) -> Timestamp? {
        let s = Array(text.trimmedSpaces.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                let c = s[k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect("-"), let mo = digits(2), expect("-"), let d = digits(2),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        var h = 0, mi = 0, sec = 0
        var frac = 0.0
        if i < s.count {
            guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") || s[i] == UInt8(ascii: "t") else { return nil }
            i += 1
            guard let hh = digits(2), expect(":"), let mm = digits(2), hh < 24, mm < 60 else { return nil }
            h = hh; mi = mm
            if expect(":") {
                guard let ss = digits(2), ss < 61 else { return nil }
                sec = min(ss, 59)
                if expect(".") || expect(",") {
                    var scale = 0.1
                    var any = false
                    while i < s.count, s[i] >= 48, s[i] <= 57 {
                        frac += Double(s[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
        } else if zone == nil {
            // A bare date without a zone: midnight UTC.
            return Timestamp(epochS: Double(daysFromCivil(y, mo, d) * 86400), offsetS: 0)
        }
        let localSecs = daysFromCivil(y, mo, d) * 86400 + Int64(h * 3600 + mi * 60 + sec)
        var offset: Int
        if i == s.count {
            guard let zone else { return nil }
            offset = zone.offset(forLocalSeconds: localSecs)
        } else if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
            i += 1
            offset = 0
        } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            let negative = s[i] == UInt8(ascii: "-")
            i += 1
            guard let oh = digits(2), oh <= 18 else { return nil }
            var om = 0
            if expect(":") { guard let m = digits(2) else { return nil }; om = m }
            else if i < s.count { guard let m = digits(2) else { return nil }; om = m }
            guard om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (negative ? -1 : 1)
        } else {
            return nil
        }
        guard i == s.count else { return nil }
        return Timestamp(epochS: Double(localSecs - Int64(offset)) + frac, offsetS: offset)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A time zone for timestamps written without an offset: a fixed offset (`+01:00`,
    /// `UTC`) or an IANA name (`Europe/Berlin`, with its daylight-saving rules).
    public enum Zone: Sendable, Equatable, CustomStringConvertible {
        case fixed(offsetS: Int)
        case named(String)

        /// Parses `UTC`, `Z`, `±HH:MM`, `±HHMM` or an IANA zone name known to the system.
        public init?(_ text: String) {
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.uppercased() == "UTC" || t == "Z" { self = .fixed(offsetS: 0); return }
            if let first = t.first, first == "+" || first == "-" {
                guard let ts = Timestamp.parse("1970-01-01T00:00:00" + t, zone: nil) else { return nil }
                self = .fixed(offsetS: ts.offsetS)
                return
            }
            guard TimeZone(identifier: t) != nil else { return nil }
            self = .named(t)
        }

        public var description: String {
            switch self {
            case let .fixed(o): o == 0 ? "UTC" : Timestamp(epochS: 0, offsetS: o).iso8601.replacingOccurrences(of: "1970-01-01T00:00:00", with: "")
            case let .named(n): n
            }
        }

        /// The offset in force at a moment (s).
        public func offset(atEpochS t: Double) -> Int {
            switch self {
            case let .fixed(o): return o
            case let .named(n): return TimeZone(identifier: n)?.secondsFromGMT(for: Date(timeIntervalSince1970: t)) ?? 0
            }
        }

        /// The offset that applies to a local wall-clock time (seconds since 1970 as if UTC).
        /// In a daylight-saving gap or overlap, the offset before the change is used.
        public func offset(forLocalSeconds local: Int64) -> Int {
            switch self {
            case let .fixed(o): return o
            case .named:
                let first = offset(atEpochS: Double(local))
                let second = offset(atEpochS: Double(local - Int64(first)))
                return offset(atEpochS: Double(local - Int64(second))) == second ? second : first
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs; the string itself when there are none
    /// (the common case, and much cheaper than Foundation's trimming).
    public var trimmedSpaces: String {
        guard let f = utf8.first, let l = utf8.last else { return self }
        if f != 0x20 && f != 0x09 && l != 0x20 && l != 0x09 { return self }
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

import CallQAModel
import Foundation

/// HMAC-SHA-256 (RFC 2104).
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? { var s = SHA256(); s.update(key); return s.finalize() }() : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }
}

/// Caller numbers are personal data: normalised, then stored as a keyed hash.
public struct CallerHasher: CustomerNumberHasher {
    private let key: [UInt8]
    /// Digits prefixed to national numbers (a leading single 0), e.g. "49"; nil leaves them.
    public let countryCode: String?

    public init(key: [UInt8], countryCode: String? = nil) {
        self.key = key
        self.countryCode = countryCode
    }

    /// Removes spaces, dashes, dots, slashes and brackets; leading `00` → `+`; a national
    /// number (one leading 0) gets `+countryCode` when one is set. Anything that is not a
    /// phone number (letters, SIP URIs, "anonymous") is kept as is, lowercased.
    public func normalize(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let kept = trimmed.filter { !" -.()/[]\t".contains($0) }
        guard !kept.isEmpty, kept.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+") }),
              !kept.dropFirst().contains("+") else { return trimmed.lowercased() }
        if kept.hasPrefix("00") { return "+" + kept.dropFirst(2) }
        if let cc = countryCode, kept.hasPrefix("0") { return "+" + cc + kept.dropFirst() }
        return kept
    }

    /// `hmac-sha256(key, normalize(raw))`, first 128 bits as 32 hex digits; nil for an empty
    /// or withheld number (see `isWithheld`): those are no one's, never grouped or linked.
    public func hash(_ raw: String) -> String? {
        let n = normalize(raw)
        guard !n.isEmpty, !Self.isWithheld(normalized: n) else { return nil }
        return mac(n)
    }

    /// The hash `hash` gave before withheld numbers were recognised (for cleaning old rows).
    public func unfilteredHash(_ raw: String) -> String? {
        let n = normalize(raw)
        return n.isEmpty ? nil : mac(n)
    }

    private func mac(_ text: String) -> String {
        String(SHA256.hexString(HMACSHA256.mac(key: key, message: Array(text.utf8))).prefix(32))
    }

    /// A keyed digest of any text (32 hex digits): fingerprints of records that hold
    /// numbers, so the stored fingerprint cannot be used to guess them.
    public func keyedDigest(_ text: String) -> String { mac("fingerprint\u{1F}" + text) }

    /// What PBXs write for a withheld or unknown number (compared lowercased, after
    /// normalisation); an empty number and one of zeros only are withheld too.
    public static let withheldSpellings: [String] = [
        "anonymous", "unknown", "restricted", "private", "withheld", "unavailable", "anonym", "unbekannt",
        "blocked", "no caller id", "nocallerid", "<unknown>", "asterisk", "s",
    ]

    /// Whether a normalised number is withheld: a known spelling, empty, or zeros only (`0`, `+000`).
    public static func isWithheld(normalized n: String) -> Bool {
        let t = n.trimmingCharacters(in: .whitespaces).lowercased()
        if t.isEmpty || withheldSpellings.contains(t) { return true }
        let digits = t.hasPrefix("+") ? t.dropFirst() : Substring(t)
        return !digits.isEmpty && digits.allSatisfy { $0 == "0" }
    }
}

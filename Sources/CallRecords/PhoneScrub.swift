/// Removes phone numbers from free text that comes from call records (CDR channels,
/// user fields, manifest extra columns) before it is stored: personal data is never kept
/// in clear there.
///
/// A run of digits (with `+`, spaces, dashes, dots, slashes or brackets between them) of at
/// least 7 digits is replaced by `[number]` when it starts with `+`, with `00` and a non-zero
/// digit (international), with `0` and a non-zero digit and has 9+ digits (national), or
/// when it contains the last 7 digits of one of the record's own numbers (`known`).
/// Identifiers such as Asterisk's `-00000001` channel suffix or `1732440000.42` uniqueids
/// are left alone unless they contain a known number.
public enum PhoneScrub {
    public static let replacement = "[number]"

    /// `text` with its phone numbers replaced.
    public static func scrub(_ text: String, known: [String] = []) -> String {
        let needles = known.compactMap { k -> [UInt8]? in
            let d = k.utf8.filter { $0 >= 48 && $0 <= 57 }
            return d.count >= 7 ? Array(d.suffix(7)) : nil
        }
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 >= 48 && $0 <= 57 }) else { return text }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func isSeparator(_ b: UInt8) -> Bool { b == 32 || b == 45 || b == 46 || b == 47 || b == 40 || b == 41 }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        while i < bytes.count {
            let b = bytes[i]
            let startsRun = isDigit(b) || (b == 43 && i + 1 < bytes.count && isDigit(bytes[i + 1]))
                || (b == 40 && i + 1 < bytes.count && isDigit(bytes[i + 1]))
            // A run starts at a digit not preceded by a digit (or at `+` / `(`).
            guard startsRun, i == 0 || !isDigit(bytes[i - 1]) else {
                out.append(b)
                i += 1
                continue
            }
            var j = i
            var lastDigitEnd = i
            var digits: [UInt8] = []
            while j < bytes.count {
                let c = bytes[j]
                if isDigit(c) {
                    digits.append(c)
                    j += 1
                    lastDigitEnd = j
                } else if (c == 43 && j == i) || (c == 40 && j == i)
                            || (isSeparator(c) && j + 1 < bytes.count && (isDigit(bytes[j + 1]) || bytes[j + 1] == 40)) {
                    j += 1
                } else {
                    break
                }
            }
            let run = bytes[i..<lastDigitEnd]
            let plus = run.first == 43
            var isNumber = false
            if digits.count >= 7 {
                if plus { isNumber = true }
                else if digits.count >= 9, digits[0] == 48, digits[1] == 48, digits[2] != 48 { isNumber = true }
                else if digits.count >= 9, digits[0] == 48, digits[1] != 48 { isNumber = true }
                else if needles.contains(where: { contains(digits, $0) }) { isNumber = true }
            }
            if isNumber {
                out += Array(replacement.utf8)
                changed = true
            } else {
                out += run
            }
            i = lastDigitEnd
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        for s in 0...(hay.count - needle.count) where hay[s..<(s + needle.count)].elementsEqual(needle) { return true }
        return false
    }
}

import CCrypto
import HummingbirdBcrypt

/// Random tokens, their SHA-256, and passwords: the only secrets the workspace handles.
public enum Secrets {
    /// `count` bytes from the system's cryptographic generator (`getrandom` on Linux).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    /// A session or login token: 32 random bytes (256 bits) as base64url without padding
    /// (43 characters, valid in a cookie).
    public static func newToken() -> String { base64URL(randomBytes(32)) }

    /// Lowercase hex SHA-256 of the token's UTF-8 bytes (OpenSSL's libcrypto): what the
    /// server stores instead of the token.
    public static func sha256Hex(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { buf in
            EVP_Digest(buf.baseAddress, buf.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest over a memory buffer with the built-in SHA-256 cannot fail short of
        // memory exhaustion; never fall back to something weaker.
        precondition(ok == 1 && length == 32, "libcrypto: SHA-256 failed")
        return digest.map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined()
    }

    /// The CSRF token of a session: derived from its token, so it is never stored and is
    /// worthless without the session cookie it belongs to.
    public static func csrfToken(forSessionToken token: String) -> String {
        String(sha256Hex("callqa-csrf\u{0}" + token).prefix(43))
    }

    /// Compares two strings in time that depends on their length only.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// A readable generated password: 6 groups of 5 characters from a 32-letter alphabet
    /// without look-alikes (no i, l, o, 0): 30 × 5 = 150 bits, e.g. `k7qmz-4hw2x-…`.
    public static func generatedPassword() -> String {
        let letters = Array("abcdefghjkmnpqrstuvwxyz123456789")
        precondition(letters.count == 32)
        var rng = SystemRandomNumberGenerator()
        // 2^64 is a multiple of 32: the remainder is uniform.
        let groups = (0..<6).map { _ in String((0..<5).map { _ in letters[Int(rng.next() % 32)] }) }
        return groups.joined(separator: "-")
    }

    /// The bcrypt cost `callqa users` uses (2^12 rounds; ≈ 0.2–0.4 s per check on these machines).
    public static let bcryptCost: UInt8 = 12

    /// bcrypt hash of a password (HummingbirdBcrypt).
    public static func hashPassword(_ password: String, cost: UInt8 = bcryptCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Checks a password against a bcrypt hash.
    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A hash no password matches, checked when the user name is unknown so that a wrong name
    /// takes as long as a wrong password (no user enumeration by timing).
    static let decoyHash = Bcrypt.hash(base64URL(randomBytes(16)), cost: bcryptCost)

    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for s in [18, 12, 6, 0] { out.append(table[Int((v >> UInt32(s)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var v = UInt32(bytes[i]) << 16
            if rest == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            for s in [18, 12, 6, 0].prefix(rest + 1) { out.append(table[Int((v >> UInt32(s)) & 63)]) }
        }
        return out
    }

    private static let hexDigits = (0..<16).map { String($0, radix: 16) }
}

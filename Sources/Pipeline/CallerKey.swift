import CallQAModel
import CallRecords
import Foundation

/// The secret key of caller hashing. It lives outside the database: `CALLQA_HASH_KEY`, or a
/// key file beside the database (`callqa.key`, mode 0600, created on first use).
public enum CallerKey {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The key file used for a database path.
    public static func keyPath(forDatabase db: String) -> String {
        let dir = (db as NSString).deletingLastPathComponent
        return dir.isEmpty ? "callqa.key" : (dir as NSString).appendingPathComponent("callqa.key")
    }

    /// Loads (or creates) the key for the database at `db`.
    public static func load(forDatabase db: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) -> [UInt8] {
        if let env = environment["CALLQA_HASH_KEY"], !env.isEmpty {
            guard env.utf8.count >= 16 else {
                throw Failure(description: "CALLQA_HASH_KEY: expected at least 16 characters of secret")
            }
            return Array(env.utf8)
        }
        let path = keyPath(forDatabase: db)
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = decodeHex(hex), bytes.count >= 16 else {
                throw Failure(description: "key file '\(path)': expected at least 32 hexadecimal digits")
            }
            return bytes
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard let random = fopen("/dev/urandom", "rb"), fread(&bytes, 1, 32, random) == 32 else {
            throw Failure(description: "cannot read /dev/urandom to create the caller-hashing key")
        }
        fclose(random)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            // Another process created it first: use theirs.
            if errno == EEXIST, let text = try? String(contentsOfFile: path, encoding: .utf8),
               let existing = decodeHex(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return existing }
            throw Failure(description: "cannot create key file '\(path)': \(String(cString: strerror(errno)))")
        }
        let line = Array((SHA256.hexString(bytes) + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == line.count else { throw Failure(description: "cannot write key file '\(path)'") }
        return bytes
    }

    static func decodeHex(_ s: String) -> [UInt8]? {
        let chars = Array(s.utf8)
        guard chars.count % 2 == 0, !chars.isEmpty else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}

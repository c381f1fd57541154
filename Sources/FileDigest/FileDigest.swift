import CCrypto
import FileAccess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies a file's content on disk without reading it: its size and modification
/// time. A recording whose stamp equals the one stored with its analysis is taken as
/// unchanged without hashing (the quick check of a re-run); any other difference makes the
/// caller hash it again.
public struct FileStamp: Sendable, Equatable {
    /// Size (bytes).
    public var sizeBytes: Int64
    /// Modification time (Unix s, with nanoseconds).
    public var mtimeEpoch: Double

    public init(sizeBytes: Int64, mtimeEpoch: Double) {
        self.sizeBytes = sizeBytes
        self.mtimeEpoch = mtimeEpoch
    }

    /// The stamp of the file at `path` (following links); nil when it cannot be examined.
    public static func of(path: String) -> FileStamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStamp(st)
    }

    init(_ st: stat) {
        #if canImport(Darwin)
        let mtime = Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
        #else
        let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        #endif
        self.init(sizeBytes: Int64(st.st_size), mtimeEpoch: mtime)
    }
}

/// A file's SHA-256 and the stamp of the bytes that were hashed.
public struct FileDigestResult: Sendable, Equatable {
    /// SHA-256 of the content, 64 lowercase hex digits.
    public var sha: String
    /// Bytes hashed.
    public var size: Int64
    /// Modification time when the file was opened (Unix s, with nanoseconds).
    public var mtime: Double

    /// Size and modification time as a stamp, to compare with the file later.
    public var stamp: FileStamp { FileStamp(sizeBytes: size, mtimeEpoch: mtime) }
}

/// Streams a file through SHA-256 (OpenSSL's libcrypto: SHA extensions where the CPU has them).
/// Regular files only (a FIFO named like a recording is refused, never waited on).
public enum FileDigest {
    /// Why a file could not be hashed.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Bytes read per step.
    static let bufferBytes = 1 << 20

    /// The SHA-256 of the file's content, its size and modification time (from the open
    /// descriptor, so they describe the file that was read).
    public static func sha256(path: String) throws(Failure) -> FileDigestResult {
        let fh: UnsafeMutablePointer<FILE>
        do { fh = try RegularFile.openStream(path) } catch { throw Failure(description: error.description) }
        defer { fclose(fh) }
        var st = stat()
        guard fstat(fileno(fh), &st) == 0 else { throw Failure(description: "cannot stat '\(path)'") }
        let hasher = try Hasher()
        var buffer = [UInt8](repeating: 0, count: bufferBytes)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, fh) }
            if n == 0 { break }
            total += Int64(n)
            guard buffer.withUnsafeBytes({ hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else {
                throw Failure(description: "libcrypto: SHA-256 failed")
            }
        }
        if ferror(fh) != 0 { throw Failure(description: "read error in '\(path)'") }
        let stamp = FileStamp(st)
        return FileDigestResult(sha: try hasher.finish(), size: total, mtime: stamp.mtimeEpoch)
    }

    /// The SHA-256 of bytes in memory, 64 lowercase hex digits (the same digest as a file of them).
    public static func sha256(bytes: [UInt8]) throws(Failure) -> String {
        let hasher = try Hasher()
        guard bytes.withUnsafeBytes({ hasher.update($0) }) else { throw Failure(description: "libcrypto: SHA-256 failed") }
        return try hasher.finish()
    }

    /// Size (bytes) and modification time (Unix s, with nanoseconds) of a file.
    public static func sizeAndModification(path: String) -> (Int64, Double)? {
        FileStamp.of(path: path).map { ($0.sizeBytes, $0.mtimeEpoch) }
    }

    /// Lowercase hex digits of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One libcrypto digest context (freed when the hasher goes away).
    final class Hasher {
        let ctx: OpaquePointer

        init() throws(Failure) {
            guard let ctx = EVP_MD_CTX_new() else { throw Failure(description: "libcrypto: cannot create a digest context") }
            guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
                EVP_MD_CTX_free(ctx)
                throw Failure(description: "libcrypto: SHA-256 unavailable")
            }
            self.ctx = ctx
        }

        deinit { EVP_MD_CTX_free(ctx) }

        /// Adds bytes; false when libcrypto failed.
        func update(_ bytes: UnsafeRawBufferPointer) -> Bool {
            bytes.isEmpty || EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) == 1
        }

        func finish() throws(Failure) -> String {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(ctx, &digest, &length) == 1, length == 32 else {
                throw Failure(description: "libcrypto: SHA-256 failed")
            }
            return FileDigest.hex(digest)
        }
    }
}

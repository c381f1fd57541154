import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening input files without hanging: only regular files are read.
///
/// A FIFO, a character device or a socket named like an input (`x.wav`, `surveys.csv`)
/// would block `open(2)` or `read(2)` forever. Files are opened with `O_NONBLOCK` (which
/// never blocks on a FIFO without a writer), checked with `fstat` on the open descriptor
/// (no window between the check and the open), and refused unless they are regular files.
public enum RegularFile {
    /// Why a path cannot be read as a regular file.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        /// The reason: "is a FIFO (named pipe), not a regular file", "is a directory", or the system's text.
        public var reason: String
        /// The kind of special file the path is (`kindName`), when that is the reason; nil otherwise.
        public var kind: String? = nil
        public var description: String { "cannot read '\(path)': \(reason)" }

        public init(path: String, reason: String, kind: String? = nil) {
            self.path = path
            self.reason = reason
            self.kind = kind
        }
    }

    /// What kind of special file `mode` describes, in words; nil for a regular file.
    public static func kindName(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    /// Opens `path` read-only as a blocking descriptor of a regular file (the caller closes it).
    public static func openDescriptor(_ path: String) throws(Failure) -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(path: path, reason: reason)
        }
        if let kind = kindName(mode: st.st_mode) {
            close(fd)
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            throw Failure(path: path, reason: isDirectory ? "is a directory" : "is \(kind), not a regular file", kind: kind)
        }
        // Regular files ignore O_NONBLOCK; cleared anyway so reads behave as usual.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    /// Opens `path` as a C stream (`"rb"`) of a regular file (the caller `fclose`s it).
    public static func openStream(_ path: String) throws(Failure) -> UnsafeMutablePointer<FILE> {
        let fd = try openDescriptor(path)
        guard let fh = fdopen(fd, "rb") else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(path: path, reason: reason)
        }
        return fh
    }

    /// Reads at most `limit` bytes of a regular file; more is an error.
    public static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        let fh = try openStream(path)
        defer { fclose(fh) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, fh) }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            if out.count > limit { throw Failure(path: path, reason: "file is larger than \(limit) bytes") }
        }
        if ferror(fh) != 0 { throw Failure(path: path, reason: "read error") }
        return out
    }

    /// Reads the first `count` bytes (or fewer) of a regular file.
    public static func head(_ path: String, count: Int) throws(Failure) -> Data {
        let fh = try openStream(path)
        defer { fclose(fh) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, fh) }
        return Data(buffer[0..<n])
    }
}

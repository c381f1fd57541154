import CallQAModel
import CallRecords
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A call-record file followed as `tail -F` follows it: read as it grows, record by complete
/// record (a last line without its line break is left for later), across rotation (the path
/// names a new file: the old one is read to its end first, including what the writer adds
/// within a grace period) and truncation (the file shrinks: read again from its start).
/// Its position (file identity, byte offset, line number) is what the watcher stores in the
/// same transaction as the lines it consumed.
final class FollowedLog {
    let path: String
    let kind: InputKind
    /// The position after everything returned so far.
    private(set) var state: WatchSourceRow
    private var fd: Int32 = -1
    /// The name of the file being read: `path`, or a rotated file's new name when it was
    /// found by its inode after a restart.
    private(set) var reading: String
    /// When `path` was seen to name another file, or none: the open one is drained until
    /// the grace period after this has passed (monotonic seconds).
    private var rotatedAt: Double?
    /// The open file is a finished copy (copytruncate's): read it to its end at once.
    private var drainNow = false
    /// A manifest's delimiter (from its header line).
    private var manifestDelimiter: UInt8?

    /// What one read gave.
    struct Batch {
        var records: [CSVRecord] = []
        /// The file the records were read from (its name at the time).
        var file: String
        /// Records that could not be read (bad UTF-8, a field too long): rejected rows.
        var errors: [RecordError] = []
        /// The position after the records (possibly in a new file, after a rotation).
        var state: WatchSourceRow
        /// What happened to the file (rotation, truncation, bytes lost), for the log.
        var notes: [String] = []
        /// The first record is the first of its file (a manifest's header).
        var fromFileStart = false
        /// A new file began (after rotation or truncation): a manifest's header comes again.
        var restarted = false
    }

    init(path: String, kind: InputKind, stored: WatchSourceRow?) {
        self.path = path
        self.kind = kind
        state = stored ?? WatchSourceRow(path: path, kind: kind, device: 0, inode: 0, offset: 0, nextLine: 1)
        reading = path
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The delimiter of this kind of file.
    private var delimiter: UInt8 {
        switch kind {
        case .asteriskCDR: UInt8(ascii: ",")
        case .queueLog: UInt8(ascii: "|")
        case .manifest: manifestDelimiter ?? UInt8(ascii: ",")
        }
    }

    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    static func identity(_ path: String) -> (Identity, Int64)? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), Int64(st.st_size))
    }

    private var current: Identity { Identity(device: state.device, inode: state.inode) }

    /// Opens the file the stored position refers to (at start, or after a switch).
    private func openStored(now: Double, notes: inout [String]) {
        if state.inode == 0 {
            if let (id, _) = Self.identity(path) { begin(id) }
            return
        }
        if let (id, size) = Self.identity(path), id == current {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            reading = path
            // Shorter than read, or other bytes where the last ones read were: truncated
            // (and perhaps written again) while callqa was not running.
            if fd >= 0, size < state.offset || Self.tailHash(fd: fd, offset: state.offset) != state.tailSHA256 {
                truncated(now: now, notes: &notes, size: size)
            }
            return
        }
        // Rotated while callqa was not running: the old file is read to its end if it is
        // still in the same folder under another name (Master.csv.1, queue_log-20261208).
        let folder = (path as NSString).deletingLastPathComponent
        let dir = folder.isEmpty ? "." : folder
        if let names = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for name in names.sorted() {
                let candidate = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
                if let (id, _) = Self.identity(candidate), id == current {
                    fd = open(candidate, O_RDONLY | O_CLOEXEC)
                    if fd >= 0 {
                        reading = candidate
                        rotatedAt = now
                        notes.append("\(path) was rotated while callqa was not running: reading the rest of the old file, now \(candidate), from byte \(state.offset)")
                        return
                    }
                }
            }
        }
        notes.append("\(path): the file read up to byte \(state.offset) (inode \(state.inode)) is gone; lines written to it after that were not read")
        if let (id, _) = Self.identity(path) { begin(id) } else { state = WatchSourceRow(path: path, kind: kind, device: 0, inode: 0, offset: 0, nextLine: 1) }
    }

    /// SHA-256 of the (up to) 64 bytes before `offset` of an open file ("" at its start).
    static func tailHash(fd: Int32, offset: Int64) -> String {
        let n = Int(min(64, offset))
        guard n > 0 else { return "" }
        var b = [UInt8](repeating: 0, count: n)
        let got = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(offset) - off_t(n)) }
        return got == n ? SHA256.hex(b) : "-"
    }

    /// The file being read was truncated under its name (copytruncate). What was written to
    /// it after the last read and before the truncation is in the copy logrotate made
    /// (`queue_log.1`, `queue_log-20261208`): the sibling whose bytes before the position are
    /// the ones last read. That copy is read to its end first, then the truncated file from
    /// its start; with no such copy, the truncated file is read from its start.
    private func truncated(now: Double, notes: inout [String], size: Int64) {
        let folder = (path as NSString).deletingLastPathComponent, base = (path as NSString).lastPathComponent
        if state.offset > 0, !state.tailSHA256.isEmpty,
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) {
            for name in names.sorted() where name != base && name.hasPrefix(base) {
                let candidate = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
                guard let (_, copySize) = Self.identity(candidate), copySize >= state.offset else { continue }
                let copy = open(candidate, O_RDONLY | O_CLOEXEC)
                guard copy >= 0 else { continue }
                if Self.tailHash(fd: copy, offset: state.offset) == state.tailSHA256 {
                    if fd >= 0 { close(fd) }
                    fd = copy
                    reading = candidate
                    rotatedAt = now
                    drainNow = true
                    notes.append("\(path) was truncated (copytruncate): reading the rest of its copy \(candidate) from byte \(state.offset) first")
                    return
                }
                close(copy)
            }
        }
        notes.append("\(path) was truncated (\(size) bytes, read up to \(state.offset)) and no copy of what was read holds the rest: reading it again from its start")
        state.offset = 0
        state.nextLine = 1
        state.tailSHA256 = ""
        if kind == .manifest { manifestDelimiter = nil }
    }

    /// Starts reading `path` (a new file) from its start.
    private func begin(_ id: Identity) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        reading = path
        state = WatchSourceRow(path: path, kind: kind, device: id.device, inode: id.inode, offset: 0, nextLine: 1)
        if kind == .manifest { manifestDelimiter = nil }
    }

    /// The first record of the file being read (a manifest's header), when the position is
    /// past it (after a restart).
    func header() -> CSVRecord? {
        guard fd >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        bytes.removeSubrange(n...)
        let d = CSVReader.detectDelimiter(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)
        manifestDelimiter = d
        guard let reader = try? CSVReader(bytes: bytes, file: reading, firstLine: 1, atFileStart: true, delimiter: d) else { return nil }
        return try? reader.next()
    }

    /// Reads what was added since the last call (at most `maxBytes`). Nil when nothing changed.
    func poll(now: Double, graceS: Double, maxBytes: Int = 1 << 20) -> Batch? {
        var notes: [String] = []
        let before = state
        if fd < 0 { openStored(now: now, notes: &notes) }
        let onPath = Self.identity(path)
        if fd >= 0, rotatedAt == nil, onPath?.0 != current {
            rotatedAt = now
            notes.append(onPath == nil ? "\(path) was moved away or deleted: reading the rest of it, then waiting for a new one"
                : "\(path) was rotated (a new file under the name): reading the rest of the old one first")
        }
        guard fd >= 0 else {
            if let (id, _) = onPath {
                begin(id)
                return Batch(file: reading, state: state, notes: notes, fromFileStart: true, restarted: true)
            }
            return notes.isEmpty && state == before ? nil : Batch(file: reading, state: state, notes: notes)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var restarted = false
        // Shorter than read, or grown again past where it was read with other bytes there:
        // truncated between two looks.
        if rotatedAt == nil, Int64(st.st_size) < state.offset
            || (Int64(st.st_size) > state.offset && state.offset > 0 && Self.tailHash(fd: fd, offset: state.offset) != state.tailSHA256) {
            truncated(now: now, notes: &notes, size: Int64(st.st_size))
            restarted = !drainNow
            guard fstat(fd, &st) == 0 else { return nil }
        }
        let available = Int64(st.st_size) - state.offset
        let draining = drainNow || (rotatedAt.map { now - $0 >= graceS } ?? false)
        var count = Int(min(available, Int64(maxBytes)))
        var batch = Batch(file: reading, state: state, notes: notes)
        batch.fromFileStart = state.offset == 0
        batch.restarted = restarted
        var final = false
        var parsed: (records: [CSVRecord], errors: [RecordError], consumed: Int, nextLine: Int) = ([], [], 0, state.nextLine)
        while true {
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(state.offset) + off_t(got)) }
                if n <= 0 { break }
                got += n
            }
            bytes.removeSubrange(got...)
            // The rest of a rotated file, once its grace period is over: its last line is final.
            final = draining && Int64(got) == available
            if kind == .manifest, state.offset == 0, manifestDelimiter == nil, !bytes.isEmpty {
                manifestDelimiter = CSVReader.detectDelimiter(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)
            }
            parsed = Self.records(in: bytes, final: final, file: reading, firstLine: state.nextLine, atFileStart: state.offset == 0, delimiter: delimiter)
            // A record longer than what was read: read more (up to 64 MiB at once).
            if parsed.consumed == 0, !final, Int64(got) < available, got == count, count < 1 << 26 {
                count = Int(min(available, Int64(count) * 2))
                continue
            }
            break
        }
        batch.records = parsed.records
        batch.errors = parsed.errors
        state.offset += Int64(parsed.consumed)
        state.nextLine = parsed.nextLine
        if parsed.consumed > 0 { state.tailSHA256 = Self.tailHash(fd: fd, offset: state.offset) }
        if final {
            close(fd)
            fd = -1
            rotatedAt = nil
            drainNow = false
            if let (id, _) = Self.identity(path) {
                begin(id)
                batch.restarted = true
            } else {
                state = WatchSourceRow(path: path, kind: kind, device: 0, inode: 0, offset: 0, nextLine: 1)
            }
        }
        batch.state = state
        if batch.records.isEmpty && batch.errors.isEmpty && batch.notes.isEmpty && state == before { return nil }
        return batch
    }

    /// The complete records in `bytes` (read from a file at line `firstLine`): up to the last
    /// line break outside a quoted field, or everything when `final`. Returns the records,
    /// the unreadable ones as errors, the bytes consumed and the next line's number.
    static func records(in bytes: [UInt8], final: Bool, file: String, firstLine: Int, atFileStart: Bool,
                        delimiter: UInt8) -> (records: [CSVRecord], errors: [RecordError], consumed: Int, nextLine: Int) {
        var piece = bytes
        if !final {
            guard let lastBreak = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return ([], [], 0, firstLine) }
            piece = Array(bytes[...lastBreak])
        }
        guard !piece.isEmpty, let reader = try? CSVReader(bytes: piece, file: file, firstLine: firstLine, atFileStart: atFileStart, delimiter: delimiter) else {
            return ([], [], 0, firstLine)
        }
        var records: [CSVRecord] = [], errors: [RecordError] = []
        while true {
            let (offset, line) = (reader.byteOffset, reader.nextLine)
            do {
                guard let r = try reader.next() else { return (records, errors, reader.byteOffset, reader.nextLine) }
                records.append(r)
            } catch {
                if case .unterminatedQuote = error, !final {
                    // A quoted field still open at the end of what is there: wait for the rest.
                    return (records, errors, offset, line)
                }
                errors.append(RecordError(source: SourceRef(file: file, line: error.line), message: error.description))
                if case .unterminatedQuote = error { return (records, errors, piece.count, reader.nextLine) }
            }
        }
    }
}

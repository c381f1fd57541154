import FileAccess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One CSV record: its fields and the line of the file where it starts (1-based).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Why a record (or the whole file) could not be read.
public enum CSVError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file cannot be opened or read; `reason` is the system's message.
    case unreadable(file: String, reason: String)
    /// A field is not valid UTF-8.
    case invalidUTF8(file: String, line: Int, field: Int)
    /// A field is longer than the limit (bytes).
    case fieldTooLong(file: String, line: Int, limit: Int)
    /// A quoted field never closes before the end of the file.
    case unterminatedQuote(file: String, line: Int)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "cannot read '\(file)': \(reason)"
        case let .invalidUTF8(file, line, field): "\(file):\(line): field \(field): not valid UTF-8 text"
        case let .fieldTooLong(file, line, limit): "\(file):\(line): a field is longer than \(limit) bytes"
        case let .unterminatedQuote(file, line): "\(file):\(line): quoted field is never closed"
        }
    }

    /// The 1-based line the error points at (0 for the whole file).
    public var line: Int {
        switch self {
        case .unreadable: 0
        case let .invalidUTF8(_, line, _), let .fieldTooLong(_, line, _), let .unterminatedQuote(_, line): line
        }
    }
}

/// A streaming RFC 4180 reader: comma, semicolon, tab or pipe delimiters, quoted fields with
/// delimiters, quotes (`""`) and newlines inside, CRLF or LF, an optional UTF-8 BOM.
/// Reads 64 KiB at a time; memory is bounded by the longest record (capped by `maxFieldBytes`).
public final class CSVReader {
    public let file: String
    public private(set) var delimiter: UInt8
    public let maxFieldBytes: Int
    private var handle: UnsafeMutablePointer<FILE>
    /// What was done to read an unusual file (UTF-16, CR-only line ends), for a warning.
    public private(set) var notice: String?
    /// UTF-16 and CR-only files are converted whole (in a temporary file) up to this size.
    public static let maxConvertedBytes = 512 << 20
    private var buffer: [UInt8]
    private var position = 0
    private var filled = 0
    private var eof = false
    private var line = 1
    /// Bytes of the input dropped from the buffer before `position` (for `byteOffset`).
    private var consumedBefore = 0
    /// The bytes a chunk reader reads (`fmemopen` reads them in place: kept alive here).
    private var chunk: UnsafeMutableRawBufferPointer?

    /// Opens `path`. With `delimiter` nil, the delimiter is detected from the first line
    /// (comma or semicolon, whichever is more frequent outside quotes; comma on a tie).
    public convenience init(path: String, delimiter: UInt8? = nil, maxFieldBytes: Int = 1 << 20) throws(CSVError) {
        // Regular files only: a FIFO or device named like a CSV would block forever.
        let h: UnsafeMutablePointer<FILE>
        do { h = try RegularFile.openStream(path) } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        try self.init(stream: h, name: path, delimiter: delimiter, maxFieldBytes: maxFieldBytes)
    }

    /// Reads CSV text held in memory (a request body) exactly as a file of those bytes:
    /// `name` stands for the file in messages (`name:LINE`). The bytes go to an anonymous
    /// temporary file, deleted when the reader is closed.
    public convenience init(bytes: [UInt8], name: String, delimiter: UInt8? = nil, maxFieldBytes: Int = 1 << 20) throws(CSVError) {
        guard let tmp = tmpfile() else { throw .unreadable(file: name, reason: "cannot create a temporary file to read it from") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, tmp) }
        guard written == bytes.count, fflush(tmp) == 0 else {
            fclose(tmp)
            throw .unreadable(file: name, reason: "cannot write it to a temporary file")
        }
        rewind(tmp)
        try self.init(stream: tmp, name: name, delimiter: delimiter, maxFieldBytes: maxFieldBytes)
    }

    private init(stream h: UnsafeMutablePointer<FILE>, name: String, delimiter: UInt8?, maxFieldBytes: Int) throws(CSVError) {
        file = name
        handle = h
        buffer = [UInt8](repeating: 0, count: 1 << 16)
        self.maxFieldBytes = maxFieldBytes
        self.delimiter = delimiter ?? 0
        refill()
        try convertIfNeeded()
        // Skip a UTF-8 byte-order mark.
        if filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
        if delimiter == nil { self.delimiter = detectDelimiter() }
    }

    /// Reads records from bytes in memory: a piece of a file that grows (`callqa watch`
    /// follows logs this way). `firstLine` is the line of the file the bytes start on (line
    /// numbers of records and errors count from it); a UTF-8 byte-order mark is skipped only
    /// when `atFileStart`. No conversion of UTF-16 or CR-only text: a piece is read as UTF-8
    /// with LF or CRLF line ends, as the whole file would be.
    public init(bytes: [UInt8], file: String, firstLine: Int, atFileStart: Bool, delimiter: UInt8, maxFieldBytes: Int = 1 << 20) throws(CSVError) {
        self.file = file
        self.maxFieldBytes = maxFieldBytes
        self.delimiter = delimiter
        line = firstLine
        buffer = [UInt8](repeating: 0, count: 1 << 16)
        // fmemopen refuses a size of 0: an empty piece is one byte that is never read.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        chunk = storage
        guard let h = fmemopen(storage.baseAddress, max(1, bytes.count), "r") else {
            storage.deallocate()
            chunk = nil
            throw .unreadable(file: file, reason: "cannot read a piece of it in memory")
        }
        handle = h
        if bytes.isEmpty { eof = true } else { refill() }
        if atFileStart, filled >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
    }

    deinit {
        fclose(handle)
        chunk?.deallocate()
    }

    /// Bytes of the input read so far, up to the end of the last record returned (and the
    /// blank lines before the next one when `next` returned nil).
    public var byteOffset: Int { consumedBefore + position }

    /// The line the next record starts on (or would: blank lines before it not yet skipped).
    public var nextLine: Int { line }

    /// Excel's "Unicode text" (UTF-16 with a byte-order mark) and classic-Mac CR-only line
    /// ends are read as what they are: the file is converted to UTF-8 / LF into a temporary
    /// file (deleted when closed), and `notice` says so.
    private func convertIfNeeded() throws(CSVError) {
        let head = buffer[0..<filled]
        let utf16 = filled >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))
        let crOnly = !utf16 && head.contains(UInt8(ascii: "\r")) && !head.contains(UInt8(ascii: "\n"))
        guard utf16 || crOnly else { return }
        var data = Data(head)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if data.count > Self.maxConvertedBytes {
                throw .unreadable(file: file, reason: "\(utf16 ? "UTF-16" : "CR-only") file larger than \(Self.maxConvertedBytes >> 20) MiB: save it as UTF-8 CSV with LF or CRLF line ends")
            }
        }
        var text: [UInt8]
        if utf16 {
            guard let s = String(data: data, encoding: .utf16) else {
                throw .unreadable(file: file, reason: "starts with a UTF-16 byte-order mark but is not valid UTF-16: save it as UTF-8 CSV")
            }
            text = Array(s.utf8)
            if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
            notice = "\(file): UTF-16 text (Excel 'Unicode text'): read as UTF-16; saving as 'CSV UTF-8' avoids this"
        } else {
            text = Array(data)
            // LFs further on: an ordinary file with stray CRs at its start, read as it is.
            if text.contains(UInt8(ascii: "\n")) { notice = nil } else {
                notice = "\(file): line ends are CR only (classic Mac): read as line breaks"
            }
        }
        if text.contains(UInt8(ascii: "\r")) && !text.contains(UInt8(ascii: "\n")) {
            text = text.map { $0 == UInt8(ascii: "\r") ? UInt8(ascii: "\n") : $0 }
            if utf16 { notice! += ", with CR-only line ends" }
        }
        guard let tmp = tmpfile() else { throw .unreadable(file: file, reason: "cannot create a temporary file to convert it") }
        _ = text.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, tmp) }
        rewind(tmp)
        fclose(handle)
        handle = tmp
        position = 0
        filled = 0
        eof = false
        refill()
    }

    /// Counts commas and semicolons on the first line (within the first buffer), outside quotes.
    private func detectDelimiter() -> UInt8 {
        Self.detectDelimiter(buffer[position..<filled])
    }

    /// The delimiter of CSV text from its first line: semicolon or tab when more frequent
    /// than commas outside quotes, else comma.
    public static func detectDelimiter(_ bytes: some Collection<UInt8>) -> UInt8 {
        var commas = 0, semicolons = 0, tabs = 0
        var quoted = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            else if !quoted {
                if b == UInt8(ascii: "\n") { break }
                if b == UInt8(ascii: ",") { commas += 1 }
                if b == UInt8(ascii: ";") { semicolons += 1 }
                if b == UInt8(ascii: "\t") { tabs += 1 }
            }
        }
        if semicolons > commas && semicolons >= tabs { return UInt8(ascii: ";") }
        if tabs > commas && tabs > semicolons { return UInt8(ascii: "\t") }
        return UInt8(ascii: ",")
    }

    private func refill() {
        consumedBefore += position
        if position < filled {
            // Keep unread bytes (never happens with byte-at-a-time reading, kept for safety).
            buffer.replaceSubrange(0..<(filled - position), with: buffer[position..<filled])
            filled -= position
        } else {
            filled = 0
        }
        position = 0
        let n = buffer.withUnsafeMutableBytes { raw in
            fread(raw.baseAddress! + filled, 1, raw.count - filled, handle)
        }
        filled += n
        if n == 0 { eof = true }
    }

    @inline(__always)
    private func nextByte() -> UInt8? {
        if position >= filled {
            if eof { return nil }
            refill()
            if position >= filled { return nil }
        }
        let b = buffer[position]
        position += 1
        return b
    }

    @inline(__always)
    private func peekByte() -> UInt8? {
        if position >= filled {
            if eof { return nil }
            refill()
            if position >= filled { return nil }
        }
        return buffer[position]
    }

    /// `next()` as a value, for code whose other errors are of other types.
    public static func result(_ r: CSVReader) -> Result<CSVRecord?, CSVError> {
        do { return .success(try r.next()) } catch { return .failure(error) }
    }

    /// The next readable record; each bad record on the way goes to `onError`, and reading
    /// ends after an unterminated quote (the rest of the file is inside it).
    public func nextRecord(onError: (CSVError) throws -> Void) rethrows -> CSVRecord? {
        while true {
            switch Self.result(self) {
            case let .success(r): return r
            case let .failure(e):
                try onError(e)
                if case .unterminatedQuote = e { return nil }
            }
        }
    }

    /// The next record, nil at the end of the file. A record with an error is consumed whole,
    /// so the caller can report it and go on with the next one.
    public func next() throws(CSVError) -> CSVRecord? {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        // Skip blank lines between records.
        while let b = peekByte(), b == lf || b == cr {
            position += 1
            if b == lf { line += 1 }
        }
        guard peekByte() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var error: CSVError?
        var quoted = false
        var fieldIndex = 1

        func finishField(_ field: inout [UInt8]) {
            if error == nil {
                if let s = String(validating: field, as: UTF8.self) {
                    fields.append(s)
                } else {
                    error = .invalidUTF8(file: file, line: startLine, field: fieldIndex)
                }
            }
            field.removeAll(keepingCapacity: true)
            fieldIndex += 1
        }

        while true {
            guard let b = nextByte() else {
                if quoted { throw .unterminatedQuote(file: file, line: startLine) }
                finishField(&field)
                break
            }
            if quoted {
                if b == quote {
                    if peekByte() == quote { position += 1; field.append(quote) } else { quoted = false }
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
            } else if b == quote && field.isEmpty {
                quoted = true
            } else if b == delimiter {
                finishField(&field)
            } else if b == lf {
                line += 1
                finishField(&field)
                break
            } else if b == cr {
                if peekByte() == lf { continue }
                field.append(b)
            } else {
                field.append(b)
            }
            if field.count > maxFieldBytes, error == nil {
                error = .fieldTooLong(file: file, line: startLine, limit: maxFieldBytes)
            }
            if error != nil { field.removeAll(keepingCapacity: true) }
        }
        if let error { throw error }
        return CSVRecord(line: startLine, fields: fields)
    }
}


import CallAnalysis
import CallQAModel
import Foundation

/// The CSV manifest: a header row naming the columns below (any order); other columns are
/// kept as call attributes.
public enum Manifest {
    /// Columns the manifest knows. Only `call_id` is required.
    public static let knownColumns = [
        "call_id", "recording", "agent_id", "agent_name", "team", "queue", "direction", "started_at",
        "wait_s", "answered", "talk_s", "hold_s", "acw_s", "caller", "dialed", "agent_channel",
    ]

    /// Reads a manifest. Rows with errors are returned apart; a duplicate `call_id` with
    /// different content is an error on the later row, an identical repeat is ignored.
    /// - Parameter zone: applied to `started_at` values written without an offset; nil
    ///   makes such values an error.
    public static func parse(path: String, zone: Timestamp.Zone?) -> ParsedRecords {
        var out = ParsedRecords()
        let reader: Reader
        do {
            reader = try Reader(path: path, zone: zone)
        } catch {
            out.fileError = error
            return out
        }
        var byID: [String: Int] = [:]
        while let call = reader.next(errors: &out.errors) {
            if let previous = byID[call.callID] {
                if out.records[previous].fingerprint != call.fingerprint {
                    out.errors.append(RecordError(source: call.source, callID: call.callID, field: "call_id",
                                                  message: "duplicate call_id '\(call.callID)' with different content (first at line \(out.records[previous].source.line))"))
                }
                continue
            }
            byID[call.callID] = out.records.count
            out.records.append(call)
        }
        return out
    }

    /// Streams a manifest record by record (memory independent of the file's length):
    /// the header is checked on opening, each `next` returns the next valid call and
    /// appends the errors of the rows it skipped. Duplicates are the caller's business.
    public final class Reader {
        public let path: String
        private let reader: CSVReader
        /// What was done to read an unusual file (UTF-16, CR-only line ends), for a warning.
        public var notice: String? { reader.notice }
        private let columns: Columns

        /// - Parameter locale: `.german` also reads a German spreadsheet export: `43,7`
        ///   seconds and `24.11.2026 09:18` start times (in `zone`).
        /// - Throws: a `RecordError` for the whole file (unreadable, empty, bad header).
        public init(path: String, zone: Timestamp.Zone?, locale: ManifestLocale = .iso) throws(RecordError) {
            self.path = path
            do {
                reader = try CSVReader(path: path)
            } catch {
                throw RecordError(source: SourceRef(file: path, line: 0), message: error.description)
            }
            let first: CSVRecord?
            do { first = try reader.next() } catch {
                throw RecordError(source: SourceRef(file: path, line: error.line), message: error.description)
            }
            guard let first else {
                throw RecordError(source: SourceRef(file: path, line: 1), message: "empty file: expected a header row with at least 'call_id'")
            }
            columns = try Columns(header: first, file: path, zone: zone, locale: locale)
        }

        /// Header columns that are not manifest columns: kept as call attributes.
        public var extraColumns: [String] { columns.header.filter { !$0.isEmpty && !Manifest.knownColumns.contains($0) } }

        /// The next valid call, or nil at the end; rows rejected on the way go to `errors`.
        public func next(errors: inout [RecordError]) -> CallRecord? {
            let path = self.path
            while let record = reader.nextRecord(onError: {
                errors.append(RecordError(source: SourceRef(file: path, line: $0.line), message: $0.description))
            }) {
                do {
                    if let call = try columns.call(record, file: path) { return call }
                } catch {
                    errors.append(error)
                }
            }
            return nil
        }
    }

    /// A manifest's header, checked, and the reading of its rows one at a time: what
    /// `Reader` does for a whole file, for a manifest that grows (`callqa watch`).
    public struct Columns: Sendable {
        public let header: [String]
        let idIndex: Int
        let zone: Timestamp.Zone?
        let locale: ManifestLocale

        /// Checks the header row: no column twice, no near-miss of a known column, `call_id`
        /// and `started_at` present.
        public init(header first: CSVRecord, file path: String, zone: Timestamp.Zone?, locale: ManifestLocale = .iso) throws(RecordError) {
            let h = first.fields.map { $0.trimmedSpaces.lowercased() }
            var seen = Set<String>()
            for name in h where !name.isEmpty {
                if !seen.insert(name).inserted {
                    throw RecordError(source: SourceRef(file: path, line: 1), field: name, message: "column appears twice in the header")
                }
            }
            // A column one or two edits from a known one is a typo, not an attribute:
            // `agnet_id` stored as an attribute would leave every call without an agent.
            for name in h where !name.isEmpty && !Manifest.knownColumns.contains(name) {
                if let known = Suggest.nearest(name, in: Manifest.knownColumns), !h.contains(known) {
                    throw RecordError(source: SourceRef(file: path, line: 1), field: name,
                                      message: "not a manifest column (did you mean '\(known)'?); rename it: a column this close to a known one is refused as a likely typo, not kept as an attribute")
                }
            }
            guard let id = h.firstIndex(of: "call_id") else {
                let hint = h.count == 1 ? " (expected a comma- or semicolon-separated header)" : ""
                throw RecordError(source: SourceRef(file: path, line: 1),
                                  message: "header has no 'call_id' column\(hint); columns found: \(h.prefix(8).joined(separator: ", "))")
            }
            guard h.contains("started_at") else {
                throw RecordError(source: SourceRef(file: path, line: 1), field: "started_at",
                                  message: "header has no 'started_at' column (every call needs its start time)")
            }
            header = h
            idIndex = id
            self.zone = zone
            self.locale = locale
        }

        /// The call id of a row (nil when it has none).
        public func key(of rec: CSVRecord) -> String? {
            guard rec.fields.count == header.count else { return nil }
            let id = rec.fields[idIndex].trimmedSpaces
            return id.isEmpty ? nil : id
        }

        /// The call of one row; nil for a blank line. Throws the row's error.
        public func call(_ record: CSVRecord, file path: String) throws(RecordError) -> CallRecord? {
            let ref = SourceRef(file: path, line: record.line)
            if record.fields.count != header.count {
                if record.fields.count == 1 && record.fields[0].trimmedSpaces.isEmpty { return nil }
                throw RecordError(source: ref, callID: idIndex < record.fields.count ? record.fields[idIndex] : nil,
                                  message: "expected \(header.count) fields as in the header, got \(record.fields.count)")
            }
            return try Manifest.row(record.fields, header: header, idIndex: idIndex, ref: ref, zone: zone, locale: locale)
        }
    }

    static func row(_ fields: [String], header: [String], idIndex: Int, ref: SourceRef, zone: Timestamp.Zone?,
                    locale: ManifestLocale = .iso) throws(RecordError) -> CallRecord {
        let id = fields[idIndex].trimmedSpaces
        guard !id.isEmpty else { throw RecordError(source: ref, field: "call_id", message: "missing call_id (required)") }
        guard id.count <= 200, !id.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 32 } ?? false) }) else {
            throw RecordError(source: ref, field: "call_id", message: "call_id must be one line of at most 200 characters")
        }
        var call = CallRecord(callID: id, source: ref)
        func seconds(_ raw: String, _ name: String) throws(RecordError) -> Double? {
            locale == .german ? try FieldParse.germanSeconds(raw, field: name, at: ref, callID: id)
                : try FieldParse.seconds(raw, field: name, at: ref, callID: id)
        }
        for (name, raw) in zip(header, fields) {
            switch name {
            case "call_id": break
            case "recording": call.recording = FieldParse.text(raw)
            case "agent_id": call.agentID = FieldParse.text(raw)
            case "agent_name": call.agentName = FieldParse.text(raw)
            case "team": call.team = FieldParse.text(raw)
            case "queue": call.queue = FieldParse.text(raw)
            case "direction":
                guard let t = FieldParse.text(raw) else { break }
                guard let d = CallDirection(rawValue: t.lowercased()) else {
                    throw RecordError(source: ref, callID: id, field: name, message: "expected inbound or outbound, got \"\(t)\"")
                }
                call.direction = d
            case "started_at":
                guard let t = FieldParse.text(raw) else {
                    throw RecordError(source: ref, callID: id, field: name, message: "missing start time (ISO 8601 with offset, e.g. 2026-11-24T09:15:00+01:00)")
                }
                if locale == .german, let german = Manifest.germanDate(t) {
                    guard let zone else {
                        throw RecordError(source: ref, callID: id, field: name, message: "a day.month.year time has no UTC offset, got \"\(t)\": pass --tz (e.g. --tz Europe/Berlin)")
                    }
                    guard let ts = Timestamp.parse(german, zone: zone) else {
                        throw RecordError(source: ref, callID: id, field: name, message: "expected a day.month.year date with a time of day (24.11.2026 09:18 or 24.11.2026 09:18:05), got \"\(t)\"")
                    }
                    call.startedAt = ts
                    break
                }
                // A date alone ("2026-11-24") is no start time: it would be taken as midnight UTC.
                guard t.utf8.count > 10, let ts = Timestamp.parse(t, zone: zone) else {
                    if t.utf8.count == 10, Timestamp.parse(t, zone: nil) != nil {
                        throw RecordError(source: ref, callID: id, field: name, message: "a date without a time of day, got \"\(t)\" (expected e.g. 2026-11-24T09:15:00+01:00)")
                    }
                    if t.range(of: #"^\d{1,2}\.\d{1,2}\.\d{4}"#, options: .regularExpression) != nil {
                        throw RecordError(source: ref, callID: id, field: name, message: "a day.month.year date (a German/European spreadsheet export), got \"\(t)\": format the column as yyyy-mm-ddThh:mm:ss (custom format JJJJ-MM-TTThh:mm:ss in German Excel) and pass --tz, or add the offset (2026-11-24T09:18:00+01:00); or read it as it is with --locale de and --tz")
                    }
                    let why = zone == nil && Timestamp.parse(t, zone: .fixed(offsetS: 0)) != nil
                        ? "no UTC offset (add one, e.g. +01:00, or pass --tz)" : "expected ISO 8601 with offset, e.g. 2026-11-24T09:15:00+01:00"
                    throw RecordError(source: ref, callID: id, field: name, message: "\(why), got \"\(t)\"")
                }
                call.startedAt = ts
            case "wait_s": call.waitS = try seconds(raw, name)
            case "answered": call.answered = try FieldParse.bool(raw, field: name, at: ref, callID: id)
            case "talk_s": call.talkS = try seconds(raw, name)
            case "hold_s": call.holdS = try seconds(raw, name)
            case "acw_s": call.acwS = try seconds(raw, name)
            case "caller": call.caller = FieldParse.text(raw)
            case "dialed": call.dialed = FieldParse.text(raw)
            case "agent_channel":
                guard let t = FieldParse.text(raw) else { break }
                guard let c = AgentChannel(rawValue: t.lowercased()) else {
                    throw RecordError(source: ref, callID: id, field: name, message: "expected left or right, got \"\(t)\"")
                }
                call.agentChannel = c
            case "": break
            default: call.attributes[name] = raw
            }
        }
        return call
    }

    /// `24.11.2026 09:18` or `24.11.2026 09:18:05` (day.month.year, as German Excel writes
    /// dates) → `2026-11-24T09:18:00`; nil for anything else (impossible dates included).
    static func germanDate(_ t: String) -> String? {
        let parts = t.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let time = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard date.count == 3, (2...3).contains(time.count),
              date.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              time.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let d = Int(date[0]), let m = Int(date[1]), let y = Int(date[2]), date[2].count == 4,
              date[0].count <= 2, date[1].count <= 2, (1...12).contains(m), (1...31).contains(d),
              let h = Int(time[0]), let mi = Int(time[1]), h < 24, mi < 60 else { return nil }
        let sec = time.count == 3 ? Int(time[2]) ?? 99 : 0
        guard sec < 60 else { return nil }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, h, mi, sec)
    }
}

/// How a manifest writes numbers and dates.
public enum ManifestLocale: String, Sendable, CaseIterable {
    /// `43.7` seconds, ISO 8601 times (the default).
    case iso
    /// A German spreadsheet export: `43,7` seconds (`1.234,5` with thousands), and
    /// `24.11.2026 09:18` start times (day.month.year, read in `--tz`); ISO times still work.
    case german = "de"
}

import CallQAModel
import CallRecords
import Foundation
import Pipeline

/// Folds the records of the followed files into calls, with the same folds a batch ingest
/// uses over whole files (`AsteriskCDR.Rows`, `QueueLog.Events`, `Manifest.Columns`), and
/// decides when a call is ready to store: its record is complete and its recording is
/// complete, or the wait for either is over.
final class CallAssembler {
    /// One followed file's fold.
    enum Fold {
        case cdr(AsteriskCDR.Rows)
        case queue(QueueLog.Events)
        case manifest(ManifestFold)
    }

    /// A manifest's rows: one call per row; a later row with the same call id is ignored
    /// when identical and rejected when not (as a batch ingest does within a run).
    struct ManifestFold {
        var columns: Manifest.Columns?
        var byKey: [String: CallRecord] = [:]

        mutating func add(_ rec: CSVRecord, file: String) -> (key: String?, errors: [RecordError]) {
            guard let columns else { return (nil, []) }
            do {
                guard let call = try columns.call(rec, file: file) else { return (nil, []) }
                if let first = byKey[call.callID] {
                    if first.fingerprint == call.fingerprint { return (call.callID, []) }
                    return (nil, [RecordError(source: call.source, callID: call.callID, field: "call_id",
                                              message: "\(call.source): duplicate call_id '\(call.callID)' with different content (first at \(first.source.file == call.source.file ? "line \(first.source.line)" : first.source.description))")])
                }
                byKey[call.callID] = call
                return (call.callID, [])
            } catch {
                return (nil, [error])
            }
        }
    }

    final class Source {
        let path: String
        let kind: InputKind
        /// The audio root its recordings are inside (standardized).
        let root: String
        var fold: Fold

        init(path: String, kind: InputKind, root: String, zone: Timestamp.Zone, cdrColumns: [String]?) throws(RecordError) {
            self.path = path
            self.kind = kind
            self.root = root
            switch kind {
            case .asteriskCDR: fold = .cdr(try AsteriskCDR.Rows(zone: zone, columns: cdrColumns))
            case .queueLog: fold = .queue(QueueLog.Events(zone: zone))
            case .manifest: fold = .manifest(ManifestFold())
            }
        }

        func add(_ rec: CSVRecord, file: String) -> (key: String?, errors: [RecordError]) {
            switch fold {
            case var .cdr(f):
                let r = f.add(rec, file: file)
                fold = .cdr(f)
                return r
            case var .queue(f):
                let r = f.add(rec, file: file)
                fold = .queue(f)
                return r
            case var .manifest(f):
                let r = f.add(rec, file: file)
                fold = .manifest(f)
                return r
            }
        }

        func record(_ key: String) -> CallRecord? {
            switch fold {
            case let .cdr(f): f.byKey[key]
            case let .queue(f): f.byKey[key]
            case let .manifest(f): f.byKey[key]
            }
        }

        func finished(_ key: String) -> Bool {
            if case let .queue(f) = fold { return f.finished.contains(key) }
            return true
        }

        func remove(_ keys: Set<String>) {
            switch fold {
            case var .cdr(f): f.remove(keys: keys); fold = .cdr(f)
            case var .queue(f): f.remove(keys: keys); fold = .queue(f)
            case var .manifest(f): for k in keys { f.byKey[k] = nil }; fold = .manifest(f)
            }
        }

        /// A manifest's header (the first record of its file): the columns of the rows after it.
        func setHeader(_ rec: CSVRecord, file: String, zone: Timestamp.Zone?, locale: ManifestLocale) throws(RecordError) {
            guard case var .manifest(f) = fold else { return }
            f.columns = nil
            fold = .manifest(f)
            f.columns = try Manifest.Columns(header: rec, file: file, zone: zone, locale: locale)
            fold = .manifest(f)
        }

        var hasHeader: Bool {
            if case let .manifest(f) = fold { return f.columns != nil }
            return true
        }
    }

    /// A call the watcher holds: the lines that make it, and whether it is stored as they say.
    struct Call {
        var key: String
        /// `watch_lines` ids.
        var lines: [Int64] = []
        /// When its first and last lines were read (Unix s).
        var firstRead: Double
        var lastRead: Double
        /// Stored with every line it has now.
        var done = false
        /// The recording it was stored with, and that file's stamp then.
        var storedPath: String?
        var storedStamp: (size: Int64, mtimeNs: Int64)?
        /// Answered, stored without a recording (a recording that comes later updates it).
        var storedWithoutRecording = false
    }

    private(set) var sources: [String: Source] = [:]
    private var sourceOrder: [String] = []
    private(set) var calls: [String: Call] = [:]
    /// Keys of the calls not stored as their lines say.
    private var pending: Set<String> = []
    let zone: Timestamp.Zone
    let manifestZone: Timestamp.Zone?
    let locale: ManifestLocale
    let cdrColumns: [String]?
    let recordingPattern: String?

    init(zone: Timestamp.Zone?, locale: ManifestLocale, cdrColumns: [String]?, recordingPattern: String?) {
        self.zone = zone ?? .fixed(offsetS: 0)
        manifestZone = zone
        self.locale = locale
        self.cdrColumns = cdrColumns
        self.recordingPattern = recordingPattern
    }

    func addSource(path: String, kind: InputKind, root: String) throws(RecordError) {
        guard sources[path] == nil else { return }
        sources[path] = try Source(path: path, kind: kind, root: root, zone: zone, cdrColumns: cdrColumns)
        sourceOrder.append(path)
    }

    var hasCDRSource: Bool { sources.values.contains { $0.kind == .asteriskCDR } }

    /// A record line to keep (its call may still change), before the store gives it an id.
    struct KeptLine {
        var key: String
        var file: String
        var line: Int
        var fields: [String]
    }

    /// Folds the records of one read. Returns the lines to keep and the rejected rows.
    func fold(_ batch: FollowedLog.Batch, source path: String) -> (kept: [KeptLine], errors: [RecordError], notes: [String]) {
        guard let source = sources[path] else { return ([], [], []) }
        var kept: [KeptLine] = [], errors = batch.errors, notes: [String] = []
        var records = batch.records[...]
        if source.kind == .manifest, batch.fromFileStart, let header = records.first {
            records = records.dropFirst()
            do { try source.setHeader(header, file: batch.file, zone: manifestZone, locale: locale) } catch {
                errors.append(error)
                notes.append("\(batch.file): the header cannot be used, so its rows are not read: \(error.description)")
            }
        }
        for rec in records {
            if source.kind == .manifest && !source.hasHeader { continue }
            let (key, errs) = source.add(rec, file: batch.file)
            errors += errs
            if let key, source.record(key) != nil { kept.append(KeptLine(key: key, file: batch.file, line: rec.line, fields: rec.fields)) }
        }
        return (kept, errors, notes)
    }

    /// The kept lines were stored with these ids.
    func attach(_ kept: [KeptLine], ids: [Int64], readEpoch: Double) {
        for (line, id) in zip(kept, ids) {
            var c = calls[line.key] ?? Call(key: line.key, firstRead: readEpoch, lastRead: readEpoch)
            c.lines.append(id)
            c.lastRead = readEpoch
            c.done = false
            calls[line.key] = c
            pending.insert(line.key)
        }
    }

    /// A line read in an earlier run, folded in again at start (its errors were recorded then).
    func replay(_ row: WatchLineRow, fields: [String]) {
        guard let source = sources[row.sourcePath] else { return }
        let (key, _) = source.add(CSVRecord(line: row.line, fields: fields), file: row.file)
        guard let key, source.record(key) != nil else { return }
        var c = calls[key] ?? Call(key: key, firstRead: row.readEpoch, lastRead: row.readEpoch, done: true)
        c.lines.append(row.lineID)
        c.lastRead = max(c.lastRead, row.readEpoch)
        c.done = c.done && row.done
        calls[key] = c
        if c.done { pending.remove(key) } else { pending.insert(key) }
    }

    /// A call to store now.
    struct Ready {
        var key: String
        var items: [IngestItem]
        /// The recording it will be stored with (nil: none found).
        var recording: String?
        /// Answered and stored without its recording after the wait.
        var withoutRecording: Bool
        /// What was waited for in vain (for the log), nil when nothing was.
        var gaveUp: String?
    }

    /// The calls ready to store, oldest first: record complete (a queue call's final event,
    /// the CDR row when Master.csv is followed too) and recording complete (settled, header
    /// final, not open by the PBX) — or `waitS` since the call's last line, after which it
    /// is stored as it is (a recording not there: flagged missing, as a batch ingest does).
    func ready(nowEpoch: Double, nowMono: Double, settleS: Double, waitS: Double, recordings: RecordingWatch) -> [Ready] {
        var out: [Ready] = []
        for key in pending.sorted(by: { (calls[$0]?.firstRead ?? 0, $0) < (calls[$1]?.firstRead ?? 0, $1) }) {
            guard let call = calls[key], !call.done else { continue }
            let waited = nowEpoch - call.lastRead
            let overdue = waited >= waitS
            var (items, waitingFor) = build(key, recordings: recordings)
            if waitingFor == "its Master.csv row", waited >= settleS { waitingFor = nil }
            if waitingFor != nil && !overdue { continue }
            // A call without a start (a queue_log call whose lines carry none): nothing to store.
            guard let first = items.first else {
                out.append(Ready(key: key, items: [], recording: nil, withoutRecording: false, gaveUp: nil))
                continue
            }
            var recording: String?
            var without = false
            switch RecordingIndex.place(of: first.record.recording, root: first.root) {
            case let .file(p):
                recording = p
                let state = recordings.readiness(of: p, now: nowMono)
                if state != .complete {
                    guard overdue else { continue }
                    waitingFor = "its recording to be complete (\(state))"
                }
            case let .missing(p):
                guard overdue else { continue }
                waitingFor = "its recording \(p)"
                without = first.record.isAnswered
            case .none:
                if first.record.isAnswered {
                    guard overdue else { continue }
                    waitingFor = "a recording"
                    without = true
                }
            case .refused:
                break
            }
            items = items.map { var i = $0; i.located = true; return i }
            out.append(Ready(key: key, items: items, recording: recording, withoutRecording: without, gaveUp: overdue ? waitingFor : nil))
        }
        return out
    }

    /// The items of a call as a batch ingest would read them (a manifest row; or Master.csv
    /// and queue_log records merged by uniqueid, their recording located in the index), and
    /// what its record still waits for (a queue call's final event, its CDR row).
    private func build(_ key: String, recordings: RecordingWatch) -> (items: [IngestItem], waitingFor: String?) {
        let all = sourceOrder.compactMap { sources[$0] }
        if let m = all.first(where: { $0.kind == .manifest && $0.record(key) != nil }) {
            return ([IngestItem(record: m.record(key)!, kind: .manifest, root: m.root)], nil)
        }
        let cdr = all.filter { $0.kind == .asteriskCDR && $0.record(key) != nil }
        let queue = all.filter { $0.kind == .queueLog && $0.record(key) != nil }
        var waitingFor: String?
        if queue.contains(where: { !$0.finished(key) }) {
            waitingFor = "the queue_log's final event"
        } else if cdr.isEmpty && hasCDRSource {
            waitingFor = "its Master.csv row"
        }
        let root = cdr.first?.root ?? queue.first?.root ?? "."
        var items: [IngestItem] = []
        for r in QueueLog.merge(cdr: cdr.compactMap { $0.record(key) }, queueLog: queue.compactMap { $0.record(key) }) {
            guard r.startedAt != nil else { continue }
            var rec = r
            recordings.indexes[root]?.locate(&rec, pattern: recordingPattern)
            items.append(IngestItem(record: rec, kind: cdr.isEmpty ? .queueLog : .asteriskCDR, root: root, located: true))
        }
        return (items, waitingFor)
    }

    /// The call was stored as `ready` says: its lines are done.
    func stored(_ r: Ready, stamp: (size: Int64, mtimeNs: Int64)?) -> [Int64] {
        guard var c = calls[r.key] else { return [] }
        c.done = true
        c.storedPath = r.recording
        c.storedStamp = stamp
        c.storedWithoutRecording = r.withoutRecording
        calls[r.key] = c
        pending.remove(r.key)
        return c.lines
    }

    /// Stored calls whose recording came (or changed) after they were stored become ready
    /// to store again. Called when the recordings changed.
    func recheckStored(recordings: RecordingWatch) -> [String] {
        var again: [String] = []
        for (key, c) in calls where c.done {
            if c.storedWithoutRecording {
                guard let item = build(key, recordings: recordings).items.first else { continue }
                if case .file = RecordingIndex.place(of: item.record.recording, root: item.root) { again.append(key) }
            } else if let p = c.storedPath, let now = recordings.stamp(of: p), let then = c.storedStamp,
                      now.size != then.size || now.mtimeNs != then.mtimeNs {
                again.append(key)
            }
        }
        for k in again {
            calls[k]?.done = false
            pending.insert(k)
        }
        return again
    }

    /// Stored calls whose last line was read more than `keepS` ago: forgotten (their lines
    /// can go). Returns the line ids to delete.
    func evict(nowEpoch: Double, keepS: Double) -> [Int64] {
        let old = calls.filter { $0.value.done && nowEpoch - $0.value.lastRead > keepS }
        guard !old.isEmpty else { return [] }
        let keys = Set(old.keys)
        for s in sources.values { s.remove(keys) }
        for k in keys { calls[k] = nil }
        return old.values.flatMap(\.lines)
    }

    var pendingCount: Int { pending.count }
}

/// The fields of a record as kept (sealed) in `watch_lines`: each field's UTF-8 bytes with a
/// 4-byte length before it.
enum FieldCodec {
    static func encode(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for f in fields {
            let b = Array(f.utf8)
            let n = UInt32(b.count)
            out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
            out += b
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [String]? {
        var fields: [String] = []
        var i = 0
        while i < bytes.count {
            guard i + 4 <= bytes.count else { return nil }
            let n = Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
            i += 4
            guard i + n <= bytes.count else { return nil }
            fields.append(String(decoding: bytes[i..<(i + n)], as: UTF8.self))
            i += n
        }
        return fields
    }
}

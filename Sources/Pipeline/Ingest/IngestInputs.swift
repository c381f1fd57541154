import CallQAModel
import CallRecords
import FileAccess
import Foundation
import Store

/// A call read from the inputs and the audio root its recording must stay inside.
public struct IngestItem: Sendable {
    public var record: CallRecord
    public var kind: InputKind
    /// The audio root (a standardized path): `--audio-root`, else the input file's folder.
    public var root: String
    /// An Asterisk call whose recording was already looked for (`callqa watch` finds it in
    /// its own index of the folder, which follows the files as they come): the driver does
    /// not look again.
    public var located: Bool

    public init(record: CallRecord, kind: InputKind, root: String, located: Bool = false) {
        self.record = record
        self.kind = kind
        self.root = root
        self.located = located
    }
}

/// What reading the inputs yields, in the order the batch must see it (problems are reported
/// in input order).
enum InputEvent {
    /// An input file that cannot be read at all.
    case fileFailed(IngestErrorRow)
    /// Rows rejected while reading.
    case rejected([RecordError])
    /// A note that is not a failure (a manifest's notice, extra columns kept).
    case warning(String)
    /// A manifest under this audio root is about to be read: the audio files under the root
    /// that none of its rows references are worth a warning.
    case manifestRoot(String)
    /// The next chunk of calls.
    case calls([IngestItem])
}

/// The record sources of an ingest: manifests, Asterisk Master.csv and queue_log files,
/// read into calls. Every file is checked first (exists, a regular file, a known kind);
/// Master.csv and queue_log are read whole and merged by uniqueid, then each manifest is
/// streamed in chunks of `chunkSize` calls. Pure reading: no database, no recordings.
struct IngestInputs: IteratorProtocol {
    private let options: IngestOptions
    private var pending: [InputEvent] = []
    private var phase = Phase.files

    private enum Phase {
        case files
        case asterisk
        case manifests(index: Int)
        case manifestRows(index: Int, reader: Manifest.Reader, root: String)
        case done
    }

    private var manifests: [(path: String, root: String)] = []
    private var cdrItems: [(CallRecord, String)] = []
    private var queueItems: [(CallRecord, String)] = []
    private var asteriskItems: [IngestItem] = []
    private var asteriskNext = 0

    init(options: IngestOptions) {
        self.options = options
    }

    mutating func next() -> InputEvent? {
        while pending.isEmpty {
            guard advance() else { return nil }
        }
        return pending.removeFirst()
    }

    /// Moves the reading on by one step, queueing what it yields; false when all is read.
    private mutating func advance() -> Bool {
        switch phase {
        case .files:
            readFiles()
            phase = .asterisk
        case .asterisk:
            if asteriskNext == 0 { mergeAsterisk() }
            guard asteriskNext < asteriskItems.count else {
                asteriskItems = []
                phase = .manifests(index: 0)
                return true
            }
            let end = min(asteriskItems.count, asteriskNext + options.chunkSize)
            pending.append(.calls(Array(asteriskItems[asteriskNext..<end])))
            asteriskNext = end
        case let .manifests(index):
            guard index < manifests.count else {
                phase = .done
                return true
            }
            openManifest(index)
        case let .manifestRows(index, reader, root):
            var items: [IngestItem] = []
            var errors: [RecordError] = []
            var rejected: [RecordError] = []
            var finished = true
            while let call = reader.next(errors: &errors) {
                rejected += errors
                errors.removeAll(keepingCapacity: true)
                items.append(IngestItem(record: call, kind: .manifest, root: root))
                if items.count == options.chunkSize {
                    finished = false
                    break
                }
            }
            rejected += errors
            if !rejected.isEmpty { pending.append(.rejected(rejected)) }
            if !items.isEmpty { pending.append(.calls(items)) }
            if finished { phase = .manifests(index: index + 1) }
        case .done:
            return false
        }
        return true
    }

    /// Checks every input file, parses Master.csv and queue_log files, and lists the manifests.
    private mutating func readFiles() {
        for input in options.inputs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir), !isDir.boolValue else {
                pending.append(.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: nil, callID: nil, field: nil,
                                                          message: "\(input): no such file (expected a manifest, Master.csv or queue_log)")))
                continue
            }
            var st = stat()
            if stat(input, &st) == 0, let special = RegularFile.kindName(mode: st.st_mode) {
                pending.append(.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: nil, callID: nil, field: nil,
                                                          message: "\(input): is \(special), not a regular file; not read")))
                continue
            }
            guard let kind = options.inputKind ?? InputKind.detect(path: input) else {
                pending.append(.fileFailed(IngestErrorRow(stage: .file, sourceFile: input, line: 1, callID: nil, field: nil,
                                                          message: "\(input): cannot tell the input kind: expected a manifest with a 'call_id' header, an Asterisk Master.csv or a queue_log (force one with --input)")))
                continue
            }
            let folder = options.audioRoot ?? (input as NSString).deletingLastPathComponent
            let root = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path
            if kind == .manifest {
                manifests.append((input, root))
                continue
            }
            let parsed = kind == .asteriskCDR
                ? AsteriskCDR.parse(path: input, zone: options.zone ?? .fixed(offsetS: 0), columns: options.cdrColumns)
                : QueueLog.parse(path: input, zone: options.zone ?? .fixed(offsetS: 0))
            if let e = parsed.fileError {
                pending.append(.fileFailed(Ingest.row(e, stage: .file)))
                continue
            }
            if !parsed.errors.isEmpty { pending.append(.rejected(parsed.errors)) }
            if kind == .asteriskCDR { cdrItems += parsed.records.map { ($0, root) } } else { queueItems += parsed.records.map { ($0, root) } }
        }
    }

    /// Master.csv and queue_log joined by uniqueid; calls without a start time are left out.
    private mutating func mergeAsterisk() {
        guard !cdrItems.isEmpty || !queueItems.isEmpty else { return }
        let roots = Dictionary(cdrItems.map { ($0.0.callID, $0.1) } + queueItems.map { ($0.0.callID, $0.1) }, uniquingKeysWith: { a, _ in a })
        let merged = QueueLog.merge(cdr: cdrItems.map(\.0), queueLog: queueItems.map(\.0))
        let cdrIDs = Set(cdrItems.map(\.0.callID))
        cdrItems = []
        queueItems = []
        asteriskItems = merged.compactMap { r in
            guard r.startedAt != nil else { return nil }
            return IngestItem(record: r, kind: cdrIDs.contains(r.callID) ? .asteriskCDR : .queueLog, root: roots[r.callID] ?? ".")
        }
    }

    /// Opens the manifest at `index`: its notices, then its rows chunk by chunk.
    private mutating func openManifest(_ index: Int) {
        let (path, root) = manifests[index]
        let reader: Manifest.Reader
        do { reader = try Manifest.Reader(path: path, zone: options.zone, locale: options.manifestLocale) } catch {
            pending.append(.fileFailed(Ingest.row(error, stage: .file)))
            phase = .manifests(index: index + 1)
            return
        }
        if let notice = reader.notice { pending.append(.warning(notice)) }
        if !reader.extraColumns.isEmpty {
            pending.append(.warning("\(path): extra columns kept as call attributes (call.attr.NAME in rules): " + reader.extraColumns.joined(separator: ", ")))
        }
        // Unreferenced recordings are looked for only when every input may be a manifest.
        if options.inputKind == nil || options.inputKind == .manifest { pending.append(.manifestRoot(root)) }
        phase = .manifestRows(index: index, reader: reader, root: root)
    }
}

import CallQAModel
import CallRecords
import Foundation

/// The audio files under one root, kept up to date file by file, finding an Asterisk call's
/// recording exactly as a batch ingest's `RecordingFinder` does over a walk of the same
/// files (the first in sorted order wins), without walking the folder again for each call.
/// `callqa watch` adds and removes files as inotify and its rescans see them.
public struct RecordingIndex: Sendable {
    public let root: String
    /// Relative paths of the audio files.
    public private(set) var names: Set<String> = []
    private var byBaseName: [String: Set<String>] = [:]
    private var byNumber: [String: Set<String>] = [:]

    public init(root: String) {
        self.root = root
    }

    /// Whether a file name is one of a recording (its extension), as a batch ingest decides.
    public static func isAudio(_ path: String) -> Bool { RecordingResolver.isAudio(path) }

    /// Adds an audio file (a path relative to the root); other files are ignored.
    public mutating func add(_ rel: String) {
        guard RecordingResolver.isAudio(rel), names.insert(rel).inserted else { return }
        let name = (rel as NSString).lastPathComponent
        byBaseName[name, default: []].insert(rel)
        for n in RecordingFinder.numbers(in: name) { byNumber[n, default: []].insert(rel) }
    }

    public mutating func remove(_ rel: String) {
        guard names.remove(rel) != nil else { return }
        let name = (rel as NSString).lastPathComponent
        byBaseName[name]?.remove(rel)
        if byBaseName[name]?.isEmpty == true { byBaseName[name] = nil }
        for n in RecordingFinder.numbers(in: name) {
            byNumber[n]?.remove(rel)
            if byNumber[n]?.isEmpty == true { byNumber[n] = nil }
        }
    }

    /// Fills in an Asterisk call's recording (and its legs') as `RecordingResolver.locate`
    /// does: the file its row names (or the first file of that name under the root), else
    /// the file with its uniqueid (by `pattern`, or the first whose name holds the id).
    public func locate(_ r: inout CallRecord, pattern: String?) {
        if let named = r.recording {
            r.recording = find(named: named)
            for i in r.legs.indices { r.legs[i].recording = r.legs[i].recording.map { find(named: $0) } }
        } else {
            r.recording = find(uniqueID: r.callID, pattern: pattern)
        }
    }

    /// `RecordingFinder.find(named:)` over the index.
    public func find(named: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(named), isDirectory: &isDir), !isDir.boolValue {
            return named
        }
        return byBaseName[(named as NSString).lastPathComponent]?.min() ?? named
    }

    /// `RecordingFinder.find(uniqueID:pattern:)` over the index.
    public func find(uniqueID: String, pattern: String?) -> String? {
        if let pattern { return pattern.replacingOccurrences(of: "{uniqueid}", with: uniqueID) }
        if RecordingFinder.numbers(in: uniqueID) == [uniqueID] { return byNumber[uniqueID]?.min() }
        return names.filter { RecordingFinder.contains(id: uniqueID, in: ($0 as NSString).lastPathComponent) }.min()
    }

    /// Where a call's recording is, as the ingest will resolve it.
    public enum Place: Sendable, Equatable {
        /// The call names no recording.
        case none
        /// A file inside the root.
        case file(String)
        /// Inside the root, not there (yet).
        case missing(String)
        /// Refused (outside the root, a folder, …): stored flagged, nothing to wait for.
        case refused
    }

    /// Where the recording a call names is (`RecordingResolver.resolve`).
    public static func place(of recording: String?, root: String) -> Place {
        switch RecordingResolver.resolve(recording, root: root) {
        case .none: .none
        case let .file(p): .file(p)
        case let .missing(p): .missing(p)
        case .outside: .refused
        }
    }

    /// The audio files under `root` now (relative paths): a plain walk, links not followed.
    public static func walk(root: String) -> [String] {
        var found: [String] = []
        RecordingResolver.walk(root, limit: .max) { rel, _ in
            if RecordingResolver.isAudio(rel) { found.append(rel) }
        }
        return found
    }
}

import CallQAModel
import CallRecords
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a call's recording is on disk.
enum Resolution: Equatable {
    /// The call names no recording.
    case none
    /// A file inside the audio root.
    case file(path: String)
    /// Inside the root, but not there.
    case missing(path: String)
    /// Refused: outside the root, a link leading out, a folder, control characters.
    case outside(path: String, reason: String)
}

/// From a call record to the file on disk: Asterisk recordings found by name or uniqueid,
/// every path resolved inside its audio root, and the audio files under a manifest's root
/// that no call references (for a warning).
///
/// Folders are walked only when something needs them, once per root and run: an Asterisk
/// root when a recording is not where its record says (or no `--recording-pattern` names
/// it), a manifest's root for the unreferenced recordings, with a bound on the entries
/// looked at.
struct RecordingResolver {
    /// `--recording-pattern` for Asterisk calls (`q-{uniqueid}.wav`).
    let recordingPattern: String?
    /// Directory entries looked at, at most, per manifest root.
    let scanLimit: Int
    private var finders: [String: RecordingFinder] = [:]
    private var scannedRoots = Set<String>()
    /// Audio files under the manifests' roots no call has referenced yet (nil: not looked for).
    private var unreferenced: Set<String>?
    /// Roots whose walk stopped at `scanLimit`.
    private var truncatedRoots: [String] = []

    init(recordingPattern: String?, scanLimit: Int) {
        self.recordingPattern = recordingPattern
        self.scanLimit = scanLimit
    }

    /// Fills in an Asterisk call's recording (and its legs'): the file its row names
    /// (FreePBX stores a bare name under YYYY/MM/DD), else the file with its uniqueid.
    mutating func locate(_ r: inout CallRecord, root: String) {
        if finders[root] == nil { finders[root] = RecordingFinder(root: root) }
        if let named = r.recording {
            r.recording = finders[root]!.find(named: named)
            for i in r.legs.indices { r.legs[i].recording = r.legs[i].recording.map { finders[root]!.find(named: $0) } }
        } else {
            r.recording = finders[root]!.find(uniqueID: r.callID, pattern: recordingPattern)
        }
    }

    /// Starts looking for recordings no call references under a manifest's root (once per root).
    mutating func lookForUnreferenced(under root: String) {
        guard scannedRoots.insert(root).inserted else { return }
        let (found, complete) = Self.audioFiles(under: root, limit: scanLimit)
        unreferenced = (unreferenced ?? []).union(found)
        if !complete { truncatedRoots.append(root) }
    }

    /// A manifest call's recording is referenced: not worth a warning.
    mutating func referenced(_ resolution: Resolution) {
        guard unreferenced != nil else { return }
        switch resolution {
        case let .file(p), let .missing(p), let .outside(p, _): unreferenced!.remove(p)
        case .none: break
        }
    }

    /// The warning about recordings under the roots that no call referenced; nil when none.
    var unreferencedWarning: String? {
        guard let left = unreferenced, !left.isEmpty else { return nil }
        // The first 20 in order, without sorting every file of a large root.
        var first: [String] = []
        for path in left where first.count < 20 || path < first[19] {
            first.insert(path, at: first.firstIndex { path < $0 } ?? first.count)
            if first.count > 20 { first.removeLast() }
        }
        let shown = first.joined(separator: ", ")
        let bound = truncatedRoots.isEmpty ? ""
            : " (only the first \(scanLimit) entries under \(truncatedRoots.joined(separator: ", ")) were looked at)"
        return "\(left.count) recording(s) under the audio root are not referenced by any call: \(shown)\(left.count > 20 ? ", …" : "")\(bound)"
    }

    /// Resolves a recording path against the root and refuses anything outside it
    /// (`../`, absolute paths elsewhere, symlinks leading out).
    static func resolve(_ recording: String?, root: String) -> Resolution {
        guard let rec = recording, !rec.isEmpty else { return .none }
        if rec.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 32 } ?? false) }) {
            return .outside(path: rec, reason: "recording path contains control characters")
        }
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        var candidate = rec.hasPrefix("/") ? URL(fileURLWithPath: rec).standardizedFileURL
            : rootURL.appendingPathComponent(rec).standardizedFileURL
        let rootReal = rootURL.resolvingSymlinksInPath().path
        func inside(_ p: String, _ r: String) -> Bool { r == "/" || p == r || p.hasPrefix(r.hasSuffix("/") ? r : r + "/") }
        guard inside(candidate.path, rootURL.path) || inside(candidate.path, rootReal) else {
            return .outside(path: candidate.path, reason: "recording path '\(rec)' resolves outside the audio root '\(root)'")
        }
        if !FileManager.default.fileExists(atPath: candidate.path) {
            // Names copied from a Mac are often decomposed (NFD) where the file system holds
            // them composed (NFC), or the other way round: the same name, other bytes.
            let forms = [candidate.path.precomposedStringWithCanonicalMapping, candidate.path.decomposedStringWithCanonicalMapping]
            // Swift's == treats both forms as equal: compare the bytes.
            guard let other = forms.first(where: { !$0.utf8.elementsEqual(candidate.path.utf8) && FileManager.default.fileExists(atPath: $0) }) else {
                return .missing(path: candidate.path)
            }
            candidate = URL(fileURLWithPath: other)
        }
        let real = candidate.resolvingSymlinksInPath().path
        guard inside(real, rootReal) else {
            return .outside(path: candidate.path, reason: "recording '\(rec)' is a link to '\(real)', outside the audio root '\(root)'")
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: real, isDirectory: &isDir), isDir.boolValue {
            return .outside(path: candidate.path, reason: "recording path '\(rec)' is a folder, not a file")
        }
        return .file(path: candidate.path)
    }

    /// Whether a path's file name has one of the audio extensions (case-insensitive; as
    /// `NSString.pathExtension`: a name starting with its only dot, `.wav`, has none).
    static func isAudio(_ path: String) -> Bool {
        let name = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        let ext = name[name.index(after: dot)...]
        return !ext.isEmpty && ext.count <= 4 && Ingest.audioExtensions.contains(ext.lowercased())
    }

    /// The audio files under `root` (full paths, `root/relative`), and whether the walk saw
    /// everything (false when it stopped after `limit` entries). A plain directory walk
    /// (`readdir`): links are listed but never followed, unreadable folders are skipped,
    /// folders themselves are never taken for recordings.
    static func audioFiles(under root: String, limit: Int) -> (files: Set<String>, complete: Bool) {
        var relative: [String] = []
        let complete = walk(root, limit: limit) { rel, _ in
            if isAudio(rel) { relative.append(rel) }
        }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return (Set(relative.map { prefix + $0 }), complete)
    }

    /// Calls `body` with the path relative to `root` of every entry under it that is not a
    /// directory (and whether it is a symbolic link), depth first, in no particular order;
    /// false when it stopped after `limit` entries.
    @discardableResult
    static func walk(_ root: String, limit: Int, _ body: (String, Bool) -> Void) -> Bool {
        var seen = 0
        var stack: [String] = [""]
        while let rel = stack.popLast() {
            let dirPath = rel.isEmpty ? root : (root.hasSuffix("/") ? root : root + "/") + rel
            guard let dir = opendir(dirPath) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name == "." || name == ".." { continue }
                seen += 1
                if seen > limit { return false }
                let child = rel.isEmpty ? name : rel + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) {
                    var st = stat()
                    if lstat(dirPath + "/" + name, &st) == 0 {
                        switch st.st_mode & S_IFMT {
                        case S_IFDIR: type = UInt8(DT_DIR)
                        case S_IFLNK: type = UInt8(DT_LNK)
                        default: type = UInt8(DT_REG)
                        }
                    }
                }
                if type == UInt8(DT_DIR) {
                    stack.append(child)
                } else {
                    body(child, type == UInt8(DT_LNK))
                }
            }
        }
        return true
    }
}

/// Finds Asterisk recordings by name or uniqueid among the audio files under a root. The
/// root is walked the first time a lookup needs it (a recording not where its record says,
/// or no pattern to build its name), once.
struct RecordingFinder {
    let root: String
    /// File names (relative to root) of audio files, sorted; nil until needed.
    private var names: [String]?
    /// The first of `names` per file name (without folders), and per number in a name
    /// (`q-support-1764000000.11.wav` → `1764000000.11`).
    private var byBaseName: [String: String] = [:]
    private var byNumber: [String: String] = [:]

    init(root: String) {
        self.root = root
    }

    private mutating func listed() -> [String] {
        if let names { return names }
        var found: [String] = []
        RecordingResolver.walk(root, limit: .max) { rel, _ in
            if RecordingResolver.isAudio(rel) { found.append(rel) }
        }
        found.sort()
        for rel in found {
            let name = (rel as NSString).lastPathComponent
            if byBaseName[name] == nil { byBaseName[name] = rel }
            for n in Self.numbers(in: name) where byNumber[n] == nil { byNumber[n] = rel }
        }
        names = found
        return found
    }

    /// A recording a CDR row names (`recordingfile`): the path as given when it is a file
    /// under the root, else the first audio file of that name under the root (FreePBX keeps
    /// a bare name and files it under YYYY/MM/DD), else the name as given (reported missing).
    mutating func find(named: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(named), isDirectory: &isDir), !isDir.boolValue {
            return named
        }
        _ = listed()
        return byBaseName[(named as NSString).lastPathComponent] ?? named
    }

    /// The relative path of the recording of `uniqueID`: by the pattern when given, else the
    /// first audio file whose name contains the id with no digit or dot-digit right after it
    /// (and no digit or dot right before it).
    mutating func find(uniqueID: String, pattern: String?) -> String? {
        if let pattern {
            return pattern.replacingOccurrences(of: "{uniqueid}", with: uniqueID)
        }
        let names = listed()
        // An id of digits and dots (Asterisk's `1764000000.11`) is a whole number in a name: looked up.
        if Self.numbers(in: uniqueID) == [uniqueID] { return byNumber[uniqueID] }
        for rel in names where Self.contains(id: uniqueID, in: (rel as NSString).lastPathComponent) { return rel }
        return nil
    }

    /// Whether `name` holds `id` with no digit or dot right before it and no digit or
    /// dot-digit right after it.
    static func contains(id: String, in name: String) -> Bool {
        var search = name.startIndex..<name.endIndex
        while let r = name.range(of: id, range: search) {
            let before = r.lowerBound == name.startIndex ? nil : name[name.index(before: r.lowerBound)]
            let after = r.upperBound == name.endIndex ? nil : name[r.upperBound]
            let boundaryBefore = before.map { !$0.isNumber && $0 != "." } ?? true
            var boundaryAfter = after.map { !$0.isNumber } ?? true
            if after == ".", name.index(after: r.upperBound) < name.endIndex,
               name[name.index(after: r.upperBound)].isNumber { boundaryAfter = false }
            if boundaryBefore && boundaryAfter { return true }
            search = r.upperBound..<name.endIndex
        }
        return false
    }

    /// The whole numbers in a name: runs of digits joined by single dots (`1764000000.11`),
    /// with no digit or dot before them. An id `contains(id:in:)` finds in a name is exactly
    /// one of these when the id is itself such a number.
    static func numbers(in name: String) -> [String] {
        let chars = Array(name)
        var out: [String] = []
        var i = 0
        while i < chars.count {
            let starts = chars[i].isNumber && (i == 0 || (!chars[i - 1].isNumber && chars[i - 1] != "."))
            guard starts else { i += 1; continue }
            var j = i + 1
            while j < chars.count {
                if chars[j].isNumber {
                    j += 1
                } else if chars[j] == ".", j + 1 < chars.count, chars[j + 1].isNumber {
                    j += 2
                } else {
                    break
                }
            }
            out.append(String(chars[i..<j]))
            i = j
        }
        return out
    }
}

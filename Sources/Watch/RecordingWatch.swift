import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// The recordings under the watched folders: an index per audio root (to find an Asterisk
/// call's recording as a batch ingest would), and for each file when its size and time last
/// changed, to tell a finished recording from one still being written.
///
/// A recording counts as complete when (1) its size and modification time have not changed
/// for `settleS` seconds of watching, (2) a WAV's header no longer says 0 or 0xFFFFFFFF data
/// bytes (recorders write those while recording and the real size at the end), and (3) no
/// other process has it open, where that can be seen: `/proc/PID/fd` of processes this
/// user may inspect (all of them as root, the PBX's own as its user; elsewhere (1) and (2)
/// decide alone).
final class RecordingWatch {
    let roots: [String]
    let settleS: Double
    private(set) var indexes: [String: RecordingIndex] = [:]
    /// Absolute path → what was last seen of it.
    private var seen: [String: Observation] = [:]
    private let inotify = Inotify()
    /// Open files of other processes (device, inode), and when they were listed.
    private var openFiles: (at: Double, files: Set<FileID>, visible: Bool)?
    /// Files added or changed since the last call of `takeChanges()`.
    private var changed = false

    struct Observation {
        var size: Int64
        var mtimeNs: Int64
        var device: UInt64
        var inode: UInt64
        /// When size/mtime last changed (monotonic s).
        var since: Double
    }

    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Why a recording is not taken yet.
    enum Readiness: Equatable {
        case complete
        case changing
        case headerIncomplete
        case openByWriter
        case absent
    }

    init(roots: [String], settleS: Double) {
        self.roots = roots
        self.settleS = settleS
        for r in roots { indexes[r] = RecordingIndex(root: r) }
    }

    /// Problems of inotify (unavailable, watch limit), for the log.
    var inotifyProblems: [String] { inotify.problems }

    /// Walks every root: indexes the audio files, watches every folder.
    func scanAll(now: Double) {
        for r in roots { scan(folder: r, root: r, now: now, full: true) }
    }

    /// The root a path lies under (longest match).
    func root(of path: String) -> String? {
        roots.filter { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }.max { $0.count < $1.count }
    }

    /// Walks `folder` (under `root`): watches its folders, adds its audio files, and with
    /// `full` drops indexed files under it that are gone.
    private func scan(folder: String, root: String, now: Double, full: Bool) {
        var present = Set<String>()
        var stack = [folder]
        let prefix = root.hasSuffix("/") ? root : root + "/"
        while let dir = stack.popLast() {
            inotify.watch(folder: dir)
            guard let d = opendir(dir) else { continue }
            while let entry = readdir(d) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
                if name == "." || name == ".." { continue }
                let full = dir + "/" + name
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: stack.append(full)
                case S_IFREG, S_IFLNK:
                    guard full.hasPrefix(prefix) else { continue }
                    let rel = String(full.dropFirst(prefix.count))
                    guard isAudio(rel) else { continue }
                    present.insert(rel)
                    observe(full, root: root, rel: rel, now: now)
                default: continue
                }
            }
            closedir(d)
        }
        if full, var index = indexes[root] {
            let under = folder == root ? "" : String(folder.dropFirst(prefix.count)) + "/"
            for rel in index.names where rel.hasPrefix(under) && !present.contains(rel) {
                index.remove(rel)
                seen[prefix + rel] = nil
            }
            indexes[root] = index
        }
    }

    private func isAudio(_ rel: String) -> Bool { RecordingIndex.isAudio(rel) }

    /// Notes the file's size and time; a change restarts its settle time.
    private func observe(_ path: String, root: String, rel: String, now: Double) {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let o = Observation(size: Int64(st.st_size), mtimeNs: mtime, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), since: now)
        if let old = seen[path], old.size == o.size, old.mtimeNs == o.mtimeNs, old.inode == o.inode { return }
        seen[path] = o
        if indexes[root]?.names.contains(rel) != true { indexes[root]?.add(rel) }
        changed = true
    }

    /// Applies what inotify reported; true when anything under the roots changed. A queue
    /// overflow rescans everything.
    @discardableResult
    func applyEvents(now: Double) -> Bool {
        let events = inotify.events()
        if inotify.overflowed {
            inotify.clearOverflow()
            scanAll(now: now)
            return true
        }
        for e in events {
            let path = e.name.isEmpty ? e.folder : e.folder + "/" + e.name
            guard let root = root(of: path) else { continue }
            let prefix = root.hasSuffix("/") ? root : root + "/"
            if e.isDirectory {
                if e.gone {
                    inotify.forget(under: path)
                    if var index = indexes[root] {
                        let under = path == root ? "" : String(path.dropFirst(prefix.count)) + "/"
                        for rel in index.names where rel.hasPrefix(under) {
                            index.remove(rel)
                            seen[prefix + rel] = nil
                        }
                        indexes[root] = index
                    }
                } else {
                    // A new folder (FreePBX's YYYY/MM/DD): watch it and take what is already in it.
                    scan(folder: path, root: root, now: now, full: false)
                }
                changed = true
                continue
            }
            guard path.hasPrefix(prefix) else { continue }
            let rel = String(path.dropFirst(prefix.count))
            guard isAudio(rel) else { continue }
            if e.gone {
                indexes[root]?.remove(rel)
                seen[path] = nil
            } else {
                observe(path, root: root, rel: rel, now: now)
            }
            changed = true
        }
        return !events.isEmpty
    }

    /// Whether files were added or changed since the last call.
    func takeChanges() -> Bool {
        defer { changed = false }
        return changed
    }

    /// The stamp of a recording as last seen (for noticing a rewrite after it was stored).
    func stamp(of path: String) -> (size: Int64, mtimeNs: Int64)? {
        seen[path].map { ($0.size, $0.mtimeNs) }
    }

    /// Whether the recording at `path` is complete now (stats it: events are only hints).
    func readiness(of path: String, now: Double) -> Readiness {
        let rootPath = root(of: path)
        var st = stat()
        guard stat(path, &st) == 0 else { return .absent }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        if let old = seen[path], old.size == Int64(st.st_size), old.mtimeNs == mtime, old.inode == UInt64(st.st_ino) {
            if now - old.since < settleS { return .changing }
        } else {
            seen[path] = Observation(size: Int64(st.st_size), mtimeNs: mtime, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), since: now)
            if let rootPath {
                let prefix = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
                if path.hasPrefix(prefix), indexes[rootPath]?.names.contains(String(path.dropFirst(prefix.count))) != true {
                    indexes[rootPath]?.add(String(path.dropFirst(prefix.count)))
                }
            }
            return .changing
        }
        if Self.wavHeaderIncomplete(path) { return .headerIncomplete }
        if openByOthers(now: now).contains(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))) { return .openByWriter }
        return .complete
    }

    /// A RIFF/WAVE file whose `data` chunk size is still 0 or 0xFFFFFFFF (an RF64 file whose
    /// `ds64` data size is 0): the recorder has not finished it. Other files: false.
    static func wavHeaderIncomplete(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        guard let data = try? h.read(upToCount: 1 << 16), data.count >= 12 else { return false }
        let b = [UInt8](data)
        func u32(_ i: Int) -> UInt32 { i + 4 <= b.count ? UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24 : 0 }
        func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
        let riff = Array(b[0..<4]), wave = Array(b[8..<12])
        let isRF64 = riff == Array("RF64".utf8)
        guard riff == Array("RIFF".utf8) || isRF64, wave == Array("WAVE".utf8) else { return false }
        var i = 12
        var rf64DataSize: UInt64?
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<(i + 4)], as: UTF8.self)
            let size = u32(i + 4)
            if id == "ds64", i + 8 + 16 <= b.count { rf64DataSize = u64(i + 8 + 8) }
            if id == "data" {
                if isRF64 { return (rf64DataSize ?? 0) == 0 }
                return size == 0 || size == 0xFFFF_FFFF
            }
            i += 8 + Int(size) + Int(size & 1)
        }
        // No data chunk within the first 64 KiB: the header is not written yet.
        return true
    }

    /// Regular files other processes have open (by device and inode), from `/proc/*/fd`,
    /// listed at most every 0.25 s. Processes this user may not inspect are not seen.
    private func openByOthers(now: Double) -> Set<FileID> {
        if let cached = openFiles, now - cached.at < 0.25 { return cached.files }
        var files = Set<FileID>()
        let me = getpid()
        if let proc = opendir("/proc") {
            while let entry = readdir(proc) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
                guard let pid = Int32(name), pid != me else { continue }
                let fdDir = "/proc/\(name)/fd"
                guard let fds = opendir(fdDir) else { continue }
                while let e = readdir(fds) {
                    let n = withUnsafeBytes(of: e.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
                    if n == "." || n == ".." { continue }
                    var st = stat()
                    // stat follows the fd's link to the file itself.
                    if stat(fdDir + "/" + n, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                        files.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
                    }
                }
                closedir(fds)
            }
            closedir(proc)
        }
        openFiles = (now, files, true)
        return files
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thing inotify saw in a watched folder.
struct FolderEvent: Sendable, Equatable {
    /// The watched folder (absolute).
    var folder: String
    /// The entry's name in it (empty for events about the folder itself).
    var name: String
    var isDirectory: Bool
    /// The entry was removed or moved away.
    var gone: Bool
}

/// Linux inotify over folders (not recursive by itself: the watcher adds each sub-folder as
/// it appears). Non-blocking: `events()` returns what is queued. On other systems, or when
/// the kernel refuses (no inotify, `max_user_watches` reached), folders are simply not
/// watched and the periodic rescan finds what changed.
final class Inotify {
    #if canImport(Glibc)
    private let fd: Int32
    #endif
    private var folders: [Int32: String] = [:]
    private var watched: [String: Int32] = [:]
    /// Set when the kernel's queue overflowed (events were lost): the caller rescans.
    private(set) var overflowed = false
    /// Why folders could not be watched (for the log), once per reason.
    private(set) var problems: [String] = []

    init() {
        #if canImport(Glibc)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { problems.append("inotify unavailable (\(String(cString: strerror(errno)))): changes are found by the rescan alone") }
        #endif
    }

    deinit {
        #if canImport(Glibc)
        if fd >= 0 { close(fd) }
        #endif
    }

    var isAvailable: Bool {
        #if canImport(Glibc)
        return fd >= 0
        #else
        return false
        #endif
    }

    /// Watches a folder for files created, written and closed, moved in or out, deleted.
    /// False when it cannot be watched (the rescan covers it).
    @discardableResult
    func watch(folder: String) -> Bool {
        #if canImport(Glibc)
        guard fd >= 0 else { return false }
        if watched[folder] != nil { return true }
        let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR)
        let wd = inotify_add_watch(fd, folder, mask)
        guard wd >= 0 else {
            let why = errno == ENOSPC
                ? "the inotify watch limit (fs.inotify.max_user_watches) is reached: folders beyond it are found by the rescan alone"
                : "cannot watch '\(folder)': \(String(cString: strerror(errno)))"
            if !problems.contains(why) { problems.append(why) }
            return false
        }
        folders[wd] = folder
        watched[folder] = wd
        return true
        #else
        return false
        #endif
    }

    /// The events queued since the last call (never blocks).
    func events() -> [FolderEvent] {
        #if canImport(Glibc)
        guard fd >= 0 else { return [] }
        var out: [FolderEvent] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            var i = 0
            let header = MemoryLayout<inotify_event>.size
            while i + header <= n {
                let (wd, mask, len): (Int32, UInt32, Int) = buffer.withUnsafeBytes { raw in
                    let e = raw.loadUnaligned(fromByteOffset: i, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                var name = ""
                if len > 0, i + header + len <= n {
                    let bytes = buffer[(i + header)..<(i + header + len)]
                    name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                i += header + len
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    overflowed = true
                    continue
                }
                guard let folder = folders[wd] else { continue }
                if mask & UInt32(IN_IGNORED) != 0 || mask & UInt32(IN_DELETE_SELF) != 0 {
                    folders[wd] = nil
                    watched[folder] = nil
                    out.append(FolderEvent(folder: folder, name: "", isDirectory: true, gone: true))
                    continue
                }
                let gone = mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0
                out.append(FolderEvent(folder: folder, name: name, isDirectory: mask & UInt32(IN_ISDIR) != 0, gone: gone))
            }
        }
        return out
        #else
        return []
        #endif
    }

    /// Clears the overflow mark once the caller has rescanned.
    func clearOverflow() { overflowed = false }

    /// Forgets folders under `prefix` (they were removed).
    func forget(under prefix: String) {
        for (folder, wd) in watched where folder == prefix || folder.hasPrefix(prefix + "/") {
            watched[folder] = nil
            folders[wd] = nil
        }
    }
}

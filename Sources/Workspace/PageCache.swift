import CallQAModel
import Foundation

/// What the overview and the calls list computed, kept while the data they were computed
/// from is unchanged: each result is filed under the page, the reader's scope, the query
/// (period, filters, sort, cursor) and the database's data version (`CallStore.dataVersion`),
/// which triggers move on at every change of calls, agents, analyses, per-party metrics,
/// scores, card versions and surveys, whoever writes them. The version is read before the
/// result is computed, so a result is never older than the version it is filed under (at
/// worst newer, when a write lands in between). A request for the same key at the same
/// version gets that result; after any change the version differs, nothing filed before is
/// found again, and those entries are dropped. Pages are rendered for each request (they carry the user and the CSRF token):
/// only the figures are kept. Concurrent requests for one key wait for one computation.
final class PageCache: @unchecked Sendable {
    struct Key: Hashable {
        var page: String
        var scope: Scope
        var query: [String]
        var version: Int64
    }

    /// At most this many results (0: none kept).
    let capacity: Int
    private let lock = NSCondition()
    private var entries: [Key: (value: any Sendable, used: UInt64)] = [:]
    private var computing: Set<Key> = []
    private var tick: UInt64 = 0
    private var latest: Int64 = .min
    private(set) var hits = 0, misses = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The result filed under `key`, or `compute()`'s, filed. Without a key (a database
    /// without a data version) or capacity, computes every time.
    func value<T: Sendable>(_ key: Key?, _ compute: () throws -> T) throws -> T {
        guard capacity > 0, let key else { return try compute() }
        lock.lock()
        while computing.contains(key) { lock.wait() }
        if let entry = entries[key], let value = entry.value as? T {
            tick += 1
            entries[key]?.used = tick
            hits += 1
            lock.unlock()
            return value
        }
        computing.insert(key)
        misses += 1
        lock.unlock()
        let value: T
        do {
            value = try compute()
        } catch {
            lock.lock()
            computing.remove(key)
            lock.broadcast()
            lock.unlock()
            throw error
        }
        lock.lock()
        computing.remove(key)
        if key.version > latest {
            // The data changed: nothing filed under an older version is asked for again.
            latest = key.version
            entries = entries.filter { $0.key.version >= latest }
        }
        if key.version >= latest {
            tick += 1
            entries[key] = (value, tick)
            if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
                entries[oldest] = nil
            }
        }
        lock.broadcast()
        lock.unlock()
        return value
    }

    /// Results kept now.
    var count: Int { lock.withLock { entries.count } }
}

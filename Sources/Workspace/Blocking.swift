import Dispatch
import Foundation

/// Synchronous work — SQLite reads and writes, opening and decoding a recording, bcrypt —
/// run on a Dispatch thread instead of a thread of Swift's cooperative pool. That pool has
/// one thread per core and serves every request: a request that waits for the database
/// (a write waiting for another process's write lock, a long report) would otherwise stall
/// every other request on its thread. At most `limit` pieces of work run at once (two per
/// core): more would only share the same cores, each finishing later, with more threads
/// switching and contending for SQLite's connections; the others wait their turn without
/// holding a thread.
enum Blocking {
    static let limit = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)
    static let gate = Gate(limit)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await gate.enter()
        defer { Task { await gate.leave() } }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A counting semaphore whose waiters are suspended tasks, first come first served.
    actor Gate {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(_ count: Int) { free = count }

        func enter() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
    }
}

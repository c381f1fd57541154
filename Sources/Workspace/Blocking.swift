import Dispatch

/// Synchronous work — SQLite reads and writes, opening and decoding a recording, bcrypt —
/// run on a Dispatch thread instead of a thread of Swift's cooperative pool. That pool has
/// one thread per core and serves every request: a request that waits for the database
/// (a write waiting for another process's write lock, a long report) would otherwise stall
/// every other request on its thread. Dispatch adds threads while these wait.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

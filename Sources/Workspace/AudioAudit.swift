import Foundation

/// Which recording accesses the audit log already covers. A player fetches a recording in
/// many byte ranges (the first bytes, then more as it plays, then wherever the user seeks);
/// one audit row per range would be a database write per request. Instead, one `audio` row
/// stands for one **listening** (or download) of a call by one session: the first range a
/// session requests of a call — for one channel selection, playing or downloading — writes
/// the row (user, time, address, that first range); the further ranges of the same session,
/// call, channel selection and kind within `windowS` seconds of that row are covered by it
/// and write nothing. Later, or from another session, channel or kind, it is a new row. The
/// ledger lives in the server's memory: after a restart the next range writes a new row, so
/// an access is never left out — at worst counted twice.
final class AudioAuditLedger: @unchecked Sendable {
    struct Key: Hashable {
        /// Who listens: the way in (the page, an API token, the API from a session), the
        /// account and the SHA-256 of the session token (the token itself is kept nowhere).
        var session: String
        var callID: String
        var channel: String
        var download: Bool
    }

    let windowS: Double
    private let lock = NSLock()
    /// When each key's row was written (epoch s).
    private var written: [Key: Double] = [:]

    init(windowS: Double) { self.windowS = windowS }

    /// Whether a range at `now` is covered by a row written for `key` (false: write one).
    func covers(_ key: Key, now: Double) -> Bool {
        lock.withLock {
            guard let at = written[key] else { return false }
            return now >= at && now - at < windowS
        }
    }

    /// Notes a row written for `key` at `now` (only once it is stored), and forgets rows whose
    /// window has passed, so the ledger holds at most the listenings of the last `windowS`.
    func wrote(_ key: Key, now: Double) {
        lock.withLock {
            if written.count >= 1024 { written = written.filter { now - $0.value < windowS } }
            written[key] = now
        }
    }
}

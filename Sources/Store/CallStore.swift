import CallAnalysis
import CallQAModel
import Foundation
import GRDB

/// Why the store failed.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The database file cannot be opened or created.
    case cannotOpen(path: String, reason: String)
    /// A statement failed; `reason` is SQLite's message.
    case database(path: String, reason: String)
    /// The database was made by a newer callqa (unknown migrations): never written to.
    case newerDatabase(path: String, detail: String)
    /// A report was asked of a database file that does not exist.
    case noDatabase(path: String)
    /// The file is not a sound SQLite database (empty, or `quick_check` fails): never written to.
    case damaged(path: String, detail: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open database '\(path)': \(reason)"
        case let .database(path, reason): "database '\(path)': \(reason)"
        case let .newerDatabase(path, detail):
            "database '\(path)' was made by a newer callqa (\(detail)); this version does not write to it: use that version, or another --db"
        case let .noDatabase(path): "no database at '\(path)'; run callqa ingest first (or give --db)"
        case let .damaged(path, detail):
            "database '\(path)' is damaged (\(detail)); nothing was written to it: restore it from a backup, or recover it with sqlite3 '.recover', or use another --db"
        }
    }
}

/// The callqa database: owns the connection pool (WAL, foreign keys, busy timeout) and the
/// migrations, and exposes intent-named methods. Writes are serialised by SQLite's single
/// writer; every unit of work is one transaction.
public final class CallStore: Sendable {
    public let path: String
    /// A WAL connection pool; a single read-only connection for `readOnly` stores.
    let pool: any DatabaseWriter
    /// Opened read-only: nothing is created, migrated or written (reports, `explain`).
    public let readOnly: Bool
    /// Read-only and made by a newer callqa: read anyway (tables this version knows), with a warning.
    public let madeByNewerVersion: Bool
    /// How long a write waits for another connection's write lock (s).
    let busyTimeoutS: Double

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - busyTimeoutS: how long a writer waits for another writer (s).
    ///   - readOnly: open for reading only, without creating, migrating or writing anything
    ///     (a database on read-only media, or one this user may not write): reports work,
    ///     writes fail with "the database file is read-only". The schema must be current.
    ///   - hasher: the caller-hashing key, needed once to upgrade a database whose earlier
    ///     version stored customer numbers in clear (see the migrations).
    public init(path: String, busyTimeoutS: Double = 30, readOnly: Bool = false, hasher: (any CustomerNumberHasher)? = nil) throws(StoreError) {
        self.path = path
        self.busyTimeoutS = busyTimeoutS
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeoutS)
        config.prepareDatabase { db in
            // WAL survives a killed process with NORMAL sync; fsync at checkpoints.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted and overwritten content (clear numbers an upgrade or a re-ingest
            // removes) is zeroed in the file, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw .cannotOpen(path: path, reason: "folder '\(dir)' does not exist")
        }
        self.readOnly = readOnly
        if readOnly {
            let (queue, state) = try Self.openReadOnly(path: path, configuration: config)
            pool = queue
            madeByNewerVersion = state != .current
            return
        }
        madeByNewerVersion = false
        let fm = FileManager.default
        func size(_ p: String) -> Int64? { ((try? fm.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.int64Value }
        if size(path) == 0 {
            // Another callqa may be creating it this instant (SQLite makes the empty file
            // first, and a new WAL database's pages go to its -wal): give it a moment.
            var waitedMs = 0
            while size(path) == 0, (size(path + "-wal") ?? 0) == 0, waitedMs < 1_000 {
                usleep(50_000)
                waitedMs += 50
            }
            if size(path) == 0, (size(path + "-wal") ?? 0) == 0 {
                throw .damaged(path: path, detail: "an empty file (0 bytes), not a callqa database")
            }
        }
        // A WAL left behind means the last writer did not close cleanly: check the file
        // before writing. Small databases are checked every time (milliseconds). A WAL that
        // another process has open (the workspace serving, an ingest running) is that
        // process's live log, not one left behind: its first writable open checked the file.
        let walSize = ((try? fm.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.int64Value ?? 0
        let fileSize = ((try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        let leftBehind = walSize > 0 && !Self.openPaths.contains(path) && !Self.walOpenInAnotherProcess(path)
        let check = fileSize > 0 && (leftBehind || fileSize <= Self.alwaysCheckBytes)
        /// One try at opening: checked through a read-only connection first (opening the pool
        /// writes: GRDB makes the WAL file exist; a damaged or newer database gets no byte),
        /// then opened and brought up to date.
        func attempt() throws -> DatabasePool {
            if fileSize > 0 {
                var readConfig = config
                readConfig.readonly = true
                let probe = try DatabaseQueue(path: path, configuration: readConfig)
                try probe.read { db in
                    if check {
                        let result = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                        if result != ["ok"] {
                            throw StoreError.damaged(path: path, detail: "quick_check: " + result.prefix(3).joined(separator: "; "))
                        }
                    }
                    if case let .newer(unknown, userVersion) = try Migrations.migrator().state(db) {
                        throw StoreError.newerDatabase(path: path, detail: unknown.isEmpty ? "schema version \(userVersion)"
                            : "unknown migrations \(unknown.joined(separator: ", "))")
                    }
                }
                try probe.close()
            }
            let pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator(hasher: hasher).migrate(pool, path: path)
            return pool
        }
        /// `attempt` until it opens: opened by several callqa at once (a new database, two
        /// ingests and an NPS import started together), SQLite now and then answers "busy" at
        /// once instead of waiting out the busy timeout (seen once in `make test` under full
        /// load, by `DatabaseFileTests.migrationsAreSerialisedBetweenProcesses`), so a busy
        /// answer is tried again after a short pause, within the busy timeout.
        func attemptUntilOpen() throws -> DatabasePool {
            let deadline = Date().addingTimeInterval(busyTimeoutS)
            while true {
                do {
                    return try attempt()
                } catch let e as DatabaseError where (e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                    usleep(UInt32.random(in: 20_000...80_000))
                }
            }
        }
        do {
            self.pool = try attemptUntilOpen()
            Self.openPaths.insert(path)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            if e.resultCode == .SQLITE_CORRUPT {
                throw .damaged(path: path, detail: Self.reason(e))
            }
            throw .cannotOpen(path: path, reason: Self.reason(e))
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Databases up to this size get `PRAGMA quick_check` at every writable open (bytes).
    static let alwaysCheckBytes: Int64 = 256 << 20

    deinit {
        if !readOnly { Self.openPaths.remove(path) }
    }

    /// The databases this process holds writable stores of (their WAL is live).
    static let openPaths = PathCounter()

    /// Whether another process has this WAL database open. Every SQLite connection to a WAL
    /// database holds a read lock on byte 128 of its `-shm` file (SQLite's "dead man's
    /// switch", which tells the first connection after a crash to recover) for as long as it
    /// is open; `F_GETLK` asks whether anyone holds a lock there without taking one. Asked
    /// only while this process has no connection to the file (`openPaths`): closing the
    /// descriptor opened here would drop this process's own locks on it.
    static func walOpenInAnotherProcess(_ path: String) -> Bool {
        let fd = open(path + "-shm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    /// A read-only connection. SQLite reads a WAL database read-only only where it can keep
    /// its shared-memory file beside it; on read-only media it must be told the file cannot
    /// change (`immutable=1`, a URI filename: Debian's SQLite takes them by default).
    /// Nothing is created: a missing file is `noDatabase`.
    private static func openReadOnly(path: String, configuration: Configuration) throws(StoreError) -> (DatabaseQueue, MigrationList.State) {
        var config = configuration
        config.readonly = true
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw .noDatabase(path: path)
        }
        if (((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0) == 0 {
            throw .damaged(path: path, detail: "an empty file (0 bytes), not a callqa database")
        }
        func open(_ target: String) throws -> (DatabaseQueue, MigrationList.State) {
            let queue = try DatabaseQueue(path: target, configuration: config)
            // Reading the schema is what fails when the shared memory cannot be had.
            let state = try queue.read { try Migrations.migrator().state($0) }
            if state == .pending {
                throw StoreError.cannotOpen(path: path, reason: "the database was written by an older callqa; open it once with ingest (or any command that writes) to upgrade it")
            }
            return (queue, state)
        }
        do {
            return try open(path)
        } catch let e as StoreError {
            throw e
        } catch {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))) ?? absolute
            do {
                return try open("file:\(encoded)?immutable=1")
            } catch let e as StoreError {
                throw e
            } catch let e as DatabaseError {
                throw .cannotOpen(path: path, reason: Self.reason(e))
            } catch {
                throw .cannotOpen(path: path, reason: "\(error)")
            }
        }
    }

    static func reason(_ e: DatabaseError) -> String {
        switch e.resultCode {
        case .SQLITE_READONLY: "the database file is read-only"
        case .SQLITE_FULL: "the disk is full; the unit of work in progress was rolled back, everything stored before it is whole"
        case .SQLITE_IOERR: "cannot write to the disk (disk full, a file-size limit or an I/O error: \(e.message ?? "I/O error")); the unit of work in progress was rolled back, everything stored before it is whole"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the database is busy (another callqa is writing); try again"
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: "not a callqa database (or the file is damaged)"
        case .SQLITE_CANTOPEN: "cannot open the file"
        default: e.message ?? "\(e)"
        }
    }

    func wrap<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let e as DatabaseError {
            throw .database(path: path, reason: Self.reason(e))
        } catch let e as StoreError {
            throw e
        } catch {
            throw .database(path: path, reason: "\(error)")
        }
    }

    /// Runs SQL reads on a consistent snapshot. Not public: outside the store, call data is
    /// only read through the intent-named methods, each of which takes a `Scope`
    /// (`package` so the project's own tests and benchmarks may inspect tables).
    package func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try wrap { try pool.read(body) }
    }

    /// Runs SQL writes in one transaction (`package`: see `read`).
    package func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try wrap { try pool.write(body) }
    }

    /// Copies the WAL into the main file (and truncates it when no one reads), so values a
    /// run removed (clear numbers) are overwritten in the file now, not at some later
    /// checkpoint. Never holds the write lock while it waits: passive checkpoints, repeated
    /// until every frame written before the call is in the main file (readers that still
    /// need an older page finish their read first) or `waitS` has passed, then one attempt to
    /// truncate the WAL that gives up at once when another connection is busy. A workspace
    /// serving pages meanwhile is neither blocked nor made to wait. Best effort.
    public func checkpoint(waitS: Double = 10) {
        guard !readOnly else { return }
        func passive() -> (log: Int, done: Int)? {
            guard let r = try? pool.writeWithoutTransaction({ db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }),
                  let log = r[1] as Int?, let done = r[2] as Int?, log >= 0 else { return nil }
            return (log, done)
        }
        guard var state = passive() else { return }
        let target = state.log
        let deadline = Date().addingTimeInterval(waitS)
        // Done when the frames up to `target` are copied, or when the WAL started over (a
        // writer restarts it only once every frame is copied).
        while state.done < target, state.log >= target, Date() < deadline {
            usleep(20_000)
            guard let next = passive() else { return }
            state = next
        }
        _ = try? pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 0")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(busyTimeoutS * 1000))") }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// What `callqa check` found: SQLite's full `integrity_check` and the schema version.
    public struct CheckResult: Sendable, Equatable {
        /// `integrity_check`'s lines: `["ok"]` when sound.
        public var integrity: [String]
        /// Migrations applied (`PRAGMA user_version`).
        public var schemaVersion: Int
        public var calls: Int
        public var isSound: Bool { integrity == ["ok"] }
    }

    /// Runs the full `PRAGMA integrity_check` (every page, index and constraint) and counts
    /// what is there. Reading only.
    public func check() throws(StoreError) -> CheckResult {
        try read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let calls = integrity == ["ok"] ? (try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0) : 0
            return CheckResult(integrity: integrity, schemaVersion: version, calls: calls)
        }
    }

    /// `PRAGMA integrity_check` → "ok" when sound.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: Ingest

    /// The stored state of these calls (absent ids, and calls outside the scope, are not in the map).
    public func callStates(ids: [String], scope: Scope) throws(StoreError) -> [String: StoredCallState] {
        try read { db in
            var out: [String: StoredCallState] = [:]
            let (sc, sa) = scope.sql()
            for chunkStart in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[chunkStart..<min(ids.count, chunkStart + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT c.call_id, c.record_fingerprint, c.recording_status,
                           a.recording_path, a.content_sha256, a.size_bytes, a.mtime_epoch,
                           a.analyzer_version, a.parameters_hash
                    FROM calls c LEFT JOIN analyses a ON a.call_id = c.call_id
                    WHERE c.call_id IN (\(marks)) AND \(sc)
                    """, arguments: StatementArguments(chunk + sa))
                for r in rows {
                    var analysis: StoredAnalysisState?
                    if let p: String = r["recording_path"] {
                        analysis = StoredAnalysisState(recordingPath: p, contentSHA256: r["content_sha256"],
                                                       sizeBytes: r["size_bytes"], mtimeEpoch: r["mtime_epoch"],
                                                       analyzerVersion: r["analyzer_version"], parametersHash: r["parameters_hash"])
                    }
                    out[r["call_id"]] = StoredCallState(fingerprint: r["record_fingerprint"],
                                                        recordingStatus: RecordingStatus(rawValue: r["recording_status"]) ?? .none,
                                                        analysis: analysis)
                }
            }
            return out
        }
    }

    /// Stores calls (and their analyses) in one transaction: all of them or none.
    public func save(_ writes: [CallWrite]) throws(StoreError) {
        guard !writes.isEmpty else { return }
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            for w in writes { try Self.save(w, now: now, db: db) }
        }
    }

    static func save(_ w: CallWrite, now: String, db: Database) throws {
        let r = w.call.record
        if let agent = r.agentID {
            try db.cachedStatement(sql: """
                INSERT INTO agents (agent_id, agent_name, team, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(agent_id) DO UPDATE SET
                    agent_name = coalesce(excluded.agent_name, agents.agent_name),
                    team = coalesce(excluded.team, agents.team),
                    updated_at = excluded.updated_at
                """).execute(arguments: [agent, r.agentName, r.team, now])
        }
        guard let started = r.startedAt else {
            throw StoreError.database(path: "", reason: "call \(r.callID) has no start time")
        }
        let (_, hour, weekday) = calendarFields(started)
        let handle: Double? = r.talkS.map { $0 + (r.holdS ?? 0) + (r.acwS ?? 0) }
        let attributes = JSONText.object(r.attributes.sorted { $0.key < $1.key }.map { ($0.key, JSONText.string($0.value)) })
        // The call as stored before, if it was: a changed start or caller moves it among its
        // callers' calls, and their gaps to the next call are recomputed below.
        let before = try Row.fetchOne(db.cachedStatement(sql: "SELECT started_epoch, customer_hash FROM calls WHERE call_id = ?"),
                                      arguments: [r.callID])
        try db.cachedStatement(sql: """
            INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, agent_id,
                agent_name, team, queue, direction, started_at, started_epoch, utc_offset_s, local_date,
                local_hour, local_weekday, wait_s, answered, talk_s, hold_s, acw_s, handle_s, customer_hash,
                customer_clear, dialed, agent_channel, recording, recording_path, recording_status,
                recording_error, attributes, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(call_id) DO UPDATE SET
                source_kind = excluded.source_kind, source_file = excluded.source_file,
                source_line = excluded.source_line, record_fingerprint = excluded.record_fingerprint,
                agent_id = excluded.agent_id, agent_name = excluded.agent_name, team = excluded.team,
                queue = excluded.queue, direction = excluded.direction, started_at = excluded.started_at,
                started_epoch = excluded.started_epoch, utc_offset_s = excluded.utc_offset_s,
                local_date = excluded.local_date, local_hour = excluded.local_hour,
                local_weekday = excluded.local_weekday, wait_s = excluded.wait_s, answered = excluded.answered,
                talk_s = excluded.talk_s, hold_s = excluded.hold_s, acw_s = excluded.acw_s,
                handle_s = excluded.handle_s, customer_hash = excluded.customer_hash,
                customer_clear = excluded.customer_clear, dialed = excluded.dialed,
                agent_channel = excluded.agent_channel, recording = excluded.recording,
                recording_path = excluded.recording_path, recording_status = excluded.recording_status,
                recording_error = excluded.recording_error, attributes = excluded.attributes,
                ingested_at = excluded.ingested_at
            """).execute(arguments: [
                r.callID, w.call.sourceKind.rawValue, r.source.file, r.source.line, w.call.fingerprint, r.agentID,
                r.agentName, r.team, r.queue, r.direction?.rawValue, started.iso8601, started.epochS, started.offsetS,
                started.localDate, hour, weekday, r.waitS, r.isAnswered ? 1 : 0, r.talkS, r.holdS, r.acwS, handle,
                w.call.customerHash, w.call.customerClear, w.call.dialed, r.agentChannel?.rawValue, r.recording,
                w.call.recordingPath, w.call.recordingStatus.rawValue, w.call.recordingError, attributes, now,
            ])
        let oldEpoch: Double? = before?["started_epoch"], oldHash: String? = before?["customer_hash"]
        if before != nil && (oldEpoch != started.epochS || oldHash != w.call.customerHash) {
            // Every gap of the callers involved, old and new (a caller has few calls).
            for h in Set([oldHash, w.call.customerHash].compactMap { $0 }).sorted() {
                try db.cachedStatement(sql: """
                    UPDATE calls SET next_call_gap_s = (
                        SELECT min(d.started_epoch) - calls.started_epoch FROM calls d
                        WHERE d.customer_hash = calls.customer_hash AND d.started_epoch > calls.started_epoch)
                    WHERE customer_hash = ?
                    """).execute(arguments: [h])
            }
            if w.call.customerHash == nil {
                try db.cachedStatement(sql: "UPDATE calls SET next_call_gap_s = NULL WHERE call_id = ?").execute(arguments: [r.callID])
            }
        } else if let h = w.call.customerHash {
            // This call's gap to the caller's next call, and the previous call's gap to this one.
            try db.cachedStatement(sql: """
                UPDATE calls SET next_call_gap_s = (
                    SELECT min(d.started_epoch) - ? FROM calls d WHERE d.customer_hash = ? AND d.started_epoch > ?)
                WHERE call_id = ?
                """).execute(arguments: [started.epochS, h, started.epochS, r.callID])
            try db.cachedStatement(sql: """
                UPDATE calls SET next_call_gap_s = ? - started_epoch
                WHERE call_id = (SELECT call_id FROM calls WHERE customer_hash = ? AND started_epoch < ?
                                 ORDER BY started_epoch DESC LIMIT 1)
                  AND (next_call_gap_s IS NULL OR next_call_gap_s > ? - started_epoch)
                """).execute(arguments: [started.epochS, h, started.epochS, started.epochS])
        }
        try db.cachedStatement(sql: "DELETE FROM call_legs WHERE call_id = ?").execute(arguments: [r.callID])
        for (i, leg) in r.legs.enumerated() {
            try db.cachedStatement(sql: """
                INSERT INTO call_legs (call_id, leg, agent_id, talk_s, started_at, started_epoch, answered, source_line, recording, scored)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [r.callID, i + 1, leg.agentID, leg.talkS, leg.startedAt?.iso8601, leg.startedAt?.epochS,
                                         leg.answered ? 1 : 0, leg.source.line, leg.recording, leg.scored ? 1 : 0])
        }
        switch w.analysis {
        case .keep:
            break
        case .remove:
            try db.cachedStatement(sql: "DELETE FROM analyses WHERE call_id = ?").execute(arguments: [r.callID])
            // A transcript describes a recording that is no longer analysed: gone with it.
            try db.cachedStatement(sql: "DELETE FROM transcripts WHERE call_id = ?").execute(arguments: [r.callID])
        case let .touch(path, mtime):
            try db.cachedStatement(sql: "UPDATE analyses SET recording_path = ?, mtime_epoch = ? WHERE call_id = ?")
                .execute(arguments: [path, mtime, r.callID])
        case let .replace(a):
            try db.cachedStatement(sql: "DELETE FROM analyses WHERE call_id = ?").execute(arguments: [r.callID])
            try insert(a, callID: r.callID, now: now, db: db)
            // Another recording: its old transcript says nothing about it. (The same recording
            // analysed with other parameters keeps its words until transcribed again.)
            try db.cachedStatement(sql: "DELETE FROM transcripts WHERE call_id = ? AND content_sha256 != ?")
                .execute(arguments: [r.callID, a.state.contentSHA256])
        }
    }

    /// `analyses` columns written besides the facts of the fact schema.
    static let analysisOtherColumns = ["call_id", "recording_path", "content_sha256", "size_bytes", "mtime_epoch", "container", "encoding",
                                       "sample_rate", "channels", "channels_used", "agent_channel", "analyzer_version", "parameters",
                                       "parameters_hash", "longest_silence_start_s", "channel_correlation", "health", "truncated",
                                       "non_finite_samples", "analysed_at"]
    static let insertAnalysisSQL: String = {
        let columns = analysisOtherColumns + FactSchema.analysisColumns.map(\.column)
        return "INSERT INTO analyses (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    }()
    /// `party_metrics` columns written besides the per-party facts of the fact schema.
    static let partyOtherColumns = ["call_id", "party", "longest_monologue_start_s", "peak_dbfs", "segments",
                                    "echo_coupling_db", "echo_delay_ms", "echo_applied_share", "background_voices_share"]
    static let insertPartySQL: String = {
        let columns = partyOtherColumns + FactSchema.partyColumns.map(\.column)
        return "INSERT INTO party_metrics (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    }()

    /// Stores an analysis: the columns the fact schema measures, and the others (format,
    /// identity, health, segments, echo).
    static func insert(_ row: AnalysisRow, callID: String, now: String, db: Database) throws {
        let a = row.analysis
        let m = a.metrics
        let stereo = a.channelsUsed.count == 2
        let other: [(any DatabaseValueConvertible)?] = [
            callID, row.state.recordingPath, row.state.contentSHA256, row.state.sizeBytes, row.state.mtimeEpoch,
            a.format.container, a.format.encoding, a.format.sampleRate, a.format.channels,
            a.channelsUsed.map { String($0 + 1) }.joined(separator: ","),
            stereo ? a.options.agentChannel.rawValue : nil, row.state.analyzerVersion, row.parametersJSON,
            row.state.parametersHash, m.longestSilenceStartS, m.channelCorrelation,
            m.health.map(\.rawValue).joined(separator: ","), a.truncation == nil ? 0 : 1, a.nonFiniteSamples, now,
        ]
        try db.cachedStatement(sql: insertAnalysisSQL)
            .execute(arguments: StatementArguments(other + FactSchema.analysisColumns.map { $0.measure(m) }))
        for (party, p) in m.parties.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let otherParty: [(any DatabaseValueConvertible)?] = [
                callID, party.rawValue, p.longestMonologueStartS, p.levels.peakDBFS, SegmentCodec.encode(p.segments),
                m.echo[party]?.couplingDB, m.echo[party]?.delayMs, m.echo[party]?.appliedShare, min(1, max(0, p.backgroundVoicesShare)),
            ]
            try db.cachedStatement(sql: insertPartySQL)
                .execute(arguments: StatementArguments(otherParty + FactSchema.partyColumns.map { $0.measure(p) }))
        }
        let events = try db.cachedStatement(sql: "INSERT INTO audio_events (call_id, kind, party, start_s, end_s) VALUES (?, ?, ?, ?, ?)")
        func add(_ kind: String, _ party: String?, _ spans: [FrameSpan]) throws {
            for s in spans { try events.execute(arguments: [callID, kind, party, s.startS, s.endS]) }
        }
        try add("dead_air", nil, m.deadAir)
        try add("hold", nil, m.hold)
        try add("tone", nil, m.tones)
        try add("overtalk", nil, m.overtalk)
        try add("interruption", "agent", m.interruptionSpansByAgent)
        try add("interruption", "customer", m.interruptionSpansByCustomer)
    }

    /// Starts an ingest run; its id ties errors to it.
    public func beginRun(inputs: [String]) throws(StoreError) -> Int64 {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        return try write { db in
            try db.execute(sql: "INSERT INTO ingest_runs (started_at, inputs) VALUES (?, ?)",
                           arguments: [now, inputs.joined(separator: "\n")])
            return db.lastInsertedRowID
        }
    }

    /// Closes a run with its counts.
    public func finishRun(_ id: Int64, stored: Int, unchanged: Int, failed: Int, rejected: Int, audioS: Double, wallS: Double) throws(StoreError) {
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            try db.execute(sql: """
                UPDATE ingest_runs SET finished_at = ?, calls_stored = ?, calls_unchanged = ?, calls_failed = ?,
                    rows_rejected = ?, audio_s = ?, wall_s = ? WHERE run_id = ?
                """, arguments: [now, stored, unchanged, failed, rejected, audioS, wallS, id])
        }
    }

    /// Stores rejected inputs of a run.
    public func recordErrors(run: Int64, _ errors: [IngestErrorRow]) throws(StoreError) {
        guard !errors.isEmpty else { return }
        let now = Timestamp(epochS: Date().timeIntervalSince1970.rounded(), offsetS: 0).iso8601
        try write { db in
            let st = try db.makeStatement(sql: """
                INSERT INTO ingest_errors (run_id, occurred_at, stage, source_file, line, call_id, field, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for e in errors {
                try st.execute(arguments: [run, now, e.stage.rawValue, e.sourceFile, e.line, e.callID, e.field, e.message])
            }
        }
    }
}

/// A count per canonical file path, shared by the threads of the process.
final class PathCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    static func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }

    func insert(_ path: String) { lock.withLock { counts[Self.key(path), default: 0] += 1 } }

    func remove(_ path: String) {
        lock.withLock {
            let k = Self.key(path)
            if let n = counts[k] { counts[k] = n > 1 ? n - 1 : nil }
        }
    }

    func contains(_ path: String) -> Bool { lock.withLock { counts[Self.key(path)] != nil } }
}

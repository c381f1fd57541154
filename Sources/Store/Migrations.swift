import CallQAModel
import GRDB

/// Named, append-only migrations. Never edit one that has shipped: add the next.
/// They are plain SQL and never refer to Swift types, so the schema in the README is the
/// schema in the file.
enum Migrations {
    /// - Parameter hasher: the caller-hashing key, for migrations that hash numbers stored
    ///   in clear by earlier versions; such a migration fails when it has work and no key.
    static func migrator(hasher: (any CustomerNumberHasher)? = nil) -> MigrationList {
        var m = MigrationList()
        m.registerMigration("2026-11-25-calls-and-analyses") { db in
            try db.execute(sql: """
                CREATE TABLE agents (
                    agent_id   TEXT PRIMARY KEY NOT NULL,
                    agent_name TEXT,
                    team       TEXT,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE calls (
                    call_id            TEXT PRIMARY KEY NOT NULL,
                    source_kind        TEXT NOT NULL CHECK (source_kind IN ('manifest', 'asterisk-cdr', 'queue-log')),
                    source_file        TEXT NOT NULL,
                    source_line        INTEGER NOT NULL,
                    record_fingerprint TEXT NOT NULL,
                    agent_id           TEXT REFERENCES agents(agent_id),
                    agent_name         TEXT,
                    team               TEXT,
                    queue              TEXT,
                    direction          TEXT CHECK (direction IN ('inbound', 'outbound')),
                    started_at         TEXT NOT NULL,
                    started_epoch      REAL NOT NULL,
                    utc_offset_s       INTEGER NOT NULL,
                    local_date         TEXT NOT NULL,
                    local_hour         INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
                    local_weekday      INTEGER NOT NULL CHECK (local_weekday BETWEEN 1 AND 7),
                    wait_s             REAL CHECK (wait_s >= 0),
                    answered           INTEGER NOT NULL CHECK (answered IN (0, 1)),
                    talk_s             REAL CHECK (talk_s >= 0),
                    hold_s             REAL CHECK (hold_s >= 0),
                    acw_s              REAL CHECK (acw_s >= 0),
                    handle_s           REAL,
                    caller_hash        TEXT,
                    caller_clear       TEXT,
                    dialed             TEXT,
                    agent_channel      TEXT CHECK (agent_channel IN ('left', 'right')),
                    recording          TEXT,
                    recording_path     TEXT,
                    recording_status   TEXT NOT NULL CHECK (recording_status IN
                                           ('none', 'missing', 'analysed', 'failed', 'outside_root')),
                    recording_error    TEXT,
                    attributes         TEXT NOT NULL DEFAULT '{}',
                    ingested_at        TEXT NOT NULL
                );
                CREATE INDEX calls_by_start ON calls(started_epoch);
                CREATE INDEX calls_by_agent ON calls(agent_id, started_epoch);
                CREATE INDEX calls_by_caller ON calls(caller_hash, started_epoch);
                CREATE INDEX calls_by_recording ON calls(recording_path);

                CREATE TABLE analyses (
                    call_id                   TEXT PRIMARY KEY NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    recording_path            TEXT NOT NULL,
                    content_sha256            TEXT NOT NULL,
                    size_bytes                INTEGER NOT NULL,
                    mtime_epoch               REAL NOT NULL,
                    container                 TEXT NOT NULL,
                    encoding                  TEXT NOT NULL,
                    sample_rate               INTEGER NOT NULL,
                    channels                  INTEGER NOT NULL,
                    channels_used             TEXT NOT NULL,
                    agent_channel             TEXT CHECK (agent_channel IN ('left', 'right')),
                    analyzer_version          TEXT NOT NULL,
                    parameters                TEXT NOT NULL,
                    parameters_hash           TEXT NOT NULL,
                    duration_s                REAL NOT NULL,
                    silence_s                 REAL NOT NULL,
                    silence_ratio             REAL NOT NULL,
                    non_talk_s                REAL NOT NULL,
                    overtalk_s                REAL,
                    overtalk_ratio            REAL,
                    interruptions_by_agent    INTEGER,
                    interruptions_by_customer INTEGER,
                    dead_air_count            INTEGER NOT NULL,
                    dead_air_s                REAL NOT NULL,
                    longest_silence_s         REAL NOT NULL,
                    longest_silence_start_s   REAL,
                    hold_s                    REAL NOT NULL,
                    tone_s                    REAL NOT NULL,
                    talk_to_listen            REAL,
                    agent_response_gap_s      REAL,
                    channel_correlation       REAL,
                    health                    TEXT NOT NULL,
                    truncated                 INTEGER NOT NULL CHECK (truncated IN (0, 1)),
                    non_finite_samples        INTEGER NOT NULL,
                    analysed_at               TEXT NOT NULL
                );
                CREATE TABLE party_metrics (
                    call_id                   TEXT NOT NULL REFERENCES analyses(call_id) ON DELETE CASCADE,
                    party                     TEXT NOT NULL CHECK (party IN ('agent', 'customer', 'mixed')),
                    talk_s                    REAL NOT NULL,
                    talk_ratio                REAL NOT NULL,
                    segment_count             INTEGER NOT NULL,
                    longest_monologue_s       REAL NOT NULL,
                    longest_monologue_start_s REAL,
                    speech_dbfs               REAL,
                    noise_dbfs                REAL,
                    snr_db                    REAL,
                    peak_dbfs                 REAL,
                    clipped_share             REAL NOT NULL,
                    segments                  TEXT NOT NULL,
                    PRIMARY KEY (call_id, party)
                ) WITHOUT ROWID;
                CREATE TABLE audio_events (
                    call_id TEXT NOT NULL REFERENCES analyses(call_id) ON DELETE CASCADE,
                    kind    TEXT NOT NULL CHECK (kind IN ('dead_air', 'hold', 'overtalk', 'interruption')),
                    party   TEXT CHECK (party IN ('agent', 'customer')),
                    start_s REAL NOT NULL,
                    end_s   REAL NOT NULL CHECK (end_s >= start_s)
                );
                CREATE INDEX audio_events_by_call ON audio_events(call_id, kind, start_s);

                CREATE TABLE ingest_runs (
                    run_id          INTEGER PRIMARY KEY,
                    started_at      TEXT NOT NULL,
                    finished_at     TEXT,
                    inputs          TEXT NOT NULL,
                    calls_stored    INTEGER NOT NULL DEFAULT 0,
                    calls_unchanged INTEGER NOT NULL DEFAULT 0,
                    calls_failed    INTEGER NOT NULL DEFAULT 0,
                    rows_rejected   INTEGER NOT NULL DEFAULT 0,
                    audio_s         REAL NOT NULL DEFAULT 0,
                    wall_s          REAL
                );
                CREATE TABLE ingest_errors (
                    error_id    INTEGER PRIMARY KEY,
                    run_id      INTEGER REFERENCES ingest_runs(run_id) ON DELETE SET NULL,
                    occurred_at TEXT NOT NULL,
                    stage       TEXT NOT NULL CHECK (stage IN ('file', 'record', 'recording', 'analysis')),
                    source_file TEXT NOT NULL,
                    line        INTEGER,
                    call_id     TEXT,
                    field       TEXT,
                    message     TEXT NOT NULL
                );
                CREATE INDEX ingest_errors_by_run ON ingest_errors(run_id);
                """)
        }
        m.registerMigration("2026-11-25-scores-and-evaluations") { db in
            try db.execute(sql: """
                CREATE TABLE scorecards (
                    card_id       TEXT NOT NULL,
                    content_hash  TEXT NOT NULL,
                    name          TEXT NOT NULL,
                    target        REAL NOT NULL,
                    file          TEXT NOT NULL,
                    yaml          TEXT NOT NULL,
                    first_used_at TEXT NOT NULL,
                    PRIMARY KEY (card_id, content_hash)
                ) WITHOUT ROWID;
                CREATE TABLE evaluations (
                    call_id      TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    card_id      TEXT NOT NULL,
                    criterion_id TEXT NOT NULL,
                    answer       TEXT NOT NULL,
                    evaluator    TEXT NOT NULL,
                    evaluated_at TEXT NOT NULL,
                    comment      TEXT,
                    source_file  TEXT NOT NULL,
                    source_line  INTEGER NOT NULL,
                    imported_at  TEXT NOT NULL,
                    PRIMARY KEY (call_id, card_id, criterion_id)
                ) WITHOUT ROWID;
                CREATE TABLE scores (
                    call_id           TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    card_id           TEXT NOT NULL,
                    card_hash         TEXT NOT NULL,
                    is_current        INTEGER NOT NULL CHECK (is_current IN (0, 1)),
                    inputs_hash       TEXT NOT NULL,
                    status            TEXT NOT NULL CHECK (status IN ('complete', 'provisional', 'not_scorable')),
                    score             REAL CHECK (score BETWEEN 0 AND 100),
                    critical_score    REAL,
                    critical_failed   INTEGER NOT NULL CHECK (critical_failed IN (0, 1)),
                    weighted_earned   REAL NOT NULL,
                    weighted_possible REAL NOT NULL,
                    target            REAL NOT NULL,
                    unanswered        INTEGER NOT NULL,
                    reason            TEXT,
                    scored_at         TEXT NOT NULL,
                    PRIMARY KEY (call_id, card_id, card_hash),
                    FOREIGN KEY (card_id, card_hash) REFERENCES scorecards(card_id, content_hash)
                );
                CREATE INDEX scores_current ON scores(card_id, is_current, call_id);
                CREATE TABLE criterion_results (
                    call_id          TEXT NOT NULL,
                    card_id          TEXT NOT NULL,
                    card_hash        TEXT NOT NULL,
                    section_id       TEXT NOT NULL,
                    criterion_id     TEXT NOT NULL,
                    position         INTEGER NOT NULL,
                    outcome          TEXT NOT NULL CHECK (outcome IN ('met', 'partial', 'not_met', 'na', 'unanswered')),
                    credit           REAL,
                    earned           REAL NOT NULL,
                    possible         REAL NOT NULL,
                    critical         INTEGER NOT NULL,
                    fails_section    INTEGER NOT NULL,
                    provenance       TEXT NOT NULL,
                    evidence         TEXT NOT NULL,
                    evidence_start_s REAL,
                    evidence_end_s   REAL,
                    PRIMARY KEY (call_id, card_id, card_hash, criterion_id),
                    FOREIGN KEY (call_id, card_id, card_hash) REFERENCES scores(call_id, card_id, card_hash) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE INDEX criterion_results_by_criterion ON criterion_results(card_id, criterion_id, outcome);
                CREATE TABLE import_errors (
                    error_id    INTEGER PRIMARY KEY,
                    import_kind TEXT NOT NULL CHECK (import_kind IN ('evaluations', 'surveys')),
                    occurred_at TEXT NOT NULL,
                    source_file TEXT NOT NULL,
                    line        INTEGER,
                    field       TEXT,
                    message     TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("2026-11-25-surveys") { db in
            try db.execute(sql: """
                CREATE TABLE surveys (
                    survey_key      TEXT PRIMARY KEY NOT NULL,
                    survey_id       TEXT,
                    call_id         TEXT,
                    caller_hash     TEXT,
                    linked_call_id  TEXT REFERENCES calls(call_id) ON DELETE SET NULL,
                    link_method     TEXT CHECK (link_method IN ('call_id', 'caller_window')),
                    answered        INTEGER NOT NULL CHECK (answered IN (0, 1)),
                    score           INTEGER CHECK (score BETWEEN 0 AND 10),
                    csat            INTEGER CHECK (csat BETWEEN 1 AND 5),
                    answered_at     TEXT NOT NULL,
                    answered_epoch  REAL NOT NULL,
                    comment         TEXT,
                    row_fingerprint TEXT NOT NULL,
                    source_file     TEXT NOT NULL,
                    source_line     INTEGER NOT NULL,
                    imported_at     TEXT NOT NULL,
                    CHECK (answered = 0 OR score IS NOT NULL OR csat IS NOT NULL)
                );
                CREATE INDEX surveys_by_linked_call ON surveys(linked_call_id);
                CREATE INDEX surveys_waiting ON surveys(linked_call_id, call_id) WHERE linked_call_id IS NULL;
                """)
        }
        m.registerMigration("2026-11-25-import-runs") { db in
            // Each import is one transaction with an id, so a row met twice in one file is told
            // apart from a row imported before, without holding the file in memory.
            try db.execute(sql: """
                CREATE TABLE import_runs (
                    import_id   INTEGER PRIMARY KEY,
                    import_kind TEXT NOT NULL CHECK (import_kind IN ('evaluations', 'surveys')),
                    source_file TEXT NOT NULL,
                    started_at  TEXT NOT NULL,
                    rows        INTEGER NOT NULL DEFAULT 0,
                    stored      INTEGER NOT NULL DEFAULT 0,
                    rejected    INTEGER NOT NULL DEFAULT 0
                );
                ALTER TABLE surveys ADD COLUMN import_id INTEGER REFERENCES import_runs(import_id);
                ALTER TABLE evaluations ADD COLUMN import_id INTEGER REFERENCES import_runs(import_id);
                CREATE INDEX import_errors_by_line ON import_errors(import_kind, source_file, line);
                """)
        }
        m.registerMigration("2026-11-25-repeat-calls-and-report-indexes") { db in
            // Time to the same caller's next call (s), kept current by ingest, so FCR for any
            // window is a column test instead of a search per call.
            try db.execute(sql: """
                ALTER TABLE calls ADD COLUMN next_call_gap_s REAL;
                UPDATE calls SET next_call_gap_s = (
                    SELECT min(d.started_epoch) - calls.started_epoch FROM calls d
                    WHERE d.caller_hash = calls.caller_hash AND d.started_epoch > calls.started_epoch)
                WHERE caller_hash IS NOT NULL;
                CREATE INDEX calls_by_day ON calls(local_date, agent_id);
                CREATE INDEX scores_by_call ON scores(call_id, is_current);
                """)
        }
        m.registerMigration("2026-11-25-report-aggregates") { db in
            // Per-day aggregates that reports sum instead of scanning every call. Triggers
            // mark the local dates whose calls, analyses or scores changed; `refreshAggregates`
            // rebuilds those days (ingest, score and run call it; reports call it when needed).
            try db.execute(sql: """
                CREATE TABLE agg_dirty (local_date TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                CREATE TABLE agg_calls_day (
                    local_date TEXT NOT NULL, agent_id TEXT NOT NULL, team TEXT NOT NULL, queue TEXT NOT NULL,
                    calls INTEGER NOT NULL, answered INTEGER NOT NULL, answered_inbound INTEGER NOT NULL,
                    talk_sum REAL NOT NULL, talk_n INTEGER NOT NULL, silence_sum REAL NOT NULL, silence_n INTEGER NOT NULL,
                    overtalk_sum REAL NOT NULL, overtalk_n INTEGER NOT NULL, handle_sum REAL NOT NULL, handle_n INTEGER NOT NULL,
                    PRIMARY KEY (local_date, agent_id, team, queue)
                ) WITHOUT ROWID;
                CREATE TABLE agg_scores_day (
                    card_id TEXT NOT NULL, local_date TEXT NOT NULL, agent_id TEXT NOT NULL, team TEXT NOT NULL, queue TEXT NOT NULL,
                    scores INTEGER NOT NULL, scored INTEGER NOT NULL, provisional INTEGER NOT NULL,
                    score_sum REAL NOT NULL, score_sq REAL NOT NULL, at_target INTEGER NOT NULL, critical_fails INTEGER NOT NULL,
                    b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL, b3 INTEGER NOT NULL, b4 INTEGER NOT NULL,
                    b5 INTEGER NOT NULL, b6 INTEGER NOT NULL, b7 INTEGER NOT NULL, b8 INTEGER NOT NULL, b9 INTEGER NOT NULL,
                    PRIMARY KEY (card_id, local_date, agent_id, team, queue)
                ) WITHOUT ROWID;
                CREATE TABLE agg_kpi_hour (
                    local_date TEXT NOT NULL, local_hour INTEGER NOT NULL, local_weekday INTEGER NOT NULL,
                    queue TEXT NOT NULL, team TEXT NOT NULL,
                    outbound INTEGER NOT NULL, offered INTEGER NOT NULL, answered INTEGER NOT NULL, abandoned INTEGER NOT NULL,
                    short_abandons INTEGER NOT NULL, answered_within_t INTEGER NOT NULL, abandoned_within_t INTEGER NOT NULL,
                    wait_sum REAL NOT NULL, wait_n INTEGER NOT NULL, handle_sum REAL NOT NULL, handle_n INTEGER NOT NULL,
                    fcr_n INTEGER NOT NULL, fcr_resolved INTEGER NOT NULL,
                    PRIMARY KEY (local_date, local_hour, queue, team)
                ) WITHOUT ROWID;
                -- (A trigger's own OR IGNORE would be overridden by the outer statement's conflict
                -- policy, hence the NOT EXISTS.)
                CREATE TRIGGER agg_calls_insert AFTER INSERT ON calls BEGIN
                    INSERT INTO agg_dirty SELECT NEW.local_date WHERE NOT EXISTS (SELECT 1 FROM agg_dirty WHERE local_date = NEW.local_date); END;
                CREATE TRIGGER agg_calls_update AFTER UPDATE ON calls BEGIN
                    INSERT INTO agg_dirty SELECT OLD.local_date WHERE NOT EXISTS (SELECT 1 FROM agg_dirty WHERE local_date = OLD.local_date);
                    INSERT INTO agg_dirty SELECT NEW.local_date WHERE NOT EXISTS (SELECT 1 FROM agg_dirty WHERE local_date = NEW.local_date); END;
                CREATE TRIGGER agg_calls_delete AFTER DELETE ON calls BEGIN
                    INSERT INTO agg_dirty SELECT OLD.local_date WHERE NOT EXISTS (SELECT 1 FROM agg_dirty WHERE local_date = OLD.local_date); END;
                CREATE TRIGGER agg_analyses_insert AFTER INSERT ON analyses BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = NEW.call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_analyses_delete AFTER DELETE ON analyses BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = OLD.call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_scores_insert AFTER INSERT ON scores BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = NEW.call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_scores_update AFTER UPDATE ON scores BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = NEW.call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_scores_delete AFTER DELETE ON scores BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = OLD.call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                INSERT OR IGNORE INTO agg_dirty SELECT DISTINCT local_date FROM calls;
                """)
        }
        m.registerMigration("2026-11-25-nps-aggregates") { db in
            try db.execute(sql: """
                CREATE TABLE agg_nps_day (
                    local_date TEXT NOT NULL, agent_id TEXT NOT NULL, team TEXT NOT NULL, queue TEXT NOT NULL,
                    promoters INTEGER NOT NULL, passives INTEGER NOT NULL, detractors INTEGER NOT NULL,
                    csat_n INTEGER NOT NULL, csat_top INTEGER NOT NULL,
                    s0 INTEGER NOT NULL, s1 INTEGER NOT NULL, s2 INTEGER NOT NULL, s3 INTEGER NOT NULL, s4 INTEGER NOT NULL, s5 INTEGER NOT NULL,
                    s6 INTEGER NOT NULL, s7 INTEGER NOT NULL, s8 INTEGER NOT NULL, s9 INTEGER NOT NULL, s10 INTEGER NOT NULL,
                    PRIMARY KEY (local_date, agent_id, team, queue)
                ) WITHOUT ROWID;
                CREATE INDEX surveys_by_time ON surveys(answered_epoch);
                CREATE TRIGGER agg_surveys_insert AFTER INSERT ON surveys BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = NEW.linked_call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_surveys_update AFTER UPDATE ON surveys BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id IN (OLD.linked_call_id, NEW.linked_call_id)
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                CREATE TRIGGER agg_surveys_delete AFTER DELETE ON surveys BEGIN
                    INSERT INTO agg_dirty SELECT c.local_date FROM calls c WHERE c.call_id = OLD.linked_call_id
                        AND NOT EXISTS (SELECT 1 FROM agg_dirty d WHERE d.local_date = c.local_date); END;
                INSERT INTO agg_dirty SELECT DISTINCT local_date FROM calls WHERE local_date NOT IN (SELECT local_date FROM agg_dirty);
                """)
        }
        m.registerMigration("2026-12-05-customer-number") { db in
            // The customer is the remote party: the dialed number of outbound calls, which
            // earlier versions stored in clear in `dialed` (while hashing the contact
            // center's own line as the caller). Hash it, drop the clear values, and forget
            // withheld numbers ("anonymous", zeros…): they are no one's. One transaction.
            try db.execute(sql: """
                ALTER TABLE calls RENAME COLUMN caller_hash TO customer_hash;
                ALTER TABLE calls RENAME COLUMN caller_clear TO customer_clear;
                """)
            let outbound = try Row.fetchAll(db, sql: "SELECT call_id, dialed FROM calls WHERE direction = 'outbound'")
            let hashedCalls = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE customer_hash IS NOT NULL") ?? 0
            let hashedSurveys = try Int.fetchOne(db, sql: "SELECT count(*) FROM surveys WHERE caller_hash IS NOT NULL") ?? 0
            let needsKey = !outbound.isEmpty || hashedCalls > 0 || hashedSurveys > 0
            if needsKey {
                guard let hasher else {
                    throw DatabaseError(resultCode: .SQLITE_ERROR, message: "upgrading this database hashes the customer numbers of outbound calls and needs the caller-hashing key (callqa.key beside the database, or CALLQA_HASH_KEY); run callqa ingest once with it")
                }
                let update = try db.makeStatement(sql: "UPDATE calls SET customer_hash = ?, customer_clear = NULL, dialed = NULL WHERE call_id = ?")
                for r in outbound {
                    let dialed: String? = r["dialed"]
                    try update.execute(arguments: [dialed.flatMap { hasher.hash($0) }, r["call_id"] as String])
                }
                let withheld = type(of: hasher).withheldSpellings.compactMap { hasher.unfilteredHash($0) }
                    + ["0", "00", "000", "0000", "+0", "+00"].compactMap { hasher.unfilteredHash($0) }
                let marks = Array(repeating: "?", count: withheld.count).joined(separator: ",")
                try db.execute(sql: "UPDATE calls SET customer_hash = NULL, customer_clear = NULL WHERE customer_hash IN (\(marks))",
                               arguments: StatementArguments(withheld))
                try db.execute(sql: """
                    UPDATE surveys SET linked_call_id = NULL, link_method = NULL
                    WHERE link_method = 'caller_window' AND caller_hash IN (\(marks));
                    UPDATE surveys SET caller_hash = NULL WHERE caller_hash IN (\(marks));
                    """, arguments: StatementArguments(withheld + withheld))
            }
            try db.execute(sql: """
                UPDATE calls SET next_call_gap_s = (
                    SELECT min(d.started_epoch) - calls.started_epoch FROM calls d
                    WHERE d.customer_hash = calls.customer_hash AND d.started_epoch > calls.started_epoch);
                INSERT OR IGNORE INTO agg_dirty SELECT DISTINCT local_date FROM calls;
                """)
        }
        m.registerMigration("2026-12-05-call-legs") { db in
            // Asterisk 12+ writes one CDR per bridge: a transferred call keeps each agent's leg.
            try db.execute(sql: """
                CREATE TABLE call_legs (
                    call_id       TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    leg           INTEGER NOT NULL CHECK (leg >= 1),
                    agent_id      TEXT,
                    talk_s        REAL CHECK (talk_s >= 0),
                    started_at    TEXT,
                    started_epoch REAL,
                    answered      INTEGER NOT NULL CHECK (answered IN (0, 1)),
                    source_line   INTEGER NOT NULL,
                    PRIMARY KEY (call_id, leg)
                ) WITHOUT ROWID;
                CREATE INDEX call_legs_by_agent ON call_legs(agent_id);
                """)
        }
        m.registerMigration("2026-12-05-call-leg-recordings") { db in
            // A leg's own recording (`recordingfile`), and whether the call's analysed recording
            // covers it (its score is then this leg's agent's).
            try db.execute(sql: """
                ALTER TABLE call_legs ADD COLUMN recording TEXT;
                ALTER TABLE call_legs ADD COLUMN scored INTEGER NOT NULL DEFAULT 1 CHECK (scored IN (0, 1));
                """)
        }
        m.registerMigration("2026-12-05-echo-and-background-voices") { db in
            // Per party: the other party's voice measured on this party's channel (echo or
            // bleed: coupling dB, delay ms, the share of the call it was taken off; NULL where
            // none was) and the share of the call with voices behind the talker.
            try db.execute(sql: """
                ALTER TABLE party_metrics ADD COLUMN echo_coupling_db REAL;
                ALTER TABLE party_metrics ADD COLUMN echo_delay_ms REAL CHECK (echo_delay_ms >= 0);
                ALTER TABLE party_metrics ADD COLUMN echo_applied_share REAL CHECK (echo_applied_share BETWEEN 0 AND 1);
                ALTER TABLE party_metrics ADD COLUMN background_voices_share REAL
                    CHECK (background_voices_share BETWEEN 0 AND 1);
                """)
        }
        m.registerMigration("2026-12-05-kpi-aggregate-settings") { db in
            // The KPI thresholds `agg_kpi_hour` was built with (one row; none = unknown).
            // Reads use that table only for exactly these thresholds; a refresh with others
            // rebuilds every day. Rows built before this table existed have unknown thresholds:
            // dropped, and every day marked for the next writer to rebuild.
            try db.execute(sql: """
                CREATE TABLE agg_kpi_settings (
                    id              INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    sl_threshold_s  REAL NOT NULL,
                    short_abandon_s REAL NOT NULL,
                    fcr_window_s    REAL NOT NULL
                );
                DELETE FROM agg_kpi_hour;
                INSERT INTO agg_dirty SELECT DISTINCT local_date FROM calls WHERE local_date NOT IN (SELECT local_date FROM agg_dirty);
                """)
        }
        // The workspace: users, sessions (token hashes only), audit log (AccountStore.swift).
        m.registerMigration("2026-12-06-accounts-sessions-audit", AccountMigrations.accountsSessionsAudit)
        // The workspace's pages: an agent acknowledges the evaluation of a call on a card as it
        // stood (its latest answer time; a later answer makes it unacknowledged again), and the
        // audit log records evaluations saved and acknowledged (its CHECK is rebuilt: SQLite
        // cannot alter one).
        m.registerMigration("2026-12-07-workspace-evaluations") { db in
            try db.execute(sql: """
                CREATE TABLE audit_log_new (
                    audit_id INTEGER PRIMARY KEY,
                    at       TEXT NOT NULL,
                    at_epoch REAL NOT NULL,
                    action   TEXT NOT NULL CHECK (action IN ('login', 'login_failed', 'login_throttled', 'logout', 'audio',
                                 'user_added', 'user_disabled', 'user_enabled', 'user_password', 'audit_read',
                                 'evaluation', 'acknowledgement')),
                    actor    TEXT,
                    address  TEXT,
                    call_id  TEXT,
                    target   TEXT,
                    detail   TEXT
                );
                INSERT INTO audit_log_new SELECT audit_id, at, at_epoch, action, actor, address, call_id, target, detail FROM audit_log;
                DROP TABLE audit_log;
                ALTER TABLE audit_log_new RENAME TO audit_log;
                CREATE INDEX audit_by_time ON audit_log(at_epoch);
                CREATE INDEX audit_by_action ON audit_log(action, at_epoch);
                """)
            try db.execute(sql: """
                CREATE TABLE evaluation_acknowledgements (
                    call_id         TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    card_id         TEXT NOT NULL,
                    evaluated_at    TEXT NOT NULL,
                    acknowledged_by TEXT NOT NULL,
                    acknowledged_at TEXT NOT NULL,
                    PRIMARY KEY (call_id, card_id)
                ) WITHOUT ROWID;
                """)
        }
        // `callqa watch`: where each followed call-record file was read up to (its identity,
        // byte offset and line), the record lines of calls it still holds (sealed: they carry
        // caller numbers; see WatchStore), and the alerts its rules raised.
        m.registerMigration("2026-12-08-watch-and-alerts") { db in
            try db.execute(sql: """
                CREATE TABLE watch_sources (
                    path       TEXT PRIMARY KEY NOT NULL,
                    kind       TEXT NOT NULL CHECK (kind IN ('manifest', 'asterisk-cdr', 'queue-log')),
                    device     INTEGER NOT NULL,
                    inode      INTEGER NOT NULL,
                    offset     INTEGER NOT NULL CHECK (offset >= 0),
                    next_line  INTEGER NOT NULL CHECK (next_line >= 1),
                    tail_sha256 TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE watch_lines (
                    line_id     INTEGER PRIMARY KEY,
                    source_path TEXT NOT NULL REFERENCES watch_sources(path) ON DELETE CASCADE,
                    file        TEXT NOT NULL,
                    line        INTEGER NOT NULL,
                    call_key    TEXT NOT NULL,
                    read_epoch  REAL NOT NULL,
                    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
                    sealed      BLOB NOT NULL
                );
                CREATE INDEX watch_lines_by_key ON watch_lines(source_path, call_key);
                CREATE TABLE watch_state (
                    key   TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE alerts (
                    alert_id           INTEGER PRIMARY KEY,
                    call_id            TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    rule_id            TEXT NOT NULL,
                    reason             TEXT NOT NULL,
                    raised_at          TEXT NOT NULL,
                    raised_epoch       REAL NOT NULL,
                    notify_status      TEXT NOT NULL CHECK (notify_status IN ('none', 'pending', 'sent', 'failed')),
                    notify_attempts    INTEGER NOT NULL DEFAULT 0,
                    notify_error       TEXT,
                    notified_at        TEXT,
                    next_attempt_epoch REAL,
                    UNIQUE (call_id, rule_id)
                );
                CREATE INDEX alerts_by_time ON alerts(raised_epoch);
                CREATE INDEX alerts_to_notify ON alerts(next_attempt_epoch) WHERE notify_status = 'pending';
                """)
        }
        // The loops around a score: disputes (with an append-only history, and the history of
        // every replaced evaluator answer), calibration sessions (blind answers), coaching notes;
        // the audit log learns their actions (QALoopMigrations.swift).
        m.registerMigration("2026-12-08-disputes-calibration-coaching", QALoopMigrations.disputesCalibrationCoaching)
        // The API (`/api/v1`): tokens for scripts and BI tools, kept as SHA-256 only, each
        // acting as its user (TokenStore.swift); the audit log records their creation,
        // revocation and survey imports (its CHECK is rebuilt: SQLite cannot alter one).
        m.registerMigration("2026-12-08-api-tokens", TokenMigrations.apiTokens)
        // Tones (ring-back, dial, busy, SIT, beeps, DTMF) are stored as events, not only as
        // `tone_s`: the kind CHECK is rebuilt (SQLite cannot alter one). Analyses made before
        // keep no tone rows until their recording is analysed again (analyzer version 14 on).
        m.registerMigration("2026-12-08-tone-events") { db in
            try db.execute(sql: """
                CREATE TABLE audio_events_new (
                    call_id TEXT NOT NULL REFERENCES analyses(call_id) ON DELETE CASCADE,
                    kind    TEXT NOT NULL CHECK (kind IN ('dead_air', 'hold', 'overtalk', 'interruption', 'tone')),
                    party   TEXT CHECK (party IN ('agent', 'customer')),
                    start_s REAL NOT NULL,
                    end_s   REAL NOT NULL CHECK (end_s >= start_s)
                );
                INSERT INTO audio_events_new (call_id, kind, party, start_s, end_s)
                    SELECT call_id, kind, party, start_s, end_s FROM audio_events;
                DROP TABLE audio_events;
                ALTER TABLE audio_events_new RENAME TO audio_events;
                CREATE INDEX audio_events_by_call ON audio_events(call_id, kind, start_s);
                """)
        }
        m.registerMigration("2026-12-08-workspace-indexes") { db in
            // The workspace's calls list pages by (start, call id): one index walks it in
            // either direction and stops after a page (it replaces the index on the start
            // alone). Teams, queues and agents are listed by seeking from one value to the next
            // in (team, queue, agent) instead of reading every call. That index is on the
            // expressions `coalesce(…, '')`, which only those seeks use: a query's `team = ?`
            // is never steered to it (SQLite, without statistics, would take it for a narrow
            // condition and read a whole team's calls instead of a period's).
            try db.execute(sql: """
                CREATE INDEX calls_by_start_id ON calls(started_epoch, call_id);
                DROP INDEX calls_by_start;
                CREATE INDEX calls_by_team ON calls(coalesce(team, ''), coalesce(queue, ''), coalesce(agent_id, ''));
                """)
            // The detractor comments of a period (the overview's NPS, `report nps`) are probed
            // call by call in an index of those surveys alone, a tenth of all surveys.
            try db.execute(sql: """
                CREATE INDEX surveys_detractor_comments ON surveys(linked_call_id)
                    WHERE answered = 1 AND score <= 6 AND comment IS NOT NULL AND comment != '';
                """)
        }
        m.registerMigration("2026-12-08-data-version") { db in
            // A number that every change of the data the workspace's pages show moves on: a
            // page computed at one version may be answered again while the number is the
            // same (`CallStore.dataVersion`). Triggers, so no writer can forget it, nor a
            // hand edit with the sqlite3 shell. The report aggregates are left out: they are
            // derived from these tables, and what a report reads is the same either way.
            try db.execute(sql: """
                CREATE TABLE data_version (
                    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO data_version (id, version) VALUES (1, 0);
                CREATE TRIGGER data_version_calls_insert AFTER INSERT ON calls BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_calls_update AFTER UPDATE ON calls BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_calls_delete AFTER DELETE ON calls BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_agents_insert AFTER INSERT ON agents BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_agents_update AFTER UPDATE ON agents BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_agents_delete AFTER DELETE ON agents BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_analyses_insert AFTER INSERT ON analyses BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_analyses_update AFTER UPDATE ON analyses BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_analyses_delete AFTER DELETE ON analyses BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_party_metrics_insert AFTER INSERT ON party_metrics BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_party_metrics_update AFTER UPDATE ON party_metrics BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_party_metrics_delete AFTER DELETE ON party_metrics BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scores_insert AFTER INSERT ON scores BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scores_update AFTER UPDATE ON scores BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scores_delete AFTER DELETE ON scores BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scorecards_insert AFTER INSERT ON scorecards BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scorecards_update AFTER UPDATE ON scorecards BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_scorecards_delete AFTER DELETE ON scorecards BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_surveys_insert AFTER INSERT ON surveys BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_surveys_update AFTER UPDATE ON surveys BEGIN UPDATE data_version SET version = version + 1; END;
                CREATE TRIGGER data_version_surveys_delete AFTER DELETE ON surveys BEGIN UPDATE data_version SET version = version + 1; END;
                """)
        }
        m.registerMigration("2026-12-08-detractor-comments-by-time") { db in
            // The latest detractor comments of a large period (the overview's NPS, `report
            // nps`) are found newest first along this index, which holds each one's call, and
            // the walk stops once enough are found (`npsDistributionAndComments`).
            try db.execute(sql: """
                CREATE INDEX surveys_detractor_comments_by_time ON surveys(answered_epoch DESC, survey_key, linked_call_id)
                    WHERE answered = 1 AND score <= 6 AND comment IS NOT NULL AND comment != '';
                """)
        }
        m.registerMigration("2026-12-08-calls-list-sort-keys") { db in
            // The workspace's calls list sorted by handle time, agent, dead air or
            // interruptions walks the sort key's index in the page's order and stops after a
            // page of matches (`callList`), instead of reading every call of the period.
            try db.execute(sql: """
                CREATE INDEX calls_by_handle ON calls(coalesce(handle_s, -1), call_id);
                CREATE INDEX calls_by_agent_key ON calls(coalesce(agent_id, ''), call_id);
                CREATE INDEX analyses_by_dead_air ON analyses(dead_air_s, call_id);
                CREATE INDEX analyses_by_interruptions ON analyses(coalesce(interruptions_by_agent, 0) + coalesce(interruptions_by_customer, 0), call_id);
                """)
        }
        // Transcripts (issue 26): one current transcript per call, with what made it (model,
        // settings, the recording's content and the analysis whose speech segments it heard);
        // each party's words (JSON) and text, the text indexed for search (FTS5, external
        // content kept in step by triggers, so a removed transcript leaves the index too).
        // The audit log records transcripts shown and searches (its CHECK is widened).
        m.registerMigration("2026-12-08-transcripts") { db in
            try db.execute(sql: """
                CREATE TABLE transcripts (
                    call_id              TEXT PRIMARY KEY NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                    model                TEXT NOT NULL,
                    model_sha256         TEXT NOT NULL,
                    engine               TEXT NOT NULL,
                    settings             TEXT NOT NULL,
                    settings_hash        TEXT NOT NULL,
                    content_sha256       TEXT NOT NULL,
                    analysis_hash        TEXT NOT NULL,
                    language             TEXT NOT NULL,
                    language_source      TEXT NOT NULL CHECK (language_source IN ('detected', 'queue', 'setting', 'model', 'default', 'none')),
                    language_probability REAL,
                    words                INTEGER NOT NULL CHECK (words >= 0),
                    redactions           INTEGER NOT NULL CHECK (redactions >= 0),
                    speech_s             REAL NOT NULL,
                    wall_s               REAL NOT NULL,
                    words_sha256         TEXT NOT NULL,
                    transcribed_at       TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE transcript_parties (
                    id            INTEGER PRIMARY KEY,
                    call_id       TEXT NOT NULL REFERENCES transcripts(call_id) ON DELETE CASCADE,
                    party         TEXT NOT NULL CHECK (party IN ('agent', 'customer', 'mixed')),
                    words         INTEGER NOT NULL CHECK (words >= 0),
                    speech_s      REAL NOT NULL,
                    talk_s        REAL,
                    words_per_min REAL,
                    redactions    INTEGER NOT NULL CHECK (redactions >= 0),
                    skipped       TEXT,
                    words_json    TEXT NOT NULL,
                    text          TEXT NOT NULL,
                    UNIQUE (call_id, party)
                );
                CREATE VIRTUAL TABLE transcript_fts USING fts5(
                    text, content = 'transcript_parties', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
                CREATE TRIGGER transcript_parties_fts_insert AFTER INSERT ON transcript_parties BEGIN
                    INSERT INTO transcript_fts (rowid, text) VALUES (new.id, new.text);
                END;
                CREATE TRIGGER transcript_parties_fts_delete AFTER DELETE ON transcript_parties BEGIN
                    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.id, old.text);
                END;
                CREATE TRIGGER transcript_parties_fts_update AFTER UPDATE ON transcript_parties BEGIN
                    INSERT INTO transcript_fts (transcript_fts, rowid, text) VALUES ('delete', old.id, old.text);
                    INSERT INTO transcript_fts (rowid, text) VALUES (new.id, new.text);
                END;
                """)
            // A transcript changes what the calls list's search finds: the pages' data version
            // moves on with it (see 2026-12-08-data-version).
            for table in ["transcripts", "transcript_parties"] {
                for event in ["insert", "update", "delete"] {
                    try db.execute(sql: "CREATE TRIGGER data_version_\(table)_\(event) AFTER \(event.uppercased()) ON \(table) BEGIN UPDATE data_version SET version = version + 1; END")
                }
            }
            try AccountMigrations.widenAuditActions(db, with: ["transcript", "transcript_search"])
        }
        // Exports of call data (the calls list as CSV) are audited: who, when, from where,
        // which period and filters, how many rows.
        m.registerMigration("2026-12-09-export-audit") { db in
            try AccountMigrations.widenAuditActions(db, with: ["export"])
        }
        // The full-text index of transcripts kept the tokens of deleted and replaced
        // transcripts (card numbers of a run without redaction, say) until some merge: rebuilt
        // from the current transcripts and merged into one segment, so they leave the file
        // (secure_delete zeroes the freed pages; the migration checkpoints the WAL).
        m.registerMigration("2026-12-09-transcript-index-rebuild") { db in
            try db.execute(sql: "INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild')")
            try db.execute(sql: "INSERT INTO transcript_fts (transcript_fts) VALUES ('optimize')")
        }
        return m
    }
}

/// The named migrations in order, and the one way they are applied: `migrate(_:)`.
///
/// Applied identifiers live in `grdb_migrations` (the table GRDB's migrator kept, so
/// databases of earlier versions read the same), and their count in `PRAGMA user_version`.
struct MigrationList {
    private(set) var items: [(identifier: String, body: (Database) throws -> Void)] = []

    mutating func registerMigration(_ identifier: String, _ body: @escaping (Database) throws -> Void) {
        items.append((identifier, body))
    }

    /// Where a database stands against this list.
    enum State: Equatable {
        /// Every migration applied, nothing unknown.
        case current
        /// Some migrations are still to apply (an empty file is `pending` too).
        case pending
        /// It has migrations this version does not know, or a higher `user_version`: a newer
        /// callqa made it.
        case newer(unknown: [String], userVersion: Int)
    }

    func state(_ db: Database) throws -> State {
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let hasTable = try db.tableExists("grdb_migrations")
        let applied = hasTable ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        let known = Set(items.map(\.identifier))
        let unknown = applied.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty || userVersion > items.count { return .newer(unknown: unknown, userVersion: userVersion) }
        return Set(applied) == known ? .current : .pending
    }

    /// Applies the pending migrations. The check and the migrations run in one exclusive
    /// transaction, so processes started together on a new database serialise here: the
    /// first migrates, the others wait (busy timeout) and then find nothing to do.
    /// - Throws: `StoreError.newerDatabase` for a database of a newer callqa (nothing written).
    func migrate(_ writer: any DatabaseWriter, path: String) throws {
        // Most opens find the schema current: checked without taking the write lock.
        if case .current = try writer.read({ try state($0) }) { return }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            do {
                let st = try state(db)
                if case let .newer(unknown, userVersion) = st {
                    throw StoreError.newerDatabase(path: path, detail: unknown.isEmpty ? "schema version \(userVersion), this callqa knows \(items.count)"
                        : "unknown migrations \(unknown.joined(separator: ", "))")
                }
                if st == .pending {
                    try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                    let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                    for (identifier, body) in items where !applied.contains(identifier) {
                        try body(db)
                        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                    }
                    try db.execute(sql: "PRAGMA user_version = \(items.count)")
                }
                try db.execute(sql: "COMMIT")
            } catch {
                if !db.isInsideTransaction { throw error }
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
            // Upgrades rewrite personal data (clear numbers become hashes): copy the new pages
            // over the old ones in the main file now, rather than at some later checkpoint.
            _ = try? db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

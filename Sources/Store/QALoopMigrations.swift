import Foundation
import GRDB

/// The schema of the three loops around a score (appended to `Migrations` as
/// `2026-12-08-disputes-calibration-coaching`): disputes with their append-only history, the
/// history of every evaluator answer replaced, calibration sessions with blind answers, and
/// coaching notes. Plain SQL; the state rules the application keeps are also triggers here,
/// so no writer (a later command, a hand-written UPDATE) can skip a state or lose a step.
enum QALoopMigrations {
    /// Audit actions added by this migration.
    static let auditActions = ["dispute_opened", "dispute_accepted", "dispute_rejected", "dispute_withdrawn",
                               "calibration_created", "calibration_answers", "calibration_closed",
                               "coaching_note", "coaching_acknowledged", "coaching_follow_up"]

    static func disputesCalibrationCoaching(_ db: Database) throws {
        try AccountMigrations.widenAuditActions(db, with: auditActions)
        try db.execute(sql: """
            -- Every evaluator answer that another replaced (a re-import, the evaluate form, an
            -- accepted dispute), as it was: a criterion's answers are never lost.
            CREATE TABLE evaluation_history (
                history_id   INTEGER PRIMARY KEY,
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
                replaced_at  TEXT NOT NULL
            );
            CREATE INDEX evaluation_history_by_criterion ON evaluation_history(call_id, card_id, criterion_id, history_id);
            CREATE TRIGGER evaluations_keep_history AFTER UPDATE ON evaluations
            WHEN OLD.answer IS NOT NEW.answer OR OLD.evaluator IS NOT NEW.evaluator OR OLD.evaluated_at IS NOT NEW.evaluated_at
                 OR OLD.comment IS NOT NEW.comment
            BEGIN
                INSERT INTO evaluation_history (call_id, card_id, criterion_id, answer, evaluator, evaluated_at, comment,
                    source_file, source_line, imported_at, replaced_at)
                VALUES (OLD.call_id, OLD.card_id, OLD.criterion_id, OLD.answer, OLD.evaluator, OLD.evaluated_at, OLD.comment,
                    OLD.source_file, OLD.source_line, OLD.imported_at, NEW.imported_at);
            END;

            CREATE TABLE disputes (
                dispute_id       INTEGER PRIMARY KEY,
                call_id          TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                card_id          TEXT NOT NULL,
                criterion_id     TEXT NOT NULL,
                answer           TEXT NOT NULL,
                evaluator        TEXT NOT NULL,
                evaluated_at     TEXT NOT NULL,
                answer_stored_at TEXT NOT NULL,
                window_days      REAL NOT NULL CHECK (window_days > 0),
                deadline_at      TEXT NOT NULL,
                state            TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'rejected', 'withdrawn')),
                reason           TEXT NOT NULL CHECK (length(reason) > 0),
                opened_by        TEXT NOT NULL,
                opened_role      TEXT NOT NULL CHECK (opened_role IN ('agent', 'supervisor')),
                opened_at        TEXT NOT NULL,
                opened_epoch     REAL NOT NULL,
                resolved_by      TEXT,
                resolved_at      TEXT,
                resolution       TEXT,
                new_answer       TEXT,
                CHECK ((state = 'open') = (resolved_at IS NULL)),
                CHECK ((state = 'accepted') = (new_answer IS NOT NULL)),
                CHECK (state NOT IN ('accepted', 'rejected') OR coalesce(length(resolution), 0) > 0)
            );
            -- One open dispute per criterion of a call.
            CREATE UNIQUE INDEX disputes_one_open ON disputes(call_id, card_id, criterion_id) WHERE state = 'open';
            CREATE INDEX disputes_by_call ON disputes(call_id);
            CREATE INDEX disputes_by_opened ON disputes(opened_epoch);
            -- Only an open dispute moves, and what was disputed never changes.
            CREATE TRIGGER disputes_decided_once BEFORE UPDATE ON disputes
            WHEN OLD.state <> 'open' OR NEW.state = 'open'
                 OR NEW.answer IS NOT OLD.answer OR NEW.evaluator IS NOT OLD.evaluator OR NEW.evaluated_at IS NOT OLD.evaluated_at
                 OR NEW.reason IS NOT OLD.reason OR NEW.opened_by IS NOT OLD.opened_by OR NEW.opened_at IS NOT OLD.opened_at
                 OR NEW.call_id IS NOT OLD.call_id OR NEW.card_id IS NOT OLD.card_id OR NEW.criterion_id IS NOT OLD.criterion_id
            BEGIN
                SELECT RAISE(ABORT, 'disputes: only an open dispute is decided or withdrawn, once; what was disputed never changes');
            END;
            CREATE TABLE dispute_events (
                event_id      INTEGER PRIMARY KEY,
                dispute_id    INTEGER NOT NULL REFERENCES disputes(dispute_id) ON DELETE CASCADE,
                action        TEXT NOT NULL CHECK (action IN ('opened', 'accepted', 'rejected', 'withdrawn')),
                actor         TEXT NOT NULL,
                role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'qa', 'admin')),
                at            TEXT NOT NULL,
                at_epoch      REAL NOT NULL,
                reason        TEXT,
                answer_before TEXT NOT NULL,
                answer_after  TEXT NOT NULL
            );
            CREATE INDEX dispute_events_by_dispute ON dispute_events(dispute_id, event_id);
            CREATE TRIGGER dispute_events_append_only BEFORE UPDATE ON dispute_events
            BEGIN
                SELECT RAISE(ABORT, 'dispute_events: the history of a dispute is never changed');
            END;

            CREATE TABLE calibration_sessions (
                session_id    INTEGER PRIMARY KEY,
                name          TEXT NOT NULL,
                card_id       TEXT NOT NULL,
                card_hash     TEXT NOT NULL,
                manual_criteria INTEGER NOT NULL CHECK (manual_criteria >= 1),
                state         TEXT NOT NULL CHECK (state IN ('open', 'closed')),
                created_by    TEXT NOT NULL,
                created_at    TEXT NOT NULL,
                closed_by     TEXT,
                closed_at     TEXT,
                CHECK ((state = 'closed') = (closed_at IS NOT NULL))
            );
            CREATE TRIGGER calibration_closed_for_good BEFORE UPDATE ON calibration_sessions
            WHEN OLD.state = 'closed' OR NEW.card_hash IS NOT OLD.card_hash OR NEW.card_id IS NOT OLD.card_id
            BEGIN
                SELECT RAISE(ABORT, 'calibration_sessions: a closed session never opens again, and its card never changes');
            END;
            CREATE TABLE calibration_calls (
                session_id INTEGER NOT NULL REFERENCES calibration_sessions(session_id) ON DELETE CASCADE,
                call_id    TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                position   INTEGER NOT NULL,
                PRIMARY KEY (session_id, call_id)
            ) WITHOUT ROWID;
            CREATE TABLE calibration_members (
                session_id INTEGER NOT NULL REFERENCES calibration_sessions(session_id) ON DELETE CASCADE,
                user_id    INTEGER NOT NULL REFERENCES users(user_id),
                role       TEXT NOT NULL CHECK (role IN ('evaluator', 'expert')),
                PRIMARY KEY (session_id, user_id)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX calibration_one_expert ON calibration_members(session_id) WHERE role = 'expert';
            CREATE TABLE calibration_answers (
                session_id   INTEGER NOT NULL,
                call_id      TEXT NOT NULL,
                user_id      INTEGER NOT NULL,
                criterion_id TEXT NOT NULL,
                answer       TEXT NOT NULL,
                comment      TEXT,
                answered_at  TEXT NOT NULL,
                PRIMARY KEY (session_id, call_id, user_id, criterion_id),
                FOREIGN KEY (session_id, call_id) REFERENCES calibration_calls(session_id, call_id) ON DELETE CASCADE,
                FOREIGN KEY (session_id, user_id) REFERENCES calibration_members(session_id, user_id) ON DELETE CASCADE
            ) WITHOUT ROWID;
            -- The answers of a closed session are its results: they never change.
            CREATE TRIGGER calibration_answers_closed_insert BEFORE INSERT ON calibration_answers
            WHEN (SELECT state FROM calibration_sessions WHERE session_id = NEW.session_id) <> 'open'
            BEGIN
                SELECT RAISE(ABORT, 'calibration_answers: the session is closed');
            END;
            CREATE TRIGGER calibration_answers_closed_update BEFORE UPDATE ON calibration_answers
            WHEN (SELECT state FROM calibration_sessions WHERE session_id = OLD.session_id) <> 'open'
            BEGIN
                SELECT RAISE(ABORT, 'calibration_answers: the session is closed');
            END;

            CREATE TABLE coaching_notes (
                note_id            INTEGER PRIMARY KEY,
                agent_id           TEXT NOT NULL,
                author             TEXT NOT NULL,
                author_role        TEXT NOT NULL CHECK (author_role IN ('supervisor', 'qa')),
                created_at         TEXT NOT NULL,
                created_epoch      REAL NOT NULL,
                keep_text          TEXT NOT NULL,
                change_text        TEXT NOT NULL,
                follow_up_date     TEXT,
                acknowledged_by    TEXT,
                acknowledged_at    TEXT,
                follow_up_done_by  TEXT,
                follow_up_done_at  TEXT,
                follow_up_result   TEXT,
                CHECK (length(keep_text) + length(change_text) > 0),
                CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
                CHECK (follow_up_done_at IS NULL OR follow_up_date IS NOT NULL)
            );
            CREATE INDEX coaching_by_agent ON coaching_notes(agent_id, created_epoch);
            CREATE TABLE coaching_refs (
                note_id  INTEGER NOT NULL REFERENCES coaching_notes(note_id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                call_id  TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
                start_s  REAL CHECK (start_s >= 0),
                end_s    REAL CHECK (end_s >= start_s),
                PRIMARY KEY (note_id, position)
            ) WITHOUT ROWID;
            """)
    }
}

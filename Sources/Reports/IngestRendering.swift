import CallQAModel
import Foundation

/// How an ingest summary is shown (`callqa ingest`: terminal text or JSON).
public enum IngestRendering {
    public static func text(_ s: IngestSummary, database: String) -> String {
        var lines: [String] = []
        lines.append("ingest into \(database) (run \(s.runID))")
        lines.append("  calls in input        \(s.calls)")
        lines.append("  analysed and stored   \(s.analysed)")
        lines.append("  stored without audio  \(s.recordsStored)  (no recording, record-only change, or failed recording)")
        lines.append("  skipped as unchanged  \(s.unchanged)")
        lines.append("  recordings failed     \(s.recordingsFailed)")
        lines.append("  answered, no recording \(s.answeredWithoutRecording)")
        lines.append("  rows rejected         \(s.rowsRejected)")
        lines.append("  input files failed    \(s.filesFailed)")
        lines.append(String(format: "  audio analysed        %.2f h in %.1f s wall (%.0f× realtime)", s.audioS / 3600, s.wallS, s.realtimeFactor))
        if s.anyFailed { lines.append("  some inputs failed: see the errors above (also in table ingest_errors, run_id \(s.runID))") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ s: IngestSummary, database: String) -> JSONValue {
        .object([
            ("database", .string(database)),
            ("run_id", .int(Int(s.runID))),
            ("calls", .int(s.calls)),
            ("analysed", .int(s.analysed)),
            ("stored_without_audio", .int(s.recordsStored)),
            ("unchanged", .int(s.unchanged)),
            ("recordings_failed", .int(s.recordingsFailed)),
            ("answered_without_recording", .int(s.answeredWithoutRecording)),
            ("rows_rejected", .int(s.rowsRejected)),
            ("files_failed", .int(s.filesFailed)),
            ("audio_s", .seconds(s.audioS)),
            ("wall_s", .seconds(s.wallS)),
            ("realtime_factor", .number(s.realtimeFactor, decimals: 1)),
            ("errors", .array(s.problems.map { p in
                .object([
                    ("stage", .string(p.stage.rawValue)), ("file", .string(p.sourceFile)),
                    ("line", .optional(p.line) { .int($0) }), ("call_id", .optional(p.callID) { .string($0) }),
                    ("field", .optional(p.field) { .string($0) }), ("message", .string(p.message)),
                ])
            })),
            ("warnings", .array(s.warnings.map { .string($0) })),
        ])
    }
}

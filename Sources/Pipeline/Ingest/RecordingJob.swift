import CallAnalysis
import CallQAModel
import CallRecords
import FileDigest
import Foundation
import Store

/// What a job makes of a recording. A job carries every output that is out of date for its
/// recording; the recording is found and hashed once for all of them. Today there is one
/// (the analysis); a transcript would be another case here, not another kind of job.
public enum RecordingOutput: Sendable, Equatable, CaseIterable {
    /// Speech detection and conversation metrics (`RecordingAnalyzer`), stored in `analyses`.
    case analysis
}

/// What every job of a batch shares: analysis settings and the hook tests use.
struct JobContext: Sendable {
    var analysis: AnalysisOptions
    /// `Ingest.parametersText(analysis)`, stored with every analysis.
    var parametersJSON: String
    var afterHash: @Sendable (String) -> Void = { _ in }

    init(analysis: AnalysisOptions, afterHash: @escaping @Sendable (String) -> Void = { _ in }) {
        self.analysis = analysis
        parametersJSON = Ingest.parametersText(analysis)
        self.afterHash = afterHash
    }

    /// What decides whether a stored analysis of this call is still valid.
    func parametersHash(agentChannel: AgentChannel?) -> String {
        Ingest.parametersHash(parametersJSON, options: analysis, agentChannel: agentChannel)
    }
}

/// One recording's work: the call's row to store, where the file is, and the outputs to
/// make. `run` hashes the file and makes each output; the result is one write (one
/// transaction) for the call.
struct RecordingJob: Sendable {
    var record: CallRecord
    /// The row to store (recording path and status already set).
    var row: CallRow
    /// What the store holds for the call now.
    var stored: StoredCallState?
    /// The recording (inside the audio root).
    var path: String
    /// The outputs out of date, in order; never empty.
    var outputs: [RecordingOutput]

    /// What a call with a usable recording needs.
    enum Plan {
        /// Record and outputs as stored: nothing to write.
        case unchanged
        /// The record changed, the outputs did not: the row alone.
        case recordOnly(CallWrite)
        case job(RecordingJob)
    }

    /// Decides what a call whose recording is at `path` needs. An output is taken as up to
    /// date, without reading the file, when what it was made from matches: the same path,
    /// size and modification time (`FileStamp`), analyzer version and parameters. Anything
    /// else makes a job, which hashes the file (an unchanged hash then only updates the stamp).
    static func plan(record r: CallRecord, row: CallRow, stored: StoredCallState?, path: String, context: JobContext) -> Plan {
        var stale: [RecordingOutput] = []
        for output in RecordingOutput.allCases {
            switch output {
            case .analysis:
                let stamp = FileStamp.of(path: path) ?? FileStamp(sizeBytes: -1, mtimeEpoch: 0)
                let paramsHash = context.parametersHash(agentChannel: r.agentChannel)
                if let stored, let a = stored.analysis, stored.recordingStatus == .analysed, a.recordingPath == path,
                   a.sizeBytes == stamp.sizeBytes, a.mtimeEpoch == stamp.mtimeEpoch, a.analyzerVersion == analyzerVersion,
                   a.parametersHash == paramsHash {
                    continue
                }
                stale.append(output)
            }
        }
        if stale.isEmpty {
            return stored?.fingerprint == row.fingerprint ? .unchanged : .recordOnly(CallWrite(call: row, analysis: .keep))
        }
        return .job(RecordingJob(record: r, row: row, stored: stored, path: path, outputs: stale))
    }

    /// What running a job gave.
    struct Result: Sendable {
        /// The call's write: its row and the change to each output.
        var write: CallWrite
        /// Audio analysed (s), 0 when nothing was.
        var audioS: Double
        /// Why the recording failed, if it did (the row is stored as failed).
        var problem: IngestErrorRow?

        /// How the call counts in the summary.
        var outcome: Outcome {
            switch write.analysis {
            case .replace: .analysed
            case .touch, .keep: .unchanged
            case .remove: .failed
            }
        }

        enum Outcome { case analysed, unchanged, failed }
    }

    /// Hashes the recording once, then makes each output whose content or settings changed.
    func run(_ context: JobContext) -> Result {
        var row = self.row
        let r = record
        func fail(_ message: String) -> Result {
            row.recordingStatus = .failed
            row.recordingError = message
            return Result(write: CallWrite(call: row, analysis: .remove), audioS: 0,
                          problem: IngestErrorRow(stage: .analysis, sourceFile: r.source.file, line: r.source.line, callID: r.callID,
                                                  field: "recording", message: "\(r.source): call \(r.callID): \(message)"))
        }
        let digest: FileDigestResult
        do { digest = try FileDigest.sha256(path: path) } catch { return fail(error.description) }
        var analysis = CallWrite.AnalysisChange.keep
        var audioS = 0.0
        for output in outputs {
            switch output {
            case .analysis:
                switch analyse(digest: digest, context: context) {
                case let .success(change, s):
                    analysis = change
                    audioS += s
                case let .failure(message):
                    return fail(message)
                }
            }
        }
        return Result(write: CallWrite(call: row, analysis: analysis), audioS: audioS, problem: nil)
    }

    private enum Made {
        case success(CallWrite.AnalysisChange, audioS: Double)
        case failure(String)
    }

    /// The analysis output: kept (only its stamp refreshed) when the stored one was made from
    /// the same content, analyzer version and parameters; else the recording is analysed.
    private func analyse(digest: FileDigestResult, context: JobContext) -> Made {
        let paramsHash = context.parametersHash(agentChannel: record.agentChannel)
        if let a = stored?.analysis, stored?.recordingStatus == .analysed, a.contentSHA256 == digest.sha,
           a.analyzerVersion == analyzerVersion, a.parametersHash == paramsHash {
            return .success(.touch(path: path, mtimeEpoch: digest.mtime), audioS: 0)
        }
        context.afterHash(path)
        var options = context.analysis
        if let c = record.agentChannel { options.agentChannel = c }
        do {
            var analysis = try RecordingAnalyzer.analyze(path: path, options: options)
            analysis.file = path
            // A recording replaced or still being written while we read it: the hash and the
            // analysis would describe different files. Refuse; the next run picks it up.
            if let now = FileStamp.of(path: path), now != digest.stamp {
                return .failure("the recording changed while it was being read (still being written?); run ingest again")
            }
            let state = StoredAnalysisState(recordingPath: path, contentSHA256: digest.sha, sizeBytes: digest.size,
                                            mtimeEpoch: digest.mtime, analyzerVersion: analyzerVersion, parametersHash: paramsHash)
            return .success(.replace(AnalysisRow(analysis: analysis, state: state, parametersJSON: context.parametersJSON)),
                            audioS: analysis.metrics.durationS)
        } catch {
            return .failure(error.description)
        }
    }
}

import CWhisper
import Foundation

/// Why transcription could not run.
public enum TranscriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model file does not exist.
    case modelMissing(path: String)
    /// whisper.cpp could not load the file (not a ggml Whisper model, or damaged).
    case modelUnusable(path: String)
    /// whisper.cpp could not allocate its working state (memory).
    case engineState(path: String)
    /// Decoding the recording failed.
    case audio(path: String, reason: String)
    /// The recogniser failed on a window (whisper.cpp's return code).
    case recogniser(code: Int32)
    /// The recording's channels do not fit its analysis (the file changed?).
    case channels(path: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .modelMissing(path):
            "no speech model at '\(path)': run scripts/setup.sh (it installs ggml-base-q8_0.bin and ggml-tiny.en-q8_0.bin), or give --model / transcription.model"
        case let .modelUnusable(path): "cannot load speech model '\(path)': not a whisper.cpp (ggml) model, or damaged"
        case let .engineState(path): "cannot allocate the recogniser's state for '\(path)' (out of memory?)"
        case let .audio(path, reason): "cannot read '\(path)': \(reason)"
        case let .recogniser(code): "the recogniser failed (whisper.cpp error \(code))"
        case let .channels(path, expected, found):
            "'\(path)' has \(found) channel(s), its analysis used \(expected): analyse it again (callqa ingest)"
        }
    }
}

/// One token the recogniser produced, with its time in the window (s) and probability.
public struct DecodedToken: Sendable, Equatable {
    /// The token's raw bytes (a token may hold part of a UTF-8 character).
    public var bytes: [UInt8]
    public var startS: Double
    public var endS: Double
    /// 0–1.
    public var probability: Double
}

/// One segment of decoded text: its span in the window (s), its tokens (specials removed)
/// and whisper's probability that the segment held no speech.
public struct DecodedSegment: Sendable, Equatable {
    public var startS: Double
    public var endS: Double
    public var tokens: [DecodedToken]
    public var noSpeechProbability: Double
}

/// A loaded whisper.cpp model (its weights), shared by every session; thread-safe for
/// sessions: each worker makes its own `WhisperSession`, whose state is its own.
public final class WhisperModel: @unchecked Sendable {
    let context: OpaquePointer
    /// The file it was loaded from.
    public let path: String
    /// Whether it knows more than English (`tiny.en` does not).
    public let isMultilingual: Bool
    /// The engine's version (`whisper.cpp 1.8.5`), stored with every transcript.
    public static let engineVersion = "whisper.cpp 1.8.5"

    /// Loads `path` (CPU only). whisper.cpp's own log lines are silenced.
    public init(path: String) throws(TranscriptionError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .modelMissing(path: path) }
        _ = Self.silenced
        var params = whisper_context_default_params()
        params.use_gpu = false
        guard let ctx = whisper_init_from_file_with_params_no_state(path, params) else { throw .modelUnusable(path: path) }
        context = ctx
        self.path = path
        isMultilingual = whisper_is_multilingual(ctx) != 0
    }

    deinit { whisper_free(context) }

    /// Installs a log callback that drops whisper.cpp's and ggml's messages (they would
    /// interleave with callqa's own output); once per process.
    static let silenced: Void = {
        whisper_log_set({ _, _, _ in }, nil)
    }()

    /// A working state for one thread of work.
    public func session(threads: Int) throws(TranscriptionError) -> WhisperSession {
        guard let state = whisper_init_state(context) else { throw .engineState(path: path) }
        return WhisperSession(model: self, state: state, threads: max(1, threads))
    }
}

/// The recogniser's state for one worker: not to be shared between threads.
public final class WhisperSession {
    let model: WhisperModel
    let state: OpaquePointer
    let threads: Int32

    init(model: WhisperModel, state: OpaquePointer, threads: Int) {
        self.model = model
        self.state = state
        self.threads = Int32(threads)
    }

    deinit { whisper_free_state(state) }

    /// The language of 16 kHz mono speech (its first 30 s): an ISO 639-1 code and its
    /// probability; the most probable of `among` when given (whisper hears Welsh in GSM
    /// noise: a contact center knows which languages its callers speak); nil when the
    /// model is English-only or detection fails.
    public func detectLanguage(samples: [Float], among: [String] = []) -> (code: String, probability: Double)? {
        guard model.isMultilingual, !samples.isEmpty else { return nil }
        let ok = samples.withUnsafeBufferPointer { buf in
            whisper_pcm_to_mel_with_state(model.context, state, buf.baseAddress, Int32(buf.count), threads)
        }
        guard ok == 0 else { return nil }
        var probs = [Float](repeating: 0, count: Int(whisper_lang_max_id()) + 1)
        var id = whisper_lang_auto_detect_with_state(model.context, state, 0, threads, &probs)
        guard id >= 0 else { return nil }
        let allowed = among.map { whisper_lang_id($0) }.filter { $0 >= 0 && Int($0) < probs.count }
        if !allowed.isEmpty { id = allowed.max { probs[Int($0)] < probs[Int($1)] }! }
        guard let code = whisper_lang_str(id) else { return nil }
        return (String(cString: code), Double(probs[Int(id)]))
    }

    /// Whether whisper.cpp knows the language code (`en`, `ru`, …).
    public static func knowsLanguage(_ code: String) -> Bool { whisper_lang_id(code) >= 0 }

    /// Decodes 16 kHz mono samples in `language` (greedy, temperature fallback, no text
    /// carried over from an earlier window, token-level times, non-speech tokens such as
    /// `[music]` suppressed).
    public func transcribe(samples: [Float], language: String) throws(TranscriptionError) -> [DecodedSegment] {
        guard !samples.isEmpty else { return [] }
        var params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY)
        params.n_threads = threads
        params.translate = false
        params.no_context = true
        params.print_special = false
        params.print_progress = false
        params.print_realtime = false
        params.print_timestamps = false
        params.token_timestamps = true
        params.suppress_blank = true
        params.suppress_nst = true
        let code: Int32 = language.withCString { lang in
            params.language = lang
            params.detect_language = false
            return samples.withUnsafeBufferPointer { buf in
                whisper_full_with_state(model.context, state, params, buf.baseAddress, Int32(buf.count))
            }
        }
        guard code == 0 else { throw .recogniser(code: code) }
        let eot = whisper_token_eot(model.context)
        var segments: [DecodedSegment] = []
        let n = whisper_full_n_segments_from_state(state)
        for i in 0..<n {
            var tokens: [DecodedToken] = []
            for j in 0..<whisper_full_n_tokens_from_state(state, i) {
                let data = whisper_full_get_token_data_from_state(state, i, j)
                guard data.id < eot, let text = whisper_full_get_token_text_from_state(model.context, state, i, j) else { continue }
                let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text)))
                tokens.append(DecodedToken(bytes: bytes, startS: Double(data.t0) / 100, endS: Double(data.t1) / 100,
                                           probability: Double(data.p)))
            }
            segments.append(DecodedSegment(startS: Double(whisper_full_get_segment_t0_from_state(state, i)) / 100,
                                           endS: Double(whisper_full_get_segment_t1_from_state(state, i)) / 100,
                                           tokens: tokens,
                                           noSpeechProbability: Double(whisper_full_get_segment_no_speech_prob_from_state(state, i))))
        }
        return segments
    }
}

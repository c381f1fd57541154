import CSndFile
import Foundation

/// Why an audio file could not be written.
public struct AudioWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write '\(path)': \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Writes mono 16-bit PCM WAV files through libsndfile (`callqa learn-hold-music`).
public enum WAVWriter {
    /// Writes `samples` (full scale ±1; clipped there by libsndfile) at `sampleRate` to `path`,
    /// replacing a file of that name. A file left half-written by a failure is removed.
    public static func writeMono16(path: String, samples: [Float], sampleRate: Int) throws(AudioWriteError) {
        guard sampleRate > 0 else { throw AudioWriteError(path: path, reason: "sample rate \(sampleRate)") }
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw AudioWriteError(path: path, reason: String(cString: sf_strerror(nil)))
        }
        // Clipping to full scale, not wrapping, for samples at or over ±1.
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        let written = samples.withUnsafeBufferPointer { buffer in
            sf_writef_float(handle, buffer.baseAddress, sf_count_t(buffer.count))
        }
        let failure = written == sf_count_t(samples.count) ? nil : String(cString: sf_strerror(handle))
        let closed = sf_close(handle)
        if let failure {
            try? FileManager.default.removeItem(atPath: path)
            throw AudioWriteError(path: path, reason: failure)
        }
        if closed != 0 {
            try? FileManager.default.removeItem(atPath: path)
            throw AudioWriteError(path: path, reason: "closing the file failed")
        }
    }
}

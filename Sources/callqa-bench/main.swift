// `make bench-audio`: for each file, decode-only throughput (libsndfile float decode, no
// analysis) beside the full analysis, on one core, as × realtime. Peak RSS is measured by
// scripts/bench-audio.sh around separate `callqa analyze` processes.
import AudioIO
import CSndFile
import CallAnalysis
import Foundation
import Pipeline

/// libsndfile's float decode of the whole file, interleaved, 4096 frames per call: the
/// contract's decode-only baseline (callqa's own reader is not used here). Returns seconds of audio.
func decodeFloat(_ path: String) throws -> Double {
    var info = SF_INFO()
    guard let h = sf_open(path, Int32(SFM_READ), &info) else {
        throw AudioIOError.cannotOpen(path: path, reason: String(cString: sf_strerror(nil)))
    }
    defer { sf_close(h) }
    var buffer = [Float](repeating: 0, count: 4096 * Int(info.channels))
    var frames = 0
    while true {
        let got = buffer.withUnsafeMutableBufferPointer { Int(sf_readf_float(h, $0.baseAddress, 4096)) }
        if got <= 0 { break }
        frames += got
    }
    return Double(frames) / Double(info.samplerate)
}

func seconds(_ f: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try f()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

// `--decode-only FILE...`: decode every file once (the floor for `make bench-ingest`).
if CommandLine.arguments.dropFirst().first == "--decode-only" {
    var total = 0.0
    for path in CommandLine.arguments.dropFirst(2) {
        do {
            total += try decodeFloat(path)
        } catch {
            FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
        }
    }
    print(String(format: "decoded %.0f s of audio", total))
    exit(0)
}
let files = Array(CommandLine.arguments.dropFirst())
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("usage: callqa-bench FILE...\n".utf8))
    exit(64)
}
// BENCH_HOLD_MUSIC=PATH: the analysis with that hold-music library (`--hold-music`), loaded
// once before the timing.
var options = AnalysisOptions()
if let moh = ProcessInfo.processInfo.environment["BENCH_HOLD_MUSIC"], !moh.isEmpty {
    do {
        let t = try seconds { options.knownAudio = try HoldMusicLibrary.load(paths: [moh]) }
        let lib = options.knownAudio!
        print(String(format: "hold-music library: %d files, %.0f s of music, read and indexed in %.2f s",
                     lib.tracks.count, lib.tracks.reduce(0) { $0 + $1.durationS }, t))
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(2)
    }
}
let fixedOptions = options
let repeats = 5
print("file                              audio s   decode ×rt   analysis ×rt   analysis/decode")
for path in files {
    do {
        var audioSeconds = 0.0
        var decodeBest = Double.infinity, fullBest = Double.infinity
        for _ in 0..<repeats {
            let t = try seconds { audioSeconds = try decodeFloat(path) }
            decodeBest = min(decodeBest, t)
            let u = try seconds { _ = try RecordingAnalyzer.analyze(path: path, options: fixedOptions) }
            fullBest = min(fullBest, u)
        }
        let name = (path as NSString).lastPathComponent
        let pad = name.padding(toLength: 32, withPad: " ", startingAt: 0)
        print("\(pad)  \(String(format: "%7.0f", audioSeconds))   \(String(format: "%10.0f", audioSeconds / decodeBest))   \(String(format: "%12.0f", audioSeconds / fullBest))   \(String(format: "%14.0f%%", 100 * decodeBest / fullBest))")
    } catch {
        print("\(path): \(error)")
    }
}

// `make bench-audio`: for each file, decode-only throughput (libsndfile float decode, no
// analysis) beside the full analysis, on one core, as × realtime. Peak RSS is measured by
// scripts/bench-audio.sh around separate `callqa analyze` processes.
import AudioIO
import CallAnalysis
import Foundation
import Pipeline

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
            let src = try SndFileSource(path: path)
            var block = AudioBlock(channelCount: src.format.channels, capacity: 4096)
            var frames = 0
            while try src.read(into: &block) > 0 { frames += block.frameCount }
            total += Double(frames) / Double(src.format.sampleRate)
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
let repeats = 3
print("file                              audio s   decode ×rt   analysis ×rt   analysis/decode")
for path in files {
    do {
        var audioSeconds = 0.0
        var decodeBest = Double.infinity, fullBest = Double.infinity
        for _ in 0..<repeats {
            let t = try seconds {
                let src = try SndFileSource(path: path)
                var block = AudioBlock(channelCount: src.format.channels, capacity: 4096)
                var frames = 0
                while try src.read(into: &block) > 0 { frames += block.frameCount }
                audioSeconds = Double(frames) / Double(src.format.sampleRate)
            }
            decodeBest = min(decodeBest, t)
            let u = try seconds { _ = try RecordingAnalyzer.analyze(path: path, options: AnalysisOptions()) }
            fullBest = min(fullBest, u)
        }
        let name = (path as NSString).lastPathComponent
        let pad = name.padding(toLength: 32, withPad: " ", startingAt: 0)
        print("\(pad)  \(String(format: "%7.0f", audioSeconds))   \(String(format: "%10.0f", audioSeconds / decodeBest))   \(String(format: "%12.0f", audioSeconds / fullBest))   \(String(format: "%14.0f%%", 100 * decodeBest / fullBest))")
    } catch {
        print("\(path): \(error)")
    }
}

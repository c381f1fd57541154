import CSndFile
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes test recordings with libsndfile itself, so every codec round-trip is exercised
/// from signals generated in code (no committed binary fixtures).
enum Fixtures {
    static let dir: String = {
        let d = NSTemporaryDirectory() + "callqa-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// A deterministic two-party call: agent bursts 1–3 s and 6–8 s, customer 3.5–5.5 s,
    /// noise at −60 dBFS, 10 s at `rate`.
    static func call(rate: Int = 8000, seconds: Double = 10) -> [[Float]] {
        var seed: UInt64 = 42
        func rnd() -> Float {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(seed >> 40) / Float(1 << 24) * 2 - 1
        }
        let n = Int(Double(rate) * seconds)
        var out: [[Float]] = [[Float](repeating: 0, count: n), [Float](repeating: 0, count: n)]
        let bursts: [[(Double, Double)]] = [[(1, 3), (6, 8)], [(3.5, 5.5)]]
        for c in 0..<2 {
            for i in 0..<n { out[c][i] = (rnd() + rnd() + rnd()) * 0.001 }
            for (s, e) in bursts[c] {
                for i in Int(s * Double(rate))..<Int(e * Double(rate)) {
                    let t = Float(i) / Float(rate)
                    out[c][i] += (rnd() + rnd() + rnd()) * 0.06 * (0.55 + 0.45 * sin(2 * .pi * 4 * t))
                }
            }
        }
        return out
    }

    /// Writes `channels` with the given libsndfile format; returns the path.
    @discardableResult
    static func write(_ name: String, _ channels: [[Float]], rate: Int = 8000, format: Int32) -> String {
        let path = dir + "/" + name
        var info = SF_INFO()
        info.samplerate = Int32(rate)
        info.channels = Int32(channels.count)
        info.format = format
        guard let h = sf_open(path, Int32(SFM_WRITE), &info) else {
            fatalError("cannot write \(name): \(String(cString: sf_strerror(nil)))")
        }
        let n = channels[0].count
        var inter = [Float](repeating: 0, count: n * channels.count)
        for i in 0..<n { for c in 0..<channels.count { inter[i * channels.count + c] = channels[c][i] } }
        _ = sf_writef_float(h, &inter, sf_count_t(n))
        sf_close(h)
        return path
    }

    static func writeBytes(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func wav(_ sub: Int32) -> Int32 { Int32(SF_FORMAT_WAV) | sub }
}

/// A seeded generator for test signals: every run sees the same samples.
struct SeededNoise {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    /// Uniform in [−1, 1).
    mutating func uniform() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    /// The sum of `count` uniforms: about Gaussian, variance `count` / 3.
    mutating func sum(of count: Int) -> Float {
        var s: Float = 0
        for _ in 0..<count { s += uniform() }
        return s
    }
}

@testable import CallAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic test signals: a seeded generator, so every run sees the same samples.
struct Signals {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    mutating func uniform() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    /// Gaussian-ish noise (sum of 4 uniforms), RMS ≈ `rms`.
    mutating func noise(count: Int, rms: Float) -> [Float] {
        (0..<count).map { _ in (uniform() + uniform() + uniform() + uniform()) * rms * 0.866 }
    }

    /// Dual-tone 440 + 480 Hz (North American ring-back), each at `amplitude`.
    static func ringback(count: Int, sampleRate: Int, amplitude: Float) -> [Float] {
        (0..<count).map { n in
            let t = Float(n) / Float(sampleRate)
            return amplitude * (sin(2 * .pi * 440 * t) + sin(2 * .pi * 480 * t))
        }
    }

    /// Speech-like burst: noise shaped by a 4 Hz syllable envelope that never reaches
    /// zero inside the burst (so it is one utterance), RMS ≈ `rms` at the peaks.
    mutating func speechLike(count: Int, sampleRate: Int, rms: Float) -> [Float] {
        (0..<count).map { n in
            let t = Float(n) / Float(sampleRate)
            let env = 0.55 + 0.45 * sin(2 * .pi * 4 * t)
            return (uniform() + uniform() + uniform() + uniform()) * rms * 0.866 * env
        }
    }
}

/// Builds one channel: background noise with bursts added at given seconds.
func channel(seconds: Double, sampleRate: Int = 8000, noiseDBFS: Float, bursts: [(Double, Double)],
             burstDBFS: Float, seed: UInt64) -> [Float] {
    var g = Signals(seed: seed)
    let n = Int(seconds * Double(sampleRate))
    var x = noiseDBFS <= -200 ? [Float](repeating: 0, count: n) : g.noise(count: n, rms: pow(10, noiseDBFS / 20))
    for (s, e) in bursts {
        let a = Int(s * Double(sampleRate)), b = min(n, Int(e * Double(sampleRate)))
        let burst = g.speechLike(count: b - a, sampleRate: sampleRate, rms: pow(10, burstDBFS / 20))
        for i in 0..<(b - a) { x[a + i] += burst[i] }
    }
    return x
}

/// Runs the analyzer over channels in blocks of `block` samples; `settleRegions`, when
/// given, is how many regions wait before a settled stretch is handed over.
func analyze(_ channels: [[Float]], sampleRate: Int = 8000, parameters: AnalysisParameters = AnalysisParameters(),
             block: Int = 4096, recordFrames: Bool = false, settleRegions: Int? = nil,
             knownAudio: KnownAudioLibrary? = nil) -> AnalysisOutcome {
    var a = ConversationAnalyzer(parameters: parameters, sampleRate: sampleRate, channelCount: channels.count,
                                 recordFrames: recordFrames, knownAudio: knownAudio)
    if let settleRegions { a.settleRegions = settleRegions }
    let n = channels[0].count
    var i = 0
    while i < n {
        let m = min(block, n - i)
        a.consume(channels: channels.map { Array($0[i..<(i + m)]) }, frameCount: m)
        i += m
    }
    return a.finish()
}

/// Frame classes as a string: 0 quiet, 1 active, 2 tone.
func classString(_ c: [FrameClass]) -> String { String(c.map { Character(String($0.rawValue)) }) }

/// Run-length form of a class string, e.g. "0×50 1×100 0×50".
func runLength(_ s: String) -> String {
    var out: [String] = []
    var prev: Character?
    var count = 0
    for ch in s {
        if ch == prev { count += 1 } else {
            if let p = prev { out.append("\(p)×\(count)") }
            prev = ch
            count = 1
        }
    }
    if let p = prev { out.append("\(p)×\(count)") }
    return out.joined(separator: " ")
}

extension Signals {
    /// Keypad frequencies (Hz), rows then columns, as the DTMF standard (ITU-T Q.23) has them.
    static let keypadRowsHz: [Float] = [697, 770, 852, 941]
    static let keypadColumnsHz: [Float] = [1209, 1336, 1477, 1633]

    /// Keypresses: each digit (row, column) a tone pair at `amplitude` each for `onS`, then
    /// `offS` of nothing; digits in the order given.
    static func keypad(_ digits: [(row: Int, column: Int)], sampleRate: Int, amplitude: Float,
                       onS: Double = 0.1, offS: Double = 0.1) -> [Float] {
        let on = Int(onS * Double(sampleRate)), off = Int(offS * Double(sampleRate))
        var out: [Float] = []
        for d in digits {
            let fr = keypadRowsHz[d.row], fc = keypadColumnsHz[d.column]
            for n in 0..<on {
                let t = Float(n) / Float(sampleRate)
                out.append(amplitude * (sin(2 * .pi * fr * t) + sin(2 * .pi * fc * t)))
            }
            out += [Float](repeating: 0, count: off)
        }
        return out
    }

    /// A sung or held vowel: harmonics of `f0Hz` up to 3.4 kHz, falling 6 dB per octave, at
    /// an RMS of about `rms`.
    static func vowel(count: Int, sampleRate: Int, f0Hz: Float, rms: Float) -> [Float] {
        let harmonics = Int(3400 / f0Hz)
        let norm = rms / sqrt((1...harmonics).reduce(Float(0)) { $0 + 0.5 / Float($1 * $1) })
        return (0..<count).map { n in
            let t = Float(n) / Float(sampleRate)
            return norm * (1...harmonics).reduce(Float(0)) { $0 + sin(2 * .pi * f0Hz * Float($1) * t) / Float($1) }
        }
    }
}

/// Adds `signal` into `x` from sample `at`.
func mix(_ signal: [Float], into x: inout [Float], at: Int) {
    for i in 0..<min(signal.count, x.count - at) { x[at + i] += signal[i] }
}

extension Signals {
    /// A voiced talker: a pulse train whose pitch glides around `f0Hz` (intonation, ±15 %,
    /// and 1 % jitter from period to period), through two formant resonators that move from
    /// one vowel to the next within each syllable (0.18–0.26 s), each syllable opened by a
    /// 30 ms consonant (noise), under a syllable envelope; voiced only inside `spans`
    /// (seconds). Scaled to an RMS of `dbfs` over the spans. One pitch at a time, as a voice
    /// has, and cheap to make (a few operations a sample).
    static func voice(seconds: Double, spans: [(Double, Double)], f0Hz: Float, dbfs: Float, seed: UInt64,
                      sampleRate: Int = 8000) -> [Float] {
        var g = Signals(seed: seed)
        let n = Int(seconds * Double(sampleRate)), sr = Float(sampleRate)
        var out = [Float](repeating: 0, count: n)
        let vowels: [(Float, Float)] = [(350, 2200), (500, 1500), (700, 1200), (450, 900), (600, 1800), (300, 2400)]
        let glide = Float.pi * (g.uniform() + 1)
        var phase: Float = 0, jitter: Float = 1
        var y1a: Float = 0, y2a: Float = 0, y1b: Float = 0, y2b: Float = 0
        var energy: Double = 0
        var count = 0
        var vowel = vowels[0]
        for (s, e) in spans {
            let a = max(0, Int(s * Double(sampleRate))), b = min(n, Int(e * Double(sampleRate)))
            var i = a
            while i < b {
                // One syllable: from the last vowel to the next, its length and loudness.
                let length = Int((0.18 + 0.04 * (g.uniform() + 1)) * sr)
                let from = vowel
                vowel = vowels[Int((g.uniform() + 1) * 2.99)]
                let loud = 0.6 + 0.4 * (g.uniform() + 1) / 2
                let consonant = Int(0.03 * sr)
                for k in 0..<min(length, b - i) {
                    let t = Float(i + k) / sr, u = Float(k) / Float(length)
                    let f1 = from.0 + (vowel.0 - from.0) * u, f2 = from.1 + (vowel.1 - from.1) * u
                    let ca = 2 * 0.97 * cos(2 * .pi * f1 / sr), cb = 2 * 0.95 * cos(2 * .pi * f2 / sr)
                    let f0 = f0Hz * (1 + 0.15 * sin(2 * .pi * 1.3 * t + glide)) * jitter
                    phase += f0 / sr
                    var source: Float = 0.05 * g.uniform()
                    if phase >= 1 {
                        phase -= 1
                        source += 1
                        jitter = 1 + 0.01 * g.uniform()
                    }
                    if k < consonant { source = 0.6 * g.uniform() }
                    let ya = source + ca * y1a - 0.9409 * y2a
                    y2a = y1a; y1a = ya
                    let yb = ya + cb * y1b - 0.9025 * y2b
                    y2b = y1b; y1b = yb
                    let env = loud * max(0.03, sin(.pi * u))
                    out[i + k] = (ya + 0.5 * yb) * env
                    energy += Double(out[i + k] * out[i + k])
                    count += 1
                }
                i += length
            }
        }
        let rms = count > 0 ? Float((energy / Double(count)).squareRoot()) : 1
        let scale = pow(10, dbfs / 20) / max(rms, 1e-12)
        return out.map { $0 * scale }
    }
    /// Other people talking behind a talker: `voices` voices (pitch 90–240 Hz), each in
    /// utterances of 1–3 s with pauses of 0.2–1 s all along, together at an RMS of `dbfs`.
    static func babble(seconds: Double, voices: Int, dbfs: Float, seed: UInt64) -> [Float] {
        var g = Signals(seed: seed)
        var out = [Float](repeating: 0, count: Int(seconds * 8000))
        for v in 0..<voices {
            var spans: [(Double, Double)] = []
            var t = 0.0
            while t < seconds {
                let e = t + 1 + Double(g.uniform() + 1)
                spans.append((t, min(e, seconds)))
                t = e + 0.2 + 0.4 * Double(g.uniform() + 1)
            }
            let f0 = 90 + 75 * (g.uniform() + 1)
            let x = voice(seconds: seconds, spans: spans, f0Hz: f0, dbfs: -20, seed: seed &+ UInt64(v) &* 7919)
            for i in out.indices { out[i] += x[i] }
        }
        let rms = (out.reduce(Float(0)) { $0 + $1 * $1 } / Float(out.count)).squareRoot()
        let scale = pow(10, dbfs / 20) / max(rms, 1e-12)
        return out.map { $0 * scale }
    }
}

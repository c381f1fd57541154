import Foundation

/// Rational sample-rate conversion (the recogniser hears 16 kHz; telephone recordings are
/// 8 kHz, others 11.025–48 kHz): a polyphase windowed-sinc filter, up by L and down by M
/// with L/M = target/source in lowest terms, 16 zero crossings a side (Blackman window),
/// cut off at 0.95 × the lower Nyquist frequency. Each piece of speech is converted on its
/// own; its edges see silence beyond it.
public struct Resampler: Sendable {
    public let sourceRate: Int
    public let targetRate: Int
    let up: Int
    let down: Int
    /// `phases[p]` holds the taps for output phase p, applied to input samples
    /// `base - halfTaps + 1 … base + halfTaps`.
    let phases: [[Float]]
    let halfTaps: Int

    public init(from sourceRate: Int, to targetRate: Int = 16_000) {
        precondition(sourceRate > 0 && targetRate > 0)
        self.sourceRate = sourceRate
        self.targetRate = targetRate
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(sourceRate, targetRate)
        up = targetRate / g
        down = sourceRate / g
        // Cut-off relative to the input rate (cycles per input sample).
        let cutoff = 0.5 * 0.95 * Double(min(sourceRate, targetRate)) / Double(sourceRate)
        // Zero crossings of the sinc are 1/(2·cutoff) input samples apart.
        let half = Int((16 / (2 * cutoff)).rounded(.up))
        halfTaps = half
        var phases: [[Float]] = []
        for p in 0..<up {
            let frac = Double(p) / Double(up)   // output position past the base input sample
            var taps = [Float](repeating: 0, count: 2 * half)
            var sum = 0.0
            for k in 0..<(2 * half) {
                let offset = Double(k - half + 1) - frac   // input sample index minus output position
                let x = 2 * cutoff * offset
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let w = 0.42 + 0.5 * cos(Double.pi * offset / Double(half)) + 0.08 * cos(2 * Double.pi * offset / Double(half))
                let v = 2 * cutoff * sinc * max(0, w)
                taps[k] = Float(v)
                sum += v
            }
            // Unit gain at 0 Hz for every phase.
            if sum != 0 { for k in taps.indices { taps[k] = Float(Double(taps[k]) / sum) } }
            phases.append(taps)
        }
        self.phases = phases
    }

    /// `samples` at `sourceRate` converted to `targetRate`.
    public func convert(_ samples: [Float]) -> [Float] {
        if up == down { return samples }
        let outCount = samples.count * up / down
        var out = [Float](repeating: 0, count: outCount)
        let width = 2 * halfTaps
        // The phases' taps side by side, so the loop below touches raw memory only.
        let flat = phases.flatMap { $0 }
        samples.withUnsafeBufferPointer { x in
            flat.withUnsafeBufferPointer { taps in
                out.withUnsafeMutableBufferPointer { y in
                    for n in 0..<outCount {
                        let position = n * down            // in units of 1/up input samples
                        let first = position / up - halfTaps + 1
                        let row = (position % up) * width
                        let lo = max(0, -first), hi = min(width, x.count - first)
                        var acc: Float = 0
                        var k = lo
                        while k < hi {
                            acc += taps[row + k] * x[first + k]
                            k += 1
                        }
                        y[n] = acc
                    }
                }
            }
        }
        return out
    }
}

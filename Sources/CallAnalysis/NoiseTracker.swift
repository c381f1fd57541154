#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The line's noise per band (the README's detector, step 1): minimum statistics (Martin 2001)
/// over `noise_window_s` of 3-frame-smoothed band powers gives a floor; frames within 4 dB of
/// it update a running mean of the noise (minima-controlled recursive averaging, Cohen), so the
/// estimate is unbiased and follows a changing floor. Floors: `absolute_floor_dbfs`, and the
/// channel's speech level (a slowly decaying peak of the frame power) minus
/// `dynamic_range_db` (the background-voices tracker's copy, `backgroundBands`, goes 5 dB
/// under the first). Digital silence (codec padding, MP3 encoder delay, muted legs) never
/// enters it.
///
/// Lifecycle: `init(parameters:)`, then `update(_:)` once per 10 ms frame; the estimate is
/// read from `bands`, `smoothed` and `measured` after each frame. Nothing to finish.
struct NoiseTracker: Sendable {
    /// Frames per sub-window of the minimum search (0.25 s).
    static let subWindowFrames = 25
    /// Sub-windows whose minima make the window's (`noise_window_s` / 0.25 s, at least 2).
    let subWindowCount: Int
    /// `absolute_floor_dbfs` as a power (full scale²).
    let absoluteFloor: Float
    /// Frames at or under this power (the absolute floor − 20 dB) are digital silence.
    let digitalSilence: Float
    /// 10^(−`dynamic_range_db` / 10): the noise stays at least the speech level times this.
    let rangeFactor: Float

    /// Band powers smoothed over about 3 frames (a first-order average); negative before the
    /// first frame with signal.
    private(set) var smoothed = SIMD4<Float>(repeating: -1)
    /// The noise's band powers (units of `FrameFeatures.bands`); negative before the first
    /// frame with signal.
    private(set) var bands = SIMD4<Float>(repeating: -1)
    /// Whether the noise stands over its floors: the line's noise measured, not a floor (a
    /// clean line: digital silence or a studio's floor in the pauses).
    var measured: Bool { measuredFlag != 0 }
    /// `measured` as a 32-bit word: the detector reads it right after `update` wrote it, and
    /// the compiler reads a Bool field with a 32-bit load, which a 1-byte store cannot be
    /// forwarded to (a stall of a dozen cycles per frame in the profile).
    private var measuredFlag: UInt32 = 0
    /// The same estimate with its absolute floor `backgroundFloorUnderDB` lower: what the
    /// background-voices tracker (step 1b) measures a frame's SNR against while the other
    /// party talks (analyzer 28). Voices behind a quiet talker lie around
    /// `absolute_floor_dbfs` (a customer at −58 dBFS in a shop 12 dB under her): against a
    /// noise held up at that floor their median while the other party talks read 0 dB, as a
    /// clean line's would, no voices were taken off, and every burst of them over the floor
    /// was talk. Step 1b's other sign, a line that never falls back to its noise, stays on
    /// `bands`: a talker's monologue holds its own 10th percentile up, and against this lower
    /// (and, once the line's noise rises over both floors, lagging) estimate it read as voices
    /// behind (tried: clean-line monologues of the held-out sets lost 0.4–1 s of words, one
    /// call 0.11 F1). Negative before the first frame with signal.
    private(set) var backgroundBands = SIMD4<Float>(repeating: -1)
    /// How far under `absolute_floor_dbfs` `backgroundBands` may go (dB), chosen on the
    /// tuning sets (3, 5, 8 and 10 tried): at 3 only the call it was found on changed; at 5
    /// two more calls with voices behind a quiet customer gained (0.04 F1 on one) and an Opus
    /// call lost 0.007; at 8 and 10 a 10 dB wideband call and a clean MP3 call with bleed lost
    /// words to voices taken off that were not there.
    static let backgroundFloorUnderDB: Float = 5
    /// `absolute_floor_dbfs` − `backgroundFloorUnderDB` as a power (full scale²).
    let backgroundFloor: Float

    private var currentMin = SIMD4<Float>(repeating: .greatestFiniteMagnitude)
    private var subMinima: [SIMD4<Float>] = []
    private var subPos = 0
    private var framesInSub = 0
    private var windowMin = SIMD4<Float>(repeating: .greatestFiniteMagnitude)
    /// A slowly decaying peak of the frame power (−0.02 dB per frame), full scale².
    private var speechLevel: Float = 0

    init(parameters: AnalysisParameters) {
        let fps = 1.0 / frameDuration
        subWindowCount = max(2, Int((parameters.noiseWindowS * fps / 25).rounded()))
        absoluteFloor = Float(pow(10, parameters.absoluteFloorDBFS / 10))
        digitalSilence = absoluteFloor * 0.01
        backgroundFloor = absoluteFloor * Float(pow(10, -Double(Self.backgroundFloorUnderDB) / 10))
        rangeFactor = Float(pow(10, -parameters.dynamicRangeDB / 10))
    }

    /// Whether there is an estimate (after the first frame with signal).
    var known: Bool { bands.x > 0 }

    /// Takes the next frame. Returns false for digital silence, which says nothing of the
    /// line's noise and is not taken: letting it in would collapse the estimate and turn the
    /// real noise around it into "speech".
    @inline(__always)
    mutating func update(_ f: FrameFeatures) -> Bool {
        guard f.power > digitalSilence else { return false }
        let b = f.bands
        if smoothed.x < 0 {
            smoothed = b
        } else {
            // 3-frame smoothing: measured best on the accuracy harness (0.75 and 0.9 lose 1–3 F1 points clean).
            smoothed = smoothed * 0.6 + b * 0.4
        }
        currentMin = vmin(currentMin, smoothed)
        framesInSub += 1
        if framesInSub == Self.subWindowFrames {
            if subMinima.count < subWindowCount {
                subMinima.append(currentMin)
            } else {
                subMinima[subPos] = currentMin
                subPos = (subPos + 1) % subWindowCount
            }
            windowMin = subMinima.reduce(SIMD4<Float>(repeating: .greatestFiniteMagnitude)) { vmin($0, $1) }
            currentMin = smoothed
            framesInSub = 0
        }
        let m = vmin(windowMin, currentMin)
        speechLevel = max(f.power, speechLevel * 0.9954)
        let floorLevel = max(absoluteFloor, speechLevel * rangeFactor) * 0.25
        let floorV = SIMD4<Float>(repeating: floorLevel)
        let backgroundFloorLevel = max(backgroundFloor, speechLevel * rangeFactor) * 0.25
        let backgroundFloorV = SIMD4<Float>(repeating: backgroundFloorLevel)
        if bands.x < 0 {
            bands = vmax(m * 1.4, floorV)
            backgroundBands = vmax(m * 1.4, backgroundFloorV)
            return true
        }
        // Frames within 4 dB of the minimum are noise: average them (MCRA-style).
        let isNoise = b .< m * 2.5
        let updated = bands * 0.96 + b * 0.04
        bands.replace(with: updated, where: isNoise)
        // The background's estimate: the same steps, its own floor.
        backgroundBands.replace(with: backgroundBands * 0.96 + b * 0.04, where: isNoise)
        backgroundBands = vmax(vmin(vmax(backgroundBands, m), m * 4), backgroundFloorV)
        // Never below the minimum, never far above it (noise fell), never below the floors.
        bands = vmin(vmax(bands, m), m * 4)
        bands = vmax(bands, floorV)
        measuredFlag = bands.sum() > 8 * floorLevel ? 1 : 0
        return true
    }
}

// Element-wise minimum and maximum that always inline. The standard library's generic
// `pointwiseMin`/`pointwiseMax` were left as out-of-line calls in the per-frame code
// (about 4 % of the whole analysis in a profile).

@inline(__always) func vmin(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .< a) }
@inline(__always) func vmax(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .> a) }
@inline(__always) func vmin(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .< a) }
@inline(__always) func vmax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }

/// Largest element.
@inline(__always) func hmax(_ v: SIMD8<Float>) -> Float {
    let a = vmax(v.lowHalf, v.highHalf)
    return max(max(a[0], a[1]), max(a[2], a[3]))
}

/// 10·log10(x) for x > 0 to within 0.0001 dB, without a libm call: the exponent from the
/// bits, log2 of the mantissa from a degree-5 polynomial. Used where a level only feeds a
/// statistic (the channel envelope correlation), once per frame and channel.
@inline(__always) func fastDB(_ x: Float) -> Float {
    let bits = x.bitPattern
    let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
    let m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000) - 1   // mantissa − 1, in [0, 1)
    // log2(1 + m), least-squares fit on [0, 1]: max error 5e-6 (1.3e-5 dB).
    let p = m * (1.442_517_03 + m * (-0.717_898_381 + m * (0.456_894_174 + m * (-0.277_365_05 + m * (0.121_914_139 - m * 0.026_066_301_5)))))
    return 3.010_299_9 * (exponent + p)
}

/// `fastDB` of eight values at once, lane by lane the same operations in the same order
/// (so the same results): the frames' log powers of a block, taken once and shared by the
/// echo trackers of both channels and the channels' envelope correlation.
@inline(__always) func fastDB(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let exponent = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: (bits &>> 23) & 0xFF) &- 127)
    let m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self) - 1
    let c0 = SIMD8<Float>(repeating: 1.442_517_03), c1 = SIMD8<Float>(repeating: -0.717_898_381)
    let c2 = SIMD8<Float>(repeating: 0.456_894_174), c3 = SIMD8<Float>(repeating: -0.277_365_05)
    let c4 = SIMD8<Float>(repeating: 0.121_914_139), c5 = SIMD8<Float>(repeating: 0.026_066_301_5)
    let p = m * (c0 + m * (c1 + m * (c2 + m * (c3 + m * (c4 - m * c5)))))
    return 3.010_299_9 * (exponent + p)
}

/// A frame's log power as the echo tracker and the envelope correlation take it:
/// `fastDB(max(power, 1e-12))`.
@inline(__always) func logPower(_ power: Float) -> Float { fastDB(max(power, 1e-12)) }

/// `logPower` of `count` frames' powers into `out`, eight at a time.
func logPowers(_ frames: UnsafePointer<FrameFeatures>, count: Int, into out: UnsafeMutablePointer<Float>) {
    let floor = SIMD8<Float>(repeating: 1e-12)
    var i = 0
    while i + 8 <= count {
        let f = frames + i
        let p = SIMD8(f[0].power, f[1].power, f[2].power, f[3].power, f[4].power, f[5].power, f[6].power, f[7].power)
        UnsafeMutableRawPointer(out + i).storeBytes(of: fastDB(vmax(p, floor)), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { out[i] = logPower(frames[i].power); i += 1 }
}

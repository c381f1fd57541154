/// What the trackers of a `ChannelDetector` mark on a frame while it waits in the lookahead
/// window (one byte a frame).
struct FrameFlags: OptionSet, Sendable {
    let rawValue: UInt8

    /// Part of a steady tone run (`ToneRunTracker`); whether the region it falls in is a tone
    /// is decided on the whole region, from its share of such frames.
    static let tone = FrameFlags(rawValue: 1)
    /// Its spectral shape (ρ₁, ρ₂) barely moved from the frame before (`ToneRunTracker`):
    /// music on hold holds notes, speech moves between sounds.
    static let steady = FrameFlags(rawValue: 2)
    /// A DTMF keypress or the pause between two (`KeypressTracker`).
    static let keypress = FrameFlags(rawValue: 4)
    /// Part of a tone run of 0.3 s or more (`ToneRunTracker`): no vowel holds that long, so it
    /// is cut out of speech wherever it falls.
    static let longTone = FrameFlags(rawValue: 8)
    /// Part of a tone found by a window fit, a call-progress plan or a sine
    /// (`CallProgressChainTracker`), or by its exact repetition (`PeriodicToneTracker`).
    static let callTone = FrameFlags(rawValue: 16)
}

/// A tracker's verdict on the frame it was just given: `flags` belong on that frame and on
/// the `back` frames before it (a run is known only once it has lasted; only the frames still
/// in the lookahead window take them).
struct FrameMark: Sendable, Equatable {
    var flags: FrameFlags
    /// Frames before the newest one that take `flags` too (≥ 0).
    var back: Int

    @inline(__always)
    init(_ flags: FrameFlags, back: Int) {
        self.flags = flags
        self.back = back
    }
}

/// The frames a `ChannelDetector` has measured and not yet decided, with what the trackers
/// marked on them and the other channel's envelope at the time (`EchoSource`): decisions lag
/// by the lookahead (`lookahead_s`) so the noise estimate has seen both sides of a frame, and
/// a tracker can still mark the start of a run it confirms late. A ring of `lookahead + 1`
/// frames: the newest plus up to `lookahead` before it.
///
/// A value like an array, without an array's copy-on-write check on every write: the slots
/// live in storage that only copies of the window share, and `makeUnique()` gives a copy
/// storage of its own. Whoever changes a window calls it first, once before a run of
/// changes (`ChannelDetector` once per block); debug builds check that it was.
struct LookaheadWindow: Sendable {
    /// Frames a decision lags behind the newest frame.
    let lookahead: Int
    /// What the decision reads of a frame (`ChannelDetector.decideOldest`): its band
    /// powers, power, prediction gain and held notes, not the tone tests' and shape's fields.
    struct Waiting: Sendable {
        var bands: SIMD4<Float>
        var power: Float
        var predictionGain: Float
        var heldLines: UInt8
    }
    /// A frame, its flags and the other channel's envelope in one slot: one array written
    /// per frame (one copy-on-write check, not three); 48 bytes, not the 80 that the whole
    /// frame made (fewer stores per frame).
    private struct Slot {
        var frame: Waiting
        var envelope: SIMD4<Float>
        var flags: FrameFlags
    }
    /// The ring's slots (`lookahead + 1`).
    private final class Storage: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Slot>
        let count: Int
        init(count: Int, copying other: UnsafePointer<Slot>? = nil) {
            self.count = count
            slots = .allocate(capacity: count)
            if let other {
                slots.initialize(from: other, count: count)
            } else {
                slots.initialize(repeating: Slot(frame: Waiting(bands: .zero, power: 0, predictionGain: 1, heldLines: 0),
                                                 envelope: .zero, flags: []), count: count)
            }
        }
        deinit {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
    }
    private var storage: Storage
    /// Slot of the oldest frame.
    private var head = 0
    /// Slot of the newest frame.
    private var newest = 0
    /// Frames in the window, the newest included.
    private(set) var count = 0

    /// - Parameter lookahead: frames a decision lags (≥ 1).
    init(lookahead: Int) {
        self.lookahead = lookahead
        storage = Storage(count: lookahead + 1)
    }

    /// Gives the window storage of its own if a copy shares it: call before changing it (once
    /// for a run of changes no copy is made in between).
    @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(count: storage.count, copying: storage.slots) }
    }

    /// The slots, to be written: unique by `makeUnique()` (checked in debug builds).
    @inline(__always)
    private mutating func writableSlots() -> (slots: UnsafeMutablePointer<Slot>, count: Int) {
        assert(isKnownUniquelyReferenced(&storage), "LookaheadWindow changed without makeUnique() after a copy")
        return (storage.slots, storage.count)
    }

    /// Frames before the newest one that a mark can still reach.
    var markable: Int { count - 1 }

    /// Whether the oldest frame is due for its decision (more than `lookahead` frames wait).
    var isFull: Bool { count > lookahead }

    /// Adds the newest frame, with the flags it holds on its own and the other channel's
    /// envelope (band powers, `EchoSource.update`; zero on mono).
    @inline(__always)
    mutating func push(_ f: FrameFeatures, flags own: FrameFlags, envelope: SIMD4<Float> = .zero) {
        let (slots, size) = writableSlots()
        var slot = head + count
        if slot >= size { slot -= size }
        slots[slot] = Slot(frame: Waiting(bands: f.bands, power: f.power, predictionGain: f.predictionGain,
                                          heldLines: f.heldLines),
                           envelope: envelope, flags: own)
        newest = slot
        count += 1
    }

    /// Sets a mark's flags on the newest frame and on the `back` frames before it, as far as
    /// they are still in the window (only those can be marked).
    @inline(__always)
    mutating func mark(_ m: FrameMark) {
        // Backwards from the newest slot, wrapping by hand: a remainder per frame is an
        // integer division, and tone runs mark up to the whole window on every frame.
        let reach = min(m.back, count - 1)
        let (fb, n) = writableSlots()
        var slot = newest
        for _ in 0...reach {
            fb[slot].flags.formUnion(m.flags)
            slot = slot == 0 ? n - 1 : slot - 1
        }
    }

    /// Removes the oldest frame and returns it with its flags and envelope.
    @inline(__always)
    mutating func removeOldest() -> (frame: Waiting, flags: FrameFlags, envelope: SIMD4<Float>) {
        let (slots, size) = writableSlots()
        let oldest = slots[head]
        let out = (oldest.frame, oldest.flags, oldest.envelope)
        head += 1
        if head == size { head = 0 }
        count -= 1
        return out
    }
}

extension AnalysisParameters {
    /// Frames a detector's decisions lag the newest frame (`lookahead_s`, at least 2).
    var lookaheadFrames: Int { max(2, Int((lookaheadS * (1.0 / frameDuration)).rounded())) }
}

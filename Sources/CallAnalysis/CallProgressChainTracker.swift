/// Call-progress tones and sines (the README's detector, steps 5b and 5d): runs of 80 ms
/// windows explained by one tone plan (ring-back, dial, busy; `CallProgressToneTest`) or one
/// sine (`SineToneFit`), one window every 40 ms (`FrameFeatures.callTone`). A run of
/// `CallProgressToneTest.minWindows` covers 0.32 s: its frames are marked, and so are each
/// further window's new frames while the run lasts; `maxMisses` failing window inside a run
/// is bridged (not a window of another sine: that starts a new run). Sine runs of
/// `chainRunWindows` at most one window apart chain, and a chain of `chainWindows` is a tone
/// too, marked back to its first window (the special information tone's three 0.33 s
/// segments, each of which can fall a window short where the window straddling a change
/// fails).
///
/// The marks are kept apart from `ToneRunTracker`'s: music on hold can hold a chord on a
/// plan's frequencies for seconds, and must stay hold.
///
/// Lifecycle: `init()`, then `update(_:)` once per 10 ms frame; nothing to finish (a run is
/// marked window by window while it lasts).
struct CallProgressChainTracker: Sendable {
    typealias Test = CallProgressToneTest
    /// A sine run of this many windows joins a chain; a chain of this many passing windows
    /// is a tone.
    static let chainRunWindows = 4
    static let chainWindows = 12

    /// The plan (or sine code) of the current run of windows explained by one, and the run's
    /// length in passing windows.
    private var plan: UInt8 = 0
    private var windows = 0
    /// Windows of the current run that failed since its last passing one, and the frames
    /// from the run's first window to now.
    private var misses = 0
    private var runFrames = 0
    /// Windows evaluated so far; the current run's last passing window; the window where its
    /// chain began (its own first window when it starts none) and the passing windows of the
    /// chain's runs before it (0: no chain); the same of the last finished run of at least
    /// `chainRunWindows`, ending with it.
    private var windowIndex = 0
    private var runLastWindow = 0
    private var chainStart = 0
    private var chainBefore = 0
    private var chainMarked = false
    private var lastChainEnd = Int.min / 2
    private var lastChainStart = 0
    private var lastChainWindows = 0

    init() {}

    /// Whether a window code is the sine fit's (`SineToneFit.codes`).
    @inline(__always)
    static func isSine(_ code: UInt8) -> Bool { code == SineToneFit.codes.0 || code == SineToneFit.codes.1 }

    /// Takes the next frame's window code (`FrameFeatures.callTone`:
    /// `CallProgressToneTest.notEvaluated` where no window ends, 0 where none holds); returns
    /// the frames that are a tone as of this window, if any.
    @inline(__always)
    mutating func update(_ code: UInt8) -> FrameMark? {
        guard code != Test.notEvaluated else { return nil }
        windowIndex += 1
        if code != 0 && code == plan {
            windows += 1
            runFrames += Test.hopFrames
            runLastWindow = windowIndex
        } else if windows > 0 && misses < Test.maxMisses && !(Self.isSine(code) && Self.isSine(plan)) {
            // A window of another sine starts a new run: the fit's two codes alternate from
            // run to run, and bridged, the run of the first code would go on after it.
            misses += 1
            runFrames += Test.hopFrames
            return nil
        } else {
            // The run ends. A sine run long enough ends its chain so far; a new sine run
            // starting within one window of such an end continues the chain.
            if Self.isSine(plan) && windows >= Self.chainRunWindows {
                lastChainEnd = runLastWindow
                lastChainStart = chainStart
                lastChainWindows = chainBefore + windows
            }
            plan = code
            windows = code != 0 ? 1 : 0
            misses = 0
            runFrames = Test.windowFrames
            runLastWindow = windowIndex
            chainMarked = false
            let joins = Self.isSine(code) && windowIndex - lastChainEnd <= 2
            chainBefore = joins ? lastChainWindows : 0
            chainStart = joins ? lastChainStart : windowIndex
            return nil
        }
        let missed = misses
        misses = 0
        // Sines back to back: a chain of sine runs of at least `chainRunWindows`, at most one
        // window apart, is a tone once it holds `chainWindows` passing windows; marked back to
        // the chain's first window.
        if chainBefore > 0 && windows >= Self.chainRunWindows && chainBefore + windows >= Self.chainWindows {
            let back = chainMarked ? Test.hopFrames * (1 + missed) - 1
                                   : (windowIndex - chainStart) * Test.hopFrames + Test.windowFrames - 1
            chainMarked = true
            return FrameMark(.callTone, back: back)
        }
        guard windows >= Test.minWindows else { return nil }
        return FrameMark(.callTone, back: windows == Test.minWindows ? runFrames - 1 : Test.hopFrames * (1 + missed) - 1)
    }
}

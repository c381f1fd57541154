#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Audio a contact center plays into its own calls — its music on hold, its recorded
/// announcements — given as files (`--hold-music`), recognised in a recording wherever it
/// plays, whatever the codec, the line noise or the level, and never counted as talk.
///
/// Recognition is by landmarks (Wang, "An Industrial-Strength Audio Search Algorithm", 2003):
/// the peaks of a spectrogram (64 ms frames every 32 ms, 15.6 Hz bins, 250 Hz–3.5 kHz: what a
/// phone line passes) are paired, each pair hashed by its first peak's bin, the second's
/// distance in bins and in frames. A pair of the recording whose hash is a pair of a library
/// file votes for that file played from `file frame − recording frame` on; a file playing gives
/// many votes for one such offset (±1 frame), speech and other music give scattered votes. A
/// stretch of at least 1.5 s where each vote has `KnownAudioMatcher.minVotes` votes for the
/// same offset within 1 s around it is the file playing there: hold, not talk, with the file
/// and its position as the reason (see `KnownAudioMatcher`).
public struct KnownAudioLibrary: Sendable, Equatable {
    public struct Track: Sendable, Equatable {
        public var name: String
        public var durationS: Double
        /// Landmarks the track gave (a track that gives none cannot be recognised).
        public var landmarks: Int
    }
    public let tracks: [Track]
    /// Identifies the library's content (stored with the analysis parameters, so stored
    /// analyses are redone when the library changes).
    public let digest: String
    /// Per hash (`LandmarkExtractor.hashBits` bits): its entries are `entries[starts[h]..<starts[h + 1]]`.
    let starts: [Int32]
    /// `track << 20 | frame`.
    let entries: [UInt32]

    static let frameBits: UInt32 = 20
    /// Tracks and frames that fit an entry: 4,095 tracks, 9.3 hours a track.
    public static let maxTracks = 4095
    public static let maxTrackFrames = 1 << 20
    /// The longest track (s): `maxTrackFrames` frames of 32 ms; landmarks past it are not indexed.
    public static let maxTrackS = Double(maxTrackFrames) * LandmarkExtractor.hopS

    /// - Parameters:
    ///   - tracks: each file's name and its samples, mono at 8 kHz (`KnownAudioLibrary.sampleRate`).
    ///   - digest: a hash of the files' content that names this library.
    public init(tracks: [(name: String, samples: [Float])], digest: String) {
        var builder = Builder()
        for t in tracks { builder.add(name: t.name, samples: t.samples) }
        self = builder.build(digest: digest)
    }

    init(tracks: [Track], digest: String, starts: [Int32], entries: [UInt32]) {
        self.tracks = tracks
        self.digest = digest
        self.starts = starts
        self.entries = entries
    }

    /// Builds a library one track at a time, keeping only each track's landmarks.
    public struct Builder {
        private var pairs: [(hash: UInt32, entry: UInt32)] = []
        private var described: [Track] = []

        public init() {}

        /// A track's samples, mono at 8 kHz (`KnownAudioLibrary.sampleRate`).
        public mutating func add(name: String, samples: [Float]) {
            precondition(described.count < KnownAudioLibrary.maxTracks)
            let t = UInt32(described.count)
            var extractor = LandmarkExtractor(sampleRate: KnownAudioLibrary.sampleRate)!
            var count = 0
            // Moved out of `self` for the closure to append to, and back.
            var found = pairs
            pairs = []
            let emit: (UInt32, Int32) -> Void = { hash, frame in
                guard Int(frame) < KnownAudioLibrary.maxTrackFrames else { return }
                found.append((hash, t << KnownAudioLibrary.frameBits | UInt32(frame)))
                count += 1
            }
            samples.withUnsafeBufferPointer { extractor.consume($0, emit: emit) }
            extractor.finish(emit: emit)
            pairs = found
            described.append(Track(name: name, durationS: Double(samples.count) / Double(KnownAudioLibrary.sampleRate),
                                   landmarks: count))
        }

        /// The library, named by `digest` (a hash of the files' content).
        public func build(digest: String) -> KnownAudioLibrary {
            // Counting sort by hash: one array of entries, one of offsets.
            let buckets = 1 << LandmarkExtractor.hashBits
            var starts = [Int32](repeating: 0, count: buckets + 1)
            for p in pairs { starts[Int(p.hash) + 1] += 1 }
            for h in 0..<buckets { starts[h + 1] += starts[h] }
            var fill = starts
            var entries = [UInt32](repeating: 0, count: pairs.count)
            for p in pairs {
                entries[Int(fill[Int(p.hash)])] = p.entry
                fill[Int(p.hash)] += 1
            }
            return KnownAudioLibrary(tracks: described, digest: digest, starts: starts, entries: entries)
        }
    }

    /// The rate library tracks are given at.
    public static let sampleRate = 8000

    public static func == (a: KnownAudioLibrary, b: KnownAudioLibrary) -> Bool { a.digest == b.digest }

    /// Every stretch of `samples` (one signal at `sampleRate`, 8 kHz times a power of two) where a
    /// track that `excluding` leaves in plays: each track at each offset where it plays, not only
    /// the matches that explain the signal as the analysis keeps them (a stretch heard in several
    /// tracks is found in each). Sorted by start. Empty at a rate the landmarks do not work at.
    public func occurrences(in samples: [Float], sampleRate: Int, excluding: (Int) -> Bool = { _ in false }) -> [KnownAudioMatch] {
        guard var matcher = KnownAudioMatcher(library: self, sampleRate: sampleRate, excluding: tracks.indices.map(excluding)) else { return [] }
        samples.withUnsafeBufferPointer { matcher.consume($0) }
        return matcher.finishAll().sorted { ($0.span.start, $0.track, $0.trackOffsetS) < ($1.span.start, $1.track, $1.trackOffsetS) }
    }
}

/// One stretch of a recording's channel recognised as a library track playing.
public struct KnownAudioMatch: Sendable, Equatable {
    /// 10 ms frames of the recording.
    public var span: FrameSpan
    /// Index into `KnownAudioLibrary.tracks`, and the track's name.
    public var track: Int
    public var name: String
    /// Where in the track the recording's span starts (s).
    public var trackOffsetS: Double
    /// Landmarks of the recording that agreed with the track at that offset.
    public var landmarks: Int

    public init(span: FrameSpan, track: Int, name: String, trackOffsetS: Double, landmarks: Int) {
        self.span = span
        self.track = track
        self.name = name
        self.trackOffsetS = trackOffsetS
        self.landmarks = landmarks
    }
}

/// Spectral-peak landmarks of a signal, streamed (see `KnownAudioLibrary`). Works at 8 kHz
/// times a power of two: the frame is 512 samples at 8 kHz, 1,024 at 16 kHz, …, 4,096 at
/// 64 kHz, so frames and bins mean the same time and frequency at every such rate.
struct LandmarkExtractor {
    static let baseSize = 512
    static let baseHop = 256
    /// Bins searched for peaks: 250 Hz to 3.5 kHz.
    static let lowBin = 16
    static let highBin = 224
    /// A peak is the largest value within this many bins and frames around it.
    static let binRadius = 4
    static let frameRadius = 2
    /// And stands this far (dB) over its frame's mean level in the band.
    static let prominenceDB: Float = 6
    /// Peaks a library track's frame keeps at most (the most prominent).
    static let maxPeaks = 5
    /// Pairs: the second peak 1…`maxDT` frames after the first, within `maxDF` bins, at most
    /// `fanOut` pairs per first peak (the nearest in time).
    static let maxDT = 24
    static let maxDF = 63
    static let fanOut = 5
    static let hashBits = 20
    /// Frame length and hop in seconds (the same at every rate).
    static let hopS = Double(baseHop) / 8000
    static let sizeS = Double(baseSize) / 8000

    let size: Int
    let hop: Int
    /// A complex FFT of half the frame: the frame's even samples as real parts, its odd ones
    /// as imaginary parts (a real FFT at half the work); `binCos`/`binSin` untangle the bins.
    private let fft: ComplexFFT
    private let binCos: [Float], binSin: [Float]
    private let window: [Float]
    /// Power of a full-scale sine's bin, to put spectra in dBFS.
    private let scale: Float
    private var pending: [Float] = []
    /// Spectra (dB, bins `lowBin..<highBin`) of the last 2·frameRadius + 1 frames, by frame % count.
    private var spectra: [[Float]]
    private var means: [Float]
    /// STFT frames computed.
    private var frames = 0
    /// Peaks (bins) of the last maxDT + 1 frames, by frame % count.
    private var peakRing: [[Int]]
    /// Frames whose peaks are known.
    private var peakFrames = 0
    private var re: [Float], im: [Float]

    /// nil when `sampleRate` is not a positive multiple of 8 kHz.
    /// Peaks kept per frame (the library's `maxPeaks`; a recording's may keep more).
    let peaksPerFrame: Int

    init?(sampleRate: Int, peaksPerFrame: Int = LandmarkExtractor.maxPeaks) {
        // 8 kHz × a power of two (8, 16, 32, 64 kHz): the frame stays a power of two long.
        guard sampleRate > 0, sampleRate % 8000 == 0, (sampleRate / 8000) & (sampleRate / 8000 - 1) == 0 else { return nil }
        self.peaksPerFrame = peaksPerFrame
        let k = sampleRate / 8000
        size = Self.baseSize * k
        hop = Self.baseHop * k
        let n = Self.baseSize * k
        fft = ComplexFFT(size: n / 2)
        binCos = (Self.lowBin..<Self.highBin).map { Float(cos(2 * Double.pi * Double($0) / Double(n))) }
        binSin = (Self.lowBin..<Self.highBin).map { Float(sin(2 * Double.pi * Double($0) / Double(n))) }
        let w = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        window = w
        let sum = w.reduce(0, +)
        scale = 1 / (sum * sum / 4)
        spectra = Array(repeating: [Float](repeating: -200, count: Self.highBin - Self.lowBin), count: 2 * Self.frameRadius + 1)
        means = Array(repeating: -200, count: 2 * Self.frameRadius + 1)
        peakRing = Array(repeating: [], count: Self.maxDT + 1)
        re = [Float](repeating: 0, count: size / 2)
        im = [Float](repeating: 0, count: size / 2)
    }

    /// Landmarks of `samples` following those already consumed: `emit(hash, first peak's frame)`.
    mutating func consume(_ samples: UnsafeBufferPointer<Float>, emit: (UInt32, Int32) -> Void) {
        pending.append(contentsOf: samples)
        var pos = 0
        while pending.count - pos >= size {
            spectrum(at: pos)
            pos += hop
            addFrame(emit: emit)
        }
        if pos > 0 { pending.removeFirst(pos) }
    }

    /// The last frames' peaks and pairs (no frame is made of the samples left over).
    mutating func finish(emit: (UInt32, Int32) -> Void) {
        // Peaks of the frames still waiting for the frames after them, which never come.
        while peakFrames < frames { findPeaks(frame: peakFrames, known: frames, emit: emit) }
        // Pairs of the first peaks whose later frames are all there is.
        let from = max(0, peakFrames - Self.maxDT)
        for a in from..<peakFrames { pair(anchor: a, lastFrame: peakFrames - 1, emit: emit) }
    }

    private mutating func spectrum(at pos: Int) {
        let half = size / 2
        pending.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                re.withUnsafeMutableBufferPointer { r in
                    im.withUnsafeMutableBufferPointer { i in
                        for k in 0..<half {
                            r[k] = x[pos + 2 * k] * w[2 * k]
                            i[k] = x[pos + 2 * k + 1] * w[2 * k + 1]
                        }
                    }
                }
            }
        }
        fft.transform(&re, &im)
        let slot = frames % spectra.count
        var sum: Float = 0
        for b in Self.lowBin..<Self.highBin {
            // X[b] = E + e^(−2πib/N)·O, E and O the spectra of the even and odd samples.
            let c = (half - b) % half
            let eRe = (re[b] + re[c]) / 2, eIm = (im[b] - im[c]) / 2
            let oRe = (im[b] + im[c]) / 2, oIm = (re[c] - re[b]) / 2
            let cs = binCos[b - Self.lowBin], sn = binSin[b - Self.lowBin]
            let xRe = eRe + cs * oRe + sn * oIm
            let xIm = eIm + cs * oIm - sn * oRe
            let p = (xRe * xRe + xIm * xIm) * scale
            let db = 10 * log10f(max(p, 1e-12))
            spectra[slot][b - Self.lowBin] = db
            sum += db
        }
        means[slot] = sum / Float(Self.highBin - Self.lowBin)
        frames += 1
    }

    /// The power spectrum (bins `lowBin..<highBin`, dBFS) of one frame, for tests.
    static func powerSpectrum(_ frame: [Float], sampleRate: Int) -> [Float] {
        var e = LandmarkExtractor(sampleRate: sampleRate)!
        e.pending = frame
        e.spectrum(at: 0)
        return e.spectra[0]
    }

    private mutating func addFrame(emit: (UInt32, Int32) -> Void) {
        let c = frames - 1 - Self.frameRadius
        if c >= 0 { findPeaks(frame: c, known: frames, emit: emit) }
    }

    /// Peaks of `frame`, given the frames before `known`; then the pairs whose first peak lies
    /// `maxDT` frames back.
    private mutating func findPeaks(frame c: Int, known: Int, emit: (UInt32, Int32) -> Void) {
        let n = spectra.count
        let row = spectra[c % n]
        let floor = means[c % n] + Self.prominenceDB
        let bins = Self.highBin - Self.lowBin
        var found: [(bin: Int, value: Float)] = []
        for b in 0..<bins {
            let v = row[b]
            guard v > floor, v > -100 else { continue }
            var isPeak = true
            let lo = max(0, b - Self.binRadius), hi = min(bins - 1, b + Self.binRadius)
            for j in lo...hi where j != b {
                // Ties go to the lower bin.
                if row[j] > v || (row[j] == v && j < b) { isPeak = false; break }
            }
            guard isPeak else { continue }
            for dt in -Self.frameRadius...Self.frameRadius where dt != 0 {
                let f = c + dt
                guard f >= 0, f < known, f > c - n else { continue }
                let other = spectra[f % n]
                for j in lo...hi where other[j] > v || (other[j] == v && dt < 0) { isPeak = false; break }
                if !isPeak { break }
            }
            if isPeak { found.append((b, v - means[c % n])) }
        }
        if found.count > peaksPerFrame {
            found.sort { $0.value != $1.value ? $0.value > $1.value : $0.bin < $1.bin }
            found.removeLast(found.count - peaksPerFrame)
        }
        peakRing[c % peakRing.count] = found.map { $0.bin + Self.lowBin }.sorted()
        peakFrames = c + 1
        let anchor = c - Self.maxDT
        if anchor >= 0 { pair(anchor: anchor, lastFrame: c, emit: emit) }
    }

    private func pair(anchor a: Int, lastFrame: Int, emit: (UInt32, Int32) -> Void) {
        let ring = peakRing.count
        for f1 in peakRing[a % ring] {
            var made = 0
            var dt = 1
            while dt <= Self.maxDT, a + dt <= lastFrame, made < Self.fanOut {
                for f2 in peakRing[(a + dt) % ring] where abs(f2 - f1) <= Self.maxDF && made < Self.fanOut {
                    let hash = UInt32(f1 - Self.lowBin) << 12 | UInt32(f2 - f1 + Self.maxDF) << 5 | UInt32(dt)
                    emit(hash, Int32(a))
                    made += 1
                }
                dt += 1
            }
        }
    }
}

/// Iterative radix-2 complex FFT of one power-of-two size.
struct ComplexFFT: Sendable {
    let size: Int
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let reversed: [Int]

    init(size: Int) {
        precondition(size > 1 && size & (size - 1) == 0)
        self.size = size
        cosTable = (0..<size / 2).map { Float(cos(2 * Double.pi * Double($0) / Double(size))) }
        sinTable = (0..<size / 2).map { Float(-sin(2 * Double.pi * Double($0) / Double(size))) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
    }

    func transform(_ re: inout [Float], _ im: inout [Float]) {
        let n = size
        re.withUnsafeMutableBufferPointer { rb in
            im.withUnsafeMutableBufferPointer { ib in
                cosTable.withUnsafeBufferPointer { cb in
                    sinTable.withUnsafeBufferPointer { sb in
                        reversed.withUnsafeBufferPointer { rev in
                            guard let r = rb.baseAddress, let i = ib.baseAddress, let c = cb.baseAddress, let s = sb.baseAddress,
                                  let v = rev.baseAddress else { return }
                            for a in 0..<n {
                                let j = v[a]
                                if j > a {
                                    let tr = r[a], ti = i[a]
                                    r[a] = r[j]; i[a] = i[j]
                                    r[j] = tr; i[j] = ti
                                }
                            }
                            var len = 2
                            while len <= n {
                                let half = len / 2, step = n / len
                                var start = 0
                                while start < n {
                                    var w = 0
                                    for k in start..<(start + half) {
                                        let wr = c[w], wi = s[w]
                                        let j = k + half
                                        let tr = r[j] * wr - i[j] * wi
                                        let ti = r[j] * wi + i[j] * wr
                                        r[j] = r[k] - tr
                                        i[j] = i[k] - ti
                                        r[k] += tr
                                        i[k] += ti
                                        w += step
                                    }
                                    start += len
                                }
                                len *= 2
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Finds a library's tracks playing on one channel, streamed (see `KnownAudioLibrary`).
/// Memory: the votes of the offsets heard in the last 3 s (a track playing keeps its votes
/// until it stops: at most its own length's).
struct KnownAudioMatcher {
    let library: KnownAudioLibrary
    private var extractor: LandmarkExtractor
    /// The votes for one track at one offset: each landmark's first peak's frame.
    private struct Cluster {
        var starts: [Int32] = []
        /// The latest second peak of all (how long the votes stay open).
        var last: Int32 = 0
    }
    /// Votes by `track << 32 | (offset + 2^31)`.
    private var clusters: [UInt64: Cluster] = [:]
    private var found: [KnownAudioMatch] = []
    private var lastPrune: Int32 = 0

    /// A track is playing where at least `minVotes` landmarks agree on its offset within a
    /// `window` of 64 frames (±1 s) around each of them…
    static let minVotes = 12
    static let window: Int32 = 64
    /// A match's first or last vote this many frames (0.32 s) or more from the next is a stray.
    static let maxLoneFrames: Int32 = 10
    /// A match reaches past its dense votes over the track's own votes at its offset up to this
    /// many frames (0.5 s) apart (see `close`).
    static let maxExtendFrames: Int32 = 16
    /// Peaks a recording's frame keeps (the library's keep `LandmarkExtractor.maxPeaks`, 5):
    /// under noise or through GSM some of the music's peaks fall behind noise peaks, and more
    /// of the recording's give them a chance (the tuning sets' GSM calls at 10 dB: music
    /// counted as talk 1.6 % → 0.9 % of hold frames).
    static let recordingPeaks = 8
    /// The shortest match (1.5 s).
    static let minMatchFrames: Int32 = 47
    /// …a vote more than this many frames (3 s) after the one before starts anew.
    static let maxGapFrames: Int32 = 94

    /// Tracks not voted for, by index (empty: none left out).
    private let excluded: [Bool]

    init?(library: KnownAudioLibrary, sampleRate: Int, excluding excluded: [Bool] = []) {
        guard let e = LandmarkExtractor(sampleRate: sampleRate, peaksPerFrame: Self.recordingPeaks) else { return nil }
        self.library = library
        self.excluded = excluded
        extractor = e
    }

    mutating func consume(_ samples: UnsafeBufferPointer<Float>) {
        var votes: [(UInt32, Int32)] = []
        extractor.consume(samples) { votes.append(($0, $1)) }
        for (h, t) in votes { vote(hash: h, frame: t) }
    }

    mutating func finish() -> [KnownAudioMatch] {
        Self.explaining(finishAll())
    }

    /// Every match found, each track at each offset, not reduced to those that explain the channel.
    mutating func finishAll() -> [KnownAudioMatch] {
        var votes: [(UInt32, Int32)] = []
        extractor.finish { votes.append(($0, $1)) }
        for (h, t) in votes { vote(hash: h, frame: t) }
        prune(before: Int32.max)
        return found
    }

    /// The matches that explain the channel: the one with the most landmarks first, then each
    /// other that covers frames none before it did and has at least half the landmarks of every
    /// match kept that it overlaps. A track that repeats itself matches at several offsets at
    /// once (a loop, at every turn), the weaker ones on fewer landmarks, and their votes reach
    /// past the music's ends (a vote counts as dense with the music's votes within 1 s).
    /// Sorted by start.
    static func explaining(_ matches: [KnownAudioMatch]) -> [KnownAudioMatch] {
        let ranked = matches.sorted {
            ($1.landmarks, $0.span.start, $0.track, $0.trackOffsetS) < ($0.landmarks, $1.span.start, $1.track, $1.trackOffsetS)
        }
        var covered: [FrameSpan] = []
        var kept: [KnownAudioMatch] = []
        for m in ranked where !SpanMath.subtract([m.span], covered).isEmpty
            && !kept.contains(where: { $0.span.start < m.span.end && m.span.start < $0.span.end && $0.landmarks > 2 * m.landmarks }) {
            kept.append(m)
            covered = SpanMath.union(covered, [m.span])
        }
        return kept.sorted { ($0.span.start, $0.track, $0.trackOffsetS) < ($1.span.start, $1.track, $1.trackOffsetS) }
    }

    private static func key(track: UInt32, offset: Int32) -> UInt64 {
        UInt64(track) << 32 | UInt64(UInt32(bitPattern: offset) ^ 0x8000_0000)
    }

    private mutating func vote(hash: UInt32, frame t: Int32) {
        let lo = Int(library.starts[Int(hash)]), hi = Int(library.starts[Int(hash) + 1])
        if lo < hi {
            // The pair's second peak (its frames after the first are the hash's low bits).
            let end = t + Int32(hash & 31)
            for i in lo..<hi {
                let e = library.entries[i]
                let track = e >> KnownAudioLibrary.frameBits
                if !excluded.isEmpty && excluded[Int(track)] { continue }
                let offset = Int32(e & ((1 << KnownAudioLibrary.frameBits) - 1)) - t
                // One offset ±1 frame (the recording's frames fall between the track's): the
                // neighbour already counting, the one with more votes first.
                var best: Dictionary<UInt64, Cluster>.Index?
                var bestVotes = 0
                for d: Int32 in 0...2 {
                    let k = Self.key(track: track, offset: offset + (d == 2 ? 1 : -d))
                    if let idx = clusters.index(forKey: k) {
                        let c = clusters.values[idx]
                        if c.last >= t - Self.maxGapFrames, c.starts.count > bestVotes {
                            best = idx
                            bestVotes = c.starts.count
                        }
                    }
                }
                if let idx = best {
                    clusters.values[idx].starts.append(t)
                    clusters.values[idx].last = max(clusters.values[idx].last, end)
                } else {
                    let k = Self.key(track: track, offset: offset)
                    if let idx = clusters.index(forKey: k) {
                        // Its votes stopped more than 3 s ago: they are done, and start anew.
                        close(key: k, clusters.values[idx])
                        clusters.values[idx] = Cluster(starts: [t], last: end)
                    } else {
                        clusters[k] = Cluster(starts: [t], last: end)
                    }
                }
            }
        }
        if t - lastPrune > 64 {
            prune(before: t - Self.maxGapFrames)
            lastPrune = t
        }
    }

    /// Closes the votes whose last landmark lies before `frame`.
    private mutating func prune(before frame: Int32) {
        let done = clusters.filter { $0.value.last < frame }
        for (k, c) in done {
            clusters.removeValue(forKey: k)
            close(key: k, c)
        }
    }

    /// A cluster's match: from its first dense vote to its last (each vote with at least
    /// `minVotes` within `window` around it is dense; a lone one at either end, more than
    /// `maxLoneFrames` from the next, is a stray landmark before the music starts or after it
    /// stops and is left out), when that lasts `minMatchFrames` or more: a voice's short
    /// burst of votes (0.3–0.6 s of harmonics that pair like a chord's) is no match.
    private mutating func close(key k: UInt64, _ c: Cluster) {
        let n = c.starts.count
        guard n >= Self.minVotes else { return }
        var dense: [Int] = []
        var lo = 0, hi = 0
        for i in 0..<n {
            let t = c.starts[i]
            while c.starts[lo] < t - Self.window / 2 { lo += 1 }
            while hi < n && c.starts[hi] <= t + Self.window / 2 { hi += 1 }
            if hi - lo >= Self.minVotes { dense.append(i) }
        }
        var first = 0, last = dense.count - 1
        while first < last, c.starts[dense[first + 1]] - c.starts[dense[first]] > Self.maxLoneFrames { first += 1 }
        while last > first, c.starts[dense[last]] - c.starts[dense[last - 1]] > Self.maxLoneFrames { last -= 1 }
        guard last >= first, c.starts[dense[last]] - c.starts[dense[first]] >= Self.minMatchFrames else { return }
        let track = Int(k >> 32)
        let offset = Int32(bitPattern: UInt32(k & 0xFFFF_FFFF) ^ 0x8000_0000)
        // From the first landmark's first peak to the end of the last one's second peak's window.
        // Past the dense votes, the track's own votes at its offset, each within
        // `maxExtendFrames` of the one before: the music's first and last seconds, where
        // noise or a codec leaves fewer pairs whole (a vote at one offset by chance is rare).
        var from = dense[first], to = dense[last]
        while from > 0, c.starts[from] - c.starts[from - 1] <= Self.maxExtendFrames { from -= 1 }
        while to < n - 1, c.starts[to + 1] - c.starts[to] <= Self.maxExtendFrames { to += 1 }
        let a = c.starts[from]
        let startS = Double(a) * LandmarkExtractor.hopS
        // To the end of the last first peak's frame and three hops more: a pair whose second peak
        // lies after the music stopped still matches the track now and then (a noise peak
        // where the track's pair has its second peak: about one pair in 600), so the second
        // peaks are no measure of the end.
        let endS = Double(c.starts[to] + 3) * LandmarkExtractor.hopS + LandmarkExtractor.sizeS
        let span = FrameSpan(Int((startS / frameDuration).rounded(.down)), Int((endS / frameDuration).rounded(.up)))
        found.append(KnownAudioMatch(span: span, track: track, name: library.tracks[track].name,
                                     trackOffsetS: Double(a + offset) * LandmarkExtractor.hopS, landmarks: to - from + 1))
    }
}

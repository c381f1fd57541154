import CSndFile
import FileAccess
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads any recording libsndfile can decode (PCM, µ-law, A-law, GSM 6.10, IMA/MS ADPCM,
/// FLAC, Ogg Vorbis/Opus, MP3, …) as de-interleaved float blocks.
///
/// The only place that de-interleaves: `read(into:)` decodes interleaved floats into a
/// private buffer and splits them per channel. Memory is bounded by the block size.
public final class SndFileSource: AudioSource {
    public let format: AudioFormat
    /// The path as given by the caller, used in every message.
    public let path: String
    /// Set when libsndfile's header log shows the data chunk is shorter than declared
    /// (a truncated or still-being-written recording): `(declaredBytes, presentBytes)`.
    public let truncation: (declaredBytes: Int64, presentBytes: Int64)?
    /// Count of non-finite samples (NaN/Inf in float files) replaced by 0 so far.
    public private(set) var nonFiniteSamples: Int64 = 0
    /// Count of finite float samples beyond ±`maxFloatMagnitude` clipped to full scale so far.
    public private(set) var outOfRangeSamples: Int64 = 0
    /// Frames still to be read: the WAV `fact` chunk's count on GSM 6.10 (see `factCodecs`),
    /// else unlimited.
    private var framesLeft = Int64.max
    /// `framesLeft` comes from the fact chunk.
    private var boundedByFact = false

    private var handle: OpaquePointer?
    /// The file descriptor libsndfile reads from (closed in `deinit`).
    private var descriptor: Int32 = -1
    /// Read as 16-bit integers (see `shortCodecs`), else as floats.
    private let decodesToShort: Bool
    private var interleaved: [Float] = []
    private var shorts: [Int16] = []
    /// µ-law / A-law: the file's bytes through `sf_read_raw` and this table (G.711 code →
    /// float, equal to libsndfile's own decoding), one pass instead of decode, convert, split.
    private let g711Table: [Float]?
    /// Whether that table is µ-law's: stereo µ-law is expanded by arithmetic, eight frames at
    /// a time in vector lanes (`splitStereoMuLaw`), to the same values.
    private let muLaw: Bool
    private var bytes: [UInt8] = []

    /// Opens `path` for reading.
    /// - Throws: `AudioIOError` naming the file and libsndfile's reason.
    public init(path: String) throws(AudioIOError) {
        self.path = path
        // Regular files only, opened without blocking: a FIFO or a device named `x.wav`
        // would otherwise hang the open (or the first read) forever.
        let fd: Int32
        do { fd = try RegularFile.openDescriptor(path) } catch {
            throw .cannotOpen(path: path, reason: error.kind.map { "is \($0), not a regular file" } ?? error.reason.lowercased())
        }
        // Measured before libsndfile takes the descriptor (it may be unusable after a failed open).
        var st = stat()
        let empty = fstat(fd, &st) == 0 && st.st_size == 0
        var info = SF_INFO()
        // libsndfile does not close the descriptor (close_desc 0): `deinit` does.
        guard let h = sf_open_fd(fd, Int32(SFM_READ), &info, 0) else {
            let reason = String(cString: sf_strerror(nil))
            close(fd)
            if empty { throw .unsupportedFormat(path: path, reason: "file is empty") }
            throw .unsupportedFormat(path: path, reason: Self.clean(reason))
        }
        guard info.samplerate > 0, info.channels > 0 else {
            sf_close(h)
            close(fd)
            throw .invalidHeader(path: path, reason: "sample rate \(info.samplerate) Hz, \(info.channels) channel(s)")
        }
        // The analysis sizes its windows and filters from the sample rate: a header that
        // claims 2,147,483,647 Hz must not size an allocation. Real recordings are 8–48 kHz.
        guard Self.supportedSampleRates.contains(Int(info.samplerate)) else {
            sf_close(h)
            close(fd)
            throw .invalidHeader(path: path, reason: "sample rate \(info.samplerate) Hz is outside the supported range \(Self.supportedSampleRates.lowerBound)–\(Self.supportedSampleRates.upperBound) Hz")
        }
        handle = h
        descriptor = fd
        // Treat a float file's samples as full-scale ±1.0 and keep float values unclipped.
        let (container, encoding) = Self.describe(format: info.format)
        let log = Self.headerLog(handle: h)
        truncation = Self.truncation(log: log)
        let sub = info.format & Int32(SF_FORMAT_SUBMASK)
        var frames = Int64(info.frames)
        // Trusted only to take off the last block or two: a fact chunk of 0 or far short of
        // the data (a writer that never filled it in) is ignored.
        if Self.factCodecs.contains(sub), let declared = Self.factFrames(log: log), declared < frames,
           declared > 0, frames - declared <= 640 {
            frames = declared
            framesLeft = declared
            boundedByFact = true
        }
        format = AudioFormat(container: container, encoding: encoding, sampleRate: Int(info.samplerate),
                             channels: Int(info.channels), frames: frames)
        decodesToShort = Self.shortCodecs.contains(sub)
        g711Table = sub == Int32(SF_FORMAT_ULAW) ? G711.ulaw : sub == Int32(SF_FORMAT_ALAW) ? G711.alaw : nil
        #if _endian(little)
        muLaw = sub == Int32(SF_FORMAT_ULAW)
        #else
        muLaw = false   // `splitStereoMuLaw` reads each frame's two codes as one little-endian word
        #endif
    }

    deinit {
        if let handle { sf_close(handle) }
        if descriptor >= 0 { close(descriptor) }
    }

    /// Positions the next `read` at `frame` (0 = the first) with libsndfile's `sf_seek`, for
    /// serving a byte range of a recording without decoding it from the start.
    /// - Returns: false when the file cannot seek there (the position is then unspecified:
    ///   open the file again and read up to the frame instead).
    public func seek(toFrame frame: Int64) -> Bool {
        guard let handle, frame >= 0, frame <= format.frames else { return false }
        guard sf_seek(handle, sf_count_t(frame), SEEK_SET) == sf_count_t(frame) else { return false }
        // A fact-chunk count (GSM 6.10) bounds the frames from the new position on.
        framesLeft = boundedByFact ? format.frames - frame : Int64.max
        return true
    }

    /// Sample rates callqa analyses (Hz): telephony's 8 kHz up to studio 192 kHz. A header
    /// outside it is refused as an invalid recording before anything is allocated from it.
    public static let supportedSampleRates = 4_000...192_000


    public func read(into block: inout AudioBlock) throws(AudioIOError) -> Int {
        guard let handle else { return 0 }
        let channels = format.channels
        precondition(block.channels.count == channels, "block has \(block.channels.count) channels, file \(channels)")
        let want = Int(min(Int64(block.capacity), framesLeft))
        guard want > 0 else {
            block.frameCount = 0
            return 0
        }
        let got: Int
        if g711Table != nil {
            if bytes.count < want * channels { bytes = [UInt8](repeating: 0, count: want * channels) }
            let n = bytes.withUnsafeMutableBufferPointer { Int(sf_read_raw(handle, $0.baseAddress, sf_count_t(want * channels))) }
            got = max(0, n) / channels
        } else if decodesToShort {
            if shorts.count < want * channels { shorts = [Int16](repeating: 0, count: want * channels) }
            got = shorts.withUnsafeMutableBufferPointer { Int(sf_readf_short(handle, $0.baseAddress, sf_count_t(want))) }
        } else {
            if interleaved.count < want * channels { interleaved = [Float](repeating: 0, count: want * channels) }
            got = interleaved.withUnsafeMutableBufferPointer { Int(sf_readf_float(handle, $0.baseAddress, sf_count_t(want))) }
        }
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 {
                throw .readFailed(path: path, reason: Self.clean(String(cString: sf_error_number(code))))
            }
            block.frameCount = 0
            return 0
        }
        if let table = g711Table {
            // G.711: decoded and de-interleaved in one pass through the 256-entry table.
            table.withUnsafeBufferPointer { lut in
                let t = lut.baseAddress!
                bytes.withUnsafeBufferPointer {
                    if channels == 2 && muLaw {
                        Self.splitStereoMuLaw($0.baseAddress!, frames: got, into: &block.channels, table: t)
                    } else if channels == 2 {
                        Self.splitStereo($0.baseAddress!, frames: got, into: &block.channels, table: t)
                    } else {
                        Self.split($0.baseAddress!, frames: got, into: &block.channels) { t[Int($0)] }
                    }
                }
            }
        } else if decodesToShort {
            // Full scale 1.0 = 32768: exactly libsndfile's own float scaling of these codecs.
            let scale: Float = 1.0 / 32768
            shorts.withUnsafeBufferPointer { Self.split($0.baseAddress!, frames: got, into: &block.channels) { Float($0) * scale } }
        } else {
            interleaved.withUnsafeBufferPointer { Self.split($0.baseAddress!, frames: got, into: &block.channels) { $0 } }
            let (nonFinite, outOfRange) = Self.repairFloats(&block.channels, frames: got)
            nonFiniteSamples += nonFinite
            outOfRangeSamples += outOfRange
        }
        block.frameCount = got
        framesLeft -= Int64(got)
        return got
    }

    /// Calls `body` with the two channel buffers' storage of a stereo block (the second array
    /// moved out, not copied, meanwhile, so both may be written at once).
    @inline(__always)
    private static func withStereo(_ channels: inout [[Float]],
                                   _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        var right: [Float] = []
        swap(&right, &channels[1])
        defer { swap(&right, &channels[1]) }
        channels[0].withUnsafeMutableBufferPointer { a in
            right.withUnsafeMutableBufferPointer { b in body(a.baseAddress!, b.baseAddress!) }
        }
    }

    /// De-interleaves `frames` frames of `src` into the channel buffers, converting each
    /// sample; stereo in one pass over both channels (`withStereo`). Inlined, so each
    /// conversion compiles to its own tight loop.
    @inline(__always)
    private static func split<T>(_ src: UnsafePointer<T>, frames: Int, into channels: inout [[Float]],
                                 _ convert: (T) -> Float) {
        let count = channels.count
        if count == 2 {
            withStereo(&channels) { pa, pb in
                for f in 0..<frames {
                    pa[f] = convert(src[2 * f])
                    pb[f] = convert(src[2 * f + 1])
                }
            }
            return
        }
        for c in 0..<count {
            channels[c].withUnsafeMutableBufferPointer { dst in
                let d = dst.baseAddress!
                var i = c
                for f in 0..<frames {
                    d[f] = convert(src[i])
                    i += count
                }
            }
        }
    }

    /// Stereo G.711: both channels in one pass through the table, eight frames a turn by
    /// pointers (the generic loop above checks its index arithmetic for overflow: about a
    /// tenth of the whole analysis went to it).
    private static func splitStereo(_ src: UnsafePointer<UInt8>, frames: Int, into channels: inout [[Float]],
                                    table t: UnsafePointer<Float>) {
        withStereo(&channels) { left, right in
            var pa = left, pb = right, s = src
            let end8 = pa + (frames & ~7), end4 = pa + (frames & ~3), end = pa + frames
            // The codes eight at a time from one 64-bit load (little-endian: byte k is
            // bits 8k…8k+7), not a load per code: the loop is bound by its loads.
            @inline(__always) func code(_ w: UInt64, _ k: UInt64) -> Int { Int(truncatingIfNeeded: (w &>> (8 &* k)) & 0xFF) }
            while pa < end8 {
                let w0 = UnsafeRawPointer(s).loadUnaligned(as: UInt64.self).littleEndian
                let w1 = UnsafeRawPointer(s + 8).loadUnaligned(as: UInt64.self).littleEndian
                let a0 = SIMD4(t[code(w0, 0)], t[code(w0, 2)], t[code(w0, 4)], t[code(w0, 6)])
                let b0 = SIMD4(t[code(w0, 1)], t[code(w0, 3)], t[code(w0, 5)], t[code(w0, 7)])
                let a1 = SIMD4(t[code(w1, 0)], t[code(w1, 2)], t[code(w1, 4)], t[code(w1, 6)])
                let b1 = SIMD4(t[code(w1, 1)], t[code(w1, 3)], t[code(w1, 5)], t[code(w1, 7)])
                UnsafeMutableRawPointer(pa).storeBytes(of: a0, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(pa + 4).storeBytes(of: a1, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(pb).storeBytes(of: b0, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(pb + 4).storeBytes(of: b1, as: SIMD4<Float>.self)
                pa += 8; pb += 8; s += 16
            }
            while pa < end4 {
                pa[0] = t[Int(s[0])]; pb[0] = t[Int(s[1])]
                pa[1] = t[Int(s[2])]; pb[1] = t[Int(s[3])]
                pa[2] = t[Int(s[4])]; pb[2] = t[Int(s[5])]
                pa[3] = t[Int(s[6])]; pb[3] = t[Int(s[7])]
                pa += 4; pb += 4; s += 8
            }
            while pa < end {
                pa[0] = t[Int(s[0])]; pb[0] = t[Int(s[1])]
                pa += 1; pb += 1; s += 2
            }
        }
    }

    /// Stereo µ-law: G.711's expansion (`G711.ulaw`) worked out for eight frames at a time in
    /// vector lanes — the sixteen codes from one load as eight 16-bit words (left code in the
    /// low byte), segment and step by shifts and masks, each lane shifted by its own segment —
    /// instead of sixteen table loads: the loop was bound by its loads. The same floats as the
    /// table (the expansion is exact in integers, and 1/32768 a power of two); the tail
    /// through the table.
    private static func splitStereoMuLaw(_ src: UnsafePointer<UInt8>, frames: Int, into channels: inout [[Float]],
                                         table t: UnsafePointer<Float>) {
        withStereo(&channels) { left, right in
            var pa = left, pb = right, s = src
            let end8 = pa + (frames & ~7), end = pa + frames
            let scale = SIMD8<Float>(repeating: 1.0 / 32768)
            @inline(__always) func expand(_ code: SIMD8<Int32>) -> SIMD8<Float> {
                let u = ~code & 0xFF
                let magnitude = (((u & 0x0F) &<< 3) &+ 0x84) &<< ((u & 0x70) &>> 4)
                // Negative where the code's sign bit (after inversion) is set: ±1 by arithmetic
                // (a lane mask is built lane by lane).
                let sign = 1 &- 2 &* ((u &>> 7) & 1)
                return SIMD8<Float>((magnitude &- 0x84) &* sign) * scale
            }
            while pa < end8 {
                let words = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(s).loadUnaligned(as: SIMD8<UInt16>.self))
                UnsafeMutableRawPointer(pa).storeBytes(of: expand(words & 0xFF), as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(pb).storeBytes(of: expand(words &>> 8), as: SIMD8<Float>.self)
                pa += 8; pb += 8; s += 16
            }
            while pa < end {
                pa[0] = t[Int(s[0])]; pb[0] = t[Int(s[1])]
                pa += 1; pb += 1; s += 2
            }
        }
    }

    /// Float samples beyond this magnitude (36 dB over full scale) are no real signal: a
    /// float file of ±5e19 would overflow every square (peak `null`, clipping 0).
    public static let maxFloatMagnitude: Float = 64

    /// NaN/Inf can come from float files (and float decoders); they are replaced by 0 and
    /// counted. Finite samples beyond `maxFloatMagnitude` are clipped to full scale (±1,
    /// so levels report them as clipping) and counted.
    private static func repairFloats(_ channels: inout [[Float]], frames: Int) -> (nonFinite: Int64, outOfRange: Int64) {
        var bad: Int64 = 0, huge: Int64 = 0
        let limit = maxFloatMagnitude
        for c in 0..<channels.count {
            channels[c].withUnsafeMutableBufferPointer { dst in
                var clean = true
                for f in 0..<frames where !(abs(dst[f]) <= limit) { clean = false; break }
                if !clean {
                    for f in 0..<frames {
                        let v = dst[f]
                        if !v.isFinite { dst[f] = 0; bad += 1 }
                        else if abs(v) > limit { dst[f] = v > 0 ? 1 : -1; huge += 1 }
                    }
                }
            }
        }
        return (bad, huge)
    }

    /// Codecs whose samples are 16-bit integers at heart: libsndfile decodes them to shorts
    /// and scales by 1/32768 for floats, so reading shorts and scaling here gives the same
    /// floats bit for bit, skips a conversion pass, and needs no NaN check.
    private static let shortCodecs: Set<Int32> = [
        Int32(SF_FORMAT_PCM_S8), Int32(SF_FORMAT_PCM_U8), Int32(SF_FORMAT_PCM_16),
        Int32(SF_FORMAT_ULAW), Int32(SF_FORMAT_ALAW), Int32(SF_FORMAT_GSM610),
        Int32(SF_FORMAT_IMA_ADPCM), Int32(SF_FORMAT_MS_ADPCM),
    ]

    // MARK: - Helpers

    private static func clean(_ message: String) -> String {
        var m = message.trimmingCharacters(in: CharacterSet(charactersIn: " .\n"))
        if let first = m.first { m = first.lowercased() + m.dropFirst() }
        return m
    }

    /// GSM 6.10 codes blocks of 320 samples in WAV: libsndfile counts the last block whole,
    /// and where the data chunk was padded to an even length (its own files, sox's) it
    /// decodes one block more, of nothing: a burst near full scale (−5 dBFS, 60 ms, measured)
    /// that reads as talk at the end of the call. The WAV `fact` chunk holds the true count of
    /// samples: no more are read, where it is at most two blocks (640 samples) short of
    /// libsndfile's count. (Not applied to IMA ADPCM: libsndfile writes a wrong fact
    /// count there, 75,245 for 150,000 stereo frames.)
    private static let factCodecs: Set<Int32> = [Int32(SF_FORMAT_GSM610)]

    /// libsndfile's log of the header it parsed.
    private static func headerLog(handle: OpaquePointer) -> String {
        var log = [CChar](repeating: 0, count: 8192)
        let len = sf_command(handle, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count))
        guard len > 0 else { return "" }
        return String(decoding: log.prefix(Int(len)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The sample count of a WAV `fact` chunk, logged as "fact : 4" then "  frames  : N".
    private static func factFrames(log: String) -> Int64? {
        var inFact = false
        for line in log.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("fact") { inFact = true; continue }
            guard inFact else { continue }
            // The chunk's fields are indented under it; the next chunk ends it.
            guard line.first == " ", l.hasPrefix("frames"), let colon = l.firstIndex(of: ":") else {
                if line.first != " " { inFact = false }
                continue
            }
            return Int64(l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// libsndfile logs "data : N (should be M)" when a WAV/AIFF data chunk is cut short.
    private static func truncation(log text: String) -> (declaredBytes: Int64, presentBytes: Int64)? {
        for line in text.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("data"), let open = l.range(of: "(should be ") else { continue }
            // "data : 320000 (should be 159978)": the header's size, then what the file holds.
            let declared = l[l.index(after: l.firstIndex(of: ":") ?? l.startIndex)..<open.lowerBound]
                .trimmingCharacters(in: .whitespaces)
            let present = l[open.upperBound...].prefix { $0.isNumber }
            if let p = Int64(present), let d = Int64(declared), d > p { return (d, p) }
        }
        return nil
    }

    private static func describe(format: Int32) -> (String, String) {
        let major = format & Int32(SF_FORMAT_TYPEMASK)
        let sub = format & Int32(SF_FORMAT_SUBMASK)
        let containers: [Int32: String] = [
            Int32(SF_FORMAT_WAV): "WAV", Int32(SF_FORMAT_AIFF): "AIFF", Int32(SF_FORMAT_AU): "AU",
            Int32(SF_FORMAT_RAW): "RAW", Int32(SF_FORMAT_W64): "W64", Int32(SF_FORMAT_WAVEX): "WAVEX",
            Int32(SF_FORMAT_FLAC): "FLAC", Int32(SF_FORMAT_OGG): "OGG", Int32(SF_FORMAT_CAF): "CAF",
            Int32(SF_FORMAT_RF64): "RF64", Int32(SF_FORMAT_MPEG): "MPEG", Int32(SF_FORMAT_VOC): "VOC",
        ]
        let encodings: [Int32: String] = [
            Int32(SF_FORMAT_PCM_S8): "PCM8", Int32(SF_FORMAT_PCM_U8): "PCM8",
            Int32(SF_FORMAT_PCM_16): "PCM16", Int32(SF_FORMAT_PCM_24): "PCM24",
            Int32(SF_FORMAT_PCM_32): "PCM32", Int32(SF_FORMAT_FLOAT): "float32",
            Int32(SF_FORMAT_DOUBLE): "float64", Int32(SF_FORMAT_ULAW): "µ-law",
            Int32(SF_FORMAT_ALAW): "A-law", Int32(SF_FORMAT_IMA_ADPCM): "IMA ADPCM",
            Int32(SF_FORMAT_MS_ADPCM): "MS ADPCM", Int32(SF_FORMAT_GSM610): "GSM 6.10",
            Int32(SF_FORMAT_G721_32): "G.721", Int32(SF_FORMAT_G723_24): "G.723",
            Int32(SF_FORMAT_VORBIS): "Vorbis", Int32(SF_FORMAT_OPUS): "Opus",
            Int32(SF_FORMAT_MPEG_LAYER_I): "MP1", Int32(SF_FORMAT_MPEG_LAYER_II): "MP2",
            Int32(SF_FORMAT_MPEG_LAYER_III): "MP3", Int32(SF_FORMAT_VOX_ADPCM): "VOX ADPCM",
        ]
        return (containers[major] ?? "0x" + String(major, radix: 16), encodings[sub] ?? "0x" + String(sub, radix: 16))
    }
}


/// ITU-T G.711 expansion, as 16-bit linear values scaled to full scale 1.0 = 32768.
enum G711 {
    /// µ-law code → float.
    static let ulaw: [Float] = (0..<256).map { code in
        let u = ~UInt8(code)
        let t = ((Int(u & 0x0F) << 3) + 0x84) << Int((u & 0x70) >> 4)
        let v = (u & 0x80) != 0 ? 0x84 - t : t - 0x84
        return Float(v) / 32768
    }
    /// A-law code → float.
    static let alaw: [Float] = (0..<256).map { code in
        let a = UInt8(code) ^ 0x55
        var t = Int(a & 0x0F) << 4
        let segment = Int((a & 0x70) >> 4)
        switch segment {
        case 0: t += 8
        case 1: t += 0x108
        default: t = (t + 0x108) << (segment - 1)
        }
        return Float((a & 0x80) != 0 ? t : -t) / 32768
    }
}

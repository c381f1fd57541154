import AudioIO

/// Which channels of a recording to serve.
public enum ChannelSelection: String, Sendable, CaseIterable {
    /// Every channel of the file (stereo stays stereo).
    case both
    /// The first channel only, as mono (a mono file: its one channel).
    case left
    /// The second channel only, as mono (a mono file: its one channel).
    case right
}

/// What a `Range` header asks of a resource of `total` bytes (RFC 9110 §14).
public enum RangeRequest: Sendable, Equatable {
    /// No range, or one the server may ignore (several ranges, a malformed header): 200.
    case full
    /// One satisfiable range, both ends inclusive and inside the resource: 206.
    case partial(ClosedRange<Int64>)
    /// A range that starts past the end (or an empty suffix): 416.
    case unsatisfiable

    /// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n`.
    public init(header: String?, total: Int64) {
        guard let header else { self = .full; return }
        let h = header.trimmingCharacters(in: " \t")
        guard h.lowercased().hasPrefix("bytes="), total >= 0 else { self = .full; return }
        let spec = h.dropFirst("bytes=".count).trimmingCharacters(in: " \t")
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .full; return }
        let first = spec[..<dash].trimmingCharacters(in: " \t"), last = spec[spec.index(after: dash)...].trimmingCharacters(in: " \t")
        if first.isEmpty {
            guard let n = Int64(last), n >= 0, last.allSatisfy(\.isASCII) else { self = .full; return }
            if n == 0 || total == 0 { self = .unsatisfiable; return }
            self = .partial(max(0, total - n)...(total - 1))
            return
        }
        guard let a = Int64(first), a >= 0 else { self = .full; return }
        var b = total - 1
        if !last.isEmpty {
            guard let e = Int64(last), e >= 0 else { self = .full; return }
            if e < a { self = .full; return }  // invalid: ignored, as RFC 9110 says
            b = min(e, total - 1)
        }
        if a >= total { self = .unsatisfiable; return }
        self = .partial(a...b)
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}

/// A recording decoded by libsndfile to a 16-bit PCM WAV, which every browser plays,
/// whatever the stored codec. The header is computed from the frame count, so any byte
/// range is served by seeking to its first frame (`sf_seek`) — or, where the codec cannot
/// seek, by decoding up to it — never by decoding the whole file first.
public struct DecodedWAV: Sendable {
    public let path: String
    public let channel: ChannelSelection
    public let sampleRate: Int
    /// Channels of the stored file.
    public let sourceChannels: Int
    /// Channels of the WAV served: the file's for `.both`, else 1.
    public let outputChannels: Int
    /// Frames served: those the file declares, capped so the WAV stays under 4 GiB.
    public let frames: Int64

    /// Size of the canonical WAV header (RIFF, `fmt ` of 16 bytes, `data`).
    public static let headerBytes: Int64 = 44

    /// Reads the recording's format (the file is opened and closed again).
    public init(path: String, channel: ChannelSelection) throws(AudioIOError) {
        let source = try SndFileSource(path: path)
        let f = source.format
        self.path = path
        self.channel = channel
        sampleRate = f.sampleRate
        sourceChannels = f.channels
        outputChannels = channel == .both ? f.channels : 1
        let bytesPerFrame = Int64(outputChannels * 2)
        frames = max(0, min(f.frames, (Int64(UInt32.max) - 36) / bytesPerFrame))
    }

    /// Bytes per frame of the output.
    public var blockAlign: Int64 { Int64(outputChannels * 2) }
    /// Bytes of sample data.
    public var dataBytes: Int64 { frames * blockAlign }
    /// Bytes of the whole WAV.
    public var totalBytes: Int64 { Self.headerBytes + dataBytes }

    /// The 44-byte RIFF/WAVE header (PCM, 16 bits, little-endian).
    public func header() -> [UInt8] {
        var h: [UInt8] = []
        h.reserveCapacity(44)
        func u32(_ v: UInt32) { h += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        func u16(_ v: UInt16) { h += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        h += Array("RIFF".utf8); u32(UInt32(36 + dataBytes)); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(1); u16(UInt16(outputChannels)); u32(UInt32(sampleRate))
        u32(UInt32(sampleRate) * UInt32(blockAlign)); u16(UInt16(blockAlign)); u16(16)
        h += Array("data".utf8); u32(UInt32(dataBytes))
        return h
    }

    /// Frames decoded per step (about 1 s of 8 kHz audio).
    static let chunkFrames = 8192

    /// Writes the bytes `range` (inclusive, inside `0..<totalBytes`) of the WAV to `emit` in
    /// pieces. A file that decodes to fewer frames than it declared (truncated) is padded
    /// with silence, so the length always matches the header.
    /// - Parameter seeking: reach the first frame with `sf_seek` when the codec allows it
    ///   (false: decode up to it, as for codecs that cannot seek).
    /// - Returns: how the first frame was reached: `true` by `sf_seek`, `false` by decoding up to it.
    @discardableResult
    public func write(range: ClosedRange<Int64>, seeking: Bool = true, to emit: ([UInt8]) async throws -> Void) async throws -> Bool {
        var position = range.lowerBound
        let end = range.upperBound
        if position < Self.headerBytes {
            let header = header()
            try await emit(Array(header[Int(position)...Int(min(end, Self.headerBytes - 1))]))
            position = Self.headerBytes
        }
        guard position <= end else { return true }
        let firstFrame = (position - Self.headerBytes) / blockAlign
        let lastFrame = (end - Self.headerBytes) / blockAlign
        var skipBytes = Int((position - Self.headerBytes) % blockAlign)
        var source = try SndFileSource(path: path)
        var seeked = true
        if firstFrame > 0, !(seeking && source.seek(toFrame: firstFrame)) {
            seeked = false
            source = try SndFileSource(path: path)
            // Blocks never reach past the first frame wanted, so nothing is decoded twice.
            var discard = AudioBlock(channelCount: sourceChannels, capacity: Self.chunkFrames)
            var skipped: Int64 = 0
            while skipped < firstFrame {
                let want = Int(min(Int64(Self.chunkFrames), firstFrame - skipped))
                if discard.capacity != want { discard = AudioBlock(channelCount: sourceChannels, capacity: want) }
                let n = try source.read(into: &discard)
                if n == 0 { break }
                skipped += Int64(n)
                await Task.yield()
            }
        }
        var block = AudioBlock(channelCount: sourceChannels, capacity: Self.chunkFrames)
        var frame = firstFrame
        var exhausted = false
        while frame <= lastFrame {
            let want = Int(min(Int64(Self.chunkFrames), lastFrame - frame + 1))
            var got = 0
            if !exhausted {
                got = min(try source.read(into: &block), want)
                if got == 0 { exhausted = true }
            }
            let count = exhausted ? want : got
            var out = [UInt8](repeating: 0, count: count * Int(blockAlign))
            if !exhausted { encode(block, frames: got, into: &out) }
            if skipBytes > 0 {
                out.removeFirst(min(skipBytes, out.count))
                skipBytes = 0
            }
            let lastByteOfChunk = Self.headerBytes + (frame + Int64(count)) * blockAlign - 1
            if lastByteOfChunk > end { out.removeLast(Int(lastByteOfChunk - end)) }
            try await emit(out)
            frame += Int64(count)
            await Task.yield()
        }
        return seeked
    }

    /// Interleaves the selected channels as 16-bit little-endian samples.
    private func encode(_ block: AudioBlock, frames: Int, into out: inout [UInt8]) {
        let selected: [Int] = switch channel {
        case .both: Array(0..<sourceChannels)
        case .left: [0]
        case .right: [min(1, sourceChannels - 1)]
        }
        var i = 0
        for f in 0..<frames {
            for c in selected {
                // Full scale 1.0 = 32768, as libsndfile scales 16-bit samples.
                let v = Int32((block.channels[c][f] * 32768).rounded())
                let s = UInt16(bitPattern: Int16(clamping: v))
                out[i] = UInt8(s & 0xFF)
                out[i + 1] = UInt8(s >> 8)
                i += 2
            }
        }
    }
}

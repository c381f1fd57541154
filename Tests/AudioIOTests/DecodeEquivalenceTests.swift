import AudioIO
import CSndFile
import Foundation
import Testing

/// The reader takes shortcuts for speed (G.711 bytes through its own table, stereo µ-law by
/// arithmetic eight frames at a time, 16-bit codecs read as shorts and scaled here); every
/// sample must still equal libsndfile's own float decode of the same file, bit for bit.
@Suite struct DecodeEquivalenceTests {
    /// All decoded samples through `SndFileSource`, channel by channel.
    static func viaReader(_ path: String) throws -> [[Float]] {
        let src = try SndFileSource(path: path)
        var out = [[Float]](repeating: [], count: src.format.channels)
        var block = AudioBlock(channelCount: src.format.channels, capacity: 1000)   // odd size: blocks end mid-file
        while try src.read(into: &block) > 0 {
            for c in 0..<out.count { out[c] += block.channels[c][0..<block.frameCount] }
        }
        return out
    }

    /// All samples through libsndfile's `sf_readf_float`, de-interleaved here.
    static func viaLibsndfile(_ path: String) -> [[Float]] {
        var info = SF_INFO()
        guard let h = sf_open(path, Int32(SFM_READ), &info) else { return [] }
        defer { sf_close(h) }
        let channels = Int(info.channels)
        var inter = [Float](repeating: 0, count: Int(info.frames) * channels)
        let got = Int(sf_readf_float(h, &inter, info.frames))
        return (0..<channels).map { c in (0..<got).map { inter[$0 * channels + c] } }
    }

    static let formats: [(String, Int32, Int)] = [
        ("eq-ulaw.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_ULAW), 2),
        ("eq-alaw.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_ALAW), 2),
        ("eq-ulaw-mono.au", Int32(SF_FORMAT_AU | SF_FORMAT_ULAW), 1),
        ("eq-pcm16.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), 2),
        ("eq-pcm16.aiff", Int32(SF_FORMAT_AIFF | SF_FORMAT_PCM_16), 2),
        ("eq-pcm8.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_U8), 2),
        ("eq-ima.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM), 2),
        ("eq-msadpcm.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_MS_ADPCM), 2),
        ("eq-gsm.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_GSM610), 1),
        ("eq-float.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), 2),
        ("eq-pcm24.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24), 3),
    ]

    @Test(arguments: formats.map(\.0))
    func sameSamplesAsLibsndfile(name: String) throws {
        let (_, format, channels) = Self.formats.first { $0.0 == name }!
        // A sweep over the whole range (every G.711 code appears), then a call.
        let sweep = (0..<70_000).map { i in Float(i % 65_536) / 32_768 - 1 }
        let call = Fixtures.call()
        let signal = (0..<channels).map { c in (c == 0 ? sweep : sweep.reversed()) + call[c % 2] }
        let path = Fixtures.write(name, signal, format: format)
        let expected = Self.viaLibsndfile(path)
        let got = try Self.viaReader(path)
        #expect(expected.count == channels && got.count == channels)
        // Block codecs (GSM 6.10, ADPCM): libsndfile counts a padded last block whole and may
        // decode one more; the reader stops at the samples written on GSM (the WAV fact
        // chunk) and reads ADPCM's last block as libsndfile does.
        let written = signal[0].count
        for c in 0..<channels {
            let want = format & Int32(SF_FORMAT_SUBMASK) == Int32(SF_FORMAT_GSM610) ? written : expected[c].count
            #expect(got[c].count == want, "\(name) channel \(c): \(got[c].count) samples, \(written) written")
            #expect(expected[c].count >= written, "\(name) channel \(c): libsndfile decodes \(expected[c].count)")
            let firstDifference = zip(got[c], expected[c].prefix(written)).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
            #expect(firstDifference == nil, "\(name) channel \(c): sample \(firstDifference?.offset ?? -1) differs")
        }
    }

    /// The two G.711 tables hold all 256 codes as libsndfile decodes them.
    @Test func everyG711CodeDecodesAsLibsndfile() throws {
        for (ext, major, sub) in [("ulaw", SF_FORMAT_WAV, SF_FORMAT_ULAW), ("alaw", SF_FORMAT_WAV, SF_FORMAT_ALAW)] {
            // A raw file of the 256 codes, opened by libsndfile as headerless G.711.
            let path = Fixtures.writeBytes("codes.\(ext).raw", (0..<256).map { UInt8($0) })
            var info = SF_INFO()
            info.samplerate = 8000
            info.channels = 1
            info.format = Int32(SF_FORMAT_RAW) | Int32(sub)
            let h = try #require(sf_open(path, Int32(SFM_READ), &info))
            var reference = [Float](repeating: 0, count: 256)
            #expect(sf_readf_float(h, &reference, 256) == 256)
            sf_close(h)
            // The same codes in a WAV through the reader.
            let wavPath = Fixtures.dir + "/codes.\(ext).wav"
            var winfo = SF_INFO()
            winfo.samplerate = 8000
            winfo.channels = 1
            winfo.format = Int32(major) | Int32(sub)
            let w = try #require(sf_open(wavPath, Int32(SFM_WRITE), &winfo))
            var codes = (0..<256).map { UInt8($0) }
            #expect(sf_write_raw(w, &codes, 256) == 256)
            sf_close(w)
            let decoded = try Self.viaReader(wavPath)[0]
            #expect(decoded.map(\.bitPattern) == reference.map(\.bitPattern), "\(ext) table")
        }
    }
}

import AudioIO
import CallAnalysis
import CallQAModel
import FileDigest
import Foundation

/// Why the hold-music library could not be read.
public struct HoldMusicError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The site's hold music and announcements, read from files and folders (`--hold-music`,
/// settings `analysis.hold_music`): every audio file libsndfile decodes (folders searched with
/// their subfolders, one per Asterisk music-on-hold class), mixed to mono and brought to 8 kHz.
public enum HoldMusicLibrary {
    /// File kinds taken from a folder; anything else there (a README, Asterisk's raw `.ulaw`
    /// and `.sln` copies, which carry no header to decode them by) is passed over.
    static let audioExtensions: [String] = ["wav", "flac", "wv", "ogg", "oga", "opus", "mp3", "gsm", "au", "snd", "aif", "aiff",
                                            "caf", "w64", "rf64"]

    /// The library of `paths`, or nil when there are none.
    public static func load(optional paths: [String]) throws(HoldMusicError) -> KnownAudioLibrary? {
        paths.isEmpty ? nil : try load(paths: paths)
    }

    /// Reads the library. A file named that cannot be decoded, a folder with no audio file,
    /// a path that does not exist: an error naming it.
    public static func load(paths: [String]) throws(HoldMusicError) -> KnownAudioLibrary {
        var files: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw HoldMusicError(message: "hold music '\(path)': no such file or folder")
            }
            if isDir.boolValue {
                let found = audioFiles(in: path)
                if found.isEmpty {
                    throw HoldMusicError(message: "hold music '\(path)': no audio file in the folder (expected \(audioExtensions.joined(separator: ", ")); Asterisk's raw .ulaw/.alaw/.sln copies have no header: convert them with sox or install the -wav package)")
                }
                files += found
            } else {
                files.append(path)
            }
        }
        // A file named twice (a path and a folder holding it, a link) is read once.
        var seen: Set<String> = []
        files = files.filter { seen.insert(($0 as NSString).resolvingSymlinksInPath).inserted }
        guard files.count <= KnownAudioLibrary.maxTracks else {
            throw HoldMusicError(message: "hold music: \(files.count) files, at most \(KnownAudioLibrary.maxTracks) are taken")
        }
        // Track by track: each file's samples are fingerprinted and let go before the next is
        // read. The digest: each file's name and SHA-256 (libcrypto).
        var builder = KnownAudioLibrary.Builder()
        var digest = SHA256()
        for file in files {
            let samples = try decode(file)
            let name = (file as NSString).lastPathComponent
            let sha: String
            do { sha = try FileDigest.sha256(path: file).sha } catch {
                throw HoldMusicError(message: "hold music '\(file)': \(error.description)")
            }
            builder.add(name: name, samples: samples)
            digest.update(Array("\(name)|\(sha)\n".utf8))
        }
        return builder.build(digest: String(SHA256.hex(digest.finalize()).prefix(16)))
    }

    /// Audio files under `folder`, sorted by path; of files with one name in several formats
    /// (Asterisk ships `x.wav`, `x.gsm`, …), the first of `audioExtensions`' order. Symbolic
    /// links to folders are followed (Debian links `/var/lib/asterisk/moh` to
    /// `/usr/share/asterisk/moh`), each folder once.
    public static func audioFiles(in folder: String) -> [String] {
        var byStem: [String: String] = [:]
        var visited: Set<String> = []
        func walk(_ dir: String) {
            let real = (dir as NSString).resolvingSymlinksInPath
            guard visited.insert(real).inserted,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: real) else { return }
            for name in names.sorted() {
                let full = (dir as NSString).appendingPathComponent(name)
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    walk(full)
                    continue
                }
                let ext = (name as NSString).pathExtension.lowercased()
                guard let rank = audioExtensions.firstIndex(of: ext) else { continue }
                let stem = (full as NSString).deletingPathExtension
                if let have = byStem[stem], let r = audioExtensions.firstIndex(of: (have as NSString).pathExtension.lowercased()),
                   r <= rank {
                    continue
                }
                byStem[stem] = full
            }
        }
        walk(folder)
        return byStem.values.sorted()
    }

    /// The file's samples, mono, at 8 kHz.
    static func decode(_ file: String) throws(HoldMusicError) -> [Float] {
        var source: SndFileSource
        do { source = try SndFileSource(path: file) } catch {
            throw HoldMusicError(message: "hold music '\(file)': \(error.description)")
        }
        let format = source.format
        var block = AudioBlock(channelCount: format.channels, capacity: 16_384)
        var mono: [Float] = []
        // Past `maxTrackS` nothing is indexed: not read either.
        let maxSamples = Int(KnownAudioLibrary.maxTrackS * Double(format.sampleRate))
        while mono.count < maxSamples {
            let n: Int
            do { n = try source.read(into: &block) } catch {
                throw HoldMusicError(message: "hold music '\(file)': \(error.description)")
            }
            if n == 0 { break }
            let scale = 1 / Float(format.channels)
            for i in 0..<n {
                var v: Float = 0
                for c in 0..<format.channels { v += block.channels[c][i] }
                mono.append(v * scale)
            }
        }
        guard !mono.isEmpty else { throw HoldMusicError(message: "hold music '\(file)': no samples") }
        return resample(mono, from: format.sampleRate, to: KnownAudioLibrary.sampleRate)
    }

    /// Windowed-sinc resampling (Hann window, 16 zero crossings each side of the slower rate's
    /// filter, cut-off at 0.92 of the lower Nyquist frequency), the kernel tabulated at 1/512 of
    /// a sample and interpolated linearly.
    static func resample(_ x: [Float], from rate: Int, to target: Int) -> [Float] {
        guard rate != target, rate > 0, !x.isEmpty else { return x }
        let ratio = Double(target) / Double(rate)
        let c = min(1.0, ratio) * 0.92
        let half = Int((16 / min(1.0, ratio)).rounded(.up))
        let steps = 512
        // kernel[j]: the filter at distance j / steps input samples (0 … half).
        let kernel: [Double] = (0...(half * steps + 1)).map { j in
            let d = Double(j) / Double(steps)
            let u = d / Double(half)
            guard u < 1 else { return 0 }
            let z = c * d
            let sinc = z == 0 ? 1.0 : sin(Double.pi * z) / (Double.pi * z)
            return c * sinc * (0.5 + 0.5 * cos(Double.pi * u))
        }
        let count = Int((Double(x.count) * ratio).rounded(.down))
        var out = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xs in
            kernel.withUnsafeBufferPointer { kb in
                for i in 0..<count {
                    let t = Double(i) / ratio
                    let center = Int(t.rounded(.down))
                    var acc = 0.0
                    for k in max(0, center - half + 1)...min(xs.count - 1, center + half) {
                        let pos = abs(t - Double(k)) * Double(steps)
                        let j = Int(pos)
                        guard j < half * steps else { continue }
                        let f = pos - Double(j)
                        acc += Double(xs[k]) * (kb[j] + (kb[j + 1] - kb[j]) * f)
                    }
                    out[i] = Float(acc)
                }
            }
        }
        return out
    }
}

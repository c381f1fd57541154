import AudioIO
import CallAnalysis
import CallQAModel
import CallRecords
import Foundation

/// A stretch of a recording kept as the site's hold music (`callqa learn-hold-music`).
public struct LearnedStretch: Sendable, Equatable {
    /// The party whose channel played it (`mixed` on a mono recording).
    public var party: Party
    /// The recording's channel, 0-based.
    public var channel: Int
    /// The part kept, in the recording (s).
    public var startS: Double
    public var endS: Double
    /// The file written (in the output folder).
    public var file: String
}

/// Learning a site's music on hold from its own recordings. A contact center plays a handful of
/// pieces on hold, call after call; conversation never repeats itself sample for sample. What
/// step 6 judges hold as a whole in some calls (`RecordingAnalysis.judgedHold`: no piece chained
/// to hold, no music side of a split, no tone) is a piece of that music, and given back as the
/// hold-music library (`--hold-music`, settings `analysis.hold_music`) it finds the same music
/// where step 6 took it for talk in other calls (README, "the site's hold music learned from its
/// own calls": on the held-out draws, hold counted as talk fell to 13–61 % of what it was).
public enum HoldMusicLearning {
    /// Judged hold kept from this long on (s): shorter stretches carry too few landmarks to match
    /// and are more often a slow prompt taken for music.
    public static let defaultMinS = 4.0
    /// Left off each end of a stretch kept (s): words right before or after the music.
    public static let defaultTrimS = 0.5
    /// A channel that carried voices behind its talker (`PartyMetrics.backgroundVoicesShare`) more
    /// than this share of the call is not learned from: the voices are under its music too, and
    /// a library holding them finds them behind another call's talker (on the held-out draws,
    /// learned floor babble matched in a call with no hold at all, its customer's 4.7 s of words
    /// taken off with the "hold"). On the tuning draw `tmoh` the channels with hold carried them
    /// 0–9.5 % of the call, or 22 % and more.
    public static let maxVoicesBehindShare = 0.1

    /// The stretches of `analysis` to keep: on each channel analysed that carried voices behind
    /// its talker no more than `maxVoicesBehindShare` of the call, every stretch judged hold as a
    /// whole of at least `minS`, less `trimS` at each end (10 ms frames).
    public static func stretches(of analysis: RecordingAnalysis, minS: Double = defaultMinS,
                                 trimS: Double = defaultTrimS) -> [(party: Party, channel: Int, span: FrameSpan)] {
        let minFrames = frames(minS), trim = frames(trimS)
        var kept: [(party: Party, channel: Int, span: FrameSpan)] = []
        for line in lines(of: analysis) where line.voicesShare <= maxVoicesBehindShare {
            for s in line.judgedHold where s.length >= minFrames && s.length > 2 * trim {
                kept.append((line.party, line.channel, FrameSpan(s.start + trim, s.end - trim)))
            }
        }
        return kept
    }

    /// Each channel analysed: its party, its channel in the file, the share of the call it carried
    /// voices behind its talker, and its judged hold.
    private static func lines(of analysis: RecordingAnalysis) -> [(party: Party, channel: Int, voicesShare: Double, judgedHold: [FrameSpan])] {
        let parties: [Party] = analysis.channelsUsed.count == 2 ? [.agent, .customer] : [.mixed]
        return zip(analysis.channelsUsed, analysis.judgedHold).enumerated().map { i, line in
            (parties[i], line.0, analysis.metrics.parties[parties[i]]?.backgroundVoicesShare ?? 0, line.1)
        }
    }

    /// The channels of `analysis` with judged hold of at least `minS` that are not learned from
    /// for the voices behind their talker: the party, the share of the call they carried voices,
    /// and the seconds of such hold left out (so that the command can say why nothing was learned).
    public static func leftOutForVoices(of analysis: RecordingAnalysis, minS: Double = defaultMinS) -> [(party: Party, share: Double, seconds: Double)] {
        let minFrames = frames(minS)
        return lines(of: analysis).compactMap { line in
            let frames = line.judgedHold.filter { $0.length >= minFrames }.reduce(0) { $0 + $1.length }
            return line.voicesShare > maxVoicesBehindShare && frames > 0
                ? (line.party, line.voicesShare, Double(frames) * frameDuration) : nil
        }
    }

    /// Other recordings whose judged hold must play a second of a stretch for it to be kept, by
    /// default: conversation never repeats itself sample for sample, the site's music does. A
    /// stretch judged hold as a whole that runs on from the music into a recorded prompt or a
    /// party's words keeps only its music (on two blind held-out draws, such a stretch learned whole
    /// took 2.2 and 2.4 s of another call's words for hold).
    public static let defaultRecurrence = 1

    /// The source a library file was learned from: the recording digest its name starts with (see
    /// `fileName`), else the file's own name (a file put into the folder by hand is a source of
    /// its own).
    public static func source(ofFile path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let head = name.prefix(13)
        let isDigest = head.count == 13 && head.last == "-" && head.dropLast().allSatisfy { "0123456789abcdef".contains($0) }
        return isDigest ? String(head.dropLast()) : name
    }

    /// The parts of a stretch `length` frames long that at least `recurrence` other sources play
    /// (`occurrences`: where each source's file was found in the stretch, 10 ms frames of it),
    /// less `trimS` at each end that lies inside the stretch (its own ends were trimmed when it
    /// was kept; within half of `trimS` of them counts as reaching them), each at least as long as
    /// the shortest stretch kept (`minS` less twice `trimS`). `recurrence` 0 keeps the whole stretch.
    public static func recurringParts(length: Int, occurrences: [(source: String, span: FrameSpan)], recurrence: Int,
                                      minS: Double = defaultMinS, trimS: Double = defaultTrimS) -> [FrameSpan] {
        guard length > 0 else { return [] }
        guard recurrence > 0 else { return [FrameSpan(0, length)] }
        // Per frame, the sources heard there (each source's spans united first: a looping piece
        // found at two offsets counts once).
        var bySource: [String: [FrameSpan]] = [:]
        for o in occurrences {
            let span = FrameSpan(max(0, o.span.start), min(length, o.span.end))
            if span.length > 0 { bySource[o.source, default: []].append(span) }
        }
        var change = [Int](repeating: 0, count: length + 1)
        for spans in bySource.values {
            for s in SpanMath.normalize(spans) {
                change[s.start] += 1
                change[s.end] -= 1
            }
        }
        // As long as the shortest stretch kept (judged hold of `minS` less the trim at each end).
        let trim = frames(trimS), minFrames = frames(minS) - 2 * trim
        var parts: [FrameSpan] = []
        var heard = 0, start: Int?
        for i in 0...length {
            if i < length { heard += change[i] }
            let enough = i < length && heard >= recurrence
            if enough, start == nil { start = i }
            if !enough, let a = start {
                // A part heard to within half the trim of the stretch's end reaches it: a signal's
                // last frames give fewer landmarks, so a match stops a few frames short of the end.
                let from = a > trim / 2 ? a + trim : 0, to = i < length - trim / 2 ? i - trim : length
                if to - from >= minFrames { parts.append(FrameSpan(from, to)) }
                start = nil
            }
        }
        return parts
    }

    /// Of each stretch `staged` (written by `write`), the parts that at least `recurrence` sources
    /// other than its own recording play (`recurringParts`): the stretches themselves and the
    /// library files `others` (the folder's files learned before, from other recordings, or put
    /// there by hand) are fingerprinted as a hold-music library, in chunks of at most
    /// `KnownAudioLibrary.maxTracks` files, and each stretch is searched for all of them but its
    /// own recording's. Per stretch, 10 ms frames of it. A file of `others` that cannot be decoded
    /// is passed over, its error appended to `passedOver`.
    public static func recurringParts(of staged: [LearnedStretch], others: [String], recurrence: Int,
                                      minS: Double = defaultMinS, trimS: Double = defaultTrimS,
                                      passedOver: inout [HoldMusicError]) throws(HoldMusicError) -> [[FrameSpan]] {
        guard recurrence > 0 else {
            return staged.map { [FrameSpan(0, frames($0.endS - $0.startS))] }
        }
        let files = staged.map(\.file) + others
        var libraries: [(library: KnownAudioLibrary, sources: [String])] = []
        for chunk in stride(from: 0, to: files.count, by: KnownAudioLibrary.maxTracks) {
            var builder = KnownAudioLibrary.Builder()
            var sources: [String] = []
            for (i, file) in files.enumerated().dropFirst(chunk).prefix(KnownAudioLibrary.maxTracks) {
                let samples: [Float]
                do throws(HoldMusicError) { samples = try HoldMusicLibrary.decode(file) } catch {
                    if i < staged.count { throw error }
                    passedOver.append(error)
                    continue
                }
                builder.add(name: (file as NSString).lastPathComponent, samples: samples)
                sources.append(source(ofFile: file))
            }
            libraries.append((builder.build(digest: "learning-\(chunk)"), sources))
        }
        var parts: [[FrameSpan]] = []
        for s in staged {
            // Decoded again, not kept from the library's pass: a day's stretches at 8 kHz would
            // hold gigabytes, the library only their landmarks.
            let own = source(ofFile: s.file), signal = try HoldMusicLibrary.decode(s.file)
            var heard: [(source: String, span: FrameSpan)] = []
            for (library, sources) in libraries {
                for m in library.occurrences(in: signal, sampleRate: KnownAudioLibrary.sampleRate, excluding: { sources[$0] == own }) {
                    heard.append((sources[m.track], m.span))
                }
            }
            parts.append(recurringParts(length: frames(s.endS - s.startS), occurrences: heard, recurrence: recurrence,
                                        minS: minS, trimS: trimS))
        }
        return parts
    }

    /// Writes `parts` (10 ms frames) of each stretch `staged` (files `write` made) into `folder`
    /// as the recording's learned files, in place of all those learned from it before.
    public static func place(_ staged: [LearnedStretch], parts: [[FrameSpan]], recording path: String,
                             into folder: String, key: [UInt8]) throws -> [LearnedStretch] {
        var pieces: [(stretch: LearnedStretch, samples: [Float], rate: Int)] = []
        for (s, spans) in zip(staged, parts) where !spans.isEmpty {
            var source = try SndFileSource(path: s.file)
            var block = AudioBlock(channelCount: source.format.channels, capacity: 16_384)
            var all: [Float] = []
            while true {
                let n = try source.read(into: &block)
                if n == 0 { break }
                all += block.channels[0][0..<n]
            }
            let rate = source.format.sampleRate
            for span in spans {
                let from = min(all.count, Int((Double(span.start) * frameDuration * Double(rate)).rounded()))
                let to = min(all.count, Int((Double(span.end) * frameDuration * Double(rate)).rounded()))
                guard from < to else { continue }
                var piece = s
                piece.startS = s.startS + Double(span.start) * frameDuration
                piece.endS = piece.startS + Double(to - from) / Double(rate)
                pieces.append((piece, Array(all[from..<to]), rate))
            }
        }
        removeLearned(recording: path, from: folder, key: key)
        var placed: [LearnedStretch] = []
        for var p in pieces {
            p.stretch.file = (folder as NSString).appendingPathComponent(fileName(recording: path, party: p.stretch.party, startS: p.stretch.startS, key: key))
            // Written whole under another name (not an audio file to the library), then renamed:
            // an interrupted run leaves no truncated file for the library to read.
            let part = p.stretch.file + ".part"
            try WAVWriter.writeMono16(path: part, samples: p.samples, sampleRate: p.rate)
            // Pieces of calls: readable by their owner only (the user that learns and analyses).
            if chmod(part, 0o600) != 0 || rename(part, p.stretch.file) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: part)
                throw AudioWriteError(path: p.stretch.file, reason: reason)
            }
            placed.append(p.stretch)
        }
        return placed
    }

    /// Removes the files learned from the recording at `path` from `folder` (those whose name
    /// starts with its digest, and a `.part` one an interrupted run left).
    public static func removeLearned(recording path: String, from folder: String, key: [UInt8]) {
        let prefix = digest(recording: path, key: key) + "-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(prefix) && (name.hasSuffix(".wav") || name.hasSuffix(".wav.part")) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

    /// `s` seconds as 10 ms frames, within 0…a day (`AnalysisParameters.maxDurationS`).
    private static func frames(_ s: Double) -> Int {
        Int((min(max(s.isNaN ? 0 : s, 0), AnalysisParameters.maxDurationS) / frameDuration).rounded())
    }

    /// The first 12 hex digits of the HMAC-SHA-256 under the folder's `key` of the recording's
    /// absolute path, links resolved: what its files' names start with. A recording's name may
    /// hold a caller's number, and a plain hash of a path is undone by trying every number.
    public static func digest(recording path: String, key: [UInt8]) -> String {
        let resolved = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).resolvingSymlinksInPath
        return String(SHA256.hexString(HMACSHA256.mac(key: key, message: Array(resolved.utf8))).prefix(12))
    }

    /// The file name of a stretch: the recording's `digest`, the party and the start (s).
    public static func fileName(recording path: String, party: Party, startS: Double, key: [UInt8]) -> String {
        "\(digest(recording: path, key: key))-\(party.rawValue)-\(String(format: "%.2f", startS)).wav"
    }

    /// The name of the file in a learned folder that holds its key (`digest`).
    public static let keyFileName = ".callqa-learn-key"

    /// The key of the learned folder `folder` (which must exist): read from its `keyFileName`, or,
    /// when there is none, 32 random bytes written there first (mode 0600; two runs that start
    /// together agree on one).
    public static func folderKey(_ folder: String) throws(HoldMusicError) -> [UInt8] {
        let path = (folder as NSString).appendingPathComponent(keyFileName)
        if !FileManager.default.fileExists(atPath: path) {
            var generator = SystemRandomNumberGenerator()
            let hex = SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }) + "\n"
            let temporary = path + ".\(UUID().uuidString)"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw HoldMusicError(message: "'\(path)': cannot write the folder's key")
            }
            // link() fails where another run made the key first: that one is read below.
            _ = link(temporary, path)
            unlink(temporary)
        }
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw HoldMusicError(message: "'\(path)': cannot read the folder's key")
        }
        let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        let digits = Array("0123456789abcdef".utf8)
        guard hex.count == 64, hex.allSatisfy(digits.contains) else {
            throw HoldMusicError(message: "'\(path)': expected the folder's key, 64 hex digits (0-9, a-f); remove the file to start the folder anew")
        }
        return stride(from: 0, to: 64, by: 2).map { UInt8(digits.firstIndex(of: hex[$0])! * 16 + digits.firstIndex(of: hex[$0 + 1])!) }
    }

    /// Reads the samples of `stretches` from the recording at `path` and writes each as a mono
    /// 16-bit WAV file at the recording's rate into `folder` (which must exist), in place of the
    /// files learned from the recording before (all of them: learned again with other lengths,
    /// or learning nothing now, none of the old ones stays). Nothing is written when the
    /// recording cannot be read to its end.
    public static func write(recording path: String, stretches: [(party: Party, channel: Int, span: FrameSpan)],
                             into folder: String, key: [UInt8]) throws -> [LearnedStretch] {
        guard !stretches.isEmpty else {
            removeLearned(recording: path, from: folder, key: key)
            return []
        }
        var source = try SndFileSource(path: path)
        let rate = Double(source.format.sampleRate)
        // Each stretch's samples, [first, end) in the file's frames.
        let ranges = stretches.map { s in
            (Int64((Double(s.span.start) * frameDuration * rate).rounded()), Int64((Double(s.span.end) * frameDuration * rate).rounded()))
        }
        var samples = ranges.map { [Float](repeating: 0, count: Int(max(0, $0.1 - $0.0))) }
        var block = AudioBlock(channelCount: source.format.channels, capacity: 16_384)
        var position: Int64 = 0
        while true {
            let n = try source.read(into: &block)
            if n == 0 { break }
            for (k, (first, end)) in ranges.enumerated() {
                let from = max(first, position), to = min(end, position + Int64(n))
                guard from < to else { continue }
                let channel = block.channels[stretches[k].channel]
                for i in from..<to { samples[k][Int(i - first)] = channel[Int(i - position)] }
            }
            position += Int64(n)
        }
        // Read to its end: the files learned before give way.
        removeLearned(recording: path, from: folder, key: key)
        var learned: [LearnedStretch] = []
        for (k, s) in stretches.enumerated() {
            let startS = Double(s.span.start) * frameDuration
            // A stretch the file's data ends before (a truncated file) is kept as far as it goes.
            let have = Int(max(0, min(ranges[k].1, position) - ranges[k].0))
            guard have > 0 else { continue }
            let name = fileName(recording: path, party: s.party, startS: startS, key: key)
            let out = (folder as NSString).appendingPathComponent(name)
            try WAVWriter.writeMono16(path: out, samples: Array(samples[k].prefix(have)), sampleRate: source.format.sampleRate)
            learned.append(LearnedStretch(party: s.party, channel: s.channel, startS: startS,
                                          endS: startS + Double(have) / rate, file: out))
        }
        return learned
    }
}

import CallQAModel

/// Turns the recogniser's tokens into words with times in the recording.
public enum WordAssembler {
    /// A segment whisper itself thinks held no speech, decoded with little confidence, is
    /// dropped: on speech the analysis found this happens for coughs, line noise and music
    /// the analysis took for speech, and what whisper writes then is invented.
    public static let noSpeechDrop = 0.6
    public static let lowConfidence = 0.4

    /// Words of one window in recording time. A token starting with a space starts a word;
    /// tokens without one (word pieces, punctuation) join the word before. Times are the
    /// tokens' (clamped to their segment) mapped through the window's pieces; confidence is
    /// the mean probability of the word's tokens. Loops (the same 1–10 words said 3 times in
    /// a row or more, which whisper produces when it loses its place) keep one copy.
    public static func words(_ segments: [DecodedSegment], window: SpeechWindow) -> [TranscriptWord] {
        var out: [TranscriptWord] = []
        for segment in segments {
            let mean = segment.tokens.isEmpty ? 0 : segment.tokens.reduce(0) { $0 + $1.probability } / Double(segment.tokens.count)
            if segment.noSpeechProbability > noSpeechDrop && mean < lowConfidence { continue }
            var words: [(bytes: [UInt8], start: Double, end: Double, p: [Double])] = []
            for token in segment.tokens {
                let start = min(max(token.startS, segment.startS), segment.endS)
                let end = min(max(token.endS, start), segment.endS)
                let startsWord = token.bytes.first == 0x20
                let body = startsWord ? Array(token.bytes.dropFirst()) : token.bytes
                if body.isEmpty { continue }
                if startsWord || words.isEmpty {
                    words.append((body, start, end, [token.probability]))
                } else {
                    words[words.count - 1].bytes += body
                    words[words.count - 1].end = max(words[words.count - 1].end, end)
                    words[words.count - 1].p.append(token.probability)
                }
            }
            for w in words {
                let text = String(decoding: w.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { continue }
                let span = window.recordingSpan(w.start, w.end)
                out.append(TranscriptWord(text: text, startS: span.startS, endS: span.endS, confidence: w.p.reduce(0, +) / Double(w.p.count)))
            }
        }
        return removingLoops(out)
    }

    /// Keeps one copy of any run of 1–10 words repeated 3 or more times in a row (compared
    /// normalised).
    public static func removingLoops(_ words: [TranscriptWord]) -> [TranscriptWord] {
        let keys = words.map { TranscriptText.word($0.text) }
        var keep = [Bool](repeating: true, count: words.count)
        var i = 0
        while i < words.count {
            var advanced = false
            for n in 1...10 where i + 3 * n <= words.count {
                var copies = 1
                while i + (copies + 1) * n <= words.count, Array(keys[(i + copies * n)..<(i + (copies + 1) * n)]) == Array(keys[i..<(i + n)]) {
                    copies += 1
                }
                if copies >= 3 {
                    for k in (i + n)..<(i + copies * n) { keep[k] = false }
                    i += copies * n
                    advanced = true
                    break
                }
            }
            if !advanced { i += 1 }
        }
        return zip(words, keep).filter(\.1).map(\.0)
    }
}

import CallQAModel
import Foundation
import Testing
@testable import Transcription

/// The parts around the recogniser, on values made in code.
@Suite struct PieceTests {
    // MARK: Resampler

    /// A sine's level and frequency survive 8 → 16 kHz and 44.1 → 16 kHz; what is above the
    /// new Nyquist frequency is gone.
    @Test func resamplerKeepsTheBandAndDropsWhatCannotFit() {
        func sine(_ hz: Double, rate: Int, seconds: Double) -> [Float] {
            (0..<Int(Double(rate) * seconds)).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
        }
        func rms(_ x: ArraySlice<Float>) -> Double { sqrt(x.reduce(0) { $0 + Double($1 * $1) } / Double(x.count)) }
        func zeroCrossings(_ x: ArraySlice<Float>) -> Int { zip(x, x.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count }
        let up = Resampler(from: 8000).convert(sine(1000, rate: 8000, seconds: 1))
        #expect(up.count == 16000)
        let middle = up[2000..<14000]
        #expect(abs(rms(middle) - 0.5 / 2.0.squareRoot()) < 0.005)
        #expect(abs(zeroCrossings(middle) - 2 * 1000 * 12000 / 16000) <= 2)
        let down = Resampler(from: 44100).convert(sine(440, rate: 44100, seconds: 1) )
        #expect(down.count == 16000)
        #expect(abs(rms(down[2000..<14000]) - 0.5 / 2.0.squareRoot()) < 0.005)
        // 12 kHz cannot exist at 16 kHz: filtered out, not folded onto 4 kHz.
        let above = Resampler(from: 44100).convert(sine(12000, rate: 44100, seconds: 1))
        #expect(rms(above[2000..<14000]) < 0.01)
        #expect(Resampler(from: 16000).convert([1, 2, 3]) == [1, 2, 3])
    }

    // MARK: Windows

    @Test func windowsPackSpeechPadMergeAndSplit() {
        let segs: [(startS: Double, endS: Double)] = [(1, 3), (3.3, 4), (10, 20), (30, 31), (40, 100), (120, 120.1)]
        let windows = WindowPlanner.plan(segments: segs, durationS: 110, maxWindowS: 25, padS: 0.2, gapS: 0.3)
        // Padding joins 1–3 and 3.3–4; the 0.1 s click is left out; 40–100 (60.4 s with padding,
        // cut at the end of the recording) becomes three pieces of at most 25 s.
        let pieces = windows.flatMap(\.pieces)
        #expect(pieces.first?.startS == 0.8 && pieces.first?.endS == 4.2)
        #expect(!pieces.contains { $0.startS >= 119 })
        #expect(pieces.allSatisfy { $0.durationS <= 25 + 1e-9 })
        #expect(windows.allSatisfy { $0.lengthS <= 25 + 1e-9 })
        let long = pieces.filter { $0.startS >= 39 }
        #expect(long.count == 3 && abs(long.first!.startS - 39.8) < 1e-9 && abs(long.last!.endS - 100.2) < 1e-9)
        // Pieces sit in their window with 0.3 s between them.
        for w in windows {
            for (a, b) in zip(w.pieces, w.pieces.dropFirst()) { #expect(abs(b.windowStartS - (a.windowStartS + a.durationS + 0.3)) < 1e-9) }
        }
        // Every second of speech is in exactly one window.
        let speech = windows.reduce(0) { $0 + $1.speechS }
        #expect(abs(speech - ((4.2 - 0.8) + 10.4 + 1.4 + 60.4)) < 1e-9)
    }

    @Test func wordTimesMapBackIntoOnePiece() {
        let w = SpeechWindow(pieces: [SpeechPiece(startS: 10, endS: 12, windowStartS: 0), SpeechPiece(startS: 30, endS: 31, windowStartS: 2.3)])
        func at(_ a: Double, _ b: Double, _ x: Double, _ y: Double) -> Bool {
            let s = w.recordingSpan(a, b)
            return abs(s.startS - x) < 1e-9 && abs(s.endS - y) < 1e-9
        }
        #expect(at(0.5, 1.0, 10.5, 11.0))
        #expect(at(2.5, 2.9, 30.2, 30.6))
        // A word whose times straddle the gap belongs to the piece holding its middle.
        #expect(at(1.8, 2.5, 11.8, 12.0))
        #expect(at(2.0, 3.0, 30.0, 30.7))
        #expect(at(3.2, 9.0, 30.9, 31))
        #expect(at(9.0, 12.0, 31, 31))
    }

    // MARK: Words

    func token(_ text: String, _ a: Double, _ b: Double, _ p: Double = 0.9) -> DecodedToken {
        DecodedToken(bytes: Array(text.utf8), startS: a, endS: b, probability: p)
    }

    @Test func tokensBecomeWordsAndLoopsAreCut() {
        let window = SpeechWindow(pieces: [SpeechPiece(startS: 100, endS: 110, windowStartS: 0)])
        // "é" split over two tokens' bytes: joined before decoding.
        let e = Array("é".utf8)
        let segment = DecodedSegment(startS: 0, endS: 5, tokens: [
            token(" Thank", 0.1, 0.4), token(" you", 0.4, 0.6), token(" for", 0.6, 0.8), token(" call", 0.8, 1.0, 0.5), token("ing", 1.0, 1.3, 0.7),
            token(",", 1.3, 1.3), DecodedToken(bytes: [0x20, 0x63, 0x61, 0x66, e[0]], startS: 1.5, endS: 1.7, probability: 0.8),
            DecodedToken(bytes: [e[1]], startS: 1.7, endS: 1.9, probability: 0.6),
        ], noSpeechProbability: 0.01)
        let words = WordAssembler.words([segment], window: window)
        #expect(words.map(\.text) == ["Thank", "you", "for", "calling,", "café"])
        // The comma joins the word before it: its probability counts too.
        #expect(words[3].startS == 100.8 && words[3].endS == 101.3 && abs(words[3].confidence - 0.7) < 1e-9)
        #expect(abs(words[4].confidence - 0.7) < 1e-9)
        // whisper's own "no speech here", decoded with little confidence: dropped.
        let noise = DecodedSegment(startS: 5, endS: 8, tokens: [token(" Thanks", 5, 6, 0.2), token(" for", 6, 7, 0.3)], noSpeechProbability: 0.9)
        #expect(WordAssembler.words([noise], window: window).isEmpty)
        // A loop keeps one copy; a word said twice stays twice.
        let said = ["yes", "yes", "the", "order", "is", "here", "the", "order", "is", "here", "the", "order", "is", "here", "the", "order", "is", "here", "thanks"]
        let loop = said.enumerated().map { TranscriptWord(text: $0.element, startS: Double($0.offset), endS: Double($0.offset) + 0.5, confidence: 0.9) }
        #expect(WordAssembler.removingLoops(loop).map(\.text) == ["yes", "yes", "the", "order", "is", "here", "thanks"])
        let long = (0..<3).flatMap { _ in ["or", "gwybod", "ywr", "gwybod", "yn", "ymwyr"] }
        let longLoop = long.enumerated().map { TranscriptWord(text: $0.element, startS: Double($0.offset), endS: Double($0.offset) + 0.5, confidence: 0.9) }
        #expect(WordAssembler.removingLoops(longLoop).count == 6)
    }

    // MARK: Redaction

    func words(_ text: String, gap: Double = 0.1) -> [TranscriptWord] {
        var t = 0.0
        return text.split(separator: " ").map { w in
            defer { t += 0.4 + gap }
            return TranscriptWord(text: String(w), startS: t, endS: t + 0.4, confidence: 0.9)
        }
    }

    @Test func digitRunsAreRedactedWhateverTheirForm() {
        func redacted(_ text: String, gap: Double = 0.1) -> (String, Int) {
            let r = Redactor.redact(words(text, gap: gap))
            return (r.words.map(\.text).joined(separator: " "), r.runs)
        }
        // Written, grouped, spoken one by one, spoken in pairs, with "double", with "oh".
        #expect(redacted("my card is 4111 1111 1111 1111 thanks") == ("my card is [redacted] thanks", 1))
        #expect(redacted("it is 4111-1111-1111-1111.") == ("it is [redacted]", 1))
        #expect(redacted("four one one one one one one one one one one one one one one one") == ("[redacted]", 1))
        #expect(redacted("forty one eleven eleven eleven eleven") == ("[redacted]", 1))
        #expect(redacted("call me on oh seven double seven nine one two three") == ("call me on [redacted]", 1))
        #expect(redacted("vier eins eins eins fünf sechs") == ("[redacted]", 1))
        #expect(redacted("четыре пять шесть семь восемь") == ("[redacted]", 1))
        // Short codes only when announced.
        #expect(redacted("the security code is one two three") == ("the security code is [redacted]", 1))
        #expect(redacted("my PIN is 1234 ok") == ("my PIN is [redacted] ok", 1))
        #expect(redacted("I waited two days for 24 hours and 300 dollars") == ("I waited two days for 24 hours and 300 dollars", 0))
        #expect(redacted("room 12 on floor 3").1 == 0)
        // "for" and "to" count only beside digits; a long pause splits a run.
        #expect(redacted("for two weeks").1 == 0)
        #expect(redacted("four five six for seven eight").1 == 1)
        #expect(redacted("one two three", gap: 2).1 == 0)
        // Two groups far apart: each redacted on its own when long enough.
        let parts = words("4111 1111 then 1111 1111")
        #expect(Redactor.redact(parts).runs == 2)
        let r = Redactor.redact(words("is 4111 1111 1111 1111"))
        #expect(r.words[1].startS == 0.5 && r.words[1].endS == 2.4 && r.words[1].isRedacted)
    }

    /// A card read out in groups, with pauses while the agent writes it down or fillers the
    /// recogniser writes as `uh` or `at`; a security code the other party asked for.
    @Test func numbersSaidInGroupsAndCodesAskedForAreRedacted() {
        func text(_ w: [TranscriptWord]) -> String { w.map(\.text).joined(separator: " ") }
        // Four groups of four, 3 s apart: every group redacted (each alone is under 5 digits).
        let paused = Redactor.redact(words("4 5 3 9 1 4 8 8 0 3 4 3 6 4 6 7", gap: 0.1).enumerated().map { n, w in
            TranscriptWord(text: w.text, startS: w.startS + Double(n / 4) * 3, endS: w.endS + Double(n / 4) * 3, confidence: 0.9)
        })
        #expect(text(paused.words) == "[redacted] [redacted] [redacted] [redacted]" && paused.runs == 4, "\(text(paused.words))")
        // Groups with fillers between them.
        let filled = Redactor.redact(words("my card is 5 1 0 5 at 1 0 5 1 uh 0 0 1 2 and then 4 4 4 4 thanks"))
        #expect(text(filled.words) == "my card is [redacted] at [redacted] uh [redacted] and then [redacted] thanks", "\(text(filled.words))")
        // Not bridged by words that are not fillers; not across a long pause.
        #expect(Redactor.redact(words("I waited 2 days for 24 hours and 300 dollars")).runs == 0)
        #expect(Redactor.redact(words("room 12 on floor 3 and 4 guests")).runs == 0)
        #expect(Redactor.redact(words("1 2 3 4", gap: 7)).runs == 0)
        // The agent asks for the security code; the customer answers on the other channel.
        let agent = [TranscriptWord(text: "what", startS: 10, endS: 10.3, confidence: 0.9),
                     TranscriptWord(text: "is", startS: 10.3, endS: 10.5, confidence: 0.9),
                     TranscriptWord(text: "the", startS: 10.5, endS: 10.7, confidence: 0.9),
                     TranscriptWord(text: "security", startS: 10.7, endS: 11.2, confidence: 0.9),
                     TranscriptWord(text: "code?", startS: 11.2, endS: 11.6, confidence: 0.9)]
        let answer = [TranscriptWord(text: "it", startS: 13, endS: 13.2, confidence: 0.9),
                      TranscriptWord(text: "is", startS: 13.2, endS: 13.4, confidence: 0.9),
                      TranscriptWord(text: "seven", startS: 13.4, endS: 13.8, confidence: 0.9),
                      TranscriptWord(text: "three", startS: 13.8, endS: 14.2, confidence: 0.9),
                      TranscriptWord(text: "eight", startS: 14.2, endS: 14.6, confidence: 0.9)]
        #expect(text(Redactor.redact(answer, otherParty: agent).words) == "it is [redacted]")
        #expect(text(Redactor.redact(answer).words) == "it is seven three eight", "without the question, three digits are kept")
        // The code's last digit heard again after a pause goes with it.
        let again = answer + [TranscriptWord(text: "8", startS: 16.7, endS: 16.7, confidence: 0.99)]
        #expect(text(Redactor.redact(again, otherParty: agent).words) == "it is [redacted] [redacted]")
        // Answered long after (another topic): kept.
        let late = answer.map { TranscriptWord(text: $0.text, startS: $0.startS + 60, endS: $0.endS + 60, confidence: 0.9) }
        #expect(Redactor.redact(late, otherParty: agent).runs == 0)
        // Mono: the question nine words before the answer, in the same party's words.
        #expect(text(Redactor.redact(words("can you read me the security code on the back of the card please it is 7 3 8")).words)
                == "can you read me the security code on the back of the card please it is [redacted]")
    }

    // MARK: Storage forms

    @Test func wordsRoundTripThroughTheirStoredForm() {
        let w = [TranscriptWord(text: "say \"hi\"\n", startS: 1.234, endS: 2.5, confidence: 0.876), TranscriptWord(text: "ünï", startS: 3, endS: 3.1, confidence: 1)]
        let back = TranscriptCodec.decode(TranscriptCodec.encode(w))
        #expect(back?.map(\.text) == w.map(\.text))
        #expect(back?.map(\.startS) == [1.23, 3] && back?.map(\.confidence) == [0.88, 1])
        #expect(TranscriptCodec.decode("not json") == nil && TranscriptCodec.decode("[[1,2]]") == nil)
    }

    @Test func searchTextCannotCarryFTSSyntax() {
        #expect(TranscriptQuery("Thank you for calling")?.match == "\"thank\" \"you\" \"for\" \"calling\"")
        #expect(TranscriptQuery("\"thank you\" calling")?.match == "\"thank you\" \"calling\"")
        #expect(TranscriptQuery("a OR b NOT c* NEAR(x y) col:z ^q")?.match == "\"a\" \"or\" \"b\" \"not\" \"c\" \"near\" \"x\" \"y\" \"col\" \"z\" \"q\"")
        #expect(TranscriptQuery("\"\" ()*:^") == nil)
        #expect(TranscriptQuery("Café don't")?.terms == [["cafe"], ["dont"]])
    }
}

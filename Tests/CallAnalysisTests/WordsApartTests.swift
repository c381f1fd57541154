@testable import CallAnalysis
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Step 6 since analyzer 26: words one at a time — a name spelled, a number read out — dip
/// about once or twice a second, as rarely as music on hold may, and were taken for hold when
/// they ran together (pauses under `merge_gap_s`) for `min_hold_s`; their level swings from
/// every word down to the pause after it, as no music judged hold does
/// (`AnalysisParameters.wordsApartLevelSwingDB`), and they hold no notes.
@Suite struct WordsApartTests {
    /// A stereo call on clean lines (noise 60 dB under the words): the customer asks (0.3–1.5 s)
    /// and says a short word over the agent's reading (6.0–6.35 s); from 2 s, the agent's line
    /// (its first words) reads out thirteen one-syllable words of 0.25 s, 0.29–0.32 s apart.
    static func call() -> [[Float]] {
        let seconds = 16.0
        var lineA = Signals(seed: 61), lineC = Signals(seed: 64)
        var agent = lineA.noise(count: Int(seconds * 8000), rms: pow(10, -80.0 / 20))
        let starts = [2.0, 2.55, 3.12, 3.66, 4.2, 4.77, 5.3, 5.86, 6.41, 6.95, 7.52, 8.05, 8.61]
        mix(Signals.voice(seconds: seconds, spans: starts.map { ($0, $0 + 0.25) }, f0Hz: 130, dbfs: -20, seed: 62),
            into: &agent, at: 0)
        var customer = lineC.noise(count: Int(seconds * 8000), rms: pow(10, -80.0 / 20))
        mix(Signals.voice(seconds: seconds, spans: [(0.3, 1.5), (6.0, 6.35)], f0Hz: 210, dbfs: -22, seed: 65),
            into: &customer, at: 0)
        return [agent, customer]
    }

    @Test func wordsReadOutOneAtATimeAreTalk() {
        // Analyzer 25 took 2.00–8.87 s for hold by its dips (margin −0.56: the words dip less
        // often than music holding its spectrum that steadily may), `.×200 H×687 .×713`. Their
        // level swings 25–26 dB and they hold no notes: talk (but for one word at 3.66 s that
        // the detector misses either way).
        let outcome = analyze(Self.call(), recordFrames: true)
        #expect(HeldLevelTests.decisions(outcome.channels[0], frames: 1600) == ".×200 T×138 .×82 T×467 .×713")
        #expect(HeldLevelTests.decisions(outcome.channels[1], frames: 1600) == ".×30 T×121 .×449 T×36 .×964")
        #expect(outcome.channels[0].hold.isEmpty && outcome.channels[1].hold.isEmpty)
        let judged = outcome.channels[0].judgements.filter { $0.span.length >= 300 }
        #expect(judged.count == 1)
        for j in judged {
            #expect(j.verdict == .talk)
            #expect((j.levelSwingDB ?? 0) >= AnalysisParameters.wordsApartLevelSwingDB)
            #expect((j.heldPeaks ?? 1) < AnalysisParameters.wordsApartMaxHeldPeaks)
            #expect((j.dipMargin ?? 0) < 0)
        }
    }
}

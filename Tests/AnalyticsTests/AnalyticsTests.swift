import Analytics
import Testing

@Suite struct IntervalTests {
    /// 50 promoters, 30 passives, 20 detractors: NPS 30; adjusted-Wald on n+3 = 103 with
    /// +0.75 / +0.75 → [14.05, 44.20] (computed by hand in Python from the formula).
    @Test func npsAndAdjustedWald() throws {
        let nps = NPS(promoters: 50, passives: 30, detractors: 20)
        #expect(nps.n == 100)
        #expect(nps.value == 30)
        let ci = try #require(nps.interval)
        #expect(abs(ci.low - 14.051130178761607) < 1e-9)
        #expect(abs(ci.high - 44.20129700570441) < 1e-9)
        #expect(nps.reliable(minimumN: 30))
        let small = NPS(scores: [10, 9, 9, 7, 3])
        #expect(small.promoters == 3 && small.passives == 1 && small.detractors == 1)
        #expect(small.value == 40)
        #expect(abs(small.interval!.low - -29.782658786036354) < 1e-9)
        #expect(!small.reliable(minimumN: 30))
        #expect(NPS(scores: []).value == nil && NPS(scores: []).interval == nil)
        #expect(NPS(scores: [0, 0]).interval!.low >= -100)
    }

    @Test func wilsonAndT() throws {
        let w = try #require(Intervals.wilson(successes: 8, n: 10))
        #expect(abs(w.low - 0.49016247153664183) < 1e-9 && abs(w.high - 0.9433178485456247) < 1e-9)
        #expect(Intervals.wilson(successes: 0, n: 0) == nil)
        #expect(Intervals.t95(df: 10) == 2.228)
        #expect(abs(Intervals.t95(df: 100) - 1.984) < 0.001)
        let m = try #require(Intervals.mean([90, 95, 100, 85]))
        #expect(m.mean == 92.5)
        #expect(abs(m.low! - 82.23013916030666) < 1e-6)
        #expect(Intervals.mean([70])!.low == nil)
    }

    @Test func targetVerdictNeedsTheWholeInterval() {
        #expect(TargetVerdict.of(mean: 90, low: 85, high: 94, target: 95, n: 12, minimumN: 10) == .below)
        #expect(TargetVerdict.of(mean: 93, low: 88, high: 98, target: 95, n: 12, minimumN: 10) == .inconclusive)
        #expect(TargetVerdict.of(mean: 97, low: 95, high: 99, target: 95, n: 12, minimumN: 10) == .atOrAbove)
        #expect(TargetVerdict.of(mean: 80, low: nil, high: nil, target: 95, n: 12, minimumN: 10) == .inconclusive)
    }

    /// Issue 22: two identical scores of 92 gave a zero-width t interval and BELOW on two
    /// calls; the README says fewer than `--min-scored` scored calls is never a verdict.
    @Test func fewScoresAreNeverAVerdictEvenWhenIdentical() throws {
        for scores in [[92.0, 92.0], [100.0, 100.0], [50.0, 51.0, 50.0]] {
            let q = try #require(Intervals.quality(scores))
            #expect(q.high > q.low, "a few identical scores must not give a zero-width interval")
            #expect(TargetVerdict.of(mean: q.mean, low: q.low, high: q.high, target: 95, n: scores.count, minimumN: 10) == .inconclusive)
        }
        // At the minimum the interval decides again.
        let ten = Array(repeating: 80.0, count: 10)
        let q = try #require(Intervals.quality(ten))
        #expect(TargetVerdict.of(mean: q.mean, low: q.low, high: q.high, target: 95, n: 10, minimumN: 10) == .below)
    }

    /// Issue 22: a weekly trend of 2 calls printed 43.8 with an interval −512.1…599.6, and an
    /// NPS of −100 was drawn outside its own interval (−98.5…48.5).
    @Test func intervalsStayOnTheScaleAndContainTheirValue() throws {
        for scores in [[0.0, 87.5], [0.0, 100.0], [100.0], [0.0], [3.0, 99.0, 50.0], Array(repeating: 99.0, count: 30)] {
            let q = try #require(Intervals.quality(scores))
            #expect(q.low >= 0 && q.high <= 100 && q.low <= q.mean && q.mean <= q.high, "\(scores) → \(q)")
        }
        let small = try #require(Intervals.quality([0, 87.5]))
        #expect(small.low == 0 && small.high == 100)
        for nps in [NPS(scores: [0]), NPS(scores: [0, 0]), NPS(scores: [10]), NPS(scores: [10, 10, 10]), NPS(scores: [8])] {
            let ci = try #require(nps.interval)
            let v = try #require(nps.value)
            #expect(ci.low >= -100 && ci.high <= 100 && ci.low <= v && v <= ci.high, "\(nps) → \(ci)")
        }
    }
}

func row(_ id: String, answered: Bool, wait: Double, handle: Double? = nil, outbound: Bool = false, repeated: Bool? = nil,
         agent: String = "a1", hour: Int = 9, date: String = "2026-11-24") -> CallKPIRow {
    CallKPIRow(callID: id, startedEpoch: 0, localDate: date, localHour: hour, weekday: 2, outbound: outbound, answered: answered,
               waitS: wait, handleS: handle, agentID: agent, queue: "q", team: "t", dialed: "0800", repeatedWithinWindow: repeated)
}

@Suite struct KPITests {
    /// Answered waits 5, 15, 25, 40 (2 within T = 20 s); abandoned waits 3 (short), 10, 30.
    /// offered 7: SL = 2/7, (2+2)/7, 2/4, 2/(4+1), 2/(7−1) — five different numbers.
    static let rows = [
        row("1", answered: true, wait: 5, handle: 100, repeated: false),
        row("2", answered: true, wait: 15, handle: 200, repeated: true),
        row("3", answered: true, wait: 25, handle: 300, repeated: nil, agent: "a2"),
        row("4", answered: true, wait: 40, handle: 400, repeated: false, date: "2026-11-25"),
        row("5", answered: false, wait: 3),
        row("6", answered: false, wait: 10),
        row("7", answered: false, wait: 30),
        row("8", answered: true, wait: 0, handle: 50, outbound: true),
    ]

    @Test func serviceLevelVariantsDiffer() throws {
        let g = try #require(KPI.aggregate(Self.rows, by: [], settings: KPISettings()).first)
        #expect(g.offered == 7 && g.answered == 4 && g.abandoned == 3 && g.shortAbandons == 1 && g.outbound == 1)
        #expect(g.serviceLevel(.answeredOverAll) == 2.0 / 7)
        #expect(g.serviceLevel(.abandonsWithinTCountAsMet) == 4.0 / 7)
        #expect(g.serviceLevel(.answeredOnly) == 0.5)
        #expect(g.serviceLevel(.abandonsWithinTExcluded) == 2.0 / 5)
        #expect(g.serviceLevel(.shortAbandonsExcluded) == 2.0 / 6)
        #expect(g.abandonRate == 3.0 / 7)
        #expect(g.abandonRateExcludingShort == 2.0 / 6)
        #expect(g.asaS == 21.25)
        #expect(g.ahtS == 250)
        // FCR over answered calls with a caller: 1, 2, 4 → 2 of 3 without a repeat.
        #expect(g.fcrN == 3 && g.fcrResolved == 2)
        // Answered 4 over agent-days (a1 24th, a2 24th, a1 25th) = 4/3.
        #expect(g.callsPerAgentDay == 4.0 / 3)
    }

    @Test func groupsAndThresholdSetting() {
        var s = KPISettings()
        s.slThresholdS = 30
        let groups = KPI.aggregate(Self.rows, by: [.day, .agent], settings: s)
        #expect(groups.map(\.key) == [["2026-11-24", "a1"], ["2026-11-24", "a2"], ["2026-11-25", "a1"]])
        #expect(groups[0].answeredWithinT == 2 && groups[0].abandoned == 3)
        #expect(groups[1].serviceLevel(.answeredOnly) == 1)
        let weekdays = KPI.aggregate([row("x", answered: true, wait: 1)], by: [.weekday, .hour], settings: s)
        #expect(weekdays[0].key == ["Tue", "09"])
    }
}

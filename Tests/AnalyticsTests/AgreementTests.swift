import Analytics
import Testing

/// Percent agreement and Krippendorff's nominal alpha, against figures computed by hand
/// (the working is in each test) and against the published example of Krippendorff (2011,
/// "Computing Krippendorff's Alpha-Reliability", nominal data: α = 0.743).
@Suite struct AgreementTests {
    func close(_ a: Double?, _ b: Double, _ what: String) {
        #expect(a != nil && abs(a! - b) < 1e-9, "\(what): \(String(describing: a)) ≠ \(b)")
    }

    /// Three evaluators, four calls, one answer missing:
    ///   call 1: yes yes yes · call 2: yes yes no · call 3: no no no · call 4: yes no (—)
    /// Coincidences o_ck = Σ_u pairs/(m_u − 1): call 1 gives o_yy 6/2 = 3; call 2 gives
    /// o_yy 2/2 = 1, o_yn 2/2 = 1, o_ny 1; call 3 o_nn 3; call 4 (m = 2) o_yn 1, o_ny 1.
    /// o_yy = 4, o_yn = o_ny = 2, o_nn = 3 → n_y = 6, n_n = 5, n = 11.
    /// α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k = 1 − 10·4 / (2·6·5) = 1 − 40/60 = 1/3.
    /// Percent: call 1 → 1, call 2 → (2·1)/(3·2) = 1/3, call 3 → 1, call 4 → 0: mean 7/12.
    @Test func handComputedWithAMissingAnswer() {
        let r = Agreement.measure([["yes", "yes", "yes"], ["yes", "yes", "no"], ["no", "no", "no"], ["yes", "no"]])
        #expect(r.units == 4 && r.pairableValues == 11)
        close(r.alpha, 1.0 / 3.0, "alpha")
        close(r.percent, 7.0 / 12.0, "percent")
        // The order of categories or of answers within a call changes nothing.
        let shuffled = Agreement.measure([["no", "yes"], ["no", "no", "no"], ["no", "yes", "yes"], ["yes", "yes", "yes"]])
        #expect(shuffled == r)
    }

    /// Krippendorff (2011), four observers, twelve units, values 1–5, nominal: α = 0.743
    /// (0.7434210526 to ten places); percent agreement 9/11 over the 11 units with two
    /// or more values (unit 12 has a single value and does not count).
    @Test func krippendorffsPublishedExample() {
        let a: [String?] = ["1", "2", "3", "3", "2", "1", "4", "1", "2", nil, nil, nil]
        let b: [String?] = ["1", "2", "3", "3", "2", "2", "4", "1", "2", "5", nil, "3"]
        let c: [String?] = [nil, "3", "3", "3", "2", "3", "4", "2", "2", "5", "1", nil]
        let d: [String?] = ["1", "2", "3", "3", "2", "4", "4", "1", "2", "5", "1", nil]
        let units = (0..<12).map { i in [a[i], b[i], c[i], d[i]].compactMap { $0 } }
        let r = Agreement.measure(units)
        #expect(r.units == 11)
        #expect(abs((r.alpha ?? 0) - 0.743) < 0.0005)
        close(r.alpha, 0.743421052631579, "alpha")
        close(r.percent, 9.0 / 11.0, "percent")
    }

    /// Everyone gives the same answer everywhere: agreement is perfect, but with a single
    /// category there is no variation and alpha is undefined (0/0), and says so.
    @Test func allAgreeOnOneAnswer() {
        let r = Agreement.measure([["yes", "yes", "yes"], ["yes", "yes"], ["yes", "yes", "yes"]])
        #expect(r.percent == 1)
        #expect(r.alpha == nil && r.alphaUndefined?.contains("same") == true)
    }

    /// Everyone agrees within each call, the calls differ: o_yy = 2/1 = 2, o_nn = 2, no
    /// disagreeing pair → α = 1 − 3·0/(2·2·2) = 1.
    @Test func allAgreeAcrossTwoAnswers() {
        let r = Agreement.measure([["yes", "yes"], ["no", "no"]])
        #expect(r.percent == 1 && r.alpha == 1)
    }

    /// One evaluator: no call has two answers, nothing to compare; both figures absent.
    @Test func oneEvaluator() {
        let r = Agreement.measure([["yes"], ["no"], ["partial"]])
        #expect(r.units == 0 && r.pairableValues == 0 && r.percent == nil && r.alpha == nil)
        #expect(r.alphaUndefined != nil)
        #expect(Agreement.measure([]).alpha == nil)
    }

    /// Missing answers: only the call with two answers counts. It disagrees: o_yn = o_ny = 1,
    /// n = 2 → α = 1 − 1·2/(2·1·1) = 0; percent 0.
    @Test func missingAnswersLeaveCallsOut() {
        let r = Agreement.measure([["yes", "no"], ["yes"], []])
        #expect(r.units == 1 && r.pairableValues == 2)
        close(r.alpha, 0, "alpha")
        close(r.percent, 0, "percent")
    }

    /// Systematic disagreement is worse than chance: three calls answered yes/no by two
    /// evaluators: o_yn = o_ny = 3, n_y = n_n = 3, n = 6 → α = 1 − 5·6/(2·3·3) = −2/3.
    @Test func disagreementBelowChance() {
        let r = Agreement.measure([["yes", "no"], ["no", "yes"], ["yes", "no"]])
        close(r.alpha, -2.0 / 3.0, "alpha")
        close(r.percent, 0, "percent")
    }

    /// Scale points and n/a are categories like any other (nominal: 4 and 5 disagree as much
    /// as 1 and 5). Two calls: (4, 4, n/a) and (5, 5, 5): o_44 = 2/2 = 1, o_4n = o_n4 = 2/2 = 1,
    /// o_55 = 6/2 = 3 → n_4 = 2, n_n = 1, n_5 = 3, n = 6;
    /// Σ_{c≠k} n_c n_k = 2·(2·1 + 2·3 + 1·3) = 22 → α = 1 − 5·2/22 = 6/11.
    @Test func scalePointsAndNotApplicableAreCategories() {
        let r = Agreement.measure([["4", "4", "n/a"], ["5", "5", "5"]])
        close(r.alpha, 6.0 / 11.0, "alpha")
        close(r.percent, (1.0 / 3.0 + 1) / 2, "percent")
    }
}

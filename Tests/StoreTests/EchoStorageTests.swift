import CallAnalysis
import Foundation
import GRDB
import Pipeline
import Reports
import Store
import Testing

/// What the detector measured of the other party's voice on a channel is stored with the
/// call and shown by `report call`.
@Suite struct EchoStorageTests {
    /// A 16-bit stereo WAV: the agent's speech-like bursts at −20 dBFS over −65 dBFS noise on
    /// the left; on the right the agent's signal 30 dB down and 20 ms late, plus the
    /// customer's own bursts at −26 dBFS.
    static func bleedCall() -> Data {
        let rate = 8000, n = 30 * rate
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        func bursts(_ spans: [(Double, Double)], dbfs: Double, noiseDBFS: Double) -> [Double] {
            var x = (0..<n).map { _ in uniform() * pow(10, noiseDBFS / 20) * 1.7 }
            for (s, e) in spans {
                for i in Int(s * Double(rate))..<Int(e * Double(rate)) {
                    let env = 0.55 + 0.45 * sin(2 * .pi * 4 * Double(i) / Double(rate))
                    x[i] += (uniform() + uniform() + uniform()) * pow(10, dbfs / 20) * env
                }
            }
            return x
        }
        let agent = bursts([(1, 3.5), (5, 8), (10, 12.5), (14, 17), (19, 23), (25, 28)], dbfs: -20, noiseDBFS: -65)
        var customer = bursts([(3.8, 4.8), (8.5, 9.5), (23.5, 24.5)], dbfs: -26, noiseDBFS: -70)
        let d = 160, g = pow(10, -30.0 / 20)
        for i in d..<n { customer[i] += g * agent[i - d] }
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + n * 4)); data.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(2); u32(UInt32(rate)); u32(UInt32(rate * 4)); u16(4); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(n * 4))
        for i in 0..<n {
            for v in [agent[i], customer[i]] { u16(UInt16(bitPattern: Int16(max(-32767, min(32767, (v * 32767).rounded()))))) }
        }
        return data
    }

    @Test func echoIsStoredAndShownByTheCallReport() async throws {
        let dir = try batchFolder()
        try Self.bleedCall().write(to: dir.appendingPathComponent("bleed.wav"))
        try write(manifestHeader + "e-1,bleed.wav,a1,Anna Berg,Blue,orders,inbound,2026-11-24T09:02:10+01:00,8,true,30,0,30,+49 30 5550101,0800 111 222\n",
                  to: dir.appendingPathComponent("manifest.csv"))
        let (_, store) = try await ingest(dir)
        let row = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT echo_coupling_db, echo_delay_ms, echo_applied_share, background_voices_share FROM party_metrics WHERE call_id = 'e-1' AND party = 'customer'")
        }
        let coupling: Double? = row?["echo_coupling_db"]
        let delay: Double? = row?["echo_delay_ms"]
        let share: Double? = row?["echo_applied_share"]
        #expect(share.map { $0 > 0.5 } == true, "\(String(describing: share))")
        // Echo is no voice behind the customer.
        let voices: Double? = row?["background_voices_share"]
        #expect(voices.map { $0 < 0.3 } == true, "\(String(describing: voices))")
        #expect(coupling.map { $0 > -35 && $0 < -27 } == true, "\(String(describing: coupling))")
        #expect(delay.map { abs($0 - 20) <= 10 } == true, "\(String(describing: delay))")
        let agentApplied: Double? = try store.read { db in
            try Double.fetchOne(db, sql: "SELECT echo_applied_share FROM party_metrics WHERE call_id = 'e-1' AND party = 'agent'")
        }
        #expect(agentApplied == nil)
        let health: String? = try store.read { db in try String.fetchOne(db, sql: "SELECT health FROM analyses WHERE call_id = 'e-1'") }
        #expect(health?.contains("customer_channel_echo") == true, "\(health ?? "")")
        // The customer's own three bursts are their talk, not the agent's echo.
        let segments: Int? = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT segment_count FROM party_metrics WHERE call_id = 'e-1' AND party = 'customer'")
        }
        #expect(segments == 3)
        guard let detail = try store.callDetail("e-1", scope: .everything) else {
            Issue.record("no call detail")
            return
        }
        let text = ReportTable.text(CallLayout.tables(detail))
        #expect(text.contains("echo on customer line") && text.contains("the other party at -"), "\(text)")
        #expect(!text.contains("echo on agent line"))
    }
}

import CallQAModel
import CallRecords
import CSndFile
import Foundation
import Pipeline
import Reports
import Store
import Testing
@testable import Workspace

/// Tones (DTMF keypresses, a ring-back tone) in a recording generated here: stored as tone
/// events, read back under a scope (and not outside it), drawn in the `tones` lane of the
/// workspace's call page, and counted in the call report's hold line.
@Suite struct ToneLaneTests {
    /// 10 s of 8 kHz stereo at a −60 dBFS line noise; on the customer's channel (right) six DTMF
    /// digits from 2.0 s (0.1 s on, 0.1 s off), on the agent's (left) a 440 + 480 Hz ring-back
    /// tone from 5.0 to 7.0 s.
    static func toneCall() -> [[Float]] {
        let rate = 8000.0, n = 80_000
        var seed: UInt64 = 42
        func noise() -> Float {
            // Two uniform draws (xorshift) summed: a soft noise at about −60 dBFS.
            var s: Float = 0
            for _ in 0..<2 {
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
                s += Float(seed % 2001) / 1000 - 1
            }
            return s * 0.0012
        }
        var left = (0..<n).map { _ in noise() }, right = (0..<n).map { _ in noise() }
        let rows: [Double] = [697, 770, 852, 941], cols: [Double] = [1209, 1336, 1477, 1633]
        for d in 0..<6 {
            let start = 16_000 + d * 1600
            for i in 0..<800 {
                let t = Double(i) / rate
                right[start + i] += Float(0.03 * (sin(2 * .pi * rows[d % 4] * t) + sin(2 * .pi * cols[(d * 3) % 4] * t)))
            }
        }
        for i in 40_000..<56_000 {
            let t = Double(i) / rate
            left[i] += Float(0.05 * (sin(2 * .pi * 440 * t) + sin(2 * .pi * 480 * t)))
        }
        return [left, right]
    }

    @Test func toneEventsAreStoredReadUnderScopeAndDrawnInTheirLane() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-tones-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        Signals.write(dir.appendingPathComponent("tones.wav").path, Self.toneCall(), format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16))
        try Data("""
            call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s
            t-1,tones.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,5,true,10,0,5

            """.utf8).write(to: dir.appendingPathComponent("manifest.csv"))
        let store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        let summary = try await Ingest.run(IngestOptions(inputs: [dir.appendingPathComponent("manifest.csv").path]), store: store,
                                           hasher: CallerHasher(key: Array("test key for callqa 0123456789".utf8)))
        #expect(summary.analysed == 1)

        // Stored: tone events whose total is the analysis' tone_s, over the keys and the ring-back.
        let all = try #require(try store.callDetail("t-1", scope: .everything))
        let rows = all.events.filter { $0.kind == .tone }.map { (start: $0.startS, end: $0.endS) }
        let toneS = all.audio?.toneS ?? -1
        #expect(rows.count >= 2, "\(rows)")
        #expect(abs(rows.reduce(0) { $0 + $1.end - $1.start } - toneS) < 0.02, "\(rows) vs tone_s \(toneS)")
        func covered(_ a: Double, _ b: Double) -> Double { rows.reduce(0) { $0 + max(0, min($1.end, b) - max($1.start, a)) } }
        #expect(covered(2.0, 3.1) >= 1.0, "keypresses: \(rows)")
        #expect(covered(5.0, 7.0) >= 1.9, "ring-back: \(rows)")
        #expect(covered(0, 1.9) + covered(3.3, 4.9) + covered(7.2, 10) < 0.05, "nothing else: \(rows)")

        // Read back typed, under a scope: the agent's own and the team's supervisor see them,
        // another agent and another team get nothing (as for a call that does not exist).
        let own = try #require(try store.callDetail("t-1", scope: .agent("a1")))
        let tones = own.events.filter { $0.kind == .tone }
        #expect(tones.count == rows.count && tones.allSatisfy { $0.party == nil })
        #expect(try store.callDetail("t-1", scope: .teams(["Blue"]))?.events.filter { $0.kind == .tone }.count == rows.count)
        #expect(try store.callDetail("t-1", scope: .agent("a2")) == nil)
        #expect(try store.callDetail("t-1", scope: .teams(["Red"])) == nil)

        // Drawn in the tones lane of the timeline, on the workspace's call page.
        let hash = Secrets.hashPassword(SampleFixture.password, cost: 4)
        _ = try store.addUser(name: "agent1", role: .agent, agentID: "a1", teams: [], passwordHash: hash, nowEpoch: 1_796_000_000)
        _ = try store.addUser(name: "agent2", role: .agent, agentID: "a2", teams: [], passwordHash: hash, nowEpoch: 1_796_000_000)
        var c = WorkspaceConfiguration()
        c.now = { 1_796_000_000 }
        c.bcryptCost = 4
        let client = RouterClient(responder: WorkspaceServer(store: store, configuration: c).makeResponder())
        let b = Browser(client)
        #expect(try await b.login("agent1", SampleFixture.password).status == .seeOther)
        let page = try await b.get("/calls/t-1")
        #expect(page.status == .ok)
        let lane = try #require(Self.lane("tones", in: page.text))
        #expect(lane.count == rows.count, "\(lane)")
        for (r, (start, end)) in zip(rows, lane) {
            #expect(abs(r.start - start) < 0.06 && abs(r.end - end) < 0.06, "\(r) drawn as \(start)–\(end)")
        }
        #expect(page.text.contains("hold (music / tones)</td><td>0 s, tones \(JSONValue.format(toneS, decimals: 1)) s</td>"), "the hold line")
        let other = Browser(client)
        #expect(try await other.login("agent2", SampleFixture.password).status == .seeOther)
        #expect(try await other.get("/calls/t-1").status == .notFound)
    }

    /// The spans drawn in the lane named `name` of a timeline (`<title>NAME a–b s</title>`).
    static func lane(_ name: String, in html: String) -> [(Double, Double)]? {
        guard html.contains(">\(name)</text>") else { return nil }
        var out: [(Double, Double)] = []
        var rest = html[...]
        while let r = rest.range(of: "<title>\(name) ") {
            rest = rest[r.upperBound...]
            guard let end = rest.range(of: " s</title>") else { break }
            let parts = rest[..<end.lowerBound].split(separator: "–").compactMap { Double($0) }
            if parts.count == 2 { out.append((parts[0], parts[1])) }
        }
        return out
    }
}

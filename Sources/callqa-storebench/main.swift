// `make bench-store`: generates a synthetic year of a contact center straight into a callqa
// database (calls with metrics, scores with criterion results, surveys), then times the
// reports over a month and over the year, and the database size per million calls.
//
//   callqa-storebench generate DB [--calls N] [--surveys M] [--agents A] [--seed S]
//   callqa-storebench time DB [--json FILE]
import Analytics
import CallQAModel
import CallRecords
import Foundation
import Pipeline
import GRDB
import Reports
import Scorecard
import Store

func arg(_ name: String, _ def: Int) -> Int {
    let a = CommandLine.arguments
    if let i = a.firstIndex(of: name), i + 1 < a.count, let v = Int(a[i + 1]) { return v }
    return def
}

func argString(_ name: String) -> String? {
    let a = CommandLine.arguments
    if let i = a.firstIndex(of: name), i + 1 < a.count { return a[i + 1] }
    return nil
}

func seconds(_ f: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try f()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let cardYAML = """
    version: 1
    id: bench
    name: Benchmark card
    sections:
      - id: s1
        criteria:
          - { id: greeting, text: Greeting, weight: 1, manual: yes_no }
          - { id: identity, text: Identity verified, weight: 2, critical: true, manual: yes_no }
      - id: s2
        criteria:
          - { id: silence, text: No long silence, weight: 2, auto: { metric: audio.longest_silence_s, at_most: 10 } }
          - { id: interrupt, text: No interruptions, weight: 1, auto: { metric: audio.interruptions.by_agent, at_most: 0 } }
          - { id: handle, text: Handle time, weight: 1, auto: { metric: call.handle_s, at_most: 600 } }
    """

func generate(db path: String) throws {
    let calls = arg("--calls", 1_000_000), surveys = arg("--surveys", 300_000), agents = arg("--agents", 200)
    var rng = Rng(s: UInt64(arg("--seed", 2026)))
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.removeItem(atPath: path + "-wal")
    try? FileManager.default.removeItem(atPath: path + "-shm")
    let store = try CallStore(path: path)
    let card = try CardLoader.parse(text: cardYAML, file: "bench.yaml", contentHash: SHA256.hex(Array(cardYAML.utf8)))
    try store.registerCard(card.version)
    let queues = ["orders", "support", "billing", "sales"], teams = ["Blue", "Red", "Green", "Gold", "Teal", "Plum", "Sand", "Rose"]
    let year0 = 1_767_225_600.0   // 2026-01-01T00:00:00Z
    let t = try seconds {
        try store.write { db in
            for a in 0..<agents {
                try db.execute(sql: "INSERT INTO agents (agent_id, agent_name, team, updated_at) VALUES (?, ?, ?, '2026-01-01T00:00:00Z')",
                               arguments: ["ag\(a)", "Agent \(a)", teams[a % teams.count]])
            }
        }
        let chunk = 50_000
        for start in stride(from: 0, to: calls, by: chunk) {
            try store.write { db in
                let call = try db.makeStatement(sql: """
                    INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, agent_id, agent_name, team,
                        queue, direction, started_at, started_epoch, utc_offset_s, local_date, local_hour, local_weekday, wait_s, answered,
                        talk_s, hold_s, acw_s, handle_s, customer_hash, dialed, recording, recording_path, recording_status, attributes,
                        ingested_at, next_call_gap_s)
                    VALUES (?, 'manifest', 'gen.csv', ?, 'x', ?, ?, ?, ?, ?, ?, ?, 3600, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '2026-01-01T00:00:00Z', ?)
                    """)
                let analysis = try db.makeStatement(sql: """
                    INSERT INTO analyses (call_id, recording_path, content_sha256, size_bytes, mtime_epoch, container, encoding, sample_rate,
                        channels, channels_used, agent_channel, analyzer_version, parameters, parameters_hash, duration_s, silence_s,
                        silence_ratio, non_talk_s, overtalk_s, overtalk_ratio, interruptions_by_agent, interruptions_by_customer,
                        dead_air_count, dead_air_s, longest_silence_s, longest_silence_start_s, hold_s, tone_s, talk_to_listen,
                        agent_response_gap_s, channel_correlation, health, truncated, non_finite_samples, analysed_at)
                    VALUES (?, ?, 'sha', 1000, 0, 'WAV', 'µ-law', 8000, 2, '1,2', 'left', 'callqa-analysis 1', '{}', 'p', ?, ?, ?, ?, ?, ?, ?, ?,
                        ?, ?, ?, ?, 0, 0, ?, ?, 0, '', 0, 0, '2026-01-01T00:00:00Z')
                    """)
                let party = try db.makeStatement(sql: """
                    INSERT INTO party_metrics (call_id, party, talk_s, talk_ratio, segment_count, longest_monologue_s, longest_monologue_start_s,
                        speech_dbfs, noise_dbfs, snr_db, peak_dbfs, clipped_share, segments)
                    VALUES (?, ?, ?, ?, ?, ?, 0, -24, -60, 36, -3, 0, ?)
                    """)
                let score = try db.makeStatement(sql: """
                    INSERT INTO scores (call_id, card_id, card_hash, is_current, inputs_hash, status, score, critical_score, critical_failed,
                        weighted_earned, weighted_possible, target, unanswered, reason, scored_at)
                    VALUES (?, 'bench', ?, 1, 'i', ?, ?, ?, ?, ?, ?, 95, ?, NULL, '2026-01-01T00:00:00Z')
                    """)
                let result = try db.makeStatement(sql: """
                    INSERT INTO criterion_results (call_id, card_id, card_hash, section_id, criterion_id, position, outcome, credit, earned,
                        possible, critical, fails_section, provenance, evidence, evidence_start_s, evidence_end_s)
                    VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                    """)
                for i in start..<min(calls, start + chunk) {
                    let id = "g\(i)"
                    let agent = rng.int(agents)
                    let epoch = year0 + Double(i) / Double(calls) * 365 * 86400 + Double(rng.int(600))
                    let ts = Timestamp(epochS: epoch.rounded(), offsetS: 3600)
                    let (date, hour, weekday) = CallStore.calendarFields(ts)
                    let answered = rng.unit() > 0.06
                    let wait = rng.unit() < 0.7 ? rng.unit() * 20 : rng.unit() * 180
                    let talk = answered ? 60 + rng.unit() * 540 : 0
                    let hold = answered && rng.unit() < 0.2 ? rng.unit() * 90 : 0
                    let handle: Double? = answered ? talk + hold + 30 : nil
                    let caller = "c\(rng.int(calls / 3))"
                    let gap: Double? = rng.unit() < 0.2 ? rng.unit() * 20 * 86400 : nil
                    try call.execute(arguments: [id, i + 2, "ag\(agent)", "Agent \(agent)", teams[agent % teams.count], queues[agent % queues.count],
                                                 rng.unit() < 0.1 ? "outbound" : "inbound", ts.iso8601, ts.epochS, date, hour, weekday, wait,
                                                 answered ? 1 : 0, answered ? talk : nil, hold, answered ? 30 : nil, handle,
                                                 SHA256.hex(Array(caller.utf8)).prefix(32).description, "0800\(agent % 5)",
                                                 answered ? "\(id).wav" : nil, answered ? "/rec/\(id).wav" : nil, answered ? "analysed" : "none", gap])
                    guard answered else { continue }
                    let silence = rng.unit() * 0.4, longest = rng.unit() * 20, interruptions = rng.int(4)
                    try analysis.execute(arguments: [id, "/rec/\(id).wav", talk, talk * silence, silence, talk * silence * 0.8, talk * 0.03, 0.03,
                                                     interruptions, rng.int(3), longest > 10 ? 1 : 0, longest > 10 ? longest : 0, longest,
                                                     rng.unit() * talk, 1 + rng.unit(), 0.5 + rng.unit()])
                    for (p, share) in [("agent", 0.3 + rng.unit() * 0.4), ("customer", 0.2 + rng.unit() * 0.3)] {
                        try party.execute(arguments: [id, p, talk * share, share, 10 + rng.int(30), rng.unit() * 60, "[120,480,530,910]"])
                    }
                    // Scores: manual criteria answered on 70 % of calls.
                    let complete = rng.unit() < 0.7
                    let credits: [Double?] = [complete ? (rng.unit() < 0.9 ? 1 : 0) : nil, complete ? (rng.unit() < 0.97 ? 1 : 0) : nil,
                                              longest <= 10 ? 1 : 0, interruptions == 0 ? 1 : 0, (handle ?? 0) <= 600 ? 1 : 0]
                    let weights = [1.0, 2, 2, 1, 1]
                    var earned = 0.0, possible = 0.0
                    for (c, w) in zip(credits, weights) where c != nil { earned += c! * w; possible += w }
                    let critFail = credits[1] == 0
                    let value = critFail ? 0 : 100 * earned / possible
                    try score.execute(arguments: [id, card.contentHash, complete ? "complete" : "provisional", value,
                                                  credits[1].map { $0 * 100 }, critFail ? 1 : 0, earned, possible, complete ? 0 : 2])
                    let ids = ["greeting", "identity", "silence", "interrupt", "handle"]
                    for (k, c) in credits.enumerated() {
                        let outcome = c == nil ? "unanswered" : c! >= 1 ? "met" : "not_met"
                        try result.execute(arguments: [id, card.contentHash, k < 2 ? "s1" : "s2", ids[k], k, outcome, c, (c ?? 0) * weights[k],
                                                       c == nil ? 0 : weights[k], k == 1 ? 1 : 0, k < 2 ? "evaluator: QA" : "automatic",
                                                       k == 2 ? "longest silence \(Int(longest)) s" : "", k == 2 ? 12.0 : nil, k == 2 ? 12 + longest : nil])
                    }
                }
            }
        }
        try store.write { db in
            let survey = try db.makeStatement(sql: """
                INSERT INTO surveys (survey_key, survey_id, call_id, caller_hash, linked_call_id, link_method, answered, score, csat,
                    answered_at, answered_epoch, comment, row_fingerprint, source_file, source_line, imported_at)
                VALUES (?, ?, ?, NULL, ?, 'call_id', ?, ?, NULL, '2026-01-01T00:00:00Z', 0, ?, 'f', 'gen.csv', ?, '2026-01-01T00:00:00Z')
                """)
            for k in 0..<surveys {
                let call = "g\(rng.int(calls))"
                let answered = rng.unit() > 0.1
                let s = answered ? min(10, max(0, Int((rng.unit() * 0.6 + 0.45) * 11))) : nil
                try survey.execute(arguments: ["survey:v\(k)", "v\(k)", call, call, answered ? 1 : 0, s, (s ?? 10) <= 6 ? "slow and unhelpful" : nil, k + 2])
            }
            try db.execute(sql: "UPDATE surveys SET linked_call_id = NULL, link_method = NULL WHERE linked_call_id NOT IN (SELECT call_id FROM calls)")
        }
    }
    let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.doubleValue ?? 0
    print(String(format: "generated %d calls, %d surveys, %d agents in %.1f s; database %.0f MB (%.0f MB per million calls)",
                 calls, surveys, agents, t, size / 1e6, size / 1e6 / (Double(calls) / 1e6)))
}

func time(db path: String) throws {
    let store = try CallStore(path: path)
    let calls = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0 }
    let month = try Period.parse(from: "2026-06-01", to: "2026-06-30", zone: nil).get()
    var rows: [(String, String, Double)] = []
    func measure(_ report: String, _ scope: String, _ f: () throws -> Void) throws {
        var best = Double.infinity
        for _ in 0..<3 { best = min(best, try seconds(f)) }
        rows.append((report, scope, best))
    }
    for (scope, period) in [("month", month), ("year", Period.all)] {
        try measure("report agents", scope) { _ = try ReportBuilder.agents(store, period: period, scope: .everything, minScored: 10) }
        try measure("report kpi --by hour", scope) {
            _ = try ReportBuilder.kpi(store, period: period, zone: nil, by: [.hour], settings: KPISettings(), scope: .everything)
        }
        try measure("report nps --by agent", scope) {
            _ = try ReportBuilder.nps(store, period: period, by: [.agent], minimumN: 30, scope: .everything)
        }
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("== report latency on \(calls) calls, \(cores) core(s) (best of 3)")
    print("report                  period   seconds   under 1 s")
    for (r, s, t) in rows { print("\(r.padding(toLength: 22, withPad: " ", startingAt: 0))  \(s.padding(toLength: 6, withPad: " ", startingAt: 0))  \(String(format: "%8.3f", t))   \(t < 1 ? "yes" : "NO")") }
    if let json = argString("--json") {
        let v = JSONValue.object([("calls", .int(calls)), ("cores", .int(cores)),
                                  ("reports", .array(rows.map { .object([("report", .string($0.0)), ("period", .string($0.1)), ("seconds", .number($0.2, decimals: 4))]) }))])
        try (v.rendered() + "\n").write(toFile: json, atomically: true, encoding: .utf8)
    }
}

let a = CommandLine.arguments
guard a.count >= 3, ["generate", "time"].contains(a[1]) else {
    FileHandle.standardError.write(Data("usage: callqa-storebench generate|time DB [--calls N] [--surveys M] [--json FILE]\n".utf8))
    exit(64)
}
do {
    if a[1] == "generate" { try generate(db: a[2]) } else { try time(db: a[2]) }
} catch {
    FileHandle.standardError.write(Data("callqa-storebench: \(error)\n".utf8))
    exit(2)
}

import CallQAModel
import Foundation
import Pipeline
import Testing
@testable import Watch

@Suite struct WatchPartsTests {
    @Test func keptLinesAreSealedWithTheDatabasesKey() throws {
        let seal = LineSeal(callerKey: Array("the caller key of this database".utf8))
        let fields = ["", "+4915112345678", "5000", "a \"quoted\" field", "ünï"]
        let sealed = try seal.seal(FieldCodec.encode(fields))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("4915112345678"), "no number in clear")
        #expect(FieldCodec.decode(try seal.open(sealed)) == fields)
        #expect(try seal.seal(FieldCodec.encode(fields)) != sealed, "a fresh nonce each time")
        var tampered = sealed
        tampered[20] ^= 1
        #expect(throws: LineSeal.Failure.self) { try seal.open(tampered) }
        #expect(throws: LineSeal.Failure.self) { try LineSeal(callerKey: Array("another key".utf8)).open(sealed) }
    }

    /// A WAV header as recorders write it while recording (sizes 0 or 0xFFFFFFFF) is not
    /// final; the real sizes are. RF64 keeps its size in ds64.
    @Test func aWAVHeaderSayingNoDataIsNotFinal() throws {
        let dir = try scratch("wav")
        func wav(_ riff: String, dataSize: UInt32, ds64: UInt64? = nil) throws -> String {
            var b = Array(riff.utf8) + le32(0) + Array("WAVE".utf8)
            if let ds64 { b += Array("ds64".utf8) + le32(28) + le64(0) + le64(ds64) + le64(0) + le32(0) }
            b += Array("fmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
            b += Array("data".utf8) + le32(dataSize) + [UInt8](repeating: 0, count: 32)
            let p = dir.appendingPathComponent(UUID().uuidString + ".wav").path
            FileManager.default.createFile(atPath: p, contents: Data(b))
            return p
        }
        #expect(RecordingWatch.wavHeaderIncomplete(try wav("RIFF", dataSize: 0)))
        #expect(RecordingWatch.wavHeaderIncomplete(try wav("RIFF", dataSize: 0xFFFF_FFFF)))
        #expect(!RecordingWatch.wavHeaderIncomplete(try wav("RIFF", dataSize: 32)))
        #expect(RecordingWatch.wavHeaderIncomplete(try wav("RF64", dataSize: 0xFFFF_FFFF, ds64: 0)))
        #expect(!RecordingWatch.wavHeaderIncomplete(try wav("RF64", dataSize: 0xFFFF_FFFF, ds64: 32)))
        let mp3 = dir.appendingPathComponent("x.mp3").path
        FileManager.default.createFile(atPath: mp3, contents: Data([0xFF, 0xFB, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
        #expect(!RecordingWatch.wavHeaderIncomplete(mp3), "not a WAV: the header rule does not apply")
    }

    /// A recording is complete once unchanged for the settle time, its header final and no
    /// other process holding it open (here: a child process that keeps it open).
    @Test func aRecordingOpenInAnotherProcessIsNotComplete() throws {
        let dir = try scratch("open")
        let path = dir.appendingPathComponent("r.wav").path
        FileManager.default.createFile(atPath: path, contents: Data(Array("RIFF".utf8) + le32(44) + Array("WAVE".utf8) + Array("data".utf8) + le32(4) + [0, 0, 0, 0]))
        let watch = RecordingWatch(roots: [dir.path], settleS: 1)
        watch.scanAll(now: 0)
        #expect(watch.readiness(of: path, now: 0.5) == .changing)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 3<\"$0\"; exec sleep 30", path]
        try holder.run()
        defer { holder.terminate() }
        // Wait until the child really holds it.
        var held = false
        for _ in 0..<100 where !held {
            usleep(20_000)
            held = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(holder.processIdentifier)/fd").count) ?? 0 > 3
        }
        #expect(watch.readiness(of: path, now: 2) == .openByWriter)
        holder.terminate()
        holder.waitUntilExit()
        #expect(watch.readiness(of: path, now: 3) == .complete)
    }

    @Test func alertRulesAreReadStrictly() throws {
        let good = try SettingsFile.parse("""
            alerts:
              rules:
                - id: dead-air
                  metric: audio.longest_silence_s
                  at_least: 30
                - { id: critical, critical_failed: any, card: order-confirmation }
                - { id: low, score_below: 60 }
                - { id: detractor, survey_score_at_most: 6 }
              command: [/usr/local/bin/notify, --qa]
              webhook: https://hooks.example.com/callqa
              workspace_url: https://qa.example.com/
            """, file: "callqa.yaml")
        #expect(good.alerts.rules == [
            AlertRule(id: "dead-air", condition: .metric(name: "audio.longest_silence_s", atLeast: 30, atMost: nil)),
            AlertRule(id: "critical", condition: .criticalFailed(card: "order-confirmation")),
            AlertRule(id: "low", condition: .scoreBelow(60, card: nil)),
            AlertRule(id: "detractor", condition: .surveyAtMost(6)),
        ])
        #expect(good.alerts.command == ["/usr/local/bin/notify", "--qa"] && good.alerts.webhook == "https://hooks.example.com/callqa")
        #expect(good.alerts.workspaceURL == "https://qa.example.com" && good.alerts.notifies)
        #expect(throws: SettingsError.self) { try SettingsFile.parse("alerts: {rules: [{id: x}]}", file: "s.yaml") }
        do {
            _ = try SettingsFile.parse("""
                alerts:
                  rules:
                    - id: a
                      metric: audio.longest_silense_s
                      at_least: 3
                    - id: b
                      critical_failed: any
                      at_least: 3
                    - { id: a b, score_below: 50 }
                  command: notify
                  webhook: ftp://x
                """, file: "s.yaml")
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("s.yaml:4:") && text.contains("did you mean 'audio.longest_silence_s'"), "\(text)")
            #expect(text.contains("'at_least' goes with metric"), "\(text)")
            #expect(text.contains("expected letters, digits"), "\(text)")
            #expect(text.contains("must be an absolute path"), "\(text)")
            #expect(text.contains("expected an http:// or https:// URL"), "\(text)")
        }
    }

    @Test func reasonsNameValuesNotPeople() {
        let facts = CallFacts(callID: "c1", agentID: "a1", values: ["audio.longest_silence_s": .number(42.25)])
        #expect(AlertEvaluator.reason(.metric(name: "audio.longest_silence_s", atLeast: 30, atMost: nil), facts: facts, scores: [], surveys: [])
                == "audio.longest_silence_s = 42.25 (at least 30)")
        #expect(AlertEvaluator.reason(.metric(name: "audio.longest_silence_s", atLeast: 50, atMost: nil), facts: facts, scores: [], surveys: []) == nil)
        let failed = StoredScore(callID: "c1", cardID: "sales", cardName: "Sales", cardHash: "h", status: .complete, score: 0, criticalFailed: true,
                                 target: 95, unanswered: 0, scoredAt: "", results: [
                                    StoredCriterionResult(sectionID: "s", criterionID: "verify", outcome: .notMet, earned: 0, possible: 1,
                                                          critical: true, failsSection: false, provenance: "auto", evidence: ""),
                                 ])
        #expect(AlertEvaluator.reason(.criticalFailed(card: nil), facts: nil, scores: [failed], surveys: []) == "critical criterion failed on card sales: verify")
        #expect(AlertEvaluator.reason(.criticalFailed(card: "other"), facts: nil, scores: [failed], surveys: []) == nil)
        #expect(AlertEvaluator.reason(.scoreBelow(50, card: nil), facts: nil, scores: [failed], surveys: []) == "score 0 % on card sales (below 50)")
        let survey = SurveyFact(callID: "c1", score: 3, comment: "call me on +4930123", answeredAt: "", localDate: "2026-12-08")
        #expect(AlertEvaluator.reason(.surveyAtMost(6), facts: nil, scores: [], surveys: [survey]) == "survey score 3 (at most 6)")
        #expect(AlertEvaluator.reason(.surveyAtMost(2), facts: nil, scores: [], surveys: [survey]) == nil)
    }
}

func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
func le64(_ v: UInt64) -> [UInt8] { le32(UInt32(v & 0xFFFF_FFFF)) + le32(UInt32(v >> 32)) }

import Analytics
import CallAnalysis
import CallQAModel
import Foundation
import Pipeline
import Testing

/// Settings from `callqa.yaml` / `--config FILE` (CONTRACT): read, checked with errors that
/// name the file and line, and below the command line in precedence.
@Suite struct SettingsFileTests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func everySectionIsRead() throws {
        let s = try SettingsFile.parse("""
            analysis:
              dead_air_s: 8
              call_tone_share: 0.6
              agent_channel: right
            kpi:
              sl_threshold_s: 30
              short_abandon_s: 4
              fcr_window_days: 3
              sl_variant: answered_only
            nps:
              min_n: 12
            agents:
              min_scored: 4
            """, file: "callqa.yaml")
        #expect(s.analysis.deadAirS == 8 && s.analysis.callToneShare == 0.6)
        #expect(s.analysis.minSilenceS == AnalysisParameters().minSilenceS, "unset keys keep their defaults")
        #expect(s.agentChannel == .right)
        #expect(s.kpi.slThresholdS == 30 && s.kpi.shortAbandonS == 4 && s.kpi.fcrWindowS == 3 * 86400 && s.kpi.headline == .answeredOnly)
        #expect(s.npsMinimumN == 12 && s.agentsMinimumScored == 4)
        // Every analysis parameter can be set by its name in results.
        for (name, path) in AnalysisParameters.keyPaths {
            let value = AnalysisParameters()[keyPath: path] + 0.01
            let one = try SettingsFile.parse("analysis:\n  \(name): \(value)\n", file: "one.yaml")
            #expect(one.analysis[keyPath: path] == value, "\(name)")
        }
    }

    @Test func theDisputeWindowComesFromTheFile() throws {
        #expect(try SettingsFile.parse("disputes:\n  window_days: 14\n", file: "d.yaml").disputeWindow == DisputeWindow(days: 14))
        #expect(try SettingsFile.parse("", file: "d.yaml").disputeWindow.days == 7)
    }

    @Test func emptyFileAndEmptySectionsAreTheDefaults() throws {
        #expect(try SettingsFile.parse("", file: "empty.yaml") == SettingsFile())
        #expect(try SettingsFile.parse("analysis:\nkpi:\n", file: "bare.yaml") == SettingsFile())
    }

    /// Each broken file: the error names the file, the line and column, and what was expected.
    @Test(arguments: [
        ("analysis:\n  dead_air_s: 8\n  dead_air: 3\n", "f.yaml:3:3: analysis: unknown key 'dead_air' (did you mean 'dead_air_s'?); allowed: on_threshold_db"),
        ("analysis:\n  dead_air_s: soon\n", "f.yaml:2:15: analysis.dead_air_s: expected a number, got 'soon'"),
        ("analysis:\n  dead_air_s: [1, 2]\n", "f.yaml:2:15: analysis.dead_air_s: expected a number, got a list"),
        ("analysis:\n  dead_air_s: -1\n", "f.yaml:2:15: analysis: parameter 'dead_air_s': expected a number > 0"),
        ("analysis:\n  agent_channel: middle\n", "f.yaml:2:18: analysis.agent_channel: expected left or right, got 'middle'"),
        ("kpi:\n  sl_variant: best\n", "f.yaml:2:15: kpi.sl_variant: expected answered_within_t_over_all, "),
        ("kpi:\n  fcr_window_days: 0\n", "f.yaml:2:20: kpi.fcr_window_days: expected days > 0, got 0"),
        ("kpi:\n  sl_threshold_s: -5\n", "f.yaml:2:19: kpi.sl_threshold_s: expected seconds ≥ 0, got -5"),
        ("nps:\n  min_n: 2.5\n", "f.yaml:2:10: nps.min_n: expected a whole number ≥ 1, got 2.5"),
        ("scoring:\n  x: 1\n", "f.yaml:1:1: settings: unknown key 'scoring'; allowed: analysis, kpi, nps, agents, alerts, disputes, transcription"),
        ("agents:\n  min_score: 3\n", "f.yaml:2:3: agents: unknown key 'min_score' (did you mean 'min_scored'?); allowed: min_scored"),
        // Yams refuses a key given twice while composing (with no position).
        ("nps:\n  min_n: 3\n  min_n: 4\n", "f.yaml: YAML error: Parser: expected all keys to be unique"),
        ("analysis: 3\n", "f.yaml:1:11: analysis: expected a mapping of keys (on_threshold_db, "),
        ("- analysis\n", "f.yaml:1:1: settings: expected a mapping of keys (analysis, kpi, nps, agents, alerts, disputes, transcription)"),
        ("disputes:\n  window_days: 0\n", "f.yaml:2:16: disputes.window_days: expected days > 0 and at most 3650, got 0"),
        ("disputes:\n  window_day: 3\n", "f.yaml:2:3: disputes: unknown key 'window_day' (did you mean 'window_days'?); allowed: window_days"),
        ("analysis: [1, 2\n", "f.yaml:2:1: YAML syntax: "),
    ])
    func brokenFilesAreClearErrors(text: String, expected: String) {
        #expect {
            _ = try SettingsFile.parse(text, file: "f.yaml")
        } throws: { error in
            (error as? SettingsError)?.description.hasPrefix(expected) == true
        }
    }

    /// Every problem of the file is reported, in the file's order, each with its line and
    /// column; reading does not stop at the first.
    @Test func everyProblemIsReportedWithItsLine() throws {
        let text = """
            analysis:
              dead_air_s: soon
              agent_channel: middle
            kpi:
              sl_threshold_s: 30
            nps:
              min_nn: 12

            """
        let error = try #require(throws: SettingsError.self) { try SettingsFile.parse(text, file: "callqa.yaml") }
        #expect(error.issues.map(\.line) == [2, 3, 7])
        #expect(error.lines == [
            "callqa.yaml:2:15: analysis.dead_air_s: expected a number, got 'soon'",
            "callqa.yaml:3:18: analysis.agent_channel: expected left or right, got 'middle'",
            "callqa.yaml:7:3: nps: unknown key 'min_nn' (did you mean 'min_n'?); allowed: min_n",
        ])
        // A file that cannot be read is one problem about the file as a whole.
        let missing = try #require(throws: SettingsError.self) { try SettingsFile.load(path: "/nonexistent-callqa/callqa.yaml") }
        #expect(missing.lines.count == 1 && missing.lines[0].hasPrefix("/nonexistent-callqa/callqa.yaml: cannot read the file: "))
    }

    /// `--config FILE` must exist; without it, `callqa.yaml` in the folder is read when there
    /// is one, and the defaults are used when not.
    @Test func resolveFindsTheFile() throws {
        let dir = try Self.folder()
        #expect(try SettingsFile.resolve(explicitPath: nil, folder: dir.path) == SettingsFile())
        try "analysis:\n  dead_air_s: 7\n".write(to: dir.appendingPathComponent("callqa.yaml"), atomically: true, encoding: .utf8)
        let local = try SettingsFile.resolve(explicitPath: nil, folder: dir.path)
        #expect(local.analysis.deadAirS == 7 && local.path?.hasSuffix("callqa.yaml") == true)
        let other = dir.appendingPathComponent("other.yaml")
        try "analysis:\n  dead_air_s: 9\n".write(to: other, atomically: true, encoding: .utf8)
        #expect(try SettingsFile.resolve(explicitPath: other.path, folder: dir.path).analysis.deadAirS == 9)
        #expect(throws: SettingsError.self) { try SettingsFile.resolve(explicitPath: dir.appendingPathComponent("none.yaml").path) }
    }

    /// Through the command line: the file's values are used and written into the result, an
    /// option beats the file, and a broken file stops the command with exit status 2.
    @Test func commandLinePrecedenceAndExitStatus() throws {
        let exe = try callqaExecutable().path
        let dir = try Self.folder()
        let config = dir.appendingPathComponent("site.yaml").path
        try "analysis:\n  dead_air_s: 8\n  agent_channel: right\n".write(toFile: config, atomically: true, encoding: .utf8)
        let audio = packageRoot.appendingPathComponent("SampleAudio/c-003-ulaw.wav").path
        func analyze(_ extra: [String]) throws -> (Int32, [String: Any]?) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["analyze", "--format", "json", audio] + extra
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            return (p.terminationStatus, object?["parameters"] as? [String: Any])
        }
        let (status, fromFile) = try analyze(["--config", config])
        #expect(status == 0 && fromFile?["dead_air_s"] as? Double == 8 && fromFile?["agent_channel"] as? String == "right")
        let (_, overridden) = try analyze(["--config", config, "--dead-air-s", "12", "--agent-channel", "left"])
        #expect(overridden?["dead_air_s"] as? Double == 12 && overridden?["agent_channel"] as? String == "left")
        try "analysis:\n  dead_air: 8\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try analyze(["--config", config]).0 == 2)
    }

    /// `analysis.hold_music`: one path or a list, relative ones from the settings file's folder.
    @Test func holdMusicPathsAreTheSettingsFilesFolders() throws {
        let one = try SettingsFile.parse("analysis:\n  hold_music: moh\n", file: "/etc/callqa/callqa.yaml")
        #expect(one.holdMusic == ["/etc/callqa/moh"])
        let list = try SettingsFile.parse("analysis:\n  hold_music: [/var/lib/asterisk/moh, sales/jingle.wav]\n", file: "/etc/callqa/callqa.yaml")
        #expect(list.holdMusic == ["/var/lib/asterisk/moh", "/etc/callqa/sales/jingle.wav"])
        #expect(try SettingsFile.parse("analysis:\n  dead_air_s: 8\n", file: "callqa.yaml").holdMusic.isEmpty)
        #expect(try SettingsFile.parse("analysis:\n  hold_music: ~/moh\n", file: "/etc/callqa/callqa.yaml").holdMusic
                    == [(NSHomeDirectory() as NSString).appendingPathComponent("moh")])
        do {
            _ = try SettingsFile.parse("analysis:\n  hold_music: ''\n", file: "callqa.yaml")
            Issue.record("an empty path was taken")
        } catch {
            #expect(error.lines.contains { $0.contains("callqa.yaml:2") && $0.contains("analysis.hold_music: expected a file or folder path") })
        }
    }
}

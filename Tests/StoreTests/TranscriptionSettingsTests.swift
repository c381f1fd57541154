import Foundation
import Pipeline
import Testing
import Transcription

/// The `transcription` section of the settings file: read, checked with file:line errors,
/// and what changes a transcript (not the speed settings) in its stored settings.
@Suite struct TranscriptionSettingsTests {
    @Test func theSectionIsRead() throws {
        let s = try SettingsFile.parse("""
            transcription:
              model: /models/ggml-small-q8_0.bin
              stage: true
              select:
                cards: [order-confirmation]
                queues: [support]
                sample_share: 0.25
              languages: [en, de]
              languages_by_queue: {support_de: de, Support_RU: ru}
              customer_channel: false
              redact: true
              window_s: 20
              jobs: 3
              threads: 2
            """, file: "callqa.yaml").transcription
        #expect(s.modelPath == "/models/ggml-small-q8_0.bin" && s.stage && s.jobs == 3 && s.threads == 2)
        #expect(s.selection.cards == ["order-confirmation"] && s.selection.queues == ["support"] && s.selection.sampleShare == 0.25)
        #expect(s.settings.detectAmong == ["en", "de"] && !s.settings.customerChannel && s.settings.redact && s.settings.windowS == 20)
        #expect(s.settings.language(forQueue: "SUPPORT_DE")! == ("de", "queue") && s.settings.language(forQueue: "support_ru")! == ("ru", "queue"))
        #expect(s.settings.language(forQueue: "orders") == nil)
        let one = try SettingsFile.parse("transcription:\n  language: ru\n", file: "c.yaml").transcription.settings
        #expect(one.language(forQueue: "orders")! == ("ru", "setting"))
        #expect(try SettingsFile.parse("transcription:\n  language: auto\n", file: "c.yaml").transcription.settings.language == nil)
        // Defaults: no stage, every call, redaction on, both channels.
        let d = try SettingsFile.parse("", file: "c.yaml").transcription
        #expect(!d.stage && d.selection.selectsAll && d.settings.redact && d.settings.customerChannel && d.modelPath == nil)
    }

    @Test func problemsNameTheirLine() {
        func problems(_ text: String) -> [String] {
            do {
                _ = try SettingsFile.parse(text, file: "callqa.yaml")
                return []
            } catch {
                return error.lines
            }
        }
        #expect(problems("transcription:\n  langauge: en\n") == ["callqa.yaml:2:3: transcription: unknown key 'langauge' (did you mean 'language'?); allowed: model, stage, select, language, languages, languages_by_queue, customer_channel, redact, window_s, jobs, threads"])
        #expect(problems("transcription:\n  language: klingon\n").first?.hasPrefix("callqa.yaml:2:13: transcription.language: expected a language code whisper knows") == true)
        #expect(problems("transcription:\n  languages: [en, xx]\n").first?.contains("transcription.languages: expected a language code") == true)
        #expect(problems("transcription:\n  window_s: 40\n").first?.contains("transcription.window_s: expected a number between 5 and 28, got 40") == true)
        #expect(problems("transcription:\n  select: {}\n").first?.contains("transcription.select: give cards, queues or sample_share") == true)
        #expect(problems("transcription:\n  select: {sample_share: 2}\n").first?.contains("between 0 and 1") == true)
        #expect(problems("transcription:\n  redact: no\n").first?.contains("transcription.redact: expected true or false, got 'no'") == true)
        #expect(problems("transcription:\n  jobs: 1.5\n").first?.contains("transcription.jobs: expected a whole number") == true)
        #expect(problems("transcription:\n  languages_by_queue: [de]\n").first?.contains("expected queue names with a language each") == true)
    }

    @Test func storedSettingsChangeWithWhatChangesATranscript() {
        var a = TranscriptionSettings()
        let base = a.json
        #expect(base.contains("\"transcriber\":\"\(CallTranscriber.version)\"") && base.contains("\"redact\":true"))
        for change in [{ (s: inout TranscriptionSettings) in s.redact = false }, { $0.customerChannel = false }, { $0.windowS = 20 },
                       { $0.language = "de" }, { $0.languagesByQueue = ["x": "en"] }, { $0.detectAmong = ["en"] }, { $0.padS = 0.3 }] {
            a = TranscriptionSettings()
            change(&a)
            #expect(a.json != base)
        }
    }
}

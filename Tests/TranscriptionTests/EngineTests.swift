import AudioIO
import CallQAModel
import Foundation
import Testing
@testable import Transcription

/// The real recogniser (whisper.cpp, tiny.en q8_0) on the fixture call: the words said come
/// back with times inside the speech, the card number is redacted.
@Suite struct EngineTests {
    func job() throws -> TranscriptionJob {
        let truth = try TestMaterial.truth()
        func segments(_ party: String) -> [(startS: Double, endS: Double)] {
            truth.lines.filter { $0.party == party }.map { ($0.start_s, $0.end_s) }
        }
        return TranscriptionJob(callID: "fixture", path: TestMaterial.cardCall, queue: nil, channels: ["agent": 0, "customer": 1],
                                fileChannels: 2, durationS: 25, parties: [("agent", segments("agent"), 10.8), ("customer", segments("customer"), 9.1)])
    }

    @Test func transcribesEachPartyAndRedactsTheCardNumber() throws {
        let model = try WhisperModel(path: TestMaterial.tinyModel)
        #expect(!model.isMultilingual)
        let session = try model.session(threads: 1)
        let (t, stats) = try CallTranscriber(settings: TranscriptionSettings()).transcribe(try job(), session: session)
        #expect(t.language == "en" && t.languageSource == "model")
        #expect(stats.windows == 2)
        let agent = try #require(t.party("agent")), customer = try #require(t.party("customer"))
        let agentText = TranscriptText.words(agent.text).joined(separator: " ")
        let customerText = TranscriptText.words(customer.text).joined(separator: " ")
        #expect(agentText.contains("thank you for calling"), "\(agentText)")
        #expect(agentText.contains("card number"), "\(agentText)")
        #expect(customerText.contains("pay my bill"), "\(customerText)")
        // 16 digits said one by one (a test card number): one redacted run, no digit left.
        #expect(customer.redactions == 1, "\(customer.text)")
        #expect(!customer.text.contains { $0.isNumber }, "\(customer.text)")
        #expect(customer.words.contains { $0.isRedacted && $0.startS >= 13 && $0.endS <= 20.5 })
        // Words lie inside their party's speech (padded by 0.2 s) and in order.
        let truth = try TestMaterial.truth()
        for (party, p) in [("agent", agent), ("customer", customer)] {
            let spans = truth.lines.filter { $0.party == party }
            for w in p.words {
                #expect(spans.contains { w.startS >= $0.start_s - 0.3 && w.endS <= $0.end_s + 0.3 }, "\(w)")
                #expect(w.confidence > 0 && w.confidence <= 1)
            }
            #expect(zip(p.words, p.words.dropFirst()).allSatisfy { $0.startS <= $1.startS })
        }
        #expect(agent.wordsPerMinute.map { $0 > 100 && $0 < 250 } == true, "\(String(describing: agent.wordsPerMinute))")
    }

    @Test func customerChannelCanBeLeftOut() throws {
        let model = try WhisperModel(path: TestMaterial.tinyModel)
        var settings = TranscriptionSettings()
        settings.customerChannel = false
        let (t, stats) = try CallTranscriber(settings: settings).transcribe(try job(), session: try model.session(threads: 1))
        #expect(stats.windows == 1)
        let customer = try #require(t.party("customer"))
        #expect(customer.words.isEmpty && customer.skipped != nil && customer.wordsPerMinute == nil)
        #expect(!(t.party("agent")?.words.isEmpty ?? true))
    }

    @Test func missingModelSaysWhatToDo() {
        #expect(throws: TranscriptionError.modelMissing(path: "/nonexistent/model.bin")) { try WhisperModel(path: "/nonexistent/model.bin") }
        let notAModel = TestMaterial.cardCall
        #expect(throws: TranscriptionError.modelUnusable(path: notAModel)) { try WhisperModel(path: notAModel) }
    }
}

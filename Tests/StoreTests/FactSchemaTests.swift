import CallQAModel
import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// The fact schema is the one list of metrics: every entry is produced for an analysed
/// stereo call (mixed ones for a mono call), every column it names exists, and what the
/// store writes reads back as the same facts.
@Suite struct FactSchemaTests {
    @Test func everyEntryIsProducedForAnAnalysedStereoCallAndMixedOnesForMono() async throws {
        let store = try await AggregateTests.sampleDay()
        let before = try store.scoringInputs(period: .all, scope: .everything)
        let stereoID = try #require(before.first { $0.facts.values["audio.agent.talk_s"] != nil
            && $0.facts.values["audio.agent.response_gap_s"] != nil && $0.facts.values["call.acw_s"] != nil
            && $0.facts.values["call.dialed"] != nil && $0.facts.values["call.direction"] != nil }).facts.callID
        let monoID = try #require(before.first { $0.facts.values["audio.mixed.talk_s"] != nil }).facts.callID
        // Transcript facts exist once a call has a transcript: give both calls one.
        for id in [stereoID, monoID] { try Self.saveTranscript(store, callID: id) }
        let inputs = try store.scoringInputs(period: .all, scope: .everything)
        let stereo = try #require(inputs.first { $0.facts.callID == stereoID })
        let mono = try #require(inputs.first { $0.facts.callID == monoID })
        var checked = 0
        for e in FactSchema.entries {
            switch e.source {
            case .party("mixed", _), .transcript("mixed", _):
                #expect(stereo.facts.values[e.name] == nil, "\(e.name) on a stereo call")
                #expect(mono.facts.values[e.name] != nil, "\(e.name) missing on the mono call \(mono.facts.callID)")
            default:
                #expect(stereo.facts.values[e.name] != nil, "\(e.name) missing on the stereo call \(stereo.facts.callID)")
                if e.stereoOnly { #expect(mono.facts.values[e.name] == nil, "\(e.name) on a mono call") }
            }
            checked += 1
        }
        #expect(checked == FactSchema.entries.count && checked > 60)
        // Kinds agree with the values built.
        for (name, value) in stereo.facts.values where !name.hasPrefix("call.attr.") {
            let entry = try #require(FactSchema.entry(name), "\(name) is produced but not in the schema")
            switch (entry.kind, value) {
            case (.number, .number), (.text, .text), (.flag, .flag): break
            default: Issue.record("\(name): kind \(entry.kind) but value \(value)")
            }
        }
    }

    @Test func everyColumnTheSchemaNamesExists() async throws {
        let store = try await AggregateTests.sampleDay()
        let columns = try store.read { db in
            try ["calls", "analyses", "party_metrics", "transcript_parties"].reduce(into: [String: Set<String>]()) { out, table in
                out[table] = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
            }
        }
        for e in FactSchema.entries {
            switch e.source {
            case let .call(c): #expect(columns["calls"]!.contains(c), "\(e.name): no calls.\(c)")
            case let .analysis(c): #expect(columns["analyses"]!.contains(c), "\(e.name): no analyses.\(c)")
            case let .party(_, c): #expect(columns["party_metrics"]!.contains(c), "\(e.name): no party_metrics.\(c)")
            case let .transcript(_, c): #expect(columns["transcript_parties"]!.contains(c), "\(e.name): no transcript_parties.\(c)")
            case .health, .attribute: break
            }
        }
        // The writer's own columns and the schema's together are the tables' columns (nothing
        // written twice, nothing left unwritten but defaults).
        let analyses = Set(CallStore.analysisOtherColumns).union(FactSchema.analysisColumns.map(\.column))
        #expect(analyses.count == CallStore.analysisOtherColumns.count + FactSchema.analysisColumns.count)
        #expect(analyses == columns["analyses"]!)
        let parties = Set(CallStore.partyOtherColumns).union(FactSchema.partyColumns.map(\.column))
        #expect(parties.count == CallStore.partyOtherColumns.count + FactSchema.partyColumns.count)
        #expect(parties == columns["party_metrics"]!)
    }

    /// A transcript of a few words per party of an analysed call, stored as
    /// `callqa transcribe` stores one (what the recogniser heard does not matter here).
    static func saveTranscript(_ store: CallStore, callID: String) throws {
        let c = try #require(try store.transcriptionCandidates(callIDs: [callID], scope: .everything).first)
        let parties = c.parties.map { p in
            PartyTranscript(party: p.party, words: [TranscriptWord(text: "hello", startS: 1, endS: 1.4, confidence: 0.9),
                                                    TranscriptWord(text: "there", startS: 1.5, endS: 1.9, confidence: 0.8)],
                            speechS: 2, talkS: p.talkS, redactions: 0)
        }
        let provenance = TranscriptProvenance(model: "test.bin", modelSHA256: "m", engine: "test", settings: #"{"redact":true}"#, settingsHash: "s",
                                              contentSHA256: c.contentSHA256, analysisHash: c.analysisHash)
        #expect(try store.saveTranscript(CallTranscript(callID: callID, language: "en", languageSource: "setting", parties: parties),
                                         provenance: provenance, wallS: 0.1))
    }

    @Test func storedFactsEqualTheAnalysisTheyCameFrom() async throws {
        let store = try await AggregateTests.sampleDay()
        let input = try #require(try store.scoringInputs(period: .all, scope: .everything).first { $0.facts.values["audio.agent.talk_s"] != nil })
        let path = try #require(input.facts.recordingPath)
        let analysis = try RecordingAnalyzer.analyze(path: path, options: .init())
        for (column, measure) in FactSchema.analysisColumns {
            let name = try #require(FactSchema.entries.first { if case .analysis(column) = $0.source { return true }; return false }?.name)
            if let v = measure(analysis.metrics) {
                guard case let .number(stored)? = input.facts.values[name] else { Issue.record("\(name) not stored"); continue }
                #expect(abs(stored - v) < 1e-9, "\(name): stored \(stored), measured \(v)")
            }
        }
    }
}

import CallAnalysis
import CallQAModel
import Reports
import Testing

/// The per-call page from a typed call detail alone (no database).
@Suite struct CallPageTests {
    static func detail() -> CallDetail {
        let audio = StoredAnalysis(recordingPath: "/rec/a b.wav", contentSHA256: "ab", container: "wav", encoding: "ulaw", sampleRate: 8000,
                                   channels: 2, analyzerVersion: "callqa-analysis 13", durationS: 90, silenceS: 20, silenceRatio: 0.2222,
                                   nonTalkS: 20, overtalkS: 1.5, overtalkRatio: 0.0166, interruptionsByAgent: 1, interruptionsByCustomer: 0,
                                   deadAirCount: 1, deadAirS: 15, longestSilenceS: 15, longestSilenceStartS: 60, holdS: 0, toneS: 0,
                                   talkToListen: 0.55, agentResponseGapS: 0.8, health: ["crosstalk"])
        func party(_ p: String, _ spans: [FrameSpan]) -> StoredParty {
            StoredParty(party: p, talkS: 30, talkRatio: 1.0 / 3, segmentCount: spans.count, longestMonologueS: 12, longestMonologueStartS: 1,
                        speechDBFS: -20, noiseDBFS: -60, snrDB: 40, peakDBFS: -3, clippedShare: 0, echoCouplingDB: nil, echoDelayMs: nil,
                        echoAppliedShare: nil, backgroundVoicesShare: 0, segments: spans)
        }
        return CallDetail(call: StoredCallRecord(callID: "c<1>", agentID: "a1", startedAt: "2026-11-24T09:00:00+01:00", answered: true),
                          audio: audio, parties: [party("agent", [FrameSpan(100, 400)]), party("customer", [FrameSpan(350, 900)])],
                          events: [AudioEvent(kind: .deadAir, party: nil, startS: 60, endS: 75)])
    }

    @Test func callTimelineAndEvidenceLinks() {
        let html = HTMLPages.call(Self.detail(), tables: [])
        #expect(html.contains("Timeline of call c&lt;1&gt;"))
        #expect(html.contains("file:///rec/a%20b.wav"))
        #expect(HTMLPages.fileURL("/rec/x.wav", start: 192) == "file:///rec/x.wav#t=192")
    }

    @Test func rawFieldsKeepStoredPrecisionAndOrder() {
        let d = Self.detail()
        #expect(d.record.map(\.0) == ["call_id", "agent_id", "started_at", "answered", "recording_status"])
        let an = Dictionary(d.analysis, uniquingKeysWith: { a, _ in a })
        #expect(an["sample_rate"] == "8000" && an["duration_s"] == "90.0" && an["silence_ratio"] == "0.2222")
        #expect(an["agent.talk_ratio"] == "0.3333" && an["customer.segment_count"] == "1" && an["agent.echo_coupling_db"] == nil)
        #expect(d.analysis.first?.0 == "container" && d.analysis.last?.0 == "customer.background_voices_share")
        #expect(StoredText.real(-40.25) == "-40.25" && StoredText.real(12) == "12.0" && StoredText.real(0.123456) == "0.1235")
    }

    @Test func groupedTablesShowUnitsAndTheEvent() {
        let tables = CallLayout.tables(Self.detail())
        #expect(tables.map(\.name) == ["call_summary", "call_conversation", "call_levels"])
        let text = tables.map { $0.text() }.joined()
        #expect(text.contains("dead air              1 gap, 15 s"))
        #expect(text.contains("talk 30 s (33.3 %), 1 segments, longest monologue 12 s"))
        #expect(text.contains("health") && text.contains("crosstalk"))
    }

    /// Tones are a lane of the timeline (what the analysis stored as tone events), and the
    /// hold line of the call report counts them.
    @Test func tonesHaveTheirLaneAndTheirPlaceInTheHoldLine() {
        var d = Self.detail()
        d.audio?.toneS = 3.2
        d.events += [AudioEvent(kind: .tone, party: nil, startS: 2, endS: 3.1), AudioEvent(kind: .tone, party: nil, startS: 5, endS: 7.1)]
        let svg = HTMLPages.timeline(d) ?? ""
        #expect(svg.contains(">tones</text>"))
        #expect(svg.contains("fill=\"#c98a00\"><title>tones 2–3.1 s</title>") && svg.contains("<title>tones 5–7.1 s</title>"))
        #expect(!svg.contains("not placed"))
        let hold = CallLayout.tables(d).first { $0.name == "call_conversation" }?.rows.first { $0.first == .text("hold (music / tones)") }
        #expect(hold?.last == .text("0 s, tones 3.2 s"))
        // No tones: the lane is there and empty, and the hold line says the hold alone.
        let none = Self.detail()
        #expect((HTMLPages.timeline(none) ?? "").contains(">tones</text>") && !(HTMLPages.timeline(none) ?? "").contains("<title>tones"))
        #expect(CallLayout.tables(none).first { $0.name == "call_conversation" }?.rows.first { $0.first == .text("hold (music / tones)") }?.last
                == .text("0 s"))
        #expect(Dictionary(none.analysis, uniquingKeysWith: { a, _ in a })["tone_s"] == "0.0", "tone_s is a raw field")
        // Analysed before tones were stored as events: the lane says where its total went.
        var old = Self.detail()
        old.audio?.toneS = 3.2
        #expect((HTMLPages.timeline(old) ?? "").contains("3.2 s of tones, not placed: analysed by callqa-analysis 13; ingest again to place them"))
    }
}

import CallQAModel

/// A call's transcript as `report call` and the call pages show it: turns (a party's words
/// until the other party speaks) with their time; every word carries its seconds
/// (`data-s`, `data-e`) so the workspace's player can light the words being said.
public enum TranscriptRendering {
    /// A turn: one party's consecutive words.
    public struct Turn: Sendable, Equatable {
        public var party: String
        public var words: [TranscriptWord]
        public var startS: Double { words.first?.startS ?? 0 }
        public var text: String { words.map(\.text).joined(separator: " ") }
    }

    /// Words of all parties in time order, cut into turns where the party changes or a
    /// party pauses 2 s or more.
    public static func turns(_ t: CallTranscript) -> [Turn] {
        var out: [Turn] = []
        for (party, word) in t.turns {
            if let last = out.last, last.party == party, let prev = last.words.last, word.startS - prev.endS < 2 {
                out[out.count - 1].words.append(word)
            } else {
                out.append(Turn(party: party, words: [word]))
            }
        }
        return out
    }

    /// One line about how the transcript was made: `en (detected, 97 %) · ggml-base-q8_0.bin ·
    /// 812 words · 2 digit runs redacted · agent 164 words/min, customer 151 words/min`.
    public static func summary(_ s: StoredTranscript) -> String {
        let t = s.transcript
        var language = t.language
        switch t.languageSource {
        case "detected": language += " (detected\(t.languageProbability.map { ", " + JSONValue.format($0 * 100, decimals: 0) + " %" } ?? ""))"
        case "queue": language += " (set for the queue)"
        case "setting": language += " (set for every call)"
        case "model": language += " (English-only model)"
        default: break
        }
        var parts = [language, s.provenance.model, "\(t.wordCount) words", "\(t.redactions) digit run\(t.redactions == 1 ? "" : "s") redacted"]
        let wpm = t.parties.compactMap { p in p.wordsPerMinute.map { "\(p.party) \(JSONValue.format($0, decimals: 0)) words/min" } }
        if !wpm.isEmpty { parts.append(wpm.joined(separator: ", ")) }
        for p in t.parties { if let why = p.skipped { parts.append("\(p.party): \(why)") } }
        return parts.joined(separator: " · ")
    }

    /// The transcript as tables: for people, one row per turn (time, party, what was said);
    /// for CSV and JSON, one row per word with its seconds and confidence.
    public static func tables(_ s: StoredTranscript?, forPeople: Bool) -> [ReportTable] {
        guard let s else { return [] }
        let title = "Transcript — " + summary(s)
        if forPeople {
            let rows = turns(s.transcript).map { turn -> [Cell] in
                [.text(EvidenceSpan.clock(turn.startS)), .text(turn.party), .text(turn.text)]
            }
            return [ReportTable(name: "call_transcript", title: title,
                                columns: [Column("at", .text).width(8), Column("party", .text).width(9), Column("said", .text).width(80)], rows: rows)]
        }
        let rows = s.transcript.turns.map { party, w -> [Cell] in
            [.text(party), .number(w.startS), .number(w.endS), .text(w.text), .number(w.confidence)]
        }
        return [ReportTable(name: "call_transcript", title: title,
                            columns: [Column("party", .text), Column("start_s", .seconds), Column("end_s", .seconds), Column("word", .text),
                                      Column("confidence", .ratio)], rows: rows)]
    }

    /// The transcript section of a call page: a line on how it was made, then the turns,
    /// each starting with its time as a link to that moment (`links.recording`), each word in
    /// a `span.w` with `data-s`/`data-e` (s). Every text is escaped.
    public static func html(_ s: StoredTranscript, callID: String, recordingPath: String?, links: Links) -> String {
        var out = "<section class=\"card transcript\" id=\"transcript\"><h2 class=\"section\">Transcript</h2>\n"
        out += "<p class=\"muted\" id=\"transcript-summary\">\(HTMLReport.escape(summary(s)))</p>\n"
        let turns = turns(s.transcript)
        if turns.isEmpty {
            out += "<p class=\"muted\">No words were recognised.</p>\n"
        } else {
            out += "<ol class=\"turns\">\n"
            for turn in turns {
                let at = EvidenceSpan.clock(turn.startS)
                let time = links.recording(callID, recordingPath, turn.startS).map {
                    "<a class=\"t\" href=\"\(HTMLReport.escape($0))\">\(at)</a>"
                } ?? "<span class=\"t\">\(at)</span>"
                out += "<li class=\"turn \(turn.party == "customer" ? "customer" : turn.party == "agent" ? "agent" : "mixed")\">\(time) "
                    + "<span class=\"who\">\(HTMLReport.escape(turn.party))</span> "
                for w in turn.words {
                    let cls = w.isRedacted ? "w redacted" : "w"
                    out += "<span class=\"\(cls)\" data-s=\"\(JSONValue.format(w.startS, decimals: 2))\" data-e=\"\(JSONValue.format(w.endS, decimals: 2))\">"
                        + HTMLReport.escape(w.text) + "</span> "
                }
                out += "</li>\n"
            }
            out += "</ol>\n"
        }
        return out + "</section>\n"
    }
}

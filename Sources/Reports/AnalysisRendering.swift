import CallAnalysis

/// Renders `callqa analyze` results: one JSON object per file (JSON Lines) or a terminal table.
public enum AnalysisRendering {
    /// The JSON object of one analysed file. Keys are snake_case, durations in seconds,
    /// ratios 0–1, levels dBFS; per-party values on mono are under `mixed` only.
    public static func json(_ r: RecordingAnalysis, analyzerVersion: String, segments: Bool) -> JSONValue {
        let m = r.metrics
        var parties: [(String, JSONValue)] = []
        for party in [Party.agent, .customer, .mixed] {
            guard let pm = m.parties[party] else { continue }
            var obj: [(String, JSONValue)] = [
                ("talk_s", .seconds(pm.talkS)),
                ("talk_ratio", .ratio(pm.talkRatio)),
                ("segment_count", .int(pm.segmentCount)),
                ("longest_monologue_s", .seconds(pm.longestMonologueS)),
                ("longest_monologue_start_s", .optional(pm.longestMonologueStartS, JSONValue.seconds)),
                ("speech_level_dbfs", .optional(pm.levels.activeSpeechDBFS, JSONValue.decibels)),
                ("noise_floor_dbfs", .optional(pm.levels.noiseFloorDBFS, JSONValue.decibels)),
                ("snr_db", .optional(pm.levels.snrDB, JSONValue.decibels)),
                ("peak_dbfs", .optional(pm.levels.peakDBFS, JSONValue.decibels)),
                ("clipped_share", .number(pm.levels.clippedShare, decimals: 6)),
                ("background_voices_share", .ratio(pm.backgroundVoicesShare)),
            ]
            if segments {
                obj.append(("segments", .array(pm.segments.map { .array([.seconds($0.startS), .seconds($0.endS)]) })))
            }
            parties.append((party.rawValue, .object(obj)))
        }
        let channelNames: [JSONValue] = r.channelsUsed.map { .int($0 + 1) }
        let params: [(String, JSONValue)] = [
            ("analyzer", .string(analyzerVersion)),
            ("agent_channel", r.format.channels == 2 || r.channelsUsed.count == 2 ? .string(r.options.agentChannel.rawValue) : .null),
            ("channels_used", .array(channelNames)),
        ] + r.options.parameters.namedValues.map { ($0.0, .number($0.1, decimals: 4)) }
        var obj: [(String, JSONValue)] = [
            ("file", .string(r.file)),
            ("format", .string("\(r.format.container) \(r.format.encoding)")),
            ("container", .string(r.format.container)),
            ("encoding", .string(r.format.encoding)),
            ("sample_rate", .int(r.format.sampleRate)),
            ("channels", .int(r.format.channels)),
            ("duration_s", .number(m.durationS, decimals: 3)),
            ("parties", .object(parties)),
            ("silence_s", .seconds(m.silenceS)),
            ("silence_ratio", .ratio(m.silenceRatio)),
            ("non_talk_s", .seconds(m.nonTalkS)),
            ("overtalk_s", .optional(m.overtalkS, JSONValue.seconds)),
            ("overtalk_ratio", .optional(m.overtalkRatio, JSONValue.ratio)),
            ("interruptions", m.interruptionsByAgent == nil ? .null : .object([
                ("by_agent", .optional(m.interruptionsByAgent, JSONValue.int)),
                ("by_customer", .optional(m.interruptionsByCustomer, JSONValue.int)),
            ])),
            ("dead_air", .array(m.deadAir.map { .object([("start_s", .seconds($0.startS)), ("end_s", .seconds($0.endS))]) })),
            ("dead_air_count", .int(m.deadAir.count)),
            ("dead_air_s", .seconds(m.deadAir.reduce(0) { $0 + $1.durationS })),
            ("longest_silence_s", .seconds(m.longestSilenceS)),
            ("longest_silence_start_s", .optional(m.longestSilenceStartS, JSONValue.seconds)),
            ("hold_s", .seconds(m.holdS)),
            ("hold", .array(m.hold.map { .object([("start_s", .seconds($0.startS)), ("end_s", .seconds($0.endS))]) })),
            ("tone_s", .seconds(m.toneS)),
            ("keypresses", .array(m.keypresses.map { .object([("start_s", .seconds($0.startS)), ("end_s", .seconds($0.endS))]) })),
            ("talk_to_listen", .optional(m.talkToListen, JSONValue.ratio)),
            ("agent_response_gap_s", .optional(m.agentResponseGapS, JSONValue.seconds)),
            ("channel_correlation", .optional(m.channelCorrelation, JSONValue.ratio)),
            ("echo", m.parties[.mixed] != nil ? .null : .object([Party.agent, .customer].map { party in
                (party.rawValue, m.echo[party].map { e in
                    .object([("coupling_db", .decibels(e.couplingDB)), ("delay_ms", .int(Int(e.delayMs.rounded()))),
                             ("correlation", .ratio(e.correlation)), ("applied_share", .ratio(e.appliedShare))])
                } ?? .null)
            })),
            ("health", .array(m.health.map { .string($0.rawValue) })),
        ]
        if let library = r.options.knownAudio {
            // What the site's own audio explains: where, which file, from where in it, on how
            // many landmarks.
            let found: [JSONValue] = [Party.agent, .customer, .mixed].flatMap { party in
                (m.knownAudio[party] ?? []).map { k -> JSONValue in
                    .object([("party", .string(party.rawValue)), ("start_s", .seconds(k.span.startS)), ("end_s", .seconds(k.span.endS)),
                             ("file", .string(k.name)), ("file_offset_s", .seconds(k.trackOffsetS)), ("landmarks", .int(k.landmarks))])
                }
            }
            obj.append(("hold_music", .object([("library", .string(library.digest)), ("files", .int(library.tracks.count)),
                                               ("found", .array(found)),
                                               ("not_applied", m.knownAudioNote.map(JSONValue.string) ?? .null)])))
        }
        if let t = r.truncation {
            obj.append(("truncated", .object([("declared_bytes", .int(Int(t.declaredBytes))),
                                               ("present_bytes", .int(Int(t.presentBytes)))])))
        }
        obj.append(("parameters", .object(params)))
        return .object(obj)
    }

    /// The JSON line of a file that could not be analysed.
    public static func errorJSON(file: String, error: String) -> JSONValue {
        .object([("file", .string(file)), ("error", .string(error))])
    }

    /// Terminal table: one row per file, fitting 100 columns.
    public static func table(_ rows: [(file: String, result: Result<RecordingAnalysis, AnalysisFailure>)]) -> String {
        let header = ["file", "dur s", "agent", "cust", "silence", "overtalk", "int a/c", "dead air", "hold s", "health"]
        var lines: [[String]] = [header]
        for (file, result) in rows {
            switch result {
            case let .success(r):
                let m = r.metrics
                let a = m.parties[.agent], c = m.parties[.customer], mixed = m.parties[.mixed]
                lines.append([
                    shorten(file, 24),
                    fixed(m.durationS, 1),
                    a.map { pct($0.talkRatio) } ?? mixed.map { "mix " + pct($0.talkRatio) } ?? "-",
                    c.map { pct($0.talkRatio) } ?? "-",
                    pct(m.silenceRatio),
                    m.overtalkRatio.map(pct) ?? "-",
                    m.interruptionsByAgent.map { "\($0)/\(m.interruptionsByCustomer ?? 0)" } ?? "-",
                    m.deadAir.isEmpty ? "0" : "\(m.deadAir.count) (\(fixed(m.longestSilenceS, 1))s)",
                    fixed(m.holdS, 1),
                    m.health.isEmpty ? "ok" : m.health.map(\.rawValue).joined(separator: ","),
                ])
            case let .failure(e):
                lines.append([shorten(file, 24), "ERROR: " + e.message])
            }
        }
        return TextTable.render(lines)
    }

    static func pct(_ v: Double) -> String { fixed(v * 100, 1) + "%" }

    static func fixed(_ v: Double, _ d: Int) -> String { JSONValue.format(v, decimals: d, padded: true) }

    static func shorten(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : "…" + s.suffix(n - 1)
    }
}

/// A file that failed, with its message (for rendering).
public struct AnalysisFailure: Error, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
}

/// Minimal aligned text table: first row is the header; a row with fewer cells spans the rest.
public enum TextTable {
    public static func render(_ raw: [[String]]) -> String {
        // Data-derived text may hold newlines or escape sequences: never let it move the cursor.
        let rows = raw.map { $0.map(TerminalText.clean) }
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows.dropFirst() where row.count == header.count {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for (r, row) in rows.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() {
                if i > 0 { line += "  " }
                if row.count == header.count && i < row.count - 1 {
                    line += cell + String(repeating: " ", count: widths[i] - cell.count)
                } else {
                    line += cell
                }
            }
            out += line.trimmingTrailingSpaces() + "\n"
            if r == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Text from data, made safe for a terminal: control characters (newlines, ESC, …) are
/// shown as `\n`, `\t` or `\u{1B}` instead of acting on the terminal.
public enum TerminalText {
    public static func clean(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) {
                    out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}

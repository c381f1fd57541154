import CallQAModel
import Pipeline
import Reports
import Store

/// The API's JSON bodies, built from the same values the pages and reports render: keys in
/// snake_case, durations in seconds, ratios 0–1, scores in percent, times ISO 8601. Each
/// shape is a schema of the OpenAPI document (openapi.json), checked against real answers
/// by the tests.
enum APIRender {
    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func int(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }
    static func seconds(_ v: Double?) -> JSONValue { v.map { .seconds($0) } ?? .null }
    static func ratio(_ v: Double?) -> JSONValue { v.map { .ratio($0) } ?? .null }
    static func db(_ v: Double?) -> JSONValue { v.map { .decibels($0) } ?? .null }
    static func percent(_ v: Double?) -> JSONValue { v.map { .number($0, decimals: 2) } ?? .null }

    /// `{"kind": "month", "from": "2026-11-01", "to": "2026-11-30"}` (open bounds are null).
    static func period(_ p: WebPeriod) -> JSONValue {
        .object([("kind", .string(p.kind.rawValue)), ("from", text(p.from)), ("to", text(p.to))])
    }

    /// `GET /api/v1/me`.
    static func me(_ c: APICaller) -> JSONValue {
        let a = c.account
        return .object([
            ("user", .string(a.name)), ("role", .string(a.role.rawValue)), ("agent_id", text(a.agentID)),
            ("teams", .array(a.teams.map { .string($0) })), ("sees", .string(Pages.scopeDescription(a))),
            ("auth", .object([("kind", .string(c.tokenID == nil ? "session" : "token")), ("token_id", c.tokenID.map { .int(Int($0)) } ?? .null),
                              ("expires_at", c.expiresEpoch.map { .string(Timestamp(epochS: $0.rounded(.down), offsetS: 0).iso8601) } ?? .null)])),
        ])
    }

    /// One row of the calls list (the columns of the calls page's CSV export).
    static func callRow(_ r: CallListRow) -> JSONValue {
        .object([
            ("call_id", .string(r.callID)), ("started_at", .string(r.startedAt)), ("agent_id", text(r.agentID)),
            ("agent_name", text(r.agentName)), ("team", text(r.team)), ("queue", text(r.queue)), ("direction", text(r.direction)),
            ("answered", .bool(r.answered)), ("handle_s", seconds(r.handleS)), ("duration_s", seconds(r.durationS)),
            ("dead_air_s", seconds(r.deadAirS)), ("interruptions", int(r.interruptions)), ("health", .array(r.health.map { .string($0) })),
            ("scorecard", text(r.cardID)), ("score", percent(r.score)), ("provisional", .bool(r.provisional)),
            ("critical_failed", .bool(r.criticalFailed)), ("nps", int(r.nps)),
            ("url", .string("/api/v1/calls/\(HTML.pathSegment(r.callID))")),
        ])
    }

    /// `GET /api/v1/calls/{id}`: the record, the analysis with each party's figures and
    /// speech segments, the marked events, the scores as `explain --format json` gives them,
    /// and the survey answers.
    /// A stored transcript: what made it, and each party's words (times in seconds from the
    /// start of the recording, confidence 0–1; a redacted digit run is one word `[redacted]`).
    static func transcript(_ s: StoredTranscript) -> JSONValue {
        let t = s.transcript
        return .object([
            ("call_id", .string(t.callID)),
            ("language", .string(t.language)), ("language_source", .string(t.languageSource)),
            ("language_probability", t.languageProbability.map { .ratio($0) } ?? .null),
            ("model", .string(s.provenance.model)), ("model_sha256", .string(s.provenance.modelSHA256)), ("engine", .string(s.provenance.engine)),
            ("transcribed_at", .string(s.transcribedAt)),
            ("word_count", .int(t.wordCount)), ("redactions", .int(t.redactions)),
            ("parties", .array(t.parties.map { p in
                .object([
                    ("party", .string(p.party)), ("word_count", .int(p.words.count)), ("redactions", .int(p.redactions)),
                    ("speech_s", .seconds(p.speechS)), ("talk_s", seconds(p.talkS)),
                    ("words_per_minute", p.wordsPerMinute.map { .number($0, decimals: 1) } ?? .null),
                    ("skipped", text(p.skipped)),
                    ("words", .array(p.words.map { w in
                        .object([("text", .string(w.text)), ("start_s", .seconds(w.startS)), ("end_s", .seconds(w.endS)),
                                 ("confidence", .number(w.confidence, decimals: 3)), ("redacted", .bool(w.isRedacted))])
                    })),
                ])
            })),
        ])
    }

    static func call(_ report: CallReport, surveys: [SurveyFact]) -> JSONValue {
        let d = report.detail
        let c = d.call
        var pairs: [(String, JSONValue)] = [
            ("call_id", .string(c.callID)),
            ("call", .object([
                ("agent_id", text(c.agentID)), ("agent_name", text(c.agentName)), ("team", text(c.team)), ("queue", text(c.queue)),
                ("direction", text(c.direction?.rawValue)), ("started_at", .string(c.startedAt)), ("wait_s", seconds(c.waitS)),
                ("answered", .bool(c.answered)), ("talk_s", seconds(c.talkS)), ("hold_s", seconds(c.holdS)), ("acw_s", seconds(c.acwS)),
                ("handle_s", seconds(c.handleS)), ("dialed", text(c.dialed)), ("recording", text(c.recording)),
                ("recording_status", .string(c.recordingStatus.rawValue)), ("recording_error", text(c.recordingError)),
            ])),
            ("recording_url", d.recordingPath == nil ? .null : .string("/api/v1/calls/\(HTML.pathSegment(c.callID))/recording")),
            ("audio", d.audio.map { a in
                .object([
                    ("container", .string(a.container)), ("encoding", .string(a.encoding)), ("sample_rate", .int(a.sampleRate)),
                    ("channels", .int(a.channels)), ("analyzer_version", .string(a.analyzerVersion)), ("content_sha256", .string(a.contentSHA256)),
                    ("duration_s", .seconds(a.durationS)), ("silence_s", .seconds(a.silenceS)), ("silence_ratio", .ratio(a.silenceRatio)),
                    ("non_talk_s", .seconds(a.nonTalkS)), ("overtalk_s", seconds(a.overtalkS)), ("overtalk_ratio", ratio(a.overtalkRatio)),
                    ("interruptions_by_agent", int(a.interruptionsByAgent)), ("interruptions_by_customer", int(a.interruptionsByCustomer)),
                    ("dead_air_count", .int(a.deadAirCount)), ("dead_air_s", .seconds(a.deadAirS)),
                    ("longest_silence_s", .seconds(a.longestSilenceS)), ("longest_silence_start_s", seconds(a.longestSilenceStartS)),
                    ("hold_s", .seconds(a.holdS)), ("tone_s", .seconds(a.toneS)), ("talk_to_listen", ratio(a.talkToListen)),
                    ("agent_response_gap_s", seconds(a.agentResponseGapS)), ("health", .array(a.health.map { .string($0) })),
                ])
            } ?? .null),
            ("parties", .array(d.parties.map { p in
                .object([
                    ("party", .string(p.party)), ("talk_s", .seconds(p.talkS)), ("talk_ratio", .ratio(p.talkRatio)),
                    ("segment_count", .int(p.segmentCount)), ("longest_monologue_s", .seconds(p.longestMonologueS)),
                    ("longest_monologue_start_s", seconds(p.longestMonologueStartS)), ("speech_dbfs", db(p.speechDBFS)),
                    ("noise_dbfs", db(p.noiseDBFS)), ("snr_db", db(p.snrDB)), ("peak_dbfs", db(p.peakDBFS)),
                    ("clipped_share", .ratio(p.clippedShare)), ("echo_coupling_db", db(p.echoCouplingDB)),
                    ("echo_delay_ms", p.echoDelayMs.map { .number($0, decimals: 1) } ?? .null), ("echo_applied_share", ratio(p.echoAppliedShare)),
                    ("background_voices_share", ratio(p.backgroundVoicesShare)),
                    ("segments", .array(p.segments.map { .array([.seconds($0.startS), .seconds($0.endS)]) })),
                ])
            })),
            ("events", .array(d.events.map { e in
                .object([("kind", .string(e.kind.rawValue)), ("party", text(e.party)), ("start_s", .seconds(e.startS)), ("end_s", .seconds(e.endS))])
            })),
        ]
        // The scores exactly as `explain --format json` writes them.
        if case let .object(explain) = ScoreRendering.json(callID: c.callID, report.scores, notScored: report.notScored, agentID: c.agentID,
                                                          legs: d.legs, hasRecording: d.recordingPath != nil) {
            pairs += explain.filter { ["transfer", "legs", "scores", "not_scored"].contains($0.0) }
        }
        pairs.append(("surveys", .array(surveys.map { s in
            .object([("score", int(s.score)), ("csat", int(s.csat)), ("answered_at", .string(s.answeredAt)), ("comment", text(s.comment))])
        })))
        return .object(pairs)
    }

    static func stored(_ e: StoredEvaluation) -> JSONValue {
        .object([
            ("scorecard", .string(e.cardID)), ("criterion", .string(e.criterionID)), ("answer", .string(e.answer)),
            ("evaluator", .string(e.evaluator)), ("evaluated_at", .string(e.evaluatedAt)), ("comment", text(e.comment)),
            ("source", .string(e.source)), ("imported_at", .string(e.importedAt)),
        ])
    }

    /// `GET /api/v1/calls/{id}/evaluations`: the manual criteria of each card that applies,
    /// with their stored answers, and the version a write must send back.
    static func sheet(callID: String, _ sheet: EvaluationSheet) -> JSONValue {
        .object([
            ("call_id", .string(callID)), ("version", .string(sheet.fingerprint)),
            ("cards", .array(sheet.forms.map { f in
                .object([
                    ("scorecard", .string(f.cardID)), ("name", .string(f.cardName)),
                    ("criteria", .array(f.criteria.map { c in
                        let answering: JSONValue = switch c.kind {
                        case .yesNo: .object([("kind", .string("yes_no")), ("answers", .array(["yes", "no", "partial", "n/a"].map { .string($0) }))])
                        case let .scale(lo, hi): .object([("kind", .string("scale")), ("min", .int(lo)), ("max", .int(hi))])
                        }
                        return .object([
                            ("criterion", .string(c.id)), ("text", .string(c.text)), ("section", .string(c.sectionName)),
                            ("answering", answering), ("critical", .bool(c.critical)), ("answer", text(c.answer)),
                            ("comment", text(c.comment)), ("evaluator", text(c.evaluator)), ("evaluated_at", text(c.evaluatedAt)),
                        ])
                    })),
                ])
            })),
            ("answers", .array(sheet.stored.map(stored))),
        ])
    }

    static func scoreState(_ s: WebEvaluation.ScoreState?) -> JSONValue {
        guard let s else { return .null }
        return .object([("status", .string(s.status.rawValue)), ("score", percent(s.score)), ("critical_failed", .bool(s.criticalFailed))])
    }

    static func evaluationRow(_ r: EvaluationListRow) -> JSONValue {
        .object([
            ("call_id", .string(r.callID)), ("started_at", .string(r.startedAt)), ("agent_id", text(r.agentID)), ("team", text(r.team)),
            ("queue", text(r.queue)), ("scorecard", .string(r.cardID)), ("criterion", .string(r.criterionID)), ("answer", .string(r.answer)),
            ("evaluator", .string(r.evaluator)), ("evaluated_at", .string(r.evaluatedAt)), ("comment", text(r.comment)),
            ("source", .string(r.source)), ("imported_at", .string(r.importedAt)),
        ])
    }

    /// `GET /api/v1/agents`: each card's table of `report agents`, its rows as the JSON of
    /// `report agents --format json` writes them.
    static func agents(_ report: BuiltReport, period: WebPeriod, minScored: Int) -> JSONValue {
        var cards: [JSONValue] = []
        var calls = 0
        for (i, t) in report.tables.enumerated() {
            let card = i < report.summaries.count ? report.summaries[i].card : nil
            calls = t.period?.calls ?? calls
            var rows: JSONValue = .array([])
            if case let .object(pairs) = t.json(), let r = pairs.first(where: { $0.0 == "rows" })?.1 { rows = r }
            cards.append(.object([
                ("scorecard", card.flatMap { $0.id.isEmpty ? nil : .string($0.id) } ?? .null),
                ("name", card.flatMap { $0.id.isEmpty ? nil : .string($0.name) } ?? .null),
                ("target", .number(card?.target ?? 95, decimals: 2)),
                ("warnings", .array(t.warnings.map { .string($0) })), ("agents", rows),
            ]))
        }
        guard case var .object(p) = Self.period(period) else { return .null }
        p.append(("calls", .int(calls)))
        return .object([("period", .object(p)), ("min_scored", .int(minScored)), ("cards", .array(cards))])
    }

    /// `POST /api/v1/surveys`: what the import did (as `callqa nps import` prints it).
    static func surveys(_ s: SurveyImportSummary) -> JSONValue {
        .object([
            ("rows", .int(s.rows)), ("imported", .int(s.imported)), ("no_answer", .int(s.noAnswer)),
            ("already_imported", .int(s.alreadyImported)), ("rejected", .int(s.rejectedCount)),
            ("rejections", .array(s.rejected.map { r in
                .object([("line", .int(r.source.line)), ("field", text(r.field)), ("message", .string(r.message))])
            })),
            ("linked", .int(s.linked)), ("waiting", .int(s.waiting)), ("time_from_call", int(s.timeFromCall)),
        ])
    }
}

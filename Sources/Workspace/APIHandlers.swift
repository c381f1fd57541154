import CallQAModel
import CallRecords
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Pipeline
import Reports
import Store

/// The handlers of `/api/v1`: decode the query or body, call the same report queries and
/// scoped store reads as the pages (with the caller's account scope), render JSON. A call,
/// agent, team, queue or card outside the scope answers exactly like one that does not exist.
extension Handlers {
    /// The caller (the middleware has answered 401 to everyone else).
    func apiCaller(_ context: WorkspaceContext) throws(APIError) -> APICaller {
        guard let caller = context.apiCaller else { throw APIError.unauthorized("no credentials") }
        return caller
    }

    /// The OpenAPI 3.1 document of this API (openapi.json, compiled into the binary).
    @Sendable func openAPI(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let buffer = ByteBuffer(bytes: OpenAPIDocument.bytes)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes)],
                        body: .init(byteBuffer: buffer))
    }

    @Sendable func apiMe(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        _ = try apiQuery(request, "GET /api/v1/me")
        return .json(APIRender.me(caller))
    }

    /// The parameters of the calls list: the calls page's, with `limit` and `cursor` for
    /// its keyset pages — but not the transcript search `said` (the API does not search
    /// transcripts: a search is audited with what was searched, on the workspace's page).
    static let callsParameters = ["period", "date", "from", "to"] + CallsQuery.filterNames.filter { $0 != "said" }
        + ["sort", "order", "limit", "cursor"]
    static let selectionParameters = ["period", "date", "from", "to", "agent", "team", "queue", "card"]

    /// The query parameters each route takes (any other is a 400): the OpenAPI document
    /// lists the same, which the tests check.
    static let apiQueryParameters: [String: [String]] = [
        "GET /api/v1/me": [],
        "GET /api/v1/calls": callsParameters,
        "GET /api/v1/calls/{call_id}": [],
        "GET /api/v1/calls/{call_id}/recording": ["channel", "download"],
        "GET /api/v1/calls/{call_id}/transcript": [],
        "GET /api/v1/calls/{call_id}/evaluations": [],
        "POST /api/v1/calls/{call_id}/evaluations": [],
        "GET /api/v1/evaluations": selectionParameters + ["limit", "cursor"],
        "GET /api/v1/agents": selectionParameters + ["min_scored"],
        "POST /api/v1/surveys": ["link_window_h", "tz", "country_code"],
    ]

    /// The query of a request to the route `key` (`"GET /api/v1/calls"`).
    func apiQuery(_ request: Request, _ key: String) throws(APIError) -> APIQuery {
        try APIQuery(request, allowed: Self.apiQueryParameters[key] ?? [])
    }

    @Sendable func apiCalls(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let q = try apiQuery(request, "GET /api/v1/calls")
        let scope = caller.account.scope
        let query: CallsQuery
        do {
            query = try CallsQuery.parse(q.lookup, latest: try latestDay(scope), known: try known(scope))
        } catch let e as BadQuery {
            throw APIError.badQuery(e)
        } catch let e as UnknownValue {
            throw APIError.unknownValue(e.field)
        }
        let limit = try q.limit(default: 100, max: 1000)
        let after = try q.value("cursor").map { (c: String) throws(APIError) in try APICursor.calls(c, sort: query.sort, descending: query.descending) }
        var rows = try server.store.callList(query.filter, sort: query.sort, descending: query.descending, after: after, limit: limit + 1,
                                             scope: query.scope(scope))
        let more = rows.count > limit
        if more { rows.removeLast() }
        let cursor = more ? rows.last.map { APICursor.calls($0, sort: query.sort, descending: query.descending) } : nil
        let next = cursor.map { "/api/v1/calls?" + Query.string(query.items + [("limit", String(limit)), ("cursor", $0)]) }
        return .json(.object([
            ("period", APIRender.period(query.period)), ("sort", .string(query.sort.rawValue)),
            ("order", .string(query.descending ? "desc" : "asc")), ("limit", .int(limit)),
            ("calls", .array(rows.map(APIRender.callRow))), ("next_cursor", APIRender.text(cursor)), ("next", APIRender.text(next)),
        ]))
    }

    /// The id of the call in the path.
    func callID(_ context: WorkspaceContext) throws(APIError) -> String {
        guard let id = context.parameters.get("id") else { throw APIError.notFound }
        return id
    }

    @Sendable func apiCall(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let callID = try callID(context)
        _ = try apiQuery(request, "GET /api/v1/calls/{call_id}")
        let scope = caller.account.scope
        let report: CallReport
        do {
            report = try ReportBuilder.call(server.store, callID: callID, period: .all, scope: scope)
        } catch is CallReportError {
            throw APIError.notFound
        }
        return .json(APIRender.call(report, surveys: try server.store.callSurveys(callID: callID, scope: scope)))
    }

    /// The call's transcript: each party's words with their times and confidence, the
    /// redactions, the language and the model. Scoped as the call (outside the scope: the one
    /// 404); a call in scope without a transcript is a 404 that says so. Audited as the call
    /// page audits showing one (`transcript`).
    @Sendable func apiTranscript(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let callID = try callID(context)
        _ = try apiQuery(request, "GET /api/v1/calls/{call_id}/transcript")
        let client = address(request, context)
        return try await Blocking.run { try transcriptResponse(caller, callID: callID, address: client) }
    }

    func transcriptResponse(_ caller: APICaller, callID: String, address client: String?) throws -> Response {
        let scope = caller.account.scope
        guard try server.store.callDetail(callID, scope: scope) != nil else { throw APIError.notFound }
        guard let stored = try server.store.transcript(callID: callID, scope: scope) else {
            throw APIError(.notFound, "no_transcript", "call '\(callID)' has no transcript: it has not been transcribed (callqa transcribe)")
        }
        let t = stored.transcript
        try auth.audit(.transcript, by: caller.account, address: client, callID: callID,
                       detail: "\(caller.via): \(t.wordCount) words, \(t.redactions) redacted")
        return .json(APIRender.transcript(stored))
    }

    /// The recording, as on the call page (decoded to 16-bit PCM WAV, byte ranges, audited).
    @Sendable func apiRecording(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let callID = try callID(context)
        let q = try apiQuery(request, "GET /api/v1/calls/{call_id}/recording")
        if let c = q.value("channel"), ChannelSelection(rawValue: c) == nil {
            throw APIError.badQuery(BadQuery("channel", expected: "both, left or right", got: c))
        }
        if let d = q.value("download"), d != "1" { throw APIError.badQuery(BadQuery("download", expected: "1", got: d)) }
        return try await recording(request, context, account: caller.account, callID: callID, via: caller.via)
    }

    @Sendable func apiCallEvaluations(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let callID = try callID(context)
        _ = try apiQuery(request, "GET /api/v1/calls/{call_id}/evaluations")
        guard let sheet = try WebEvaluation.sheet(server.store, callID: callID, scope: caller.account.scope) else { throw APIError.notFound }
        return .json(APIRender.sheet(callID: callID, sheet), headers: [.eTag: "\"\(sheet.fingerprint)\""])
    }

    /// The body of a write: JSON, at most `limit` bytes.
    func jsonBody(_ request: Request, limit: Int) async throws -> JSONInput {
        guard let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
        }
        var request = request
        let body = try await bodyBytes(&request, limit: limit)
        do { return try JSONInput.parse(body) } catch { throw APIError.badRequest("body", error.description) }
    }

    func bodyBytes(_ request: inout Request, limit: Int) async throws -> [UInt8] {
        do {
            return Array(try await request.collectBody(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "payload_too_large", "the request body is larger than \(limit) bytes, the most this route takes")
        }
    }

    /// Saves answers of one card (qa only, as the evaluate form): stored exactly as
    /// `evaluations import` stores rows (source `api`), the call rescored, refused when the
    /// call's answers changed since the `version` the client read.
    @Sendable func apiSaveEvaluations(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let callID = try callID(context)
        _ = try apiQuery(request, "POST /api/v1/calls/{call_id}/evaluations")
        // Everyone but qa: the same 404 as a call that does not exist (as the evaluate form).
        guard caller.account.role == .qa else { throw APIError.notFound }
        let scope = caller.account.scope
        guard let sheet = try WebEvaluation.sheet(server.store, callID: callID, scope: scope) else { throw APIError.notFound }
        let body = try await jsonBody(request, limit: config.apiMaxBodyBytes)
        guard case let .object(pairs) = body else { throw APIError.badRequest("body", "expected a JSON object with scorecard, version and answers, got \(body.kind)") }
        for (key, _) in pairs where !["scorecard", "version", "answers"].contains(key) {
            let near = Suggest.nearest(key, in: ["scorecard", "version", "answers"]).map { " (did you mean '\($0)'?)" } ?? ""
            throw APIError.badRequest(key, "unknown field\(near); allowed: scorecard, version, answers")
        }
        guard case let .string(cardID)? = body["scorecard"] else {
            throw APIError.badRequest("scorecard", "expected the card id as a string, got \(body["scorecard"]?.kind ?? "nothing")")
        }
        var version: String?
        if let v = body["version"] {
            guard case let .string(text) = v else { throw APIError.badRequest("version", "expected a string, got \(v.kind)") }
            version = text
        }
        if let ifMatch = request.headers[.ifMatch] {
            let tag = ifMatch.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if let version, version != tag { throw APIError.badRequest("version", "differs from the If-Match header; send one of them") }
            version = tag
        }
        guard let version else {
            throw APIError.badRequest("version", "required: the version of the call's evaluations as read (GET /api/v1/calls/\(HTML.pathSegment(callID))/evaluations, or its ETag in If-Match), so that answers saved in between are never overwritten")
        }
        guard sheet.forms.contains(where: { $0.cardID == cardID }) else {
            let cards = sheet.forms.map(\.cardID)
            throw APIError(.unprocessableContent, "unknown_scorecard",
                           "scorecard: '\(cardID)' is not a card with manual criteria that applies to this call; "
                               + (cards.isEmpty ? "no card has manual criteria for it" : "applicable: \(cards.joined(separator: ", "))"),
                           field: "scorecard")
        }
        guard case let .array(items)? = body["answers"] else {
            throw APIError.badRequest("answers", "expected an array of {criterion, answer, comment}, got \(body["answers"]?.kind ?? "nothing")")
        }
        var answers: [WebEvaluation.Answer] = []
        for (i, item) in items.enumerated() {
            let at = "answers[\(i)]"
            guard case let .object(fields) = item else { throw APIError.badRequest(at, "expected an object {criterion, answer, comment}, got \(item.kind)") }
            for (key, _) in fields where !["criterion", "answer", "comment"].contains(key) {
                throw APIError.badRequest("\(at).\(key)", "unknown field; allowed: criterion, answer, comment")
            }
            guard case let .string(criterion)? = item["criterion"] else {
                throw APIError.badRequest("\(at).criterion", "expected the criterion id as a string, got \(item["criterion"]?.kind ?? "nothing")")
            }
            let answer: String
            switch item["answer"] {
            case let .string(s)?: answer = s
            case let .number(n)?: answer = n
            case .null?, nil: answer = ""
            case let other?: throw APIError.badRequest("\(at).answer", "expected yes, no, partial, n/a or a whole number, got \(other.kind)")
            }
            var comment: String?
            switch item["comment"] {
            case let .string(s)?: comment = s
            case .null?, nil: comment = nil
            case let other?: throw APIError.badRequest("\(at).comment", "expected a string or null, got \(other.kind)")
            }
            answers.append(WebEvaluation.Answer(criterionID: criterion, answer: answer, comment: comment))
        }
        let result = try WebEvaluation.save(server.store, callID: callID, cardID: cardID, answers: answers, evaluator: caller.account.name,
                                            fingerprint: version, nowEpoch: config.now(), source: "api", scope: scope)
        let current = { () throws -> String in try WebEvaluation.sheet(self.server.store, callID: callID, scope: scope)?.fingerprint ?? "" }
        switch result {
        case .notFound:
            throw APIError.notFound
        case .stale:
            throw APIError(.conflict, "stale", "the evaluations of this call changed since version \(version) was read: nothing was saved; read them again (GET /api/v1/calls/\(HTML.pathSegment(callID))/evaluations) and send the new version",
                           field: "version", details: [("version", .string(try current()))])
        case let .invalid(problems):
            throw APIError(.unprocessableContent, "invalid_answers", "nothing was saved: " + problems.joined(separator: "; "), field: "answers",
                           details: [("problems", .array(problems.map { .string($0) }))])
        case let .saved(changed, before, after):
            let given = answers.filter { !$0.answer.trimmingCharacters(in: .whitespaces).isEmpty }.map { "\($0.criterionID)=\($0.answer)" }
            try auth.audit(.evaluation, by: caller.account, address: address(request, context), callID: callID, target: cardID,
                           detail: "\(caller.via): \(changed) changed: \(given.joined(separator: " ")); score \(Pages.scoreText(before)) → \(Pages.scoreText(after))")
            let now = try current()
            return .json(.object([
                ("call_id", .string(callID)), ("scorecard", .string(cardID)), ("saved", .int(changed)),
                ("score_before", APIRender.scoreState(before)), ("score_after", APIRender.scoreState(after)), ("version", .string(now)),
            ]), headers: [.eTag: "\"\(now)\""])
        }
    }

    /// Stored evaluator answers of the calls in scope, for BI tools: keyset pages in key order.
    @Sendable func apiEvaluations(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let q = try apiQuery(request, "GET /api/v1/evaluations")
        let scope = caller.account.scope
        let (period, narrowed, cardID) = try selection(q, scope: scope)
        let limit = try q.limit(default: 100, max: 1000)
        let after = try q.value("cursor").map { (c: String) throws(APIError) in try APICursor.evaluations(c) }
        var rows = try server.store.evaluationList(period: period.period, cardID: cardID, after: after, limit: limit + 1, scope: narrowed)
        let more = rows.count > limit
        if more { rows.removeLast() }
        let cursor = more ? rows.last.map(APICursor.evaluations) : nil
        let items = period.query + [("agent", narrowed.agent), ("team", narrowed.team), ("queue", narrowed.queue), ("card", cardID)]
            .compactMap { k, v in v.map { (k, $0) } }
        let next = cursor.map { "/api/v1/evaluations?" + Query.string(items + [("limit", String(limit)), ("cursor", $0)]) }
        return .json(.object([
            ("period", APIRender.period(period)), ("limit", .int(limit)), ("evaluations", .array(rows.map(APIRender.evaluationRow))),
            ("next_cursor", APIRender.text(cursor)), ("next", APIRender.text(next)),
        ]))
    }

    /// The period and the agent / team / queue / card filters of the API's summaries and
    /// lists: each named value must be one the caller may see (else the one 404).
    func selection(_ q: APIQuery, scope: Scope) throws -> (WebPeriod, Scope, String?) {
        let latest = try latestDay(scope)
        let period: WebPeriod
        do { period = try WebPeriod.parse(q.lookup, latest: latest) } catch { throw APIError.badQuery(error) }
        let store = server.store
        func value(_ name: String, _ column: CallStore.KnownColumn) throws -> String? {
            guard let v = q.value(name), !v.isEmpty else { return nil }
            guard try store.knownValues(column, scope: scope).contains(v) else { throw APIError.unknownValue(name) }
            return v
        }
        let agent = try value("agent", .agent), team = try value("team", .team), queue = try value("queue", .queue)
        var card: String?
        if let c = q.value("card"), !c.isEmpty {
            guard try cardIDs(scope).contains(c) else { throw APIError.unknownValue("card") }
            card = c
        }
        return (period, scope.narrowed(team: team, queue: queue, agent: agent), card)
    }

    /// Each card's agents against its target for a period: the numbers of `report agents`
    /// and of the overview, under the caller's scope.
    @Sendable func apiAgents(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let q = try apiQuery(request, "GET /api/v1/agents")
        let (period, scope, card) = try selection(q, scope: caller.account.scope)
        let minScored = try q.integer("min_scored", 1...1000) ?? 10
        let report = try ReportBuilder.agents(server.store, period: period.period, scope: card.map { scope.narrowed(scorecard: $0) } ?? scope,
                                              minScored: minScored)
        return .json(APIRender.agents(report, period: period, minScored: minScored))
    }

    /// The fields a survey object may have (the columns of `callqa nps import`).
    static let surveyFields = ["survey_id", "call_id", "caller", "score", "csat", "answered_at", "comment"]

    /// Imports surveys (qa and admin): a CSV body as `callqa nps import` reads a file, or
    /// JSON `{"surveys": [{…}]}` with the same fields; the same checks, storing and linking.
    @Sendable func apiImportSurveys(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let caller = try apiCaller(context)
        let q = try apiQuery(request, "POST /api/v1/surveys")
        // Surveys link to any call: only roles that see every call import them.
        guard caller.account.role == .qa || caller.account.role == .admin else { throw APIError.notFound }
        var windowS = NPSImport.defaultWindowS
        if let t = q.value("link_window_h") {
            guard let h = Double(t), h > 0, h <= 24 * 90 else { throw APIError.badQuery(BadQuery("link_window_h", expected: "hours above 0, at most 2160", got: t)) }
            windowS = h * 3600
        }
        var zone: Timestamp.Zone?
        if let t = q.value("tz") {
            guard let z = Timestamp.Zone(t) else {
                throw APIError.badQuery(BadQuery("tz", expected: "an IANA zone name such as Europe/Berlin or an offset such as +01:00", got: t))
            }
            zone = z
        }
        let countryCode = q.value("country_code")
        if let c = countryCode, !(1...4).contains(c.count) || !c.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw APIError.badQuery(BadQuery("country_code", expected: "1 to 4 digits (e.g. 49)", got: c))
        }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        var request = request
        let input: SurveyInput
        if type.hasPrefix("text/csv") {
            let body = try await bodyBytes(&request, limit: config.apiMaxImportBytes)
            input = .csv(name: "api", open: { try CSVReader(bytes: body, name: "api") })
        } else if type.hasPrefix("application/json") {
            let body: JSONInput
            do { body = try JSONInput.parse(try await bodyBytes(&request, limit: config.apiMaxImportBytes)) } catch let e as JSONInput.ParseError {
                throw APIError.badRequest("body", e.description)
            }
            input = try Self.surveyRows(body)
        } else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "send the surveys as text/csv (the columns of callqa nps import) or as application/json {\"surveys\": [...]}")
        }
        let hasher: CallerHasher
        do { hasher = CallerHasher(key: try server.callerKey(), countryCode: countryCode) } catch {
            context.logger.error("survey import: caller-hashing key: \(error)")
            throw APIError(.internalServerError, "internal", "the server cannot load its caller-hashing key (callqa.key beside the database, or CALLQA_HASH_KEY); its log says why")
        }
        let store = server.store
        let (zoneUsed, window) = (zone, windowS)
        // A large import takes seconds: off the threads that serve requests.
        let outcome = await Authenticator.offload { () -> Result<SurveyImportSummary, StoreError> in
            do { return .success(try NPSImport.run(input, store: store, hasher: hasher, zone: zoneUsed, windowS: window)) } catch let e as StoreError {
                return .failure(e)
            } catch {
                return .failure(StoreError.database(path: store.path, reason: "\(error)"))
            }
        }
        let summary = try outcome.get()
        if let e = summary.fileError { throw APIError.badRequest("body", e) }
        try auth.audit(.surveyImport, by: caller.account, address: address(request, context),
                       detail: "\(caller.via): \(summary.rows) rows: \(summary.imported) imported, \(summary.alreadyImported) already imported, \(summary.rejectedCount) rejected; \(summary.linked) linked, \(summary.waiting) waiting")
        return .json(APIRender.surveys(summary))
    }

    /// `{"surveys": [{…}, …]}` as rows under the header of the fields used, in the order of
    /// `surveyFields`. Values: strings as they are, numbers as written (`7.5` stays `7.5`
    /// and is rejected as a CSV cell would be), null or absent as empty.
    static func surveyRows(_ body: JSONInput) throws(APIError) -> SurveyInput {
        guard case let .object(top) = body else { throw APIError.badRequest("body", "expected a JSON object {\"surveys\": [...]}, got \(body.kind)") }
        for (key, _) in top where key != "surveys" { throw APIError.badRequest(key, "unknown field; the body has one field, surveys") }
        guard case let .array(items)? = body["surveys"] else {
            throw APIError.badRequest("surveys", "expected an array of survey objects, got \(body["surveys"]?.kind ?? "nothing")")
        }
        var used = Set<String>()
        for (i, item) in items.enumerated() {
            guard case let .object(fields) = item else { throw APIError.badRequest("surveys[\(i)]", "expected an object, got \(item.kind)") }
            for (key, value) in fields {
                guard surveyFields.contains(key) else {
                    let near = Suggest.nearest(key, in: surveyFields).map { " (did you mean '\($0)'?)" } ?? ""
                    throw APIError.badRequest("surveys[\(i)].\(key)", "unknown field\(near); allowed: \(surveyFields.joined(separator: ", "))")
                }
                switch value {
                case .array, .object: throw APIError.badRequest("surveys[\(i)].\(key)", "expected a string, a number or null, got \(value.kind)")
                default: break
                }
                used.insert(key)
            }
        }
        let header = surveyFields.filter(used.contains)
        let rows = items.map { item in
            header.map { key -> String in
                switch item[key] {
                case let .string(s)?: s
                case let .number(n)?: n
                case let .bool(b)?: b ? "true" : "false"
                default: ""
                }
            }
        }
        return .rows(name: "api", header: header, rows: rows)
    }
}

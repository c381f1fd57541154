import AudioIO
import CallQAModel
import CallRecords
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Pipeline
import Store

/// The workspace: the router of every page, wrapped so that every response — pages, audio,
/// static files, errors — carries the security headers. Handlers are thin: decode the
/// request, call `Authenticator`, `RecordingLocator`, `DecodedWAV`, the report queries or the
/// store (always with the account's scope), render.
public struct WorkspaceServer: Sendable {
    public let store: CallStore
    public let configuration: WorkspaceConfiguration
    public let locator: any RecordingLocator
    public let authenticator: Authenticator
    /// Which recording accesses already have their audit row (one per listening, not per range).
    let audioAudit: AudioAuditLedger
    /// The overview's and the calls list's figures while the data is unchanged.
    let pageCache: PageCache
    /// The caller-hashing key, for surveys imported through the API that link by caller
    /// (loaded when first needed: `callqa.key` beside the database, or `CALLQA_HASH_KEY`).
    public let callerKey: @Sendable () throws -> [UInt8]
    let limiter: RateLimiter

    public init(store: CallStore, configuration: WorkspaceConfiguration, locator: (any RecordingLocator)? = nil,
                callerKey: (@Sendable () throws -> [UInt8])? = nil) {
        self.store = store
        self.configuration = configuration
        self.locator = locator ?? StoreRecordingLocator(store: store)
        authenticator = Authenticator(store: store, configuration: configuration)
        audioAudit = AudioAuditLedger(windowS: configuration.audioAuditWindowS)
        pageCache = PageCache(capacity: configuration.pageCacheEntries)
        let path = store.path
        self.callerKey = callerKey ?? { try CallerKey.load(forDatabase: path) }
        limiter = RateLimiter(burst: configuration.apiBurst, ratePerS: configuration.apiRatePerS)
    }

    /// Serves until SIGINT/SIGTERM.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            responder: makeResponder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await app.runService()
    }

    /// The whole HTTP surface as one responder (used by the server and by in-process tests).
    public func makeResponder() -> SecureResponder<RouterResponder<WorkspaceContext>> {
        let router = Router(context: WorkspaceContext.self)
        // Middleware before routes: Hummingbird wraps each route as it is added.
        router.add(middleware: SessionMiddleware(authenticator: authenticator, configuration: configuration,
                                                 api: APIMiddleware(authenticator: authenticator, configuration: configuration, limiter: limiter)))
        let handlers = Handlers(server: self)
        router.get("/login", use: handlers.loginForm)
        router.post("/login", use: handlers.login)
        router.post("/logout", use: handlers.logout)
        router.get("/", use: handlers.overview)
        router.get("/calls", use: handlers.calls)
        router.get("/calls.csv", use: handlers.callsCSV)
        router.get("/calls/:id", use: handlers.call)
        router.post("/calls/:id/evaluate", use: handlers.evaluate)
        router.get("/agents/:id", use: handlers.agent)
        router.get("/alerts", use: handlers.alerts)
        router.post("/agents/:id/acknowledge", use: handlers.acknowledge)
        router.get("/static/:file", use: handlers.staticFile)
        router.get("/admin/users", use: handlers.adminUsers)
        router.get("/admin/audit", use: handlers.adminAudit)
        router.get("/calls/:id/audio", use: handlers.audio)
        router.head("/calls/:id/audio", use: handlers.audioHead)
        // Disputes, calibration, coaching (LoopHandlers.swift).
        router.post("/calls/:id/disputes", use: handlers.openDispute)
        router.get("/disputes", use: handlers.disputesPage)
        router.post("/disputes/:id/accept", use: handlers.acceptDispute)
        router.post("/disputes/:id/reject", use: handlers.rejectDispute)
        router.post("/disputes/:id/withdraw", use: handlers.withdrawDispute)
        router.get("/coaching", use: handlers.coachingPage)
        router.post("/agents/:id/coaching", use: handlers.addCoaching)
        router.post("/coaching/:id/acknowledge", use: handlers.acknowledgeCoaching)
        router.post("/coaching/:id/follow-up", use: handlers.followUpCoaching)
        router.get("/calibration", use: handlers.calibrationList)
        router.post("/calibration", use: handlers.createCalibration)
        router.get("/calibration/:id", use: handlers.calibrationSession)
        router.post("/calibration/:id/close", use: handlers.closeCalibration)
        router.get("/calibration/:id/results", use: handlers.calibrationResults)
        router.get("/calibration/:id/calls/:call", use: handlers.calibrationCall)
        router.post("/calibration/:id/calls/:call", use: handlers.saveCalibration)
        router.get("/calibration/:id/calls/:call/answers", use: handlers.calibrationCallAnswers)
        // The API (APIHandlers.swift): JSON, bearer tokens or the session, the same scopes.
        router.get(.init(stringLiteral: Self.openAPIPath), use: handlers.openAPI)
        router.get("/api/v1/me", use: handlers.apiMe)
        router.get("/api/v1/calls", use: handlers.apiCalls)
        router.get("/api/v1/calls/:id", use: handlers.apiCall)
        router.get("/api/v1/calls/:id/recording", use: handlers.apiRecording)
        router.get("/api/v1/calls/:id/transcript", use: handlers.apiTranscript)
        router.get("/api/v1/calls/:id/evaluations", use: handlers.apiCallEvaluations)
        router.post("/api/v1/calls/:id/evaluations", use: handlers.apiSaveEvaluations)
        router.get("/api/v1/evaluations", use: handlers.apiEvaluations)
        router.get("/api/v1/agents", use: handlers.apiAgents)
        router.post("/api/v1/surveys", use: handlers.apiImportSurveys)
        return SecureResponder(inner: router.buildResponder())
    }

    /// Paths open without a session: the login form, the static assets, and the icon
    /// browsers ask for on their own (a 404, never a redirect to the login form).
    static func isPublic(_ path: String) -> Bool { path == "/login" || path.hasPrefix("/static/") || path == "/favicon.ico" }
    /// Paths that answer 401 rather than a redirect to the login page when there is no
    /// session: what scripts and players fetch.
    static func isAPI(_ path: String) -> Bool { path.hasPrefix("/calls/") && path.hasSuffix("/audio") }
    /// The JSON API: its own authentication (bearer tokens) and JSON errors.
    static func isAPIv1(_ path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }
    /// The OpenAPI document of the API (public: it holds no data).
    public static let openAPIPath = "/api/v1/openapi.json"
}

/// Adds the security headers to every response and renders every error as a page, so that
/// an unknown path, a missing call and a call outside the user's scope answer alike.
public struct SecureResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == WorkspaceContext {
    let inner: Inner

    /// `default-src 'self'` and no inline script: an injected `<script>` cannot run even if
    /// some text ever escaped unescaped.
    public static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    public func respond(to request: Request, context: WorkspaceContext) async throws -> Response {
        var response: Response
        do {
            response = try await inner.respond(to: request, context: context)
        } catch let error as APIError {
            response = error.response()
        } catch let error as any HTTPResponseError where WorkspaceServer.isAPIv1(request.uri.path) {
            let headers = (error as? HTTPError)?.headers ?? (error as? PageError)?.headers ?? [:]
            response = APIError.from(status: error.status, headers: headers).response()
        } catch let error where WorkspaceServer.isAPIv1(request.uri.path) {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = APIError.from(status: .internalServerError).response()
        } catch let error as PageError {
            response = error.page()
        } catch let error as HTTPError {
            response = PageError(error.status, headers: error.headers).page()
        } catch let error as any HTTPResponseError {
            response = PageError(error.status).page()
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = PageError(.internalServerError).page()
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        // A HEAD answer (the recording's, or an error page) has the headers and never a body.
        if request.method == .head { response = response.createHeadResponse() }
        return response
    }
}

/// An HTTP error answered with an error page. Every 404 — a missing object, one outside the
/// user's scope, an unknown path — is the same page, byte for byte.
struct PageError: HTTPResponseError {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    /// What was wrong, said on the page (plain text, escaped there); nil: the status's text.
    let detail: String?

    init(_ status: HTTPResponse.Status, headers: HTTPFields = [:], detail: String? = nil) {
        self.status = status
        self.headers = headers
        self.detail = detail
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { page() }

    func page() -> Response {
        let (title, message): (String, String) = switch status.code {
        case 404: ("Not found", "There is nothing here, or nothing you may see.")
        case 403: ("Forbidden", "The form was stale or did not come from this site. Go back, reload the page and try again.")
        case 401: ("Not logged in", "Log in first.")
        case 416: ("Range not satisfiable", "The requested byte range lies outside the recording.")
        case 400: ("Bad request", "The request could not be read.")
        default: ("Error", "Something went wrong on the server; its log says what.")
        }
        let said = detail.map { HTML.escape($0) } ?? message
        var response = Response.html(Pages.error(status: status.code, title: title, message: said), status: status)
        for field in headers where field.name != .contentLength && field.name != .contentType {
            response.headers.append(field)
        }
        return response
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xCSRFToken = Self("X-CSRF-Token")!
    static let xRealIP = Self("X-Real-IP")!
}

extension Response {
    /// An HTML page.
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "text/html; charset=utf-8"
        let buffer = ByteBuffer(string: page.rendered)
        h[.contentLength] = String(buffer.readableBytes)
        return Response(status: status, headers: h, body: .init(byteBuffer: buffer))
    }

    /// `303 See Other` to `location`.
    static func seeOther(_ location: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.location] = location
        return Response(status: .seeOther, headers: h)
    }
}

/// Finds the session of the request's cookie, sends visitors without one to the login page
/// (pages) or answers 401 (audio), and checks the CSRF token of every state-changing request.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WorkspaceContext
    let authenticator: Authenticator
    let configuration: WorkspaceConfiguration
    let api: APIMiddleware

    func handle(_ request: Request, context: WorkspaceContext, next: (Request, WorkspaceContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if WorkspaceServer.isAPIv1(path) { return try await api.handle(request, context: context, next: next) }
        var context = context
        if let token = request.cookies[configuration.sessionCookieName]?.value {
            let authenticator = self.authenticator
            context.session = try await Blocking.run { try authenticator.session(token: token) }
        }
        if context.session == nil, !WorkspaceServer.isPublic(path) {
            if WorkspaceServer.isAPI(path) { throw PageError(.unauthorized) }
            return .seeOther("/login")
        }
        var request = request
        if request.method != .get, request.method != .head {
            // The body is read here (and kept for the handler) to find the token.
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let sent = request.headers[.xCSRFToken] ?? Forms.field("csrf", in: String(buffer: body))
            let expected: String?
            if path == "/login" {
                expected = request.cookies[configuration.loginCookieName].map { Secrets.csrfToken(forSessionToken: $0.value) }
            } else {
                expected = context.session?.csrfToken
            }
            guard let sent, let expected, Secrets.constantTimeEqual(sent, expected) else {
                throw PageError(.forbidden)
            }
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            // The router's own 404 for an unknown path (or method) becomes the one error page.
            throw PageError(error.status, headers: error.headers)
        }
    }
}

/// `application/x-www-form-urlencoded` fields.
enum Forms {
    /// The first value of `name`, decoded; nil when absent.
    static func field(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if decode(parts[0]) == name { return parts.count > 1 ? decode(parts[1]) : "" }
        }
        return nil
    }

    static func decode(_ s: Substring) -> String {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}

/// The route handlers: decode, call the library, render.
struct Handlers: Sendable {
    let server: WorkspaceServer
    var auth: Authenticator { server.authenticator }
    var config: WorkspaceConfiguration { server.configuration }

    /// The client address: the connection's peer, or `X-Real-IP` from the reverse proxy.
    func address(_ request: Request, _ context: WorkspaceContext) -> String? {
        if config.clientAddressFromProxy, let real = request.headers[.xRealIP], !real.isEmpty { return real }
        return context.peerAddress
    }

    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// A login form with the login token of the browser's cookie, or a new one (set with
    /// the page). Kept while valid: a second tab, or any request that lands on the form,
    /// must not invalidate the form already shown.
    func loginPage(_ request: Request, status: HTTPResponse.Status = .ok, name: String = "", message: String? = nil,
                   headers: HTTPFields = [:]) -> Response {
        let existing = request.cookies[config.loginCookieName]?.value
        let token = existing.flatMap { Authenticator.looksLikeToken($0) ? $0 : nil } ?? Secrets.newToken()
        var response = Response.html(Pages.login(csrf: Secrets.csrfToken(forSessionToken: token), name: name, message: message),
                                     status: status, headers: headers)
        response.setCookie(cookie(config.loginCookieName, token, maxAge: 3600))
        return response
    }

    @Sendable func loginForm(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        if context.session != nil { return .seeOther("/") }
        return loginPage(request)
    }

    @Sendable func login(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        let name = Forms.field("name", in: body) ?? "", password = Forms.field("password", in: body) ?? ""
        switch try await auth.login(name: name, password: password, address: address(request, context)) {
        case let .success(token, _):
            var response = Response.seeOther("/")
            response.setCookie(cookie(config.sessionCookieName, token, maxAge: nil))
            response.setCookie(cookie(config.loginCookieName, "", maxAge: 0))
            return response
        case .failed:
            return loginPage(request, status: .unauthorized, name: name, message: "Wrong user name or password.")
        case let .throttled(retryAfterS):
            return loginPage(request, status: .tooManyRequests, name: name,
                             message: "Too many failed logins for this user or from this address: wait \(retryAfterS / 60) minutes, then try again.",
                             headers: [.retryAfter: String(retryAfterS)])
        }
    }

    @Sendable func logout(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        if let session = context.session {
            let client = address(request, context)
            try await Blocking.run { [auth] in try auth.logout(session, address: client) }
        }
        var response = Response.seeOther("/login")
        response.setCookie(cookie(config.sessionCookieName, "", maxAge: 0))
        return response
    }

    @Sendable func staticFile(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        guard let name = context.parameters.get("file"), let asset = StaticAssets.files[name] else { throw PageError(.notFound) }
        let buffer = ByteBuffer(string: asset.body)
        return Response(status: .ok, headers: [.contentType: asset.contentType, .contentLength: String(buffer.readableBytes),
                                               .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: buffer))
    }

    /// Admin pages: anyone else gets the same 404 as for a path that does not exist.
    func admin(_ context: WorkspaceContext) throws -> AuthenticatedSession {
        guard let session = context.session, session.account.role == .admin else { throw PageError(.notFound) }
        return session
    }

    @Sendable func adminUsers(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try admin(context)
        return try await Blocking.run { [server] in .html(Pages.users(session, users: try server.store.users())) }
    }

    @Sendable func adminAudit(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try admin(context)
        let from = request.uri.queryParameters.get("from").flatMap { $0.isEmpty ? nil : $0 }
        let to = request.uri.queryParameters.get("to").flatMap { $0.isEmpty ? nil : $0 }
        guard case let .success(period) = AuditQuery.period(from: from, to: to, zone: .fixed(offsetS: 0)) else {
            throw PageError(.badRequest)
        }
        let limit = 1000
        let client = address(request, context)
        return try await Blocking.run { [server, auth] in
            let entries = try server.store.auditEntries(fromEpoch: period.fromEpoch, toEpoch: period.toEpoch, limit: limit)
            try auth.audit(.auditRead, by: session.account, address: client, detail: "web: from \(from ?? "start") to \(to ?? "now")")
            return .html(Pages.audit(session, entries: entries, from: from, to: to, limit: limit))
        }
    }

    /// The recording decoded to 16-bit PCM WAV, with byte ranges; audited.
    @Sendable func audio(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        guard let session = context.session else { throw PageError(.unauthorized) }
        guard let callID = context.parameters.get("id") else { throw PageError(.notFound) }
        return try await recording(request, context, account: session.account, callID: callID, via: nil)
    }

    /// `HEAD` of the recording: the headers a GET would answer (type, length, range,
    /// disposition) and no body; nothing is heard, so nothing is audited.
    @Sendable func audioHead(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        guard let session = context.session else { throw PageError(.unauthorized) }
        guard let callID = context.parameters.get("id") else { throw PageError(.notFound) }
        return try await recording(request, context, account: session.account, callID: callID, via: nil, headersOnly: true)
    }

    /// The recording of `callID` as `account` may hear it (the page's player, or the API
    /// with `via` saying which way in for the audit log); every response served is audited.
    /// `headersOnly` (HEAD): the same checks and headers, no body, no audit row.
    func recording(_ request: Request, _ context: WorkspaceContext, account: Account, callID: String, via: String?,
                   headersOnly: Bool = false) async throws -> Response {
        let channel = try request.uri.queryParameters.get("channel").map { text in
            guard let c = ChannelSelection(rawValue: text) else { throw PageError(.badRequest) }
            return c
        } ?? .both
        // Missing call, call without recording, call outside the scope, unreadable file: 404 alike.
        let download = request.uri.queryParameters.get("download") == "1"
        let rangeHeader = request.headers[.range], client = address(request, context), logger = context.logger
        // Who listens, for the ledger: the way in (the page, an API token, the API from a
        // session), the account, and the session's token hashed.
        let holder = "\(via ?? "page")|\(account.name)|\(context.session.map { Secrets.sha256Hex($0.token) } ?? "")"
        let (wav, range, status, headers) = try await Blocking.run { [server, auth, config] in
            guard let path = try server.locator.recordingPath(callID: callID, for: account) else { throw PageError(.notFound) }
            let wav: DecodedWAV
            do { wav = try DecodedWAV(path: path, channel: channel) } catch {
                logger.warning("call \(callID): \(error)")
                throw PageError(.notFound)
            }
            let total = wav.totalBytes
            let range: ClosedRange<Int64>
            var status = HTTPResponse.Status.ok
            var headers: HTTPFields = [.contentType: "audio/wav", .acceptRanges: "bytes", .cacheControl: "no-store"]
            headers[.contentDisposition] = "\(download ? "attachment" : "inline"); filename=\"\(HTML.pathSegment(callID)).wav\""
            switch RangeRequest(header: rangeHeader, total: total) {
            case .full:
                range = 0...(total - 1)
            case let .partial(r):
                range = r
                status = .partialContent
                headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(total)"
            case .unsatisfiable:
                throw PageError(.rangeNotSatisfiable, headers: [.contentRange: "bytes */\(total)"])
            }
            headers[.contentLength] = String(range.upperBound - range.lowerBound + 1)
            // Audited before a byte is sent: one row per listening (AudioAuditLedger).
            let now = config.now()
            let key = AudioAuditLedger.Key(session: holder, callID: callID, channel: channel.rawValue, download: download)
            if !headersOnly, !server.audioAudit.covers(key, now: now) {
                try auth.audit(.audio, by: account, address: client, callID: callID,
                               detail: "\(via.map { $0 + ": " } ?? "")\(download ? "download" : "play") bytes \(range.lowerBound)-\(range.upperBound)/\(total) channel \(channel.rawValue)")
                server.audioAudit.wrote(key, now: now)
            }
            return (wav, range, status, headers)
        }
        if headersOnly { return Response(status: status, headers: headers) }
        let length = range.upperBound - range.lowerBound + 1
        let body = ResponseBody(contentLength: Int(length)) { writer in
            try await wav.write(range: range) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// `--from/--to` of the audit log: a date (whole day, both inclusive) or an ISO 8601 timestamp.
public enum AuditQuery {
    public static func period(from: String?, to: String?, zone: Timestamp.Zone) -> Result<Period, PeriodError> {
        Period.parse(from: from, to: to, zone: zone)
    }
}

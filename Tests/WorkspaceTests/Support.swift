import CallQAModel
import CSndFile
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Store
import Testing
@testable import Workspace

/// A clock the tests move by hand: nothing waits for real time.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double
    init(_ start: Double = 1_796_000_000) { value = start }
    var now: Double { lock.withLock { value } }
    func advance(_ s: Double) { lock.withLock { value += s } }
}

/// A response as the test sees it.
struct TestResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    /// Every `Set-Cookie` line.
    var setCookies: [String] { headers[values: .setCookie] }
}

/// Collects a response body.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func write(_ buffer: ByteBuffer) async throws { lock.withLock { bytes += Array(buffer.readableBytesView) } }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
    var collected: [UInt8] { lock.withLock { bytes } }
}

/// What HummingbirdTesting's `.router` mode does, without its dependencies (it links
/// swift-nio-ssl and AsyncHTTPClient, whose BoringSSL build would add minutes to every
/// cold CI build): requests go straight to the responder, in process, no socket.
struct RouterClient: Sendable {
    let responder: SecureResponder<RouterResponder<WorkspaceContext>>

    func execute(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil,
                 address: String? = "192.0.2.10") async throws -> TestResponse {
        var headers = headers
        var buffer = ByteBuffer()
        if let body {
            buffer = ByteBuffer(string: body)
            headers[.contentLength] = String(buffer.readableBytes)
            if headers[.contentType] == nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        }
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
                              body: RequestBody(buffer: buffer))
        let context = WorkspaceContext(logger: Logger(label: "test"), peerAddress: address)
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return TestResponse(status: response.status, headers: response.headers, body: collector.collected)
    }
}

/// A browser with a cookie jar, over the router client.
final class Browser: @unchecked Sendable {
    let client: RouterClient
    let address: String?
    var cookies: [String: String] = [:]

    init(_ client: RouterClient, address: String? = "192.0.2.10") {
        self.client = client
        self.address = address
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws -> TestResponse {
        var h = headers
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        let r = try await client.execute(method, uri, headers: h, body: body, address: address)
        for line in r.setCookies {
            let first = line.split(separator: ";")[0]
            let kv = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(kv[0]), value = kv.count > 1 ? String(kv[1]) : ""
            if line.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return r
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse { try await send(.get, uri, headers: headers) }

    /// The hidden `csrf` field of a page.
    static func csrf(in page: String) -> String? {
        guard let r = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[r.upperBound...].prefix { $0 != "\"" })
    }

    /// Opens the login page and posts the form; returns the answer to the POST.
    @discardableResult
    func login(_ name: String, _ password: String) async throws -> TestResponse {
        let form = try await get("/login")
        let token = try #require(Self.csrf(in: form.text))
        return try await send(.post, "/login", body: "name=\(Self.formEncode(name))&password=\(Self.formEncode(password))&csrf=\(token)")
    }

    /// Logs out with the page's CSRF token.
    @discardableResult
    func logout() async throws -> TestResponse {
        let home = try await get("/")
        let token = Self.csrf(in: home.text) ?? ""
        return try await send(.post, "/logout", body: "csrf=\(token)")
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// A database with calls of two teams and four agents, a recording per call written by
/// libsndfile, and one user per role (bcrypt cost 4: these tests check logic, not cost).
struct Fixture {
    static let password = "correct horse battery"
    let dir: URL
    let store: CallStore
    let clock: TestClock
    var configuration: WorkspaceConfiguration
    let server: WorkspaceServer
    let client: RouterClient

    /// call id → (agent, team, recording file name)
    static let calls: [(id: String, agent: String, team: String)] = [
        ("c-a1", "a1", "Blue"), ("c-a2", "a2", "Blue"), ("c-r1", "r1", "Red"), ("c-r2", "r2", "Red"),
    ]

    /// Users: name → (role, agent id, teams).
    static let users: [(name: String, role: Role, agentID: String?, teams: [String])] = [
        ("agent1", .agent, "a1", []), ("sup-blue", .supervisor, nil, ["Blue"]), ("qa1", .qa, nil, []), ("admin1", .admin, nil, []),
    ]

    init(secureCookies: Bool = false, configure: (inout WorkspaceConfiguration) -> Void = { _ in }) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try CallStore(path: dir.appendingPathComponent("db.sqlite").path)
        clock = TestClock()
        var c = WorkspaceConfiguration()
        c.secureCookies = secureCookies
        let clock = clock
        c.now = { clock.now }
        c.bcryptCost = 4
        configure(&c)
        configuration = c
        let hash = Secrets.hashPassword(Self.password, cost: 4)
        for u in Self.users {
            _ = try store.addUser(name: u.name, role: u.role, agentID: u.agentID, teams: u.teams, passwordHash: hash, nowEpoch: clock.now)
        }
        let stereo = Signals.stereoCall(seconds: 3)
        for (i, call) in Self.calls.enumerated() {
            let path = Signals.write(dir.appendingPathComponent("\(call.id).wav").path, stereo, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16))
            try Self.insertCall(store, id: call.id, agent: call.agent, team: call.team, recording: path, minute: i)
        }
        server = WorkspaceServer(store: store, configuration: c)
        client = RouterClient(responder: server.makeResponder())
    }

    func browser(address: String? = "192.0.2.10") -> Browser { Browser(client, address: address) }

    /// A browser logged in as `name`.
    func loggedIn(_ name: String, address: String? = "192.0.2.10") async throws -> Browser {
        let b = browser(address: address)
        let r = try await b.login(name, Self.password)
        #expect(r.status == .seeOther, "login \(name): \(r.status.code)")
        return b
    }

    /// The smallest call row the schema takes.
    static func insertCall(_ store: CallStore, id: String, agent: String, team: String, recording: String, minute: Int) throws {
        try store.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO agents (agent_id, agent_name, team, updated_at) VALUES (?, ?, ?, '2026-11-24T09:00:00Z')",
                           arguments: [agent, "Agent \(agent)", team])
            try db.execute(sql: """
                INSERT INTO calls (call_id, source_kind, source_file, source_line, record_fingerprint, agent_id, team,
                    started_at, started_epoch, utc_offset_s, local_date, local_hour, local_weekday, answered,
                    recording, recording_path, recording_status, ingested_at)
                VALUES (?, 'manifest', 'manifest.csv', ?, 'f', ?, ?, '2026-11-24T09:00:00Z', ?, 0, '2026-11-24', 9, 2, 1,
                    ?, ?, 'analysed', '2026-11-24T10:00:00Z')
                """, arguments: [id, minute + 2, agent, team, 1_795_510_800 + Double(minute) * 60, recording, recording])
        }
    }
}

/// Signals generated in code, written with libsndfile.
enum Signals {
    /// Left: a 440 Hz tone at −12 dBFS; right: 1 kHz at −20 dBFS. Distinct channels, so a
    /// channel mix-up shows.
    static func stereoCall(seconds: Double, rate: Int = 8000) -> [[Float]] {
        let n = Int(seconds * Double(rate))
        let left = (0..<n).map { Float(0.25 * sin(2 * Double.pi * 440 * Double($0) / Double(rate))) }
        let right = (0..<n).map { Float(0.1 * sin(2 * Double.pi * 1000 * Double($0) / Double(rate))) }
        return [left, right]
    }

    /// Writes `channels` with a libsndfile format; returns the path.
    @discardableResult
    static func write(_ path: String, _ channels: [[Float]], rate: Int = 8000, format: Int32) -> String {
        var info = SF_INFO()
        info.samplerate = Int32(rate)
        info.channels = Int32(channels.count)
        info.format = format
        guard let h = sf_open(path, Int32(SFM_WRITE), &info) else {
            fatalError("cannot write \(path): \(String(cString: sf_strerror(nil)))")
        }
        let n = channels[0].count
        var inter = [Float](repeating: 0, count: n * channels.count)
        for i in 0..<n { for c in 0..<channels.count { inter[i * channels.count + c] = channels[c][i] } }
        _ = sf_writef_float(h, &inter, sf_count_t(n))
        sf_close(h)
        return path
    }
}

/// A parsed canonical WAV header.
struct WAVHeader: Equatable {
    var riffSize: UInt32
    var format: UInt16
    var channels: UInt16
    var sampleRate: UInt32
    var byteRate: UInt32
    var blockAlign: UInt16
    var bitsPerSample: UInt16
    var dataSize: UInt32

    init?(_ b: [UInt8]) {
        guard b.count >= 44, Array(b[0..<4]) == Array("RIFF".utf8), Array(b[8..<12]) == Array("WAVE".utf8),
              Array(b[12..<16]) == Array("fmt ".utf8), Array(b[36..<40]) == Array("data".utf8) else { return nil }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        func u16(_ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
        guard u32(16) == 16 else { return nil }
        riffSize = u32(4); format = u16(20); channels = u16(22); sampleRate = u32(24); byteRate = u32(28)
        blockAlign = u16(32); bitsPerSample = u16(34); dataSize = u32(40)
    }
}

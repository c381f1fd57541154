import CallQAModel
import Foundation
import HTTPTypes
import Store
import Testing
@testable import Workspace

/// Every route × every role × in-scope / out-of-scope objects. Out of scope answers exactly
/// like a missing object: the same status and the same bytes.
@Suite struct AuthorizationTests {
    enum Expect: Equatable { case ok, notFound, toLogin, unauthorized, partial }

    /// The expected answer of each route for each role (nil = anonymous).
    static func expected(route: String, role: Role?) -> Expect {
        guard let role else { return route.hasPrefix("/calls/") ? .unauthorized : route == "/login" || route.hasPrefix("/static/") ? .ok : .toLogin }
        switch route {
        case "/", "/static/callqa.css", "/static/callqa.js": return .ok
        case "/login": return .toLogin  // a logged-in user is sent home (303 to /)
        case "/admin/users", "/admin/audit": return role == .admin ? .ok : .notFound
        case "/calls/c-missing/audio": return .notFound
        default:
            // /calls/<id>/audio
            let id = route.split(separator: "/")[1]
            let call = Fixture.calls.first { $0.id == id }!
            let user = Fixture.users.first { $0.role == role }!
            let visible = switch role {
            case .agent: call.agent == user.agentID
            case .supervisor: user.teams.contains(call.team)
            case .qa, .admin: true
            }
            return visible ? .ok : .notFound
        }
    }

    @Test func matrix() async throws {
        let f = try Fixture()
        let routes = ["/", "/login", "/static/callqa.css", "/static/callqa.js", "/admin/users", "/admin/audit", "/calls/c-missing/audio"]
            + Fixture.calls.map { "/calls/\($0.id)/audio" }
        let missingBody = try await f.loggedIn("qa1").get("/calls/c-missing/audio").body
        var checked = 0
        for role in [nil] + Role.allCases {
            var b = f.browser()
            if let role { b = try await f.loggedIn(Fixture.users.first { $0.role == role }!.name) }
            for route in routes {
                let want = Self.expected(route: route, role: role)
                let r = try await b.get(route)
                let what = "\(role?.rawValue ?? "anonymous") GET \(route)"
                switch want {
                case .ok: #expect(r.status == .ok, "\(what): \(r.status.code)")
                case .partial: #expect(r.status == .partialContent, "\(what)")
                case .unauthorized: #expect(r.status == .unauthorized, "\(what): \(r.status.code)")
                case .toLogin:
                    #expect(r.status == .seeOther, "\(what): \(r.status.code)")
                    #expect(r.header("Location") == (role == nil ? "/login" : "/"), "\(what)")
                case .notFound:
                    #expect(r.status == .notFound, "\(what): \(r.status.code)")
                    // Byte for byte the answer for a call that does not exist.
                    #expect(r.body == missingBody, "\(what)")
                    #expect(r.header("Content-Type") == "text/html; charset=utf-8", "\(what)")
                }
                if want == .ok, route.hasPrefix("/calls/") {
                    #expect(r.header("Content-Type") == "audio/wav" && WAVHeader(r.body) != nil, "\(what)")
                    // Partial requests are authorised the same way.
                    let part = try await b.get(route, headers: [.range: "bytes=0-1"])
                    #expect(part.status == .partialContent && part.body == Array("RI".utf8), "\(what)")
                } else if route.hasPrefix("/calls/"), role != nil {
                    #expect(try await b.get(route, headers: [.range: "bytes=0-1"]).body == missingBody, "\(what) with Range")
                }
                checked += 1
            }
        }
        #expect(checked == 5 * routes.count)
        // The audit log has one audio row per recording served to a session (its whole and
        // its first two bytes are one listening), none for refusals.
        let served = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio }
        let expectedServed = (Role.allCases).flatMap { role in
            Fixture.calls.filter { Self.expected(route: "/calls/\($0.id)/audio", role: role) == .ok }
                .map { c in (Fixture.users.first { $0.role == role }!.name, c.id) }
        }
        #expect(served.map { "\($0.actor ?? "")/\($0.callID ?? "")" } == expectedServed.map { "\($0.0)/\($0.1)" })
    }

    @Test func theRecordingLocatorFollowsTheAccountsScope() throws {
        let f = try Fixture()
        let locator = StoreRecordingLocator(store: f.store)
        func account(_ role: Role, agent: String? = nil, teams: [String] = []) -> Account {
            Account(userID: 99, name: "x", role: role, agentID: agent, teams: teams)
        }
        #expect(try locator.recordingPath(callID: "c-a1", for: account(.agent, agent: "a1"))?.hasSuffix("/c-a1.wav") == true)
        #expect(try locator.recordingPath(callID: "c-a2", for: account(.agent, agent: "a1")) == nil)
        #expect(try locator.recordingPath(callID: "c-a1", for: account(.agent)) == nil)  // no agent id: nothing
        #expect(try locator.recordingPath(callID: "c-r1", for: account(.supervisor, teams: ["Blue"])) == nil)
        #expect(try locator.recordingPath(callID: "c-r1", for: account(.supervisor, teams: ["Blue", "Red"])) != nil)
        #expect(try locator.recordingPath(callID: "c-r1", for: account(.supervisor)) == nil)
        // Values that try SQL are values.
        #expect(try locator.recordingPath(callID: "c-a1' OR '1'='1", for: account(.qa)) == nil)
        #expect(try locator.recordingPath(callID: "c-r1", for: account(.supervisor, teams: ["x') OR ('1'='1"])) == nil)
        #expect(try locator.recordingPath(callID: "c-r1", for: account(.agent, agent: "' OR 1=1 --")) == nil)
        for role in [Role.qa, .admin] {
            for c in Fixture.calls { #expect(try locator.recordingPath(callID: c.id, for: account(role)) != nil) }
        }
    }
}

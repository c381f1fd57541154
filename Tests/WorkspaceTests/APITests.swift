import CallQAModel
import CallRecords
import Foundation
import GRDB
import HTTPTypes
import Pipeline
import Store
import Testing
@testable import Workspace

/// `/api/v1` over the sample day: every route × every role × calls, agents and filter values
/// in and out of scope (out of scope is the same 404, byte for byte, as missing), tokens,
/// keyset pages, hostile filter values, evaluation writes and survey imports.
@Suite struct APITests {
    /// Agents each role may see (a1, a2 in team Blue; a3, a4 in Red).
    static func visibleAgents(_ role: Role) -> Set<String> {
        switch role {
        case .agent: ["a1"]
        case .supervisor: ["a1", "a2"]
        case .qa, .admin: ["a1", "a2", "a3", "a4"]
        }
    }

    @Test func routeRoleScopeMatrix() async throws {
        let f = try await SampleFixture()
        let anonymous = APIClient(client: f.client, token: nil)
        let firstSurvey = "survey_id,call_id,score,answered_at,comment\ns-002,c-002,9,2026-11-24T09:24:00+01:00,\n"
        for role in Role.allCases {
            let api = try f.api(f.role(role))
            let me = try await api.get("/api/v1/me").json
            #expect(me["role"]?.string == role.rawValue && me.at("auth.kind")?.string == "token")
            let missing = try await api.get("/api/v1/calls/c-missing")
            #expect(missing.status == .notFound && missing.header("Content-Type") == "application/json; charset=utf-8")
            func expectNotFound(_ r: TestResponse, _ what: String) {
                #expect(r.status == .notFound && r.body == missing.body, "\(role) \(what): \(r.status.code) \(r.text)")
            }
            // A call, its recording and its evaluations: in scope 200, else the one 404.
            for call in ["c-001", "c-003", "c-005", "c-009", "c-missing"] {
                let visible = SampleFixture.visible(call, to: role)
                for path in ["/api/v1/calls/\(call)", "/api/v1/calls/\(call)/evaluations"] + (call == "c-009" ? [] : ["/api/v1/calls/\(call)/recording"]) {
                    let r = try await api.get(path)
                    if visible {
                        #expect(r.status == .ok, "\(role) GET \(path): \(r.status.code)")
                    } else {
                        expectNotFound(r, "GET \(path)")
                    }
                }
                if visible, call != "c-009" {
                    #expect(try await api.get("/api/v1/calls/\(call)").json["call_id"]?.string == call)
                    let part = try await api.get("/api/v1/calls/\(call)/recording", headers: [.range: "bytes=0-3"])
                    #expect(part.status == .partialContent && part.body == Array("RIFF".utf8))
                } else if !visible {
                    expectNotFound(try await api.get("/api/v1/calls/\(call)/recording", headers: [.range: "bytes=0-3"]), "Range \(call)")
                }
                // Writes: qa only; everyone else the 404 of a missing call.
                let write = try await api.post("/api/v1/calls/\(call)/evaluations", json: #"{"scorecard":"order-confirmation","version":"x","answers":[]}"#)
                if role == .qa && visible {
                    // The card applies: the stale version is refused; it does not: the card is refused.
                    let applies = try await api.get("/api/v1/calls/\(call)/evaluations").json["cards"]!.array
                        .contains { $0["scorecard"]?.string == "order-confirmation" }
                    #expect(write.status == (applies ? .conflict : .unprocessableContent), "qa POST evaluations \(call): \(write.status.code)")
                    if call == "c-001" { #expect(applies) }
                } else {
                    expectNotFound(write, "POST evaluations \(call)")
                }
            }
            // Lists hold exactly the calls and agents in scope.
            let calls = try await api.get("/api/v1/calls?period=all&limit=1000").json
            #expect(Set(calls["calls"]!.array.compactMap { $0["call_id"]?.string }) == SampleFixture.visibleCalls(role), "\(role) calls")
            let evaluations = try await api.get("/api/v1/evaluations?period=all&limit=1000").json["evaluations"]!.array
            #expect(evaluations.allSatisfy { SampleFixture.visible($0["call_id"]?.string ?? "", to: role) }, "\(role) evaluations")
            #expect(!evaluations.isEmpty, "\(role): the sample day has evaluations in every scope")
            let agents = try await api.get("/api/v1/agents?period=all").json["cards"]!.array.flatMap { $0["agents"]!.array }
            let agentIDs = Set(agents.compactMap { $0["agent_id"]?.string })
            #expect(agentIDs.isSubset(of: Self.visibleAgents(role)), "\(role) agents")
            #expect(!agents.isEmpty)
            // Filter values: an agent, team, queue or card out of scope is as unknown as one that does not exist.
            for route in ["/api/v1/calls", "/api/v1/evaluations", "/api/v1/agents"] {
                let unknown = try await api.get("\(route)?period=all&agent=nobody")
                #expect(try unknown.status == .notFound && (unknown.json.at("error.field")?.string) == "agent")
                for agent in ["a1", "a2", "a3"] {
                    let r = try await api.get("\(route)?period=all&agent=\(agent)")
                    if Self.visibleAgents(role).contains(agent) {
                        #expect(r.status == .ok, "\(role) \(route) agent=\(agent): \(r.status.code)")
                    } else {
                        #expect(r.status == .notFound && r.body == unknown.body, "\(role) \(route) agent=\(agent)")
                    }
                }
                let everything = role == .qa || role == .admin
                for (name, value) in [("team", "Red"), ("queue", "support"), ("card", "support-hotline")] {
                    let r = try await api.get("\(route)?period=all&\(name)=\(value)")
                    let none = try await api.get("\(route)?period=all&\(name)=NoSuch\(name)")
                    #expect(none.status == .notFound)
                    if everything {
                        #expect(r.status == .ok, "\(role) \(route) \(name)=\(value): \(r.status.code)")
                    } else {
                        #expect(r.status == .notFound && r.body == none.body, "\(role) \(route) \(name)=\(value)")
                    }
                }
            }
            // Survey imports: qa and admin; the others get the 404 of a missing object.
            let imported = try await api.post("/api/v1/surveys", csv: firstSurvey)
            if role == .qa || role == .admin {
                #expect(try imported.status == .ok && (imported.json["already_imported"]?.int) == 1, "\(role) POST surveys: \(imported.text)")
            } else {
                expectNotFound(imported, "POST surveys")
            }
        }
        // Without credentials: 401 JSON on every route, the OpenAPI document excepted.
        for (method, path) in [("GET", "/api/v1/me"), ("GET", "/api/v1/calls"), ("GET", "/api/v1/calls/c-001"), ("GET", "/api/v1/calls/c-001/recording"),
                               ("GET", "/api/v1/calls/c-001/evaluations"), ("POST", "/api/v1/calls/c-001/evaluations"), ("GET", "/api/v1/evaluations"),
                               ("GET", "/api/v1/agents"), ("POST", "/api/v1/surveys"), ("GET", "/api/v1/nothing-here"), ("GET", "/api")] {
            let r = method == "GET" ? try await anonymous.get(path) : try await anonymous.post(path, json: "{}")
            #expect(r.status == .unauthorized && r.header("WWW-Authenticate") == "Bearer realm=\"callqa\"", "anonymous \(method) \(path): \(r.status.code)")
            #expect(try r.json.at("error.code")?.string == "unauthorized")
        }
        #expect(try await anonymous.get("/api/v1/openapi.json").status == .ok)
        // An unknown API path is the one JSON 404 (never the HTML page).
        let qa = try f.api("qa1")
        #expect(try await qa.get("/api/v1/nothing-here").body == (await qa.get("/api/v1/calls/c-missing")).body)
        // The audit log: a row per listening of a recording served (its first response names
        // the token; the range that follows within the audit window is covered by it:
        // AudioAuditLedger), none for refusals.
        let audio = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio }
        let served = Role.allCases.flatMap { role in ["c-001", "c-003", "c-005"].filter { SampleFixture.visible($0, to: role) } }.count
        #expect(audio.count == served && audio.allSatisfy { $0.detail?.hasPrefix("api token #") == true }, "\(audio.map(\.detail))")
    }

    /// `GET /api/v1/calls/{id}/transcript`: every role in scope gets the words with their
    /// times and confidence; out of scope is the one 404 of a missing call; a call in scope
    /// without a transcript is a 404 that says so; each transcript served is one audit row.
    @Test func theTranscriptIsScopedAsTheCallAndAudited() async throws {
        let f = try await SampleFixture()
        try TranscriptPagesTests.transcribe(f.store, "c-001", agent: ["Thank", "you", "for", "calling", TranscriptWord.redactedText])
        try TranscriptPagesTests.transcribe(f.store, "c-005", agent: ["technical", "support"])
        func shown() throws -> [AuditEntry] { try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .transcript } }
        for role in Role.allCases {
            let api = try f.api(f.role(role))
            let missing = try await api.get("/api/v1/calls/c-missing/transcript")
            let missingCode = try missing.json.at("error.code")?.string
            #expect(missing.status == .notFound && missingCode == "not_found")
            for call in ["c-001", "c-005"] {
                let before = try shown().count
                let r = try await api.get("/api/v1/calls/\(call)/transcript")
                if SampleFixture.visible(call, to: role) {
                    #expect(r.status == .ok, "\(role) \(call): \(r.status.code)")
                    #expect(try shown().count == before + 1)
                } else {
                    #expect(r.status == .notFound && r.body == missing.body, "\(role) \(call): \(r.status.code) \(r.text)")
                    #expect(try shown().count == before, "an answer without a transcript is not audited")
                }
            }
        }
        let qa = try f.api("qa1")
        let t = try await qa.get("/api/v1/calls/c-001/transcript").json
        #expect(t["call_id"]?.string == "c-001" && t["language"]?.string == "en" && t["language_source"]?.string == "setting")
        #expect(t["model"]?.string == "ggml-test.bin" && t["word_count"]?.int == 7 && t["redactions"]?.int == 1)
        let parties = t["parties"]?.array ?? []
        #expect(parties.compactMap { $0["party"]?.string } == ["agent", "customer"])
        let agentWords = parties.first?["words"]?.array ?? []
        #expect(agentWords.compactMap { $0["text"]?.string } == ["Thank", "you", "for", "calling", TranscriptWord.redactedText])
        #expect(agentWords.first?["start_s"]?.double == 1 && agentWords.first?["end_s"]?.double == 1.4 && agentWords.first?["confidence"]?.double == 0.9)
        #expect(agentWords.map { $0["redacted"] == .bool(true) } == [false, false, false, false, true])
        #expect(parties.first?["redactions"]?.int == 1 && parties.last?["word_count"]?.int == 2)
        // The row: the call, the token, what was shown.
        let row = try #require(try shown().last)
        #expect(row.callID == "c-001" && row.actor == "qa1" && row.detail?.hasPrefix("api token #") == true
                && row.detail?.hasSuffix(": 7 words, 1 redacted") == true, "\(row.detail ?? "nil")")

        // In scope, not transcribed: a 404 that says so, not the one of a missing call; nothing audited.
        let before = try shown().count
        let none = try await qa.get("/api/v1/calls/c-002/transcript")
        let noneError = try none.json
        #expect(none.status == .notFound && noneError.at("error.code")?.string == "no_transcript")
        #expect(noneError.at("error.message")?.string == "call 'c-002' has no transcript: it has not been transcribed (callqa transcribe)")
        #expect(try shown().count == before)
    }

    @Test func tokensRevokedExpiredDisabledWrongAndHashed() async throws {
        let f = try await SampleFixture()
        let token = try f.token("qa1", days: 1)
        let api = APIClient(client: f.client, token: token)
        #expect(try await api.get("/api/v1/me").status == .ok)
        let refused = try await APIClient(client: f.client, token: "cqa_" + String(repeating: "A", count: 43)).get("/api/v1/me")
        #expect(refused.status == .unauthorized)
        // Wrong, malformed, another scheme: 401; the same answer for every bad token.
        for header in ["Bearer cqa_" + String(repeating: "B", count: 43), "Bearer " + String(token.dropFirst(4)), "Bearer \(token)x", "Bearer ",
                       "Basic cWExOnB3", token, "Bearer \(token.uppercased())"] {
            let r = try await f.client.execute(.get, "/api/v1/me", headers: [.authorization: header])
            #expect(r.status == .unauthorized, "\(header): \(r.status.code)")
        }
        // A token never opens the pages (they take the session cookie only).
        let page = try await f.client.execute(.get, "/", headers: [.authorization: "Bearer \(token)"])
        #expect(page.status == .seeOther && page.header("Location") == "/login")
        // Stored hashed: the token is nowhere in the database files, its SHA-256 is.
        let stored = try f.store.read { db in try String.fetchAll(db, sql: "SELECT token_sha256 FROM api_tokens") }
        #expect(stored.contains(Secrets.sha256Hex(token)))
        try f.store.checkpoint()
        for suffix in ["", "-wal"] {
            if let bytes = FileManager.default.contents(atPath: f.store.path + suffix) {
                #expect(!Data(bytes).contains(Data(token.utf8)) && !Data(bytes).contains(Data(token.dropFirst(4).utf8)), "token in the database\(suffix)")
            }
        }
        // Last use is recorded on the token.
        let used = try #require(try f.store.tokens(userName: "qa1", nowEpoch: f.clock.now).first)
        #expect(used.lastUsedEpoch == f.clock.now && used.lastUsedAddress == "192.0.2.10" && used.status == .active)
        // Disabled user: refused; enabled again: works again.
        #expect(try f.store.setUserDisabled(name: "qa1", true))
        let disabled = try await api.get("/api/v1/me")
        #expect(disabled.status == .unauthorized && disabled.body == refused.body)
        #expect(try f.store.tokens(userName: "qa1", nowEpoch: f.clock.now).first?.status == .userDisabled)
        #expect(try f.store.setUserDisabled(name: "qa1", false))
        #expect(try await api.get("/api/v1/me").status == .ok)
        // Expiry: one second before, it works; at the end, it does not.
        f.clock.advance(86_400 - 1)
        #expect(try await api.get("/api/v1/me").status == .ok)
        f.clock.advance(1)
        let expired = try await api.get("/api/v1/me")
        #expect(expired.status == .unauthorized && expired.body == refused.body)
        #expect(try f.store.tokens(userName: "qa1", nowEpoch: f.clock.now).first?.status == .expired)
        // Revoked: refused for good, and audited.
        let other = try f.token("agent1")
        let agent = APIClient(client: f.client, token: other)
        #expect(try await agent.get("/api/v1/me").status == .ok)
        let id = try #require(try f.store.tokens(userName: "agent1", nowEpoch: f.clock.now).first?.tokenID)
        guard case .revoked = try f.server.authenticator.revokeAPIToken(id: id, actor: "cli:tester") else { Issue.record("not revoked"); return }
        guard case .alreadyRevoked = try f.server.authenticator.revokeAPIToken(id: id, actor: "cli:tester") else { Issue.record("revoked twice"); return }
        let revoked = try await agent.get("/api/v1/me")
        #expect(revoked.status == .unauthorized && revoked.body == refused.body)
        // Tokens for users that cannot use them are not made.
        #expect(throws: Authenticator.TokenProblem.noSuchUser("nobody")) { try f.server.authenticator.createAPIToken(userName: "nobody", days: 1, label: nil, actor: "t") }
        #expect(try f.store.setUserDisabled(name: "sup-blue", true))
        #expect(throws: Authenticator.TokenProblem.userDisabled("sup-blue")) { try f.server.authenticator.createAPIToken(userName: "sup-blue", days: 1, label: nil, actor: "t") }
        // Creation and revocation are in the audit log.
        let log = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil)
        #expect(log.filter { $0.action == .tokenAdded }.map(\.target) == ["qa1", "agent1"])
        #expect(log.filter { $0.action == .tokenRevoked }.map { "\($0.target ?? "") \($0.detail ?? "")" } == ["agent1 token #\(id)"])
    }

    @Test func aBrowserSessionUsesTheAPIWithCSRFForWrites() async throws {
        let f = try await SampleFixture()
        let b = try await f.loggedIn("qa1")
        let me = try await b.get("/api/v1/me")
        #expect(try me.status == .ok && (me.json.at("auth.kind")?.string) == "session")
        let sheet = try await b.get("/api/v1/calls/c-011/evaluations").json
        let body = #"{"scorecard":"order-confirmation","version":"\#(sheet["version"]!.string!)","answers":[{"criterion":"greeting","answer":"yes"}]}"#
        let noCSRF = try await b.send(.post, "/api/v1/calls/c-011/evaluations", headers: [.contentType: "application/json"], body: body)
        #expect(try noCSRF.status == .forbidden && (noCSRF.json.at("error.code")?.string) == "forbidden")
        let wrong = try await b.send(.post, "/api/v1/calls/c-011/evaluations", headers: [.contentType: "application/json", .xCSRFToken: "x"], body: body)
        #expect(wrong.status == .forbidden)
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything).isEmpty, "nothing stored without the token")
        let token = try #require(Browser.csrf(in: try await b.get("/").text))
        let saved = try await b.send(.post, "/api/v1/calls/c-011/evaluations", headers: [.contentType: "application/json", .xCSRFToken: token], body: body)
        #expect(try saved.status == .ok && (saved.json["saved"]?.int) == 1)
        // Logged out: the cookie opens nothing.
        try await b.logout()
        #expect(try await b.get("/api/v1/me").status == .unauthorized)
    }

    @Test func keysetWalkEqualsTheFullList() async throws {
        let f = try await SampleFixture()
        let api = try f.api("qa1")
        for sort in CallListSort.allCases {
            for order in ["asc", "desc"] {
                let full = try await api.get("/api/v1/calls?period=all&sort=\(sort.rawValue)&order=\(order)&limit=1000").json
                #expect(full["next"] == .null && full["next_cursor"] == .null)
                let want = full["calls"]!.array.compactMap { $0["call_id"]?.string }
                var walked: [String] = [], next: String? = "/api/v1/calls?period=all&sort=\(sort.rawValue)&order=\(order)&limit=3", pages = 0
                while let uri = next {
                    let page = try await api.get(uri)
                    #expect(page.status == .ok, "\(uri): \(page.text)")
                    let j = try page.json
                    walked += j["calls"]!.array.compactMap { $0["call_id"]?.string }
                    next = j["next"]?.string
                    pages += 1
                    #expect(pages < 10)
                }
                #expect(want.count == 11 && walked == want, "\(sort) \(order)")
                #expect(pages == 4)
            }
        }
        // A filtered walk: only the filter's calls, still whole.
        let filtered = try await api.get("/api/v1/calls?period=all&card=order-confirmation&sort=score&order=asc&limit=1000").json["calls"]!.array
        var walked: [String] = [], cursor: String?
        repeat {
            let j = try await api.get("/api/v1/calls?period=all&card=order-confirmation&sort=score&order=asc&limit=2"
                + (cursor.map { "&cursor=\($0)" } ?? "")).json
            walked += j["calls"]!.array.compactMap { $0["call_id"]?.string }
            cursor = j["next_cursor"]?.string
        } while cursor != nil
        #expect(walked == filtered.compactMap { $0["call_id"]?.string } && filtered.count == 5)
        // The evaluations list: pages of 4 give the whole list, in key order.
        let all = try await api.get("/api/v1/evaluations?period=all&limit=1000").json["evaluations"]!.array
        var answers: [String] = [], next: String? = "/api/v1/evaluations?period=all&limit=4"
        while let uri = next {
            let j = try await api.get(uri).json
            answers += j["evaluations"]!.array.map { "\($0["call_id"]!.string!)/\($0["scorecard"]!.string!)/\($0["criterion"]!.string!)" }
            next = j["next"]?.string
        }
        let keys = all.map { "\($0["call_id"]!.string!)/\($0["scorecard"]!.string!)/\($0["criterion"]!.string!)" }
        let stored = try f.store.evaluationList(period: .all, cardID: nil, after: nil, limit: 10_000, scope: .everything)
        #expect(answers == keys && keys == keys.sorted() && keys.count == stored.count && stored.count > 10)
        // A cursor is bound to its list, sort and order; garbage is a 400 naming it.
        let first = try await api.get("/api/v1/calls?period=all&sort=score&limit=2").json
        let c = try #require(first["next_cursor"]?.string)
        for uri in ["/api/v1/calls?period=all&sort=handle&cursor=\(c)", "/api/v1/calls?period=all&sort=score&order=asc&cursor=\(c)",
                    "/api/v1/calls?period=all&cursor=%27%20OR%201%3D1", "/api/v1/evaluations?period=all&cursor=\(c)", "/api/v1/calls?cursor=="] {
            let r = try await api.get(uri)
            #expect(try r.status == .badRequest && (r.json.at("error.field")?.string) == "cursor", "\(uri): \(r.text)")
        }
    }

    @Test func filterValuesThatTrySQLAreRefusedNamingTheField() async throws {
        let f = try await SampleFixture()
        let api = try f.api("qa1")
        let bad: [(String, String)] = [
            ("sort=started%3BDROP%20TABLE%20calls", "sort"), ("order=desc--", "order"), ("min_score=1%20OR%201%3D1", "min_score"),
            ("dead_air=-1", "dead_air"), ("interruptions=1.5", "interruptions"), ("health=x%27--", "health"), ("direction=in%27bound", "direction"),
            ("critical=1%27", "critical"), ("period=year", "period"), ("period=day&date=2026-02-30", "date"),
            ("period=custom&from=2026-12-01&to=2026-11-01", "from"), ("limit=0", "limit"), ("limit=1%3B", "limit"), ("from=2026-11-24%27", "from"),
        ]
        for (query, field) in bad {
            let r = try await api.get("/api/v1/calls?\(query)")
            #expect(r.status == .badRequest, "\(query): \(r.status.code)")
            let e = try r.json
            #expect(e.at("error.field")?.string == field && e.at("error.message")?.string?.contains("'\(field)'") == true, "\(query): \(r.text)")
        }
        for (query, field) in [("agent=%27%20OR%201%3D1%20--", "agent"), ("team=x%27)%20OR%20(%271%27%3D%271", "team"), ("card=%27%20OR%20%271", "card"),
                               ("queue=%22%3B%20DELETE%20FROM%20calls", "queue")] {
            let r = try await api.get("/api/v1/calls?period=all&\(query)")
            #expect(try r.status == .notFound && (r.json.at("error.field")?.string) == field, "\(query)")
            #expect(try await api.get("/api/v1/evaluations?period=all&\(query)").status == .notFound)
            #expect(try await api.get("/api/v1/agents?period=all&\(query)").status == .notFound)
        }
        let dialed = try await api.get("/api/v1/calls?period=all&dialed=%27%20OR%20%271%27%3D%271").json
        #expect(dialed["calls"]?.array.isEmpty == true)
        // Values are percent-decoded only: %20 is a space, + is a plus (as in +4930… or +01:00).
        let did = try await api.get("/api/v1/calls?period=all&dialed=0800%20111%20222").json["calls"]?.array ?? []
        #expect(!did.isEmpty && did.count < 11)
        #expect(try await api.get("/api/v1/calls?period=all&dialed=0800+111+222").json["calls"]?.array.isEmpty == true)
        #expect(try await api.get("/api/v1/calls?period=all&dialed=%zz").status == .badRequest)
        // Unknown and repeated parameters are refused, with a suggestion.
        let typo = try await api.get("/api/v1/calls?min_scor=50").json
        #expect(typo.at("error.message")?.string?.contains("did you mean 'min_score'?") == true && typo.at("error.field")?.string == "min_scor")
        #expect(try await api.get("/api/v1/calls?agent=a1&agent=a2").status == .badRequest)
        #expect(try await api.get("/api/v1/agents?min_scored=0").status == .badRequest)
        #expect(try await api.get("/api/v1/calls/c-001/recording?channel=mid").status == .badRequest)
        // The call ids and every table are intact.
        #expect(try f.store.callList(CallListFilter(), sort: .started, descending: true, after: nil, limit: 100, scope: .everything).count == 11)
        let agentAPI = try f.api("agent1")
        #expect(try await agentAPI.get("/api/v1/calls?agent=a1%27%20OR%20agent_id%3D%27a2").status == .notFound)
        let own = try await agentAPI.get("/api/v1/calls?period=all&dialed=x%27%20OR%201%3D1%20--").json
        #expect(own["calls"]?.array.isEmpty == true)
    }

    @Test func anEvaluationIsStoredLikeTheImportAndRescored() async throws {
        let f = try await SampleFixture()
        let api = try f.api("qa1")
        let sheetResponse = try await api.get("/api/v1/calls/c-011/evaluations")
        let sheet = try sheetResponse.json
        let version = try #require(sheet["version"]?.string)
        #expect(sheetResponse.header("ETag") == "\"\(version)\"")
        let card = try #require(sheet["cards"]?.array.first { $0["scorecard"]?.string == "order-confirmation" })
        let criteria = card["criteria"]!.array.compactMap { $0["criterion"]?.string }
        #expect(criteria == ["greeting", "verify_identity", "confirm_order", "payment_link", "delivery_date", "callback_offer"])
        #expect(try f.store.storedScores(callID: "c-011", scope: .everything).first { $0.cardID == "order-confirmation" }?.status == .provisional)
        func body(_ answers: [(String, String)], version v: String? = version, card c: String = "order-confirmation") -> String {
            let items = answers.map { #"{"criterion":"\#($0.0)","answer":"\#($0.1)","comment":null}"# }.joined(separator: ",")
            return #"{"scorecard":"\#(c)",\#(v.map { #""version":"\#($0)","# } ?? "")"answers":[\#(items)]}"#
        }
        // Refusals store nothing.
        let invalid = try await api.post("/api/v1/calls/c-011/evaluations", json: body([("greeting", "maybe"), ("nope", "yes")]))
        #expect(invalid.status == .unprocessableContent)
        #expect(try invalid.json.at("error.problems")?.array.count == 2 && invalid.text.contains("greeting") && invalid.text.contains("nope"))
        let unknownCard = try await api.post("/api/v1/calls/c-011/evaluations", json: body([("greeting", "yes")], card: "support-hotline"))
        #expect(try unknownCard.status == .unprocessableContent && (unknownCard.json.at("error.field")?.string) == "scorecard")
        let noVersion = try await api.post("/api/v1/calls/c-011/evaluations", json: body([("greeting", "yes")], version: nil))
        #expect(try noVersion.status == .badRequest && (noVersion.json.at("error.field")?.string) == "version")
        for (json, field) in [(#"{"scorecard":"order-confirmation","version":"v","answers":[],"extra":1}"#, "extra"),
                              (#"{"scorecard":1,"version":"v","answers":[]}"#, "scorecard"),
                              (#"{"scorecard":"order-confirmation","version":"v","answers":[{"criterion":"greeting","answer":true}]}"#, "answers[0].answer"),
                              (#"{"scorecard":"order-confirmation","version":"v","answers":[{"criterion":"greeting","answr":"yes"}]}"#, "answers[0].answr"),
                              (#"{"scorecard":"order-confirmation","version":"v","answers":{}}"#, "answers"),
                              (#"{"scorecard":"order-confirmation","scorecard":"x","answers":[]}"#, "body"), (#"[1,"#, "body")] {
            let r = try await api.post("/api/v1/calls/c-011/evaluations", json: json)
            #expect(try r.status == .badRequest && (r.json.at("error.field")?.string) == field, "\(json): \(r.text)")
        }
        #expect(try await api.post("/api/v1/calls/c-011/evaluations", json: body([]), headers: [.contentType: "text/plain"]).status == .unsupportedMediaType)
        let huge = body([("greeting", String(repeating: "y", count: 70_000))])
        #expect(try await api.post("/api/v1/calls/c-011/evaluations", json: huge).status == .contentTooLarge)
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything).isEmpty)
        // A save: stored as the import stores rows (source api, one import run), rescored.
        let answers = [("greeting", "yes"), ("verify_identity", "yes"), ("confirm_order", "yes"), ("payment_link", "n/a"), ("delivery_date", "yes"),
                       ("callback_offer", "no")]
        let saved = try await api.post("/api/v1/calls/c-011/evaluations", json: body(answers))
        #expect(saved.status == .ok, "\(saved.text)")
        let s = try saved.json
        #expect(s["saved"]?.int == 6 && s.at("score_before.status")?.string == "provisional" && s.at("score_after.status")?.string == "complete")
        let stored = try f.store.evaluations(callID: "c-011", scope: .everything)
        #expect(stored.count == 6 && stored.allSatisfy { $0.source == "api" && $0.evaluator == "qa1" })
        let score = try #require(try f.store.storedScores(callID: "c-011", scope: .everything).first { $0.cardID == "order-confirmation" })
        #expect(score.status == .complete && score.results.filter { $0.provenance == "evaluator: qa1" }.count == 6)
        #expect(s.at("score_after.score")?.double == score.score.map { ($0 * 100).rounded() / 100 })
        let run = try f.store.read { db in try Row.fetchOne(db, sql: "SELECT import_kind, source_file, rows, stored FROM import_runs ORDER BY import_id DESC LIMIT 1") }
        #expect((run?["import_kind"] as String?) == "evaluations" && (run?["source_file"] as String?) == "api" && (run?["stored"] as Int?) == 6)
        let newVersion = try #require(s["version"]?.string)
        #expect(saved.header("ETag") == "\"\(newVersion)\"" && newVersion != version)
        // Stale: another save in between; the old version saves nothing, the 409 gives the new one.
        let stale = try await api.post("/api/v1/calls/c-011/evaluations", json: body([("greeting", "no")]))
        #expect(try stale.status == .conflict && (stale.json.at("error.version")?.string) == newVersion)
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything).first { $0.criterionID == "greeting" }?.answer == "yes")
        // If-Match instead of the body's version.
        f.clock.advance(60)
        let viaHeader = try await api.post("/api/v1/calls/c-011/evaluations", json: body([("greeting", "no")], version: nil),
                                           headers: [.ifMatch: "\"\(newVersion)\""])
        #expect(try viaHeader.status == .ok && (viaHeader.json["saved"]?.int) == 1)
        #expect(try f.store.evaluations(callID: "c-011", scope: .everything).first { $0.criterionID == "greeting" }?.answer == "no")
        // Audited with the token.
        let log = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .evaluation }
        #expect(log.count == 2 && log.allSatisfy { $0.callID == "c-011" && $0.target == "order-confirmation" && $0.detail?.hasPrefix("api token #") == true })
        // The evaluations list shows them.
        let listed = try await api.get("/api/v1/evaluations?period=all&limit=1000").json["evaluations"]!.array.filter { $0["call_id"]?.string == "c-011" }
        #expect(listed.count == 6 && listed.allSatisfy { $0["source"]?.string == "api" })
    }

    /// Survey rows as the command line imports them, for comparison.
    static func surveyState(_ store: CallStore) throws -> [String] {
        try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT survey_key, survey_id, call_id, linked_call_id, link_method, answered, score, csat, answered_at, comment, row_fingerprint
                FROM surveys ORDER BY survey_key
                """).map { r in r.description }
        }
    }

    static func surveyErrors(_ store: CallStore, file: String) throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: "SELECT message FROM import_errors WHERE import_kind = 'surveys' AND source_file = ? ORDER BY line, message",
                                arguments: [file])
        }
    }

    @Test func surveysImportWithTheChecksAndLinkingOfTheCommandLine() async throws {
        let f = try await SampleFixture()
        let api = try f.api("qa1")
        let file = SampleFixture.root.appendingPathComponent("SampleAudio/surveys.csv").path
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        // What `callqa nps import` (the daily run) stored from the file (the fixture made one
        // comment hostile for the pages' tests: put back what the file says).
        try f.store.write { db in
            try db.execute(sql: "UPDATE surveys SET comment = 'Waited in silence forever, <b>rude</b> agent' WHERE call_id = 'c-003'")
        }
        let cli = try Self.surveyState(f.store)
        let cliErrors = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT message FROM import_errors WHERE import_kind = 'surveys' ORDER BY line, message")
        }
        #expect(cli.count == 9 && cliErrors.count == 4)
        // Re-posting the file: everything already imported, the same four rows rejected with the same reasons.
        let again = try await api.post("/api/v1/surveys", csv: csv)
        #expect(again.status == .ok)
        let a = try again.json
        #expect(a["rows"]?.int == 13 && a["already_imported"]?.int == 9 && a["imported"]?.int == 0 && a["rejected"]?.int == 4)
        let messages = a["rejections"]!.array.compactMap { $0["message"]?.string }
        let cliFile = try #require(cliErrors.first.map { String($0.prefix { $0 != ":" }) })
        #expect(messages == cliErrors.map { "api" + $0.dropFirst(cliFile.count) })
        let after = try Self.surveyState(f.store)
        #expect(after == cli, "\(after.filter { !cli.contains($0) }) \(cli.filter { !after.contains($0) })")
        // Into an empty survey table: the API stores exactly what the command line stored.
        try f.store.write { db in try db.execute(sql: "DELETE FROM surveys; DELETE FROM import_errors") }
        let fresh = try await api.post("/api/v1/surveys", csv: csv).json
        #expect(fresh["imported"]?.int == 9 && fresh["linked"]?.int == 9 && fresh["waiting"]?.int == 0 && fresh["no_answer"]?.int == 1)
        #expect(try Self.surveyState(f.store) == cli)
        #expect(try Self.surveyErrors(f.store, file: "api") == cliErrors.map { "api" + $0.dropFirst(cliFile.count) })
        // The same rows as JSON objects: already imported; numbers are read as their text.
        let lines = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false).map(String.init) }
        let objects = lines.prefix(9).map { c in
            #"{"survey_id":"\#(c[0])","call_id":"\#(c[1])","score":\#(c[2].isEmpty ? "null" : c[2]),"answered_at":"\#(c[3])","comment":\#(c[4].isEmpty ? "null" : (c[4].hasPrefix("\"") ? c[4] : "\"\(c[4])\""))}"#
        }
        let json = try await api.post("/api/v1/surveys", json: #"{"surveys":[\#(objects.joined(separator: ","))]}"#).json
        #expect(json["already_imported"]?.int == 9 && json["rejected"]?.int == 0, "\(json)")
        #expect(try Self.surveyState(f.store) == cli)
        // JSON rows are checked as CSV cells are: 7.5, "ten", 11, a bad date, a conflicting re-send; a new survey waits for its call.
        let mixed = try await api.post("/api/v1/surveys", json: """
            {"surveys": [
              {"call_id": "c-004", "score": 7.5, "answered_at": "2026-11-24T12:00:00+01:00", "survey_id": "x1"},
              {"call_id": "c-004", "score": "ten", "answered_at": "2026-11-24T12:00:00+01:00", "survey_id": "x2"},
              {"call_id": "c-004", "score": 11, "answered_at": "2026-11-24T12:00:00+01:00", "survey_id": "x3"},
              {"call_id": "c-004", "score": 5, "answered_at": "24.11.2026 12:00", "survey_id": "x4"},
              {"call_id": "c-001", "score": 3, "answered_at": "2026-11-24T09:06:00+01:00", "survey_id": "s-001"},
              {"call_id": "c-new", "score": 9, "answered_at": "2026-11-24T12:00:00+01:00", "survey_id": "x5", "csat": 4}
            ]}
            """).json
        #expect(mixed["imported"]?.int == 1 && mixed["rejected"]?.int == 5 && mixed["waiting"]?.int == 1, "\(mixed)")
        let fields = mixed["rejections"]!.array.map { "\($0["line"]!.int!):\($0["field"]?.string ?? "-")" }
        #expect(fields == ["1:score", "2:score", "3:score", "4:answered_at", "5:survey_id"])
        #expect(mixed.at("rejections.0.message")?.string == "api:1: column 'score': expected a whole number from 0 to 10 (empty = no answer), got \"7.5\"")
        // Request-level errors name the field.
        for (body, field) in [(#"{"surveys":[{"call_id":"c-001","scroe":5}]}"#, "surveys[0].scroe"), (#"{"survey":[]}"#, "survey"),
                              (#"{"surveys":[1]}"#, "surveys[0]"), (#"{"surveys":[{"call_id":["c-001"]}]}"#, "surveys[0].call_id"),
                              (#"{"surveys":[]}"#, "body"), ("{", "body")] {
            let r = try await api.post("/api/v1/surveys", json: body)
            #expect(try r.status == .badRequest && (r.json.at("error.field")?.string) == field, "\(body): \(r.text)")
        }
        let typo = try await api.post("/api/v1/surveys", json: #"{"surveys":[{"call_id":"c-001","scroe":5}]}"#).json
        #expect(typo.at("error.message")?.string?.contains("did you mean 'score'?") == true)
        #expect(try await api.post("/api/v1/surveys?tz=Mars/Olympus", csv: csv).status == .badRequest)
        #expect(try await api.post("/api/v1/surveys?tz=+01:00&link_window_h=12.5&country_code=49", csv: csv).status == .ok)
        #expect(try await api.post("/api/v1/surveys?link_window_h=0", csv: csv).status == .badRequest)
        #expect(try await api.post("/api/v1/surveys?country_code=4x", csv: csv).status == .badRequest)
        #expect(try await f.client.execute(.post, "/api/v1/surveys", headers: [.authorization: "Bearer \(api.token!)", .contentType: "text/plain"], body: csv)
            .status == .unsupportedMediaType)
        // Every import is audited with its counts.
        let log = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .surveyImport }
        #expect(log.count == 5 && log.allSatisfy { $0.actor == "qa1" && $0.detail?.hasPrefix("api token #") == true })
    }

    @Test func rateAndSizeLimits() async throws {
        let f = try await SampleFixture()
        var c = f.server.configuration
        c.apiBurst = 3
        c.apiRatePerS = 0.5
        c.apiMaxImportBytes = 1000
        let limited = RouterClient(responder: WorkspaceServer(store: f.store, configuration: c, callerKey: { SampleFixture.hashKey }).makeResponder())
        let a = APIClient(client: limited, token: try f.token("qa1")), b = APIClient(client: limited, token: try f.token("qa1"))
        for _ in 0..<3 { #expect(try await a.get("/api/v1/me").status == .ok) }
        let over = try await a.get("/api/v1/me")
        #expect(try over.status == .tooManyRequests && over.header("Retry-After") == "2" && (over.json.at("error.code")?.string) == "too_many_requests")
        // Per caller: another token is not held back.
        #expect(try await b.get("/api/v1/me").status == .ok)
        f.clock.advance(2)
        #expect(try await a.get("/api/v1/me").status == .ok)
        #expect(try await a.get("/api/v1/me").status == .tooManyRequests)
        let big = "survey_id,call_id,score,answered_at,comment\n" + String(repeating: "s-x,c-001,5,2026-11-24T09:06:00+01:00,padding\n", count: 40)
        let tooLarge = try await b.post("/api/v1/surveys", csv: big)
        #expect(tooLarge.status == .contentTooLarge && tooLarge.text.contains("1000 bytes"))
    }

    /// The API's numbers are the reports': `report agents --format json` and `explain --format
    /// json` through the binary on the same database, and the calls page's export.
    @Test func theNumbersAreThoseOfTheReportsAndThePages() async throws {
        let f = try await SampleFixture()
        for (user, cliScope) in [("qa1", [String]()), ("sup-blue", ["--team", "Blue"]), ("agent1", ["--agent", "a1"])] {
            let api = try f.api(user)
            let cli = try CommandLineTests.run(["report", "agents", "--format", "json", "--db", f.store.path] + cliScope)
            #expect(cli.status == 0, "\(cli.err)")
            let tables = try JSONInput.parse(Array(cli.out.utf8)).array
            let cards = try await api.get("/api/v1/agents?period=all").json["cards"]!.array
            #expect(!cards.isEmpty)
            // The command line, narrowed by an option, lists every card (those of other teams
            // empty); the API lists the cards that score calls the user may see, as the overview.
            for t in tables {
                let card = cards.first { "agents_" + ($0["scorecard"]?.string ?? "") == t["table"]?.string }
                #expect(t["rows"] == (card?["agents"] ?? .array([])), "\(user) \(t["table"]?.string ?? "")")
            }
            #expect(cards.allSatisfy { c in tables.contains { $0["table"]?.string == "agents_" + (c["scorecard"]?.string ?? "") } })
        }
        let api = try f.api("qa1")
        for call in ["c-001", "c-003", "c-008", "c-009"] {
            let cli = try CommandLineTests.run(["explain", call, "--format", "json", "--db", f.store.path])
            let explain = try JSONInput.parse(Array(cli.out.utf8))
            let got = try await api.get("/api/v1/calls/\(call)").json
            for key in ["scores", "not_scored", "legs", "transfer"] {
                #expect(explain[key] != nil && got[key] == explain[key], "\(call) \(key)")
            }
            #expect(got.at("call.agent_id") == explain["agent_id"])
        }
        // The calls list is the calls page's: the same calls in the same order as its export.
        let b = try await f.loggedIn("qa1")
        for query in ["period=all", "period=all&card=order-confirmation&sort=score&order=asc", "period=all&sort=agent&team=Red",
                      "period=all&detractor=1", "period=all&sort=dead_air&order=desc&min_score=10"] {
            let csv = try await b.get("/calls.csv?\(query)").text.split(whereSeparator: \.isNewline).dropFirst().map { String($0.prefix { $0 != "," }) }
            let ids = try await api.get("/api/v1/calls?\(query)&limit=1000").json["calls"]!.array.compactMap { $0["call_id"]?.string }
            #expect(ids == csv, "\(query)")
        }
    }

    @Test func theTokensCommand() throws {
        let db = try CommandLineTests.freshDatabase()
        #expect(try CommandLineTests.run(["users", "add", "bi", "--role", "supervisor", "--team", "Blue", "--db", db]).status == 0)
        let made = try CommandLineTests.run(["tokens", "add", "--user", "BI", "--expires", "30", "--label", "Power BI", "--db", db])
        #expect(made.status == 0 && made.out.hasPrefix("token #1 for 'bi' (role supervisor), expires "), "\(made.out)\(made.err)")
        let token = try #require(made.out.split(separator: "\n").last.map(String.init))
        #expect(Authenticator.looksLikeAPIToken(token) && token.count == 47)
        let store = try CallStore(path: db)
        let record = try #require(try store.tokens(nowEpoch: Date().timeIntervalSince1970).first)
        #expect(record.label == "Power BI" && record.createdBy == "cli:tester" && record.status == .active)
        #expect(abs(record.expiresEpoch - Date().timeIntervalSince1970 - 30 * 86_400) < 120)
        let list = try CommandLineTests.run(["tokens", "list", "--format", "csv", "--db", db])
        #expect(list.out.hasPrefix("id,user,role,label,status,created_at,created_by,expires_at,revoked_at,last_used_at,last_used_address\r\n1,bi,supervisor,Power BI,active,"))
        #expect(!list.out.contains(token) && !list.out.contains(String(token.dropFirst(4))))
        for (args, status, message) in [(["--user", "bi", "--expires", "0"], Int32(64), "--expires: expected days from 1 to 3650"),
                                        (["--user", "nobody"], 1, "no user named 'nobody'"), (["--expires", "3"], 64, "--user")] {
            let r = try CommandLineTests.run(["tokens", "add"] + args + ["--db", db])
            #expect(r.status == status && r.err.contains(message), "\(args): \(r.status) \(r.err)")
        }
        #expect(try CommandLineTests.run(["users", "disable", "bi", "--db", db]).status == 0)
        let disabled = try CommandLineTests.run(["tokens", "add", "--user", "bi", "--db", db])
        #expect(disabled.status == 1 && disabled.err.contains("is disabled"))
        #expect(try CommandLineTests.run(["tokens", "list", "--db", db]).out.contains("user_disabled"))
        #expect(try CommandLineTests.run(["users", "enable", "bi", "--db", db]).status == 0)
        _ = try CommandLineTests.run(["tokens", "add", "--user", "bi", "--db", db])
        let one = try CommandLineTests.run(["tokens", "revoke", "1", "--db", db])
        #expect(one.status == 0 && one.out == "token #1 of 'bi' revoked\n")
        #expect(try CommandLineTests.run(["tokens", "revoke", "1", "--db", db]).out.contains("revoked already"))
        #expect(try CommandLineTests.run(["tokens", "revoke", "9", "--db", db]).status == 1)
        #expect(try CommandLineTests.run(["tokens", "revoke", "--db", db]).status == 64)
        let all = try CommandLineTests.run(["tokens", "revoke", "--user", "bi", "--db", db])
        #expect(all.status == 0 && all.out == "1 token of 'bi' revoked: #2\n")
        let audit = try CommandLineTests.run(["audit", "--format", "csv", "--db", db]).out
        #expect(audit.contains(",token_added,cli:tester,,,bi,\"token #1 (Power BI), expires ") && audit.contains(",token_revoked,cli:tester,,,bi,token #2\r\n"))
    }
}

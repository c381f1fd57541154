import CallQAModel
import Foundation
import HTTPTypes
import Store
import Testing
@testable import Workspace

/// The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that openapi.json is written
/// in. Strict: a keyword it does not know is reported, never skipped, so the document cannot
/// say more than is checked.
struct SchemaCheck {
    let document: JSONInput
    static let keywords: Set<String> = ["$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "oneOf",
                                        "minimum", "maximum", "exclusiveMinimum", "minItems", "maxItems", "pattern", "description", "format"]

    /// `#/components/schemas/Name` → the schema.
    func resolve(_ ref: String) -> JSONInput? {
        guard ref.hasPrefix("#/") else { return nil }
        var v: JSONInput? = document
        for part in ref.dropFirst(2).split(separator: "/") { v = v?[String(part)] }
        return v
    }

    static func matches(_ v: JSONInput, type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): true
        case let ("integer", .number(n)): !n.contains { $0 == "." || $0 == "e" || $0 == "E" }
        default: false
        }
    }

    func errors(_ v: JSONInput, _ schema: JSONInput, at path: String = "$") -> [String] {
        var out: [String] = []
        check(v, schema, path, &out)
        return out
    }

    private func check(_ v: JSONInput, _ s: JSONInput, _ path: String, _ out: inout [String]) {
        guard case let .object(pairs) = s else { out.append("\(path): the schema is not an object"); return }
        for (k, _) in pairs where !Self.keywords.contains(k) { out.append("\(path): schema keyword '\(k)' is not checked by this validator") }
        if let ref = s["$ref"]?.string {
            guard let target = resolve(ref) else { out.append("\(path): unresolved \(ref)"); return }
            check(v, target, path, &out)
            return
        }
        if let t = s["type"] {
            let types = t.string.map { [$0] } ?? t.array.compactMap(\.string)
            guard types.contains(where: { Self.matches(v, type: $0) }) else {
                out.append("\(path): expected \(types.joined(separator: " or ")), got \(v.kind)")
                return
            }
        }
        if let options = s["enum"]?.array, !options.contains(v) { out.append("\(path): \(v) is not one of \(options)") }
        if let options = s["oneOf"]?.array {
            let n = options.filter { errors(v, $0, at: path).isEmpty }.count
            if n != 1 { out.append("\(path): matches \(n) of the oneOf schemas, expected exactly 1") }
        }
        if case let .object(members) = v {
            for name in s["required"]?.array.compactMap(\.string) ?? [] where v[name] == nil { out.append("\(path): missing '\(name)'") }
            let props = s["properties"]
            for (k, value) in members {
                if let p = props?[k] {
                    check(value, p, "\(path).\(k)", &out)
                } else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) { out.append("\(path): unexpected key '\(k)'") } else if extra != .bool(true) { check(value, extra, "\(path).\(k)", &out) }
                }
            }
        }
        if case let .array(items) = v {
            if let item = s["items"] { for (i, x) in items.enumerated() { check(x, item, "\(path)[\(i)]", &out) } }
            if let m = s["minItems"]?.int, items.count < m { out.append("\(path): fewer than \(m) items") }
            if let m = s["maxItems"]?.int, items.count > m { out.append("\(path): more than \(m) items") }
        }
        if let x = v.double {
            if let m = s["minimum"]?.double, x < m { out.append("\(path): \(x) < minimum \(m)") }
            if let m = s["maximum"]?.double, x > m { out.append("\(path): \(x) > maximum \(m)") }
            if let m = s["exclusiveMinimum"]?.double, x <= m { out.append("\(path): \(x) ≤ exclusive minimum \(m)") }
        }
        if let text = v.string, let pattern = s["pattern"]?.string {
            if text.range(of: pattern, options: .regularExpression) == nil { out.append("\(path): \(text.debugDescription) does not match \(pattern)") }
        }
    }
}

@Suite struct OpenAPITests {
    static let file = SampleFixture.root.appendingPathComponent("Sources/Workspace/openapi.json")

    @Test func theValidatorCatchesWhatItShould() throws {
        let doc = try JSONInput.parse(Array(#"{"components":{"schemas":{"P":{"type":"object","properties":{"n":{"type":"integer","minimum":0}},"required":["n"],"additionalProperties":false}}}}"#.utf8))
        let check = SchemaCheck(document: doc)
        let p = try JSONInput.parse(Array(##"{"$ref":"#/components/schemas/P"}"##.utf8))
        #expect(try check.errors(JSONInput.parse(Array(#"{"n":3}"#.utf8)), p).isEmpty)
        #expect(try check.errors(JSONInput.parse(Array(#"{"n":3.5}"#.utf8)), p) == ["$.n: expected integer, got a number"])
        #expect(try check.errors(JSONInput.parse(Array(#"{"n":-1}"#.utf8)), p) == ["$.n: -1.0 < minimum 0.0"])
        #expect(try check.errors(JSONInput.parse(Array(#"{}"#.utf8)), p) == ["$: missing 'n'"])
        #expect(try check.errors(JSONInput.parse(Array(#"{"n":1,"m":2}"#.utf8)), p) == ["$: unexpected key 'm'"])
        let nullable = try JSONInput.parse(Array(#"{"type":["string","null"],"enum":["a",null]}"#.utf8))
        #expect(check.errors(.null, nullable).isEmpty && check.errors(.string("a"), nullable).isEmpty && !check.errors(.string("b"), nullable).isEmpty)
        #expect(!check.errors(.null, try JSONInput.parse(Array(#"{"type":"string","unknownKeyword":1}"#.utf8))).isEmpty)
    }

    @Test func theServedDocumentIsTheCheckedInFileAndListsEveryRouteAndParameter() async throws {
        let f = try await SampleFixture()
        let served = try await APIClient(client: f.client, token: nil).get("/api/v1/openapi.json")
        #expect(served.status == .ok && served.header("Content-Type") == "application/json; charset=utf-8")
        #expect(try served.body == [UInt8](Data(contentsOf: Self.file)))
        let doc = try served.json
        #expect(doc["openapi"]?.string == "3.1.0")
        // Every route the server takes, and only those, with exactly the query parameters it takes.
        var operations: [String] = []
        for (path, item) in doc["paths"]?.pairs ?? [] {
            for (method, op) in item.pairs where path != WorkspaceServer.openAPIPath {
                let key = "\(method.uppercased()) \(path)"
                operations.append(key)
                let params = op["parameters"]?.array.compactMap { p -> JSONInput? in p["$ref"]?.string.flatMap(SchemaCheck(document: doc).resolve) ?? p } ?? []
                let query = params.filter { $0["in"]?.string == "query" }.compactMap { $0["name"]?.string }
                #expect(Set(query) == Set(Handlers.apiQueryParameters[key] ?? ["(route unknown to the server)"]), "\(key) query parameters")
                #expect(query.count == Set(query).count, "\(key) lists a parameter twice")
            }
        }
        #expect(Set(operations) == Set(Handlers.apiQueryParameters.keys))
    }

    /// Each documented operation is called through the router, for each of its documented
    /// answers; every answer's status must be documented for the operation and its body must
    /// fit the documented schema; and every documented answer must have been produced.
    @Test func everyOperationAnswersAsDocumented() async throws {
        let f = try await SampleFixture()
        let doc = try JSONInput.parse([UInt8](try Data(contentsOf: Self.file)))
        let check = SchemaCheck(document: doc)
        var covered = Set<String>()
        var problems: [String] = []

        /// Checks one answer against the document; returns it.
        @discardableResult
        func expect(_ r: TestResponse, _ method: String, _ template: String, _ status: Int, requestBody: String? = nil) throws -> TestResponse {
            let what = "\(method) \(template) → \(r.status.code)"
            #expect(Int(r.status.code) == status, "\(what), expected \(status): \(r.text.prefix(300))")
            guard let op = doc["paths"]?[template]?[method.lowercased()] else { problems.append("\(method) \(template): not documented"); return r }
            guard let documented = op["responses"]?[String(r.status.code)] else { problems.append("\(what): status not documented"); return r }
            covered.insert("\(method) \(template) \(r.status.code)")
            if let content = documented["content"], case let .object(types) = content {
                let type = (r.header("Content-Type") ?? "").split(separator: ";").first.map(String.init) ?? ""
                guard let schema = types.first(where: { $0.0 == type })?.1["schema"] else {
                    problems.append("\(what): content type '\(type)' not documented (\(types.map(\.0)))")
                    return r
                }
                if type == "application/json" {
                    problems += check.errors(try r.json, schema).map { "\(what): \($0)" }
                }
            }
            if let requestBody, let schema = op["requestBody"]?["content"]?["application/json"]?["schema"], r.status == .ok {
                problems += check.errors(try JSONInput.parse(Array(requestBody.utf8)), schema).map { "\(method) \(template) request body: \($0)" }
            }
            return r
        }

        let anonymous = APIClient(client: f.client, token: nil)
        let qa = try f.api("qa1"), agent = try f.api("agent1"), admin = try f.api("admin1"), sup = try f.api("sup-blue")
        let session = try await f.loggedIn("qa1")
        try expect(try await anonymous.get("/api/v1/openapi.json"), "GET", "/api/v1/openapi.json", 200)

        // Reads: 200 for every role and shape the sample day has; 400, 401, 404.
        for api in [qa, agent, admin, sup] { try expect(try await api.get("/api/v1/me"), "GET", "/api/v1/me", 200) }
        try expect(try await qa.get("/api/v1/me?x=1"), "GET", "/api/v1/me", 400)
        try expect(try await anonymous.get("/api/v1/me"), "GET", "/api/v1/me", 401)
        for uri in ["/api/v1/calls?period=all", "/api/v1/calls", "/api/v1/calls?period=all&card=order-confirmation&sort=score&limit=2",
                    "/api/v1/calls?period=day&date=2026-11-24&critical=1", "/api/v1/calls?period=custom&from=2026-11-01&to=2026-11-30&detractor=1"] {
            for api in [qa, agent, sup] { try expect(try await api.get(uri), "GET", "/api/v1/calls", 200) }
        }
        try expect(try await qa.get("/api/v1/calls?sort=nope"), "GET", "/api/v1/calls", 400)
        try expect(try await anonymous.get("/api/v1/calls"), "GET", "/api/v1/calls", 401)
        try expect(try await agent.get("/api/v1/calls?team=Red"), "GET", "/api/v1/calls", 404)
        let allCalls = SampleFixture.calls.keys.sorted()
        for call in allCalls {
            try expect(try await qa.get("/api/v1/calls/\(call)"), "GET", "/api/v1/calls/{call_id}", 200)
            try expect(try await qa.get("/api/v1/calls/\(call)/evaluations"), "GET", "/api/v1/calls/{call_id}/evaluations", 200)
        }
        for t in ["/api/v1/calls/{call_id}", "/api/v1/calls/{call_id}/evaluations", "/api/v1/calls/{call_id}/recording"] {
            try expect(try await qa.get(t.replacingOccurrences(of: "{call_id}", with: "c-001") + "?x=1"), "GET", t, 400)
            try expect(try await anonymous.get(t.replacingOccurrences(of: "{call_id}", with: "c-001")), "GET", t, 401)
            try expect(try await qa.get(t.replacingOccurrences(of: "{call_id}", with: "c-missing")), "GET", t, 404)
            try expect(try await agent.get(t.replacingOccurrences(of: "{call_id}", with: "c-005")), "GET", t, 404)
        }
        let tr = "/api/v1/calls/{call_id}/transcript"
        try TranscriptPagesTests.transcribe(f.store, "c-001", agent: ["thank", "you", "for", "calling", TranscriptWord.redactedText])
        try expect(try await qa.get("/api/v1/calls/c-001/transcript"), "GET", tr, 200)
        try expect(try await agent.get("/api/v1/calls/c-001/transcript"), "GET", tr, 200)
        try expect(try await qa.get("/api/v1/calls/c-001/transcript?x=1"), "GET", tr, 400)
        try expect(try await anonymous.get("/api/v1/calls/c-001/transcript"), "GET", tr, 401)
        try expect(try await qa.get("/api/v1/calls/c-missing/transcript"), "GET", tr, 404)
        try expect(try await agent.get("/api/v1/calls/c-005/transcript"), "GET", tr, 404)
        try expect(try await qa.get("/api/v1/calls/c-002/transcript"), "GET", tr, 404)
        let rec = "/api/v1/calls/{call_id}/recording"
        try expect(try await qa.get("/api/v1/calls/c-001/recording"), "GET", rec, 200)
        try expect(try await qa.get("/api/v1/calls/c-008/recording?channel=left&download=1"), "GET", rec, 200)
        try expect(try await qa.get("/api/v1/calls/c-001/recording", headers: [.range: "bytes=44-99"]), "GET", rec, 206)
        try expect(try await qa.get("/api/v1/calls/c-001/recording", headers: [.range: "bytes=999999999-"]), "GET", rec, 416)
        try expect(try await qa.get("/api/v1/calls/c-001/recording?channel=middle"), "GET", rec, 400)
        for uri in ["/api/v1/evaluations?period=all", "/api/v1/evaluations?period=all&card=order-confirmation&limit=5", "/api/v1/evaluations"] {
            for api in [qa, agent, sup] { try expect(try await api.get(uri), "GET", "/api/v1/evaluations", 200) }
        }
        try expect(try await qa.get("/api/v1/evaluations?limit=0"), "GET", "/api/v1/evaluations", 400)
        try expect(try await anonymous.get("/api/v1/evaluations"), "GET", "/api/v1/evaluations", 401)
        try expect(try await sup.get("/api/v1/evaluations?agent=a3"), "GET", "/api/v1/evaluations", 404)
        for uri in ["/api/v1/agents?period=all", "/api/v1/agents", "/api/v1/agents?period=all&card=order-confirmation&min_scored=2",
                    "/api/v1/agents?period=week&date=2026-11-24&team=Blue"] {
            for api in [qa, agent, sup, admin] where !(uri.contains("team=Blue") && api.token == agent.token) {
                try expect(try await api.get(uri), "GET", "/api/v1/agents", 200)
            }
        }
        try expect(try await qa.get("/api/v1/agents?min_scored=x"), "GET", "/api/v1/agents", 400)
        try expect(try await anonymous.get("/api/v1/agents"), "GET", "/api/v1/agents", 401)
        try expect(try await agent.get("/api/v1/agents?agent=a2"), "GET", "/api/v1/agents", 404)

        // Writes: evaluations.
        let ev = "/api/v1/calls/{call_id}/evaluations"
        let version = try await qa.get("/api/v1/calls/c-011/evaluations").json["version"]!.string!
        let write = #"{"scorecard":"order-confirmation","version":"\#(version)","answers":[{"criterion":"greeting","answer":"yes","comment":"good"},{"criterion":"payment_link","answer":null}]}"#
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: write), "POST", ev, 200, requestBody: write)
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: write), "POST", ev, 409)
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: #"{"scorecard":"order-confirmation","answers":[]}"#), "POST", ev, 400)
        try expect(try await anonymous.post("/api/v1/calls/c-011/evaluations", json: write), "POST", ev, 401)
        try expect(try await session.send(.post, "/api/v1/calls/c-011/evaluations", headers: [.contentType: "application/json"], body: write), "POST", ev, 403)
        try expect(try await agent.post("/api/v1/calls/c-001/evaluations", json: write), "POST", ev, 404)
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: String(repeating: " ", count: 70_000) + write), "POST", ev, 413)
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: write, headers: [.contentType: "text/plain"]), "POST", ev, 415)
        let now = try await qa.get("/api/v1/calls/c-011/evaluations").json["version"]!.string!
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations",
                                     json: #"{"scorecard":"order-confirmation","version":"\#(now)","answers":[{"criterion":"greeting","answer":"7"}]}"#), "POST", ev, 422)
        try expect(try await qa.post("/api/v1/calls/c-011/evaluations", json: #"{"scorecard":"support-hotline","version":"\#(now)","answers":[]}"#),
                   "POST", ev, 422)

        // Writes: surveys.
        let sv = "/api/v1/surveys"
        let surveys = #"{"surveys":[{"survey_id":"n-1","call_id":"c-004","score":9,"answered_at":"2026-11-24T12:00:00+01:00","comment":"fine"},{"call_id":"c-010","score":null,"answered_at":"2026-11-24T12:00:00+01:00"}]}"#
        try expect(try await qa.post(sv, json: surveys), "POST", sv, 200, requestBody: surveys)
        try expect(try await admin.post(sv, csv: "call_id,score,answered_at\nc-001,10,2026-11-24T09:06:00+01:00\nc-002,ten,2026-11-24T09:06:00+01:00\n"), "POST", sv, 200)
        try expect(try await qa.post(sv + "?link_window_h=48&tz=Europe/Berlin&country_code=49", csv: "call_id,score,caller\nc-001,10,+49 30 1234567\n"), "POST", sv, 200)
        try expect(try await qa.post(sv, json: #"{"surveys":"#), "POST", sv, 400)
        try expect(try await anonymous.post(sv, json: surveys), "POST", sv, 401)
        try expect(try await session.send(.post, sv, headers: [.contentType: "application/json"], body: surveys), "POST", sv, 403)
        try expect(try await sup.post(sv, json: surveys), "POST", sv, 404)
        try expect(try await qa.post(sv, json: surveys, headers: [.contentType: "application/xml"]), "POST", sv, 415)
        var small = f.server.configuration
        small.apiMaxImportBytes = 100
        let smallServer = APIClient(client: RouterClient(responder: WorkspaceServer(store: f.store, configuration: small, callerKey: { SampleFixture.hashKey })
            .makeResponder()), token: qa.token)
        try expect(try await smallServer.post(sv, json: surveys), "POST", sv, 413)

        // 429 on every operation: a caller whose bucket is empty.
        var tight = f.server.configuration
        tight.apiBurst = 1
        tight.apiRatePerS = 0.0001
        let limited = APIClient(client: RouterClient(responder: WorkspaceServer(store: f.store, configuration: tight, callerKey: { SampleFixture.hashKey })
            .makeResponder()), token: try f.token("qa1"))
        _ = try await limited.get("/api/v1/me")
        for (method, path) in [("GET", "/api/v1/me"), ("GET", "/api/v1/calls"), ("GET", "/api/v1/calls/{call_id}"), ("GET", rec), ("GET", tr), ("GET", ev), ("POST", ev),
                               ("GET", "/api/v1/evaluations"), ("GET", "/api/v1/agents"), ("POST", sv)] {
            let uri = path.replacingOccurrences(of: "{call_id}", with: "c-001")
            try expect(method == "GET" ? try await limited.get(uri) : try await limited.post(uri, json: "{}"), method, path, 429)
        }

        for p in problems { Issue.record(Comment(rawValue: p)) }
        // Every documented answer of every operation was produced and checked.
        var documented = Set<String>()
        for (path, item) in doc["paths"]?.pairs ?? [] {
            for (method, op) in item.pairs {
                for status in op["responses"]?.keys ?? [] { documented.insert("\(method.uppercased()) \(path) \(status)") }
            }
        }
        #expect(documented.subtracting(covered).sorted() == [], "documented but never produced")
        #expect(covered.count > 50)
    }
}

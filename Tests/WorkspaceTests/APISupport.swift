import CallQAModel
import Foundation
import HTTPTypes
import Store
import Testing
@testable import Workspace

/// A client of `/api/v1` over the in-process router: a bearer token, or none.
struct APIClient: Sendable {
    let client: RouterClient
    let token: String?

    func headers(_ extra: HTTPFields) -> HTTPFields {
        var h = extra
        if let token, h[.authorization] == nil { h[.authorization] = "Bearer \(token)" }
        return h
    }

    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(.get, uri, headers: headers(extra))
    }

    func post(_ uri: String, json: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var h = extra
        if h[.contentType] == nil { h[.contentType] = "application/json" }
        return try await client.execute(.post, uri, headers: headers(h), body: json)
    }

    func post(_ uri: String, csv: String) async throws -> TestResponse {
        try await client.execute(.post, uri, headers: headers([.contentType: "text/csv"]), body: csv)
    }
}

extension TestResponse {
    /// The body parsed as JSON (the API's own parser: numbers keep their literal text).
    var json: JSONInput {
        get throws { try JSONInput.parse(body) }
    }
}

extension JSONInput {
    var array: [JSONInput] {
        if case let .array(a) = self { return a }
        return []
    }

    var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    var int: Int? {
        if case let .number(n) = self { return Int(n) }
        return nil
    }

    var double: Double? {
        if case let .number(n) = self { return Double(n) }
        return nil
    }

    var keys: [String] { pairs.map(\.0) }

    /// An object's members in order; empty for anything else.
    var pairs: [(String, JSONInput)] {
        if case let .object(p) = self { return p }
        return []
    }

    /// Follows `a.b.c` (object keys) or `a.0` (array index).
    func at(_ path: String) -> JSONInput? {
        var v: JSONInput? = self
        for part in path.split(separator: ".") {
            if let i = Int(part) {
                let a = v?.array ?? []
                v = i < a.count ? a[i] : nil
            } else {
                v = v?[String(part)]
            }
        }
        return v
    }
}

extension SampleFixture {
    /// A new API token for `user` (valid `days` days), made as `callqa tokens add` makes it.
    func token(_ user: String, days: Double = 90) throws -> String {
        try server.authenticator.createAPIToken(userName: user, days: days, label: nil, actor: "cli:tester").token
    }

    func api(_ user: String?) throws -> APIClient { APIClient(client: client, token: try user.map { try token($0) }) }

    /// Calls of the sample day per role (as `visible(_:to:)` says).
    static func visibleCalls(_ role: Role) -> Set<String> { Set(calls.keys.filter { visible($0, to: role) }) }
}

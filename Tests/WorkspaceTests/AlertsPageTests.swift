import CallQAModel
import Foundation
import Store
import Testing
@testable import Workspace

/// The alerts `callqa watch` raises, as the workspace shows them: a supervisor sees those on
/// their teams' calls, qa and admins all, agents get the same 404 as for a page that does
/// not exist; every text is escaped.
@Suite struct AlertsPageTests {
    @Test func eachRoleSeesTheAlertsOfItsScope() async throws {
        let f = try await SampleFixture()
        let calls = SampleFixture.calls.keys.sorted()
        let raised = try f.store.raiseAlerts(calls.map {
            NewAlert(callID: $0, ruleID: "dead-air", reason: "audio.longest_silence_s = 42 \(SampleFixture.hostile)", raisedEpoch: 1_796_000_000, notify: false)
        })
        #expect(raised.count == calls.count)
        // Once per call and rule: raising again stores nothing.
        #expect(try f.store.raiseAlerts(raised).isEmpty)
        for role in Role.allCases {
            let b = try await f.loggedIn(f.role(role))
            let missing = try await b.get("/no-such-page")
            let r = try await b.get("/alerts")
            if role == .agent {
                #expect(r.status == .notFound && r.body == missing.body, "an agent's /alerts is the one 404")
                #expect(!(try await b.get("/").text.contains("href=\"/alerts\"")), "no Alerts link for agents")
                continue
            }
            #expect(r.status == .ok, "\(role) GET /alerts: \(r.status.code)")
            #expect(try await b.get("/").text.contains("href=\"/alerts\""), "\(role) has the Alerts link")
            for call in calls {
                let shown = r.text.contains("href=\"/calls/\(call)\"")
                #expect(shown == SampleFixture.visible(call, to: role), "\(role) sees the alert of \(call): \(shown)")
            }
            #expect(!r.text.contains(SampleFixture.hostile) && r.text.contains("&lt;script&gt;"), "the reason is escaped")
        }
    }
}

import CallQAModel
import Foundation
import Pipeline
@testable import Store
import Testing

/// Coaching notes: who writes, who acknowledges, what is waiting for the supervisor.
@Suite struct CoachingTests {
    static let agentA1 = Account(userID: 1, name: "anna", role: .agent, agentID: "a1", teams: [])
    static let agentA3 = Account(userID: 2, name: "omar", role: .agent, agentID: "a3", teams: [])
    static let supBlue = Account(userID: 3, name: "sue", role: .supervisor, agentID: nil, teams: ["Blue"])
    static let supRed = Account(userID: 4, name: "red", role: .supervisor, agentID: nil, teams: ["Red"])
    static let qa = Account(userID: 5, name: "quinn", role: .qa, agentID: nil, teams: [])
    static let admin = Account(userID: 6, name: "ada", role: .admin, agentID: nil, teams: [])

    @Test func referencesParse() {
        #expect(CoachingReference(parsing: "c-001") == CoachingReference(callID: "c-001"))
        #expect(CoachingReference(parsing: "c-001@12.5") == CoachingReference(callID: "c-001", startS: 12.5))
        #expect(CoachingReference(parsing: "c-001@12.5-20") == CoachingReference(callID: "c-001", startS: 12.5, endS: 20))
        #expect(CoachingReference(parsing: "c-001@12.5-20")?.text == "c-001@12.5-20")
        for bad in ["", "@3", "c-001@", "c-001@x", "c-001@5-2", "c-001@-1", "c-001@inf"] { #expect(CoachingReference(parsing: bad) == nil, "\(bad)") }
        #expect((try? CoachingReference.list("c-001@3, c-002  c-003@1-2").get())?.map(\.callID) == ["c-001", "c-002", "c-003"])
        #expect(CoachingText.date("2026-02-29") == nil && CoachingText.date("2028-02-29") == "2028-02-29" && CoachingText.date("2026-13-01") == nil)
    }

    @Test func supervisorsAndQAWriteAgentsAcknowledge() async throws {
        let store = try await AggregateTests.sampleDay()
        let now = 1_796_000_000.0
        // Agents and admins do not write notes; a supervisor only about their teams' agents.
        for who in [Self.agentA1, Self.admin] {
            guard case .refused = try CoachingNotes.add(store, agentID: "a1", keep: "k", change: "c", references: "", followUp: nil, by: who, nowEpoch: now) else {
                Issue.record("\(who.role) wrote a note"); return
            }
        }
        #expect(try CoachingNotes.add(store, agentID: "a1", keep: "k", change: "c", references: "", followUp: nil, by: Self.supRed, nowEpoch: now) == .notFound)
        #expect(try CoachingNotes.add(store, agentID: "nobody", keep: "k", change: "c", references: "", followUp: nil, by: Self.qa, nowEpoch: now) == .notFound)
        // References must be the agent's own calls; the texts and date must make sense.
        guard case .invalid = try CoachingNotes.add(store, agentID: "a1", keep: "k", change: "c", references: "c-003@4", followUp: nil, by: Self.supBlue, nowEpoch: now),
              case .invalid = try CoachingNotes.add(store, agentID: "a1", keep: " ", change: "", references: "", followUp: nil, by: Self.supBlue, nowEpoch: now),
              case .invalid = try CoachingNotes.add(store, agentID: "a1", keep: "k", change: "", references: "", followUp: "next week", by: Self.supBlue, nowEpoch: now) else {
            Issue.record("bad input accepted"); return
        }
        guard case let .done(n1) = try CoachingNotes.add(store, agentID: "a1", keep: "Warm greeting", change: "Confirm the delivery window",
                                                         references: "c-001@12.5-20, c-002", followUp: "2026-12-01", by: Self.supBlue, nowEpoch: now),
              case let .done(n2) = try CoachingNotes.add(store, agentID: "a1", keep: "", change: "Less dead air", references: "c-011@3",
                                                         followUp: "2026-12-20", by: Self.qa, nowEpoch: now + 10),
              case let .done(n3) = try CoachingNotes.add(store, agentID: "a3", keep: "Patience", change: "", references: "", followUp: nil,
                                                         by: Self.supRed, nowEpoch: now + 20) else {
            Issue.record("notes not written"); return
        }
        #expect(n1.references == [CoachingReference(callID: "c-001", startS: 12.5, endS: 20), CoachingReference(callID: "c-002")])
        #expect(n1.author == "sue" && n1.authorRole == .supervisor && !n1.acknowledged && n2.authorRole == .qa)
        // What waits on 2026-12-05: three unacknowledged notes, one overdue follow-up (n1).
        let waiting = try CoachingNotes.waiting(store, for: Self.qa, today: "2026-12-05")
        #expect(Set(waiting.unacknowledged.map(\.id)) == [n1.id, n2.id, n3.id] && waiting.overdue.map(\.id) == [n1.id])
        #expect(waiting.recent.map(\.id) == [n3.id, n2.id, n1.id], "newest first")
        // The supervisor of Blue sees a1's notes, never a3's; the agent only their own.
        #expect(Set(try CoachingNotes.waiting(store, for: Self.supBlue, today: "2026-12-05").recent.map(\.id)) == [n1.id, n2.id])
        #expect(try store.coachingNotes(CoachingFilter(), scope: Self.agentA3.scope).map(\.id) == [n3.id])
        #expect(try store.coachingNote(id: n3.id, scope: Self.agentA1.scope) == nil)
        // Only the agent acknowledges, only their own, once.
        #expect(try CoachingNotes.acknowledge(store, id: n1.id, by: Self.supBlue, nowEpoch: now + 30) == .refused("a supervisor may not do this"))
        #expect(try CoachingNotes.acknowledge(store, id: n1.id, by: Self.agentA3, nowEpoch: now + 30) == .notFound)
        guard case let .done(acked) = try CoachingNotes.acknowledge(store, id: n1.id, by: Self.agentA1, nowEpoch: now + 30) else {
            Issue.record("not acknowledged"); return
        }
        #expect(acked.acknowledgedBy == "anna" && acked.acknowledgedAt == Timestamp(epochS: now + 30, offsetS: 0).iso8601)
        guard case .conflict = try CoachingNotes.acknowledge(store, id: n1.id, by: Self.agentA1, nowEpoch: now + 40) else { Issue.record("twice"); return }
        // The follow-up: done by the supervisor, with a result; the agent cannot; a note without one has none.
        guard case .refused = try CoachingNotes.followUp(store, id: n1.id, result: "better", by: Self.agentA1, nowEpoch: now + 50),
              case .invalid = try CoachingNotes.followUp(store, id: n1.id, result: " ", by: Self.supBlue, nowEpoch: now + 50),
              case .conflict = try CoachingNotes.followUp(store, id: n3.id, result: "x", by: Self.supRed, nowEpoch: now + 50) else {
            Issue.record("follow-up rules"); return
        }
        guard case let .done(done) = try CoachingNotes.followUp(store, id: n1.id, result: "Delivery window confirmed on 4 of 5 calls",
                                                                by: Self.supBlue, nowEpoch: now + 60) else { Issue.record("follow-up"); return }
        #expect(done.followUpDoneBy == "sue" && !done.overdue(today: "2026-12-05"))
        let after = try CoachingNotes.waiting(store, for: Self.supBlue, today: "2026-12-05")
        #expect(after.unacknowledged.map(\.id) == [n2.id] && after.overdue.isEmpty)
        // A reader whose scope admits none of the agent's calls does not see the note.
        #expect(try store.coachingNote(id: n1.id, scope: Scope.teams(["Blue"]).narrowed(queue: "nothing")) == nil)
    }
}

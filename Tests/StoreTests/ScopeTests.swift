import Analytics
import CallQAModel
import Foundation
import GRDB
import Pipeline
@testable import Store
import Testing

/// Access scope as a value: every read of call data takes a `Scope`, and none returns a row
/// of a call outside it. The first test finds the store's public reads in its source, so a
/// new query without a scope, or one this file does not exercise, fails here.
@Suite struct ScopeTests {
    /// Public methods of the store that are not reads of call data.
    static let writers: Set<String> = ["save", "registerCard", "saveScores", "beginRun", "finishRun", "recordErrors",
                                       "linkWaitingSurveys", "refreshAggregates", "importSession", "checkpoint",
                                       // ImportSession: inside one import's write transaction.
                                       "callExists", "reject", "eachRow", "survey", "evaluation",
                                       // The workspace's writes: each checks its scope inside its transaction.
                                       "saveEvaluations", "acknowledgeEvaluation",
                                       // `callqa watch`: its positions, kept lines, alerts and their notifications.
                                       "consumeWatchLines", "markWatchLinesDone", "deleteWatchLines", "setWatchState",
                                       "raiseAlerts", "recordNotification",
                                       // Disputes, calibration, coaching: each checks its scope (and the role) inside its transaction.
                                       "openDispute", "resolveDispute", "createCalibrationSession", "saveCalibrationAnswers",
                                       "closeCalibrationSession", "addCoachingNote", "acknowledgeCoachingNote", "completeCoachingFollowUp",
                                       // Transcription: stores one call's transcript (or copies a shard database's) where its analysis is unchanged.
                                       "saveTranscript", "importTranscripts",
                                       // Housekeeping: merges the transcripts' full-text index, reading nothing out.
                                       "compactTranscriptIndex", "optimizeTranscriptIndex"]

    /// Accounts, sessions and the audit log of the workspace (AccountStore.swift): no call data.
    static let accounts: Set<String> = ["addUser", "users", "credentials", "setUserDisabled", "setUserPassword", "createSession",
                                        "session", "touchSession", "deleteSession", "sessionCount", "appendAudit", "auditEntries", "loginFailures",
                                        // API tokens (TokenStore.swift): accounts' credentials, no call data.
                                        "addToken", "tokens", "revokeToken", "revokeTokens", "apiToken"]
    /// Reads of the database file itself, not of any call.
    static let housekeeping: Set<String> = ["check", "integrityCheck", "aggregatesStale", "calendarFields", "dataVersion",
                                            // The watcher's own state: file positions, and its kept record
                                            // lines (sealed; read back only by the watcher at start).
                                            "watchSources", "watchLines", "watchState"]
    /// Card texts: the organisation's coaching cards, the same for every reader.
    static let catalogue: Set<String> = ["latestCardTexts", "currentCardText", "cardVersionText"]

    /// Every `public func` of Sources/Store with its parameter list.
    static func publicFunctions() throws -> [(name: String, signature: String)] {
        let dir = packageRoot.appendingPathComponent("Sources/Store")
        var out: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"public (?:static )?func ([A-Za-z0-9_]+)(?:<[^>]*>)?\(([^{]*)"#)
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                out.append((String(text[Range(m.range(at: 1), in: text)!]), String(text[Range(m.range(at: 2), in: text)!])))
            }
        }
        return out
    }

    @Test func everyReadOfCallDataTakesAScopeAndIsExercisedBelow() async throws {
        let functions = try Self.publicFunctions()
        #expect(functions.count > 30, "the scan found the store's methods")
        let reads = functions.filter { !Self.writers.contains($0.name) && !Self.housekeeping.contains($0.name) && !Self.catalogue.contains($0.name)
            && !Self.accounts.contains($0.name) }
        for r in reads {
            #expect(r.signature.contains("scope: Scope"), "CallStore.\(r.name) reads call data without a Scope")
        }
        #expect(Set(reads.map(\.name)) == Set(Self.checks.map(\.name)),
                "reads not exercised under an agent scope: \(Set(reads.map(\.name)).subtracting(Self.checks.map(\.name)).sorted())")
    }

    /// The sample day's calls per agent.
    static func callsByAgent(_ store: CallStore) throws -> [String: Set<String>] {
        try store.read { db in
            var out: [String: Set<String>] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT call_id, agent_id FROM calls WHERE agent_id IS NOT NULL") {
                out[r["agent_id"], default: []].insert(r["call_id"])
            }
            return out
        }
    }

    /// One check per read: under `scope` (one agent's), whatever comes back belongs to `own`
    /// (that agent's call ids), and a call of `other` is not returned.
    typealias Check = (name: String, run: @Sendable (CallStore, Scope, _ own: Set<String>, _ all: [String], _ other: String, _ agent: String) throws -> Void)

    static let checks: [Check] = [
        ("agentCallRows", { s, scope, own, _, _, agent throws in
            let rows = try s.agentCallRows(period: .all, cardID: nil, scope: scope)
            #expect(!rows.isEmpty && rows.allSatisfy { $0.agentID == agent && own.contains($0.callID) })
        }),
        ("failedCriteria", { s, scope, own, all, _, _ throws in
            let rows = try s.failedCriteria(callIDs: all, cardID: nil, scope: scope)
            #expect(rows.allSatisfy { own.contains($0.callID) })
            #expect(try s.failedCriteria(callIDs: all, cardID: nil, scope: .everything).count > rows.count)
        }),
        ("storedCards", { s, scope, _, _, _, _ throws in
            #expect(try s.storedCards(scope: scope).count <= s.storedCards(scope: .everything).count)
            #expect(try s.storedCards(scope: Scope(access: .teams([]))).isEmpty)
        }),
        ("callDetail", { s, scope, own, _, other, _ throws in
            #expect(try s.callDetail(other, scope: scope) == nil)
            #expect(try s.callDetail(own.sorted()[0], scope: scope) != nil)
        }),
        ("recordingPath", { s, scope, own, _, other, _ throws in
            #expect(try s.recordingPath(callID: other, scope: scope) == nil)
            #expect(try s.recordingPath(callID: other, scope: .everything) != nil)
            #expect(try own.contains { try s.recordingPath(callID: $0, scope: scope) != nil })
        }),
        ("callLegs", { s, scope, _, _, other, _ throws in
            #expect(try s.callLegs(other, scope: scope).isEmpty)
        }),
        ("callSpan", { s, scope, own, _, _, _ throws in
            #expect(try s.callSpan(period: .all, scope: scope).calls == own.count)
        }),
        ("lastCallDate", { s, scope, _, _, _, _ throws in
            #expect(try s.lastCallDate(scope: scope) == s.callSpan(period: .all, scope: scope).lastDate)
            #expect(try s.lastCallDate(scope: Scope(access: .teams([]))) == nil)
        }),
        ("knownValues", { s, scope, _, _, _, agent throws in
            #expect(try s.knownValues(.agent, scope: scope) == [agent])
        }),
        ("callStarts", { s, scope, own, all, _, _ throws in
            #expect(Set(try s.callStarts(ids: all, scope: scope).keys) == own)
        }),
        ("callStates", { s, scope, own, all, _, _ throws in
            #expect(Set(try s.callStates(ids: all, scope: scope).keys) == own)
        }),
        ("scoringInputs", { s, scope, own, _, _, _ throws in
            #expect(Set(try s.scoringInputs(period: .all, scope: scope).map(\.facts.callID)) == own)
        }),
        ("currentScores", { s, scope, own, _, _, _ throws in
            for card in try s.storedCards(scope: .everything) {
                #expect(Set(try s.currentScores(cardID: card.id, scope: scope).keys).isSubset(of: own))
            }
        }),
        ("scoringKeys", { s, scope, own, _, _, _ throws in
            #expect(Set(try s.scoringKeys(period: .all, partyFacts: true, scope: scope).map(\.callID)) == own)
        }),
        ("currentScoreStates", { s, scope, own, _, _, _ throws in
            for card in try s.storedCards(scope: .everything) {
                #expect(Set(try s.currentScoreStates(cardID: card.id, scope: scope).keys).isSubset(of: own))
            }
        }),
        ("storedScores", { s, scope, _, _, other, _ throws in
            #expect(try s.storedScores(callID: other, scope: .everything).isEmpty == false, "the other call is scored")
            #expect(try s.storedScores(callID: other, scope: scope).isEmpty)
        }),
        ("existingCalls", { s, scope, own, all, _, _ throws in
            #expect(try s.existingCalls(all, scope: scope) == own)
        }),
        ("surveyFacts", { s, scope, _, _, _, agent throws in
            #expect(try s.surveyFacts(period: .all, scope: scope).allSatisfy { $0.agentID == agent })
        }),
        ("kpiRows", { s, scope, own, _, _, _ throws in
            #expect(Set(try s.kpiRows(period: .all, zone: nil, fcrWindowS: 604_800, scope: scope).map(\.callID)) == own)
        }),
        ("kpiGroups", { s, scope, own, _, _, agent throws in
            let groups = try s.kpiGroups(period: .all, by: [.agent], settings: KPISettings(), scope: scope)
            #expect(groups.map(\.key) == [[agent]])
            #expect(groups.reduce(0) { $0 + $1.offered + $1.outbound } == own.count)
        }),
        ("kpiGroupsFromHours", { s, scope, _, _, _, _ throws in
            // The hourly table has no agent column: it never answers for one agent.
            #expect(try s.kpiGroupsFromHours(period: .all, by: [.day], settings: KPISettings(), scope: scope) == nil)
        }),
        ("agentAggregates", { s, scope, _, _, _, agent throws in
            for card in try s.storedCards(scope: .everything) {
                #expect(try s.agentAggregates(period: .all, cardID: card.id, scope: scope).allSatisfy { $0.agentID == agent })
            }
        }),
        ("agentAggregatesFromDays", { s, scope, _, _, _, agent throws in
            for card in try s.storedCards(scope: .everything) {
                let rows = try #require(try s.agentAggregatesFromDays(period: .all, cardID: card.id, scope: scope))
                let direct = try s.agentAggregates(period: .all, cardID: card.id, scope: scope)
                #expect(rows.allSatisfy { $0.agentID == agent })
                #expect(rows.map(\.calls) == direct.map(\.calls) && rows.map(\.scored) == direct.map(\.scored))
            }
        }),
        ("scoreDistribution", { s, scope, _, _, _, agent throws in
            for card in try s.storedCards(scope: .everything) {
                let (bins, daily) = try s.scoreDistribution(period: .all, cardID: card.id, scope: scope)
                #expect(daily.allSatisfy { $0.agent == agent })
                #expect(bins.reduce(0, +) == daily.reduce(0) { $0 + $1.n })
            }
        }),
        ("npsByAgent", { s, scope, _, _, _, agent throws in
            #expect(Set(try s.npsByAgent(period: .all, scope: scope).keys).isSubset(of: [agent]))
        }),
        ("npsGroups", { s, scope, _, _, _, agent throws in
            #expect(try s.npsGroups(period: .all, by: ["agent"], scope: scope).allSatisfy { $0.key == [agent] })
        }),
        ("npsDistributionAndComments", { s, scope, _, _, _, agent throws in
            let (dist, comments) = try s.npsDistributionAndComments(period: .all, scope: scope, limit: 100)
            #expect(comments.allSatisfy { $0.agentID == agent })
            #expect(dist.reduce(0, +) == (try s.surveyFacts(period: .all, scope: scope)).filter { $0.score != nil }.count)
        }),
        ("callList", { s, scope, own, _, other, agent throws in
            let rows = try s.callList(CallListFilter(), sort: .started, descending: true, after: nil, limit: 10_000, scope: scope)
            #expect(Set(rows.map(\.callID)) == own && rows.allSatisfy { $0.agentID == agent })
            #expect(try s.callList(CallListFilter(), sort: .score, descending: false, after: nil, limit: 10_000,
                                   scope: scope.narrowed(agent: try s.callDetail(other, scope: .everything)?.call.agentID)).isEmpty)
        }),
        ("evaluations", { s, scope, own, all, _, _ throws in
            for id in all where !own.contains(id) { #expect(try s.evaluations(callID: id, scope: scope).isEmpty) }
            #expect(try all.contains { try !s.evaluations(callID: $0, scope: .everything).isEmpty }, "the sample day has evaluations")
        }),
        ("callSurveys", { s, scope, own, all, _, _ throws in
            for id in all where !own.contains(id) { #expect(try s.callSurveys(callID: id, scope: scope).isEmpty) }
            #expect(try all.contains { try !s.callSurveys(callID: $0, scope: .everything).isEmpty }, "the sample day has surveys")
        }),
        ("evaluationList", { s, scope, own, _, other, _ throws in
            let all = try s.evaluationList(period: .all, cardID: nil, after: nil, limit: 10_000, scope: .everything)
            #expect(all.contains { $0.callID == other } || all.contains { !own.contains($0.callID) }, "the sample day has others' evaluations")
            let rows = try s.evaluationList(period: .all, cardID: nil, after: nil, limit: 10_000, scope: scope)
            #expect(rows.allSatisfy { own.contains($0.callID) })
            #expect(rows.map(\.callID) == all.filter { own.contains($0.callID) }.map(\.callID), "every own answer, in key order")
            // A cursor past another agent's call still never reaches beyond the scope.
            let after = EvaluationListCursor(callID: "", cardID: "", criterionID: "")
            #expect(try s.evaluationList(period: .all, cardID: nil, after: after, limit: 10_000, scope: scope).allSatisfy { own.contains($0.callID) })
        }),
        ("evaluationsToAcknowledge", { s, scope, own, all, _, agent throws in
            #expect(try s.evaluationsToAcknowledge(agentID: agent, period: .all, scope: scope).allSatisfy { own.contains($0.callID) })
            for other in Set(try s.knownValues(.agent, scope: .everything)).subtracting([agent]) {
                #expect(try s.evaluationsToAcknowledge(agentID: other, period: .all, scope: scope).isEmpty)
            }
        }),
        ("transcriptionCandidates", { s, scope, own, _, _, _ throws in
            let ids = Set(try s.transcriptionCandidates(scope: scope).map(\.callID))
            #expect(!ids.isEmpty && ids.isSubset(of: own))
            #expect(try s.transcriptionCandidates(scope: .everything).count > ids.count)
        }),
        ("transcript", { s, scope, own, _, other, _ throws in
            try transcribeAll(s)
            #expect(try s.transcript(callID: other, scope: .everything) != nil)
            #expect(try s.transcript(callID: other, scope: scope) == nil)
            #expect(try own.contains { try s.transcript(callID: $0, scope: scope) != nil })
        }),
        ("searchTranscripts", { s, scope, own, _, _, _ throws in
            try transcribeAll(s)
            let q = try #require(TranscriptQuery("hello"))
            let mine = Set(try s.searchTranscripts(q, scope: scope).map(\.callID))
            #expect(!mine.isEmpty && mine.isSubset(of: own))
            #expect(try s.searchTranscripts(q, scope: .everything).count > mine.count)
            // The calls list's search takes the same scope.
            var filter = CallListFilter()
            filter.transcript = q
            let listed = try s.callList(filter, sort: .started, descending: true, after: nil, limit: 100, scope: scope)
            #expect(Set(listed.map(\.callID)) == mine && listed.allSatisfy { $0.snippet?.contains("[hello]") == true })
        }),
        ("transcriptTotals", { s, scope, own, _, _, _ throws in
            try transcribeAll(s)
            let mine = try s.transcriptTotals(scope: scope), all = try s.transcriptTotals(scope: .everything)
            #expect(mine.calls > 0 && mine.calls <= own.count && all.calls > mine.calls)
        }),
        ("alerts", { s, scope, own, all, _, _ throws in
            try s.raiseAlerts(all.map { NewAlert(callID: $0, ruleID: "scope-test", reason: "test", raisedEpoch: 1, notify: true) })
            #expect(Set(try s.alerts(limit: 10_000, scope: scope).map(\.callID)) == own)
            #expect(Set(try s.alerts(limit: 10_000, scope: .everything).map(\.callID)) == Set(all))
        }),
        ("alertsToNotify", { s, scope, own, all, _, _ throws in
            try s.raiseAlerts(all.map { NewAlert(callID: $0, ruleID: "scope-test", reason: "test", raisedEpoch: 1, notify: true) })
            #expect(Set(try s.alertsToNotify(nowEpoch: 2, limit: 10_000, scope: scope).map(\.callID)) == own)
        }),
        ("detractorsWithoutAlert", { s, scope, own, _, _, _ throws in
            let mine = try s.detractorsWithoutAlert(ruleID: "scope-survey", maxScore: 10, sinceEpoch: 0, scope: scope).map(\.callID)
            #expect(Set(mine).isSubset(of: own))
            #expect(try s.detractorsWithoutAlert(ruleID: "scope-survey", maxScore: 10, sinceEpoch: 0, scope: .everything).count > mine.count)
        }),
        ("disputes", { s, scope, own, _, _, _ throws in
            let mine = try s.disputes(DisputeFilter(), scope: scope)
            #expect(!mine.isEmpty && mine.allSatisfy { own.contains($0.callID) })
            #expect(try s.disputes(DisputeFilter(), scope: .everything).count > mine.count)
        }),
        ("dispute", { s, scope, own, _, _, _ throws in
            for d in try s.disputes(DisputeFilter(), scope: .everything) {
                #expect((try s.dispute(id: d.id, scope: scope) != nil) == own.contains(d.callID))
            }
        }),
        ("replacedEvaluations", { s, scope, own, all, _, _ throws in
            for id in all where !own.contains(id) { #expect(try s.replacedEvaluations(callID: id, scope: scope).isEmpty) }
            #expect(try all.contains { try !s.replacedEvaluations(callID: $0, scope: .everything).isEmpty })
        }),
        ("calibrationSessions", { s, scope, own, _, _, _ throws in
            let sessions = try s.calibrationSessions(member: nil, scope: scope)
            #expect(!sessions.isEmpty && sessions.allSatisfy { Set($0.calls) == own })
        }),
        ("calibrationSession", { s, scope, own, _, _, _ throws in
            for x in try s.calibrationSessions(member: nil, scope: .everything) {
                #expect(Set(try #require(try s.calibrationSession(id: x.id, member: nil, scope: scope)).calls) == own)
                #expect(x.calls.count > own.count)
            }
        }),
        ("calibrationAnswers", { s, scope, own, _, _, _ throws in
            for x in try s.calibrationSessions(member: nil, scope: .everything) {
                for m in x.members {
                    let answers = try s.calibrationAnswers(sessionID: x.id, userID: m.userID, scope: scope)
                    #expect(Set(answers.map(\.callID)) == own)
                }
            }
        }),
        ("revealedCalibrationAnswers", { s, scope, own, _, _, _ throws in
            for x in try s.calibrationSessions(member: nil, scope: .everything) {
                #expect(Set(try #require(try s.revealedCalibrationAnswers(sessionID: x.id, scope: scope)).map(\.callID)) == own)
            }
        }),
        ("coachingNotes", { s, scope, own, _, _, agent throws in
            let notes = try s.coachingNotes(CoachingFilter(), scope: scope)
            #expect(notes.count == 1 && notes.allSatisfy { $0.agentID == agent && Set($0.references.map(\.callID)) == own })
        }),
        ("coachingNote", { s, scope, _, _, _, agent throws in
            for n in try s.coachingNotes(CoachingFilter(), scope: .everything) {
                #expect((try s.coachingNote(id: n.id, scope: scope) != nil) == (n.agentID == agent))
            }
        }),
    ]

    /// A transcript for every analysed call of the sample day (a few words each), once.
    static func transcribeAll(_ s: CallStore) throws {
        for c in try s.transcriptionCandidates(scope: .everything) where c.stored == nil {
            try FactSchemaTests.saveTranscript(s, callID: c.callID)
        }
    }

    /// Disputes, a closed calibration session and coaching notes over every agent's calls,
    /// once per store (written with the store's own writers, scope everything).
    static func seedLoops(_ s: CallStore) throws {
        guard try s.disputes(DisputeFilter(), scope: .everything).isEmpty else { return }
        let now = Date().timeIntervalSince1970
        let all = try s.read { db in try String.fetchAll(db, sql: "SELECT call_id FROM calls ORDER BY call_id") }
        for call in all {
            guard let e = try s.evaluations(callID: call, scope: .everything).first else { continue }
            guard case let .opened(d) = try s.openDispute(callID: call, cardID: e.cardID, criterionID: e.criterionID, reason: "seed",
                                                          by: "sup", role: .supervisor, window: DisputeWindow(), nowEpoch: now, scope: .everything) else {
                throw StoreError.database(path: "", reason: "seed dispute")
            }
            _ = try s.resolveDispute(id: d.id, decision: .accept(newAnswer: e.answer == "yes" ? .no : .yes), reason: "seed", by: "qa",
                                     role: .qa, nowEpoch: now + 1, scope: .everything)
        }
        var ids: [Int64] = []
        for name in ["scope-expert", "scope-evaluator"] {
            guard case let .added(a) = try s.addUser(name: name, role: .qa, agentID: nil, teams: [], passwordHash: "x", nowEpoch: now) else { continue }
            ids.append(a.userID)
        }
        let card = try #require(try s.latestCardTexts().first { $0.id == "order-confirmation" })
        let withAgent = try s.read { db in try String.fetchAll(db, sql: "SELECT call_id FROM calls WHERE agent_id IS NOT NULL ORDER BY call_id") }
        guard case let .created(session) = try s.createCalibrationSession(name: "scope", cardID: card.id, cardHash: card.hash, manualCriteria: 6,
                                                                          expertUserID: ids[0], evaluatorUserIDs: [ids[1]], callIDs: withAgent,
                                                                          by: "qa", nowEpoch: now, scope: .everything) else {
            throw StoreError.database(path: "", reason: "seed session")
        }
        for u in ids {
            for call in withAgent {
                _ = try s.saveCalibrationAnswers(sessionID: session.id, callID: call, userID: u,
                                                 answers: [CalibrationAnswerInput(criterionID: "greeting", answer: "yes")], nowEpoch: now, scope: .everything)
            }
        }
        _ = try s.closeCalibrationSession(id: session.id, by: "qa", nowEpoch: now, scope: .everything)
        for agent in try s.knownValues(.agent, scope: .everything) {
            let own = try s.callList(CallListFilter(), sort: .started, descending: false, after: nil, limit: 100, scope: .agent(agent)).map(\.callID)
            _ = try s.addCoachingNote(agentID: agent, keep: "k", change: "c", references: own.map { CoachingReference(callID: $0, startS: 1) },
                                      followUpDate: "2026-12-01", by: "qa", role: .qa, nowEpoch: now, scope: .everything)
        }
    }

    @Test func noReadReturnsAnotherAgentsCalls() async throws {
        let store = try await AggregateTests.sampleDay()
        try Self.seedLoops(store)
        let byAgent = try Self.callsByAgent(store)
        let all = try store.read { db in try String.fetchAll(db, sql: "SELECT call_id FROM calls ORDER BY call_id") }
        #expect(byAgent.count >= 3)
        for (agent, own) in byAgent.sorted(by: { $0.key < $1.key }) {
            // A scored call of another agent.
            let other = try #require(byAgent.filter { $0.key != agent }.flatMap(\.value).sorted().first { id in
                (try? store.storedScores(callID: id, scope: .everything).isEmpty == false) ?? false
            })
            for check in Self.checks {
                try check.run(store, .agent(agent), own, all, other, agent)
            }
        }
    }

    @Test func aTeamScopeSeesItsTeamsCallsOnly() async throws {
        let store = try await AggregateTests.sampleDay()
        let teams = try store.knownValues(.team, scope: .everything)
        #expect(teams.count >= 2)
        for team in teams {
            let scope = Scope.teams([team])
            let rows = try store.agentCallRows(period: .all, cardID: nil, scope: scope)
            #expect(!rows.isEmpty && rows.allSatisfy { $0.team == team })
            #expect(try store.kpiRows(period: .all, zone: nil, fcrWindowS: 604_800, scope: scope).allSatisfy { $0.team == team })
            #expect(try store.surveyFacts(period: .all, scope: scope).allSatisfy { $0.team == team })
            #expect(try store.knownValues(.team, scope: scope) == [team])
            // The hourly KPI table has a team column: it answers, with the same numbers as the calls.
            let fast = try #require(try store.kpiGroupsFromHours(period: .all, by: [.day], settings: KPISettings(), scope: scope))
            let slow = try store.kpiGroups(period: .all, by: [.day], settings: KPISettings(), scope: scope)
            #expect(fast.map(\.offered) == slow.map(\.offered) && fast.map(\.answered) == slow.map(\.answered))
            // A narrowing filter never widens the access.
            let other = teams.first { $0 != team }!
            #expect(try store.agentCallRows(period: .all, cardID: nil, scope: scope.narrowed(team: other)).isEmpty)
        }
    }

    @Test func reportsUnderAnAgentScopeNameNoOneElse() async throws {
        let store = try await AggregateTests.sampleDay()
        let byAgent = try Self.callsByAgent(store)
        for (agent, _) in byAgent {
            let others = byAgent.keys.filter { $0 != agent }
            let scope = Scope.agent(agent)
            let reports = [try ReportBuilder.agents(store, period: .all, scope: scope, minScored: 10),
                           try ReportBuilder.agent(store, agentID: agent, period: .all, scope: scope, minScored: 10),
                           try ReportBuilder.nps(store, period: .all, by: [.agent], minimumN: 30, scope: scope)]
            for r in reports {
                let cells = r.tables.flatMap { $0.rows.flatMap { $0 } }.map { "\($0)" }
                for o in others {
                    #expect(!cells.contains { $0.contains("\"\(o)\"") || $0 == o }, "\(agent)'s report names \(o)")
                }
            }
            // An id outside the scope is as unknown as one that does not exist.
            #expect(throws: SelectionError.self) {
                try ReportBuilder.checkSelection(store, period: .all, scope: scope.narrowed(agent: others.sorted()[0]))
            }
        }
    }
}

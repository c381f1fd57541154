import Analytics
import CallQAModel
import Foundation
import GRDB

extension CallStore {
    /// Links surveys still waiting: by call id when that call is stored, else by hashed caller
    /// to the latest call of that caller that started before the answer, within `windowS`.
    public func linkWaitingSurveys(windowS: Double) throws(StoreError) -> LinkCounts {
        try write { db in try Self.linkSurveys(db, windowS: windowS) }
    }

    static func linkSurveys(_ db: Database, windowS: Double) throws -> LinkCounts {
        try db.execute(sql: """
            UPDATE surveys SET linked_call_id = call_id, link_method = 'call_id'
            WHERE linked_call_id IS NULL AND call_id IS NOT NULL AND call_id IN (SELECT call_id FROM calls)
            """)
        try db.execute(sql: """
            UPDATE surveys SET link_method = 'caller_window', linked_call_id = (
                SELECT c.call_id FROM calls c
                WHERE c.customer_hash = surveys.caller_hash AND c.started_epoch <= surveys.answered_epoch
                  AND c.started_epoch >= surveys.answered_epoch - ?
                ORDER BY c.started_epoch DESC LIMIT 1)
            WHERE linked_call_id IS NULL AND call_id IS NULL AND caller_hash IS NOT NULL
            """, arguments: [windowS])
        try db.execute(sql: "UPDATE surveys SET link_method = NULL WHERE linked_call_id IS NULL")
        var counts = LinkCounts()
        counts.linked = try Int.fetchOne(db, sql: "SELECT count(*) FROM surveys WHERE linked_call_id IS NOT NULL") ?? 0
        counts.waiting = try Int.fetchOne(db, sql: "SELECT count(*) FROM surveys WHERE linked_call_id IS NULL") ?? 0
        return counts
    }

    /// Answered, linked surveys of calls in scope in the period (local dates in the call's offset).
    public func surveyFacts(period: Period, scope: Scope) throws(StoreError) -> [SurveyFact] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            let (cond, args) = (pc + " AND " + sc, pa + sa)
            return try Row.fetchAll(db, sql: """
                SELECT s.linked_call_id, s.score, s.csat, s.comment, s.answered_at, c.agent_id, a.agent_name,
                       c.team, c.queue, c.local_date
                FROM surveys s JOIN calls c ON c.call_id = s.linked_call_id
                LEFT JOIN agents a ON a.agent_id = c.agent_id
                WHERE s.answered = 1 AND \(cond)
                ORDER BY c.started_epoch, s.survey_key
                """, arguments: StatementArguments(args)).map { r in
                SurveyFact(callID: r["linked_call_id"], score: r["score"], csat: r["csat"], comment: r["comment"],
                           answeredAt: r["answered_at"], agentID: r["agent_id"], agentName: r["agent_name"],
                           team: r["team"], queue: r["queue"], localDate: r["local_date"])
            }
        }
    }

    /// Calls of the period as the KPIs need them. With a zone, day/hour/weekday are formed in
    /// it; otherwise in each call's own offset. A repeat is any later call of the same hashed
    /// caller within `fcrWindowS`, looked up over the whole database.
    public func kpiRows(period: Period, zone: Timestamp.Zone?, fcrWindowS: Double, scope: Scope) throws(StoreError) -> [CallKPIRow] {
        try read { db in
            let (pc, pa) = period.sql()
            let (sc, sa) = scope.sql()
            let (cond, args) = (pc + " AND " + sc, pa + sa)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.call_id, c.started_epoch, c.local_date, c.local_hour, c.local_weekday, c.direction, c.answered,
                       c.wait_s, c.handle_s, c.agent_id, c.queue, c.team, c.dialed, c.customer_hash,
                       CASE WHEN c.customer_hash IS NULL THEN NULL
                            ELSE coalesce(c.next_call_gap_s <= ?, 0) END AS repeated
                FROM calls c WHERE \(cond) ORDER BY c.started_epoch
                """, arguments: StatementArguments([fcrWindowS] + args))
            var out: [CallKPIRow] = []
            while let r = try rows.next() {
                let epoch: Double = r["started_epoch"]
                var date: String = r["local_date"], hour: Int = r["local_hour"], weekday: Int = r["local_weekday"]
                if let zone {
                    let local = Timestamp(epochS: epoch, offsetS: zone.offset(atEpochS: epoch))
                    (date, hour, weekday) = Self.calendarFields(local)
                }
                out.append(CallKPIRow(callID: r["call_id"], startedEpoch: epoch, localDate: date, localHour: hour, weekday: weekday,
                                      outbound: (r["direction"] as String?) == "outbound", answered: (r["answered"] as Int) == 1,
                                      waitS: r["wait_s"], handleS: r["handle_s"], agentID: r["agent_id"], queue: r["queue"],
                                      team: r["team"], dialed: r["dialed"], repeatedWithinWindow: (r["repeated"] as Int?).map { $0 == 1 }))
            }
            return out
        }
    }

    /// (YYYY-MM-DD, hour, ISO weekday) of a timestamp in its own offset.
    public static func calendarFields(_ t: Timestamp) -> (String, Int, Int) {
        let localSecs = Int64((t.epochS + Double(t.offsetS)).rounded(.down))
        let days = localSecs >= 0 ? localSecs / 86400 : (localSecs - 86399) / 86400
        let hour = Int((localSecs - days * 86400) / 3600)
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let weekday = Int(((days % 7) + 7 + 3) % 7) + 1
        return (t.localDate, hour, weekday)
    }
}

import Analytics
import CallQAModel
import Foundation

/// One agent's figures on one card.
public struct AgentSummary: Sendable, Equatable {
    public var agentID: String
    public var name: String?
    public var team: String?
    public var calls: Int
    public var scored: Int
    public var provisional: Int
    public var quality: Double?
    public var qualityLow: Double?
    public var qualityHigh: Double?
    public var shareAtTarget: Double?
    public var criticalFails: Int
    public var verdict: TargetVerdict
    public var smallSample: Bool
    public var npsN: Int
    public var nps: Double?
    public var npsLow: Double?
    public var npsHigh: Double?
    public var talkRatio: Double?
    public var silenceRatio: Double?
    public var overtalkRatio: Double?
    public var ahtS: Double?
}

/// `report agents` and `report agent`: per-agent quality against the target, why, and which seconds prove it.
public enum AgentReport {
    /// Per-agent figures. Rows must be of one card (or unscored). Sorted: agents below target
    /// first, then inconclusive ones under target, then by mean quality.
    public static func summaries(_ rows: [AgentCallRow], surveys: [SurveyFact], target: Double, minScored: Int) -> [AgentSummary] {
        var byAgent: [String: [AgentCallRow]] = [:]
        for r in rows { byAgent[r.agentID, default: []].append(r) }
        var npsBy: [String: [Int]] = [:]
        for s in surveys { if let a = s.agentID, let sc = s.score { npsBy[a, default: []].append(sc) } }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        let out = byAgent.map { agent, rs -> AgentSummary in
            let calls = Set(rs.map(\.callID))
            let complete = rs.filter { $0.status == .complete }
            let scores = complete.compactMap(\.score)
            let m = Intervals.quality(scores)
            let nps = NPS(scores: npsBy[agent] ?? [])
            var uniq: [String: AgentCallRow] = [:]
            for r in rs where uniq[r.callID] == nil { uniq[r.callID] = r }
            let answered = uniq.values.filter(\.answered)
            return AgentSummary(
                agentID: agent, name: rs.last?.agentName, team: rs.last?.team, calls: calls.count, scored: scores.count,
                provisional: rs.filter { $0.status == .provisional }.count, quality: m?.mean,
                qualityLow: m?.low, qualityHigh: m?.high,
                shareAtTarget: scores.isEmpty ? nil : Double(scores.filter { $0 >= target }.count) / Double(scores.count),
                criticalFails: complete.filter(\.criticalFailed).count,
                verdict: TargetVerdict.of(mean: m?.mean, low: m?.low, high: m?.high, target: target, n: scores.count, minimumN: minScored),
                smallSample: scores.count < minScored, npsN: nps.n, nps: nps.value, npsLow: nps.interval?.low, npsHigh: nps.interval?.high,
                talkRatio: mean(answered.compactMap(\.agentTalkRatio)), silenceRatio: mean(answered.compactMap(\.silenceRatio)),
                overtalkRatio: mean(answered.compactMap(\.overtalkRatio)), ahtS: mean(answered.compactMap(\.handleS)))
        }
        return sorted(out, target: target)
    }

    /// Per-agent figures from SQL sums (the path that scales to millions of calls).
    public static func summaries(_ aggregates: [AgentAggregate], nps: [String: NPS], target: Double, minScored: Int) -> [AgentSummary] {
        let out = aggregates.map { a -> AgentSummary in
            let n = Double(a.scored)
            let q = Intervals.quality(n: a.scored, sum: a.scoreSum, squares: a.scoreSquares)
            let mean = q?.mean, low = q?.low, high = q?.high
            let np = nps[a.agentID] ?? NPS(promoters: 0, passives: 0, detractors: 0)
            return AgentSummary(
                agentID: a.agentID, name: a.name, team: a.team, calls: a.calls, scored: a.scored, provisional: a.provisional,
                quality: mean, qualityLow: low, qualityHigh: high,
                shareAtTarget: a.scored > 0 ? Double(a.atTarget) / n : nil, criticalFails: a.criticalFails,
                verdict: TargetVerdict.of(mean: mean, low: low, high: high, target: target, n: a.scored, minimumN: minScored), smallSample: a.scored < minScored,
                npsN: np.n, nps: np.value, npsLow: np.interval?.low, npsHigh: np.interval?.high,
                talkRatio: a.talkRatio, silenceRatio: a.silenceRatio, overtalkRatio: a.overtalkRatio, ahtS: a.ahtS)
        }
        return sorted(out, target: target)
    }

    static func sorted(_ out: [AgentSummary], target: Double) -> [AgentSummary] {
        func rank(_ s: AgentSummary) -> Int {
            switch s.verdict {
            case .below: 0
            case .inconclusive: (s.quality ?? 100) < target ? 1 : 2
            case .atOrAbove: 3
            }
        }
        return out.sorted { (rank($0), $0.quality ?? 101, $0.agentID) < (rank($1), $1.quality ?? 101, $1.agentID) }
    }

    public static func table(_ s: [AgentSummary], card: StoredCard?, target: Double, minScored: Int) -> ReportTable {
        let cols = [
            Column("agent_id", "agent", .text).width(10), Column("agent_name", "name", .text).width(14), Column("team", .text, inTable: false),
            Column("calls", .count), Column("scored_calls", "scored", .count), Column("provisional_calls", nil, .count, inTable: false),
            Column("quality", "quality", .percent), Column("quality_ci", "95% CI", .text).terminal,
            Column("quality_low", nil, .percent, inTable: false), Column("quality_high", nil, .percent, inTable: false),
            Column("share_at_target", "≥tgt", .ratioWhole), Column("critical_fails", "crit", .count),
            Column("nps", "NPS", .number(decimals: 0)), Column("nps_n", "n", .count),
            Column("nps_low", nil, .number(decimals: 1), inTable: false), Column("nps_high", nil, .number(decimals: 1), inTable: false),
            Column("talk_ratio", "talk", .ratioWhole), Column("silence_ratio", nil, .ratio, inTable: false),
            Column("overtalk_ratio", nil, .ratio, inTable: false), Column("aht_s", "AHT s", .wholeSeconds),
            Column("verdict", "verdict", .text),
        ]
        let rows: [[Cell]] = s.map { a in
            let verdict: String
            switch a.verdict {
            case .below: verdict = "BELOW"
            case .atOrAbove: verdict = "ok"
            case .inconclusive:
                let under = (a.quality ?? 100) < target
                verdict = (under ? "below? " : "") + (a.smallSample ? "n<\(minScored)" : "unclear")
            }
            return [.text(a.agentID), .opt(a.name), .opt(a.team), .int(a.calls), .int(a.scored),
                    .int(a.provisional), .opt(a.quality), ci(a.qualityLow, a.qualityHigh), .opt(a.qualityLow), .opt(a.qualityHigh),
                    .opt(a.shareAtTarget),
                    .int(a.criticalFails), .opt(a.nps), .int(a.npsN), .opt(a.npsLow), .opt(a.npsHigh), .opt(a.talkRatio),
                    .opt(a.silenceRatio), .opt(a.overtalkRatio), .opt(a.ahtS), .text(verdict)]
        }
        let title = card.map { "Agents — \($0.name) [\($0.id)], target \(JSONValue.format($0.target, decimals: 1)) %" } ?? "Agents (no scores yet)"
        return ReportTable(name: "agents" + (card.map { "_" + $0.id } ?? ""), title: title, columns: cols, rows: rows, cardID: card?.id, kind: "agents", notes: [
            "quality = mean of complete call scores; 95% CI = t interval clipped to 0–100, widened below \(Intervals.boundedQualityBelowN) scores to the Wilson bound of mean/100. BELOW only with at least \(minScored) scored calls and the whole interval under the target; below? = the mean is under the target but the interval reaches it (unclear) or there are too few scored calls to judge (n<\(minScored)).",
            "NPS with its answer count n (adjusted-Wald interval in CSV/JSON); talk = agent share of the call; AHT = talk + hold + ACW.",
        ])
    }

    static func ci(_ low: Double?, _ high: Double?) -> Cell {
        guard let low, let high else { return .null }
        return .text(JSONValue.format(low, decimals: 1, padded: true) + "–" + JSONValue.format(high, decimals: 1, padded: true))
    }

    /// ISO week `YYYY-Www` of a `YYYY-MM-DD` date.
    public static func isoWeek(_ date: String) -> String {
        let p = date.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return date }
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let d = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2])) else { return date }
        let c = cal.dateComponents([.yearForWeekOfYear, .weekOfYear], from: d)
        let w = c.weekOfYear ?? 0
        return "\(c.yearForWeekOfYear ?? p[0])-W" + (w < 10 ? "0\(w)" : "\(w)")
    }

    /// Weekly mean quality per agent (complete scores).
    public static func weeklyTrend(_ rows: [AgentCallRow]) -> (weeks: [String], series: [(name: String, points: [String: Double])]) {
        var acc: [String: [String: [Double]]] = [:]
        for r in rows where r.status == .complete {
            if let s = r.score { acc[r.agentID, default: [:]][isoWeek(r.localDate), default: []].append(s) }
        }
        let weeks = Set(acc.values.flatMap(\.keys)).sorted()
        let series = acc.keys.sorted().map { a in
            (name: a, points: acc[a]!.mapValues { $0.reduce(0, +) / Double($0.count) })
        }
        return (weeks, series)
    }

    /// Tables of one agent's report.
    public static func agentTables(agentID: String, rows: [AgentCallRow], failed: [FailedCriterion], texts: [String: String],
                                   surveys: [SurveyFact], target: Double, minScored: Int, worst: Int = worstShown,
                                   comments: Bool = true, sections: [String: String] = [:], links: Links = .files) -> [ReportTable] {
        let mine = rows.filter { $0.agentID == agentID }
        let summary = summaries(mine, surveys: surveys.filter { $0.agentID == agentID }, target: target, minScored: minScored)
        var tables = [table(summary, card: nil, target: target, minScored: minScored)]
        tables[0].name = "agent_summary"
        tables[0].title = "Agent \(agentID)" + (mine.last?.agentName.map { " — \($0)" } ?? "")
        // Trend by week.
        let trend = weeklyTrend(mine)
        var weekRows: [[Cell]] = []
        for w in trend.weeks {
            let ws = mine.filter { isoWeek($0.localDate) == w && $0.status == .complete }.compactMap(\.score)
            let m = Intervals.quality(ws)
            weekRows.append([.text(w), .int(ws.count), .opt(m?.mean), .opt(m?.low), .opt(m?.high)])
        }
        tables.append(ReportTable(name: "agent_trend", title: "Quality by week",
                                  columns: [Column("week", .text), Column("scored_calls", "scored", .count), Column("quality", .percent),
                                            Column("quality_low", "95% low", .percent), Column("quality_high", "95% high", .percent)],
                                  rows: weekRows))
        // Coaching focus: the criteria failed most often.
        let applicable = Set(mine.filter { $0.status != nil }.map(\.callID)).count
        var counts: [String: (n: Int, critical: Bool, card: String)] = [:]
        for f in failed { let k = f.criterionID; counts[k] = ((counts[k]?.n ?? 0) + 1, f.critical, f.cardID) }
        let focus = counts.sorted { ($1.value.n, $0.key) < ($0.value.n, $1.key) }.map { k, v -> [Cell] in
            [.text(k), .text(v.card), .opt(texts[k]), .int(v.n), applicable > 0 ? .number(Double(v.n) / Double(applicable)) : .null, .text(v.critical ? "yes" : "")]
        }
        tables.append(ReportTable(name: "agent_coaching_focus", title: "Coaching focus: criteria not fully met, most frequent first",
                                  columns: [Column("criterion", .text).width(22), Column("scorecard", "card", .text, inTable: false), Column("text", .text).width(50),
                                            Column("calls_failed", "calls", .count), Column("share_of_scored_calls", "share", .ratio),
                                            Column("critical", .text)],
                                  rows: focus))
        // Worst calls with the evidence of each failed criterion. A provisional score is marked
        // (it may still change); `crit` says whether that criterion is critical, and the call's
        // critical fail is its status, so a greeting does not read as critical.
        let scored = worstCalls(mine, worst)
        var evidence: [[Cell]] = []
        for c in scored {
            var status = c.status?.rawValue ?? ""
            if c.criticalFailed { status = c.status == .complete ? "critical fail" : status + ", critical fail" }
            for f in failed where f.callID == c.callID {
                let link = links.recording(f.callID, f.recordingPath, f.evidenceStartS)
                evidence.append([.text(c.callID), .text(c.localDate), .opt(c.score), .text(status), .text(c.criticalFailed ? "yes" : "no"),
                                 .opt(sections[c.callID]), .text(f.criterionID), .text(f.critical ? "yes" : ""), .text(f.evidence), .opt(link)])
            }
            if !failed.contains(where: { $0.callID == c.callID }) {
                evidence.append([.text(c.callID), .text(c.localDate), .opt(c.score), .text(status), .text(c.criticalFailed ? "yes" : "no"),
                                 .opt(sections[c.callID]), .text("—"), .text(""),
                                 .text(c.status == .provisional ? "provisional: manual criteria not answered yet" : "no criterion failed"), .null])
            }
        }
        tables.append(ReportTable(name: "agent_worst_calls", title: "Worst calls and the evidence of each failed criterion",
                                  columns: [Column("call_id", "call", .text), Column("date", .text), Column("score", .percent),
                                            Column("status", .text), Column("call_critical_fail", nil, .text, inTable: false),
                                            Column("sections", .text).detail,
                                            Column("criterion", .text).width(22), Column("criterion_critical", "crit", .text),
                                            Column("evidence", .text).width(60),
                                            Column("evidence_link", "listen", .text, inTable: false)],
                                  rows: evidence,
                                  notes: ["status: provisional = manual criteria not answered yet, the score may change; critical fail = complete, and a critical criterion failed and set the call to 0. crit = the criterion itself is critical. sections: each section's points after its fails-section rule, and the total."]))
        if comments { tables.append(commentsTable(surveys.filter { $0.agentID == agentID })) }
        for i in tables.indices { tables[i].agentID = agentID }
        return tables
    }

    /// Every call of one agent in the period, with its score on each card that scored it:
    /// the list behind the agent's numbers (a static report folder's agent page, anchor
    /// `agent_calls`). `calls`: the agent's calls (any card); `byCard`: each card's rows.
    public static func callsTable(agentID: String, calls: [AgentCallRow], byCard: [(card: StoredCard, rows: [AgentCallRow])]) -> ReportTable {
        var scored: [String: [String: AgentCallRow]] = [:]
        for (card, rows) in byCard { for r in rows where r.status != nil { scored[card.id, default: [:]][r.callID] = r } }
        func cell(_ r: AgentCallRow?) -> Cell {
            guard let r, let status = r.status else { return .null }
            var parts = [r.score.map { JSONValue.format($0, decimals: 1) + " %" } ?? "no score"]
            if status != .complete { parts.append(status.rawValue.replacingOccurrences(of: "_", with: " ")) }
            if r.criticalFailed { parts.append("critical fail") }
            return .text(parts.joined(separator: ", "))
        }
        var seen = Set<String>()
        let rows = calls.filter { seen.insert($0.callID).inserted }.sorted { ($0.startedAt, $0.callID) < ($1.startedAt, $1.callID) }.map { c -> [Cell] in
            [.text(c.callID), .text(c.startedAt), .opt(c.queue), .text(c.answered ? "yes" : "no"), .opt(c.handleS)]
                + byCard.map { cell(scored[$0.card.id]?[c.callID]) }
        }
        var t = ReportTable(name: "agent_calls", title: "Calls in the period (\(rows.count))",
                            columns: [Column("call_id", "call", .text), Column("started_at", "started", .text), Column("queue", .text),
                                      Column("answered", .text), Column("handle_s", "handle s", .wholeSeconds)]
                                + byCard.map { Column("score_" + $0.card.id, $0.card.name, .text) },
                            rows: rows,
                            notes: ["Each card's score of the call; provisional = manual criteria not answered yet; critical fail = a critical criterion failed and set the call to 0."])
        t.agentID = agentID
        return t
    }

    /// How many of an agent's lowest-scored calls the report shows.
    public static let worstShown = 5

    /// The `n` lowest-scored calls (any status with a score), lowest first.
    public static func worstCalls(_ rows: [AgentCallRow], _ n: Int) -> [AgentCallRow] {
        Array(rows.filter { $0.score != nil }.sorted { ($0.score!, $0.callID) < ($1.score!, $1.callID) }.prefix(n))
    }

    /// The agent's NPS answers and verbatim comments (once per report, whatever the cards).
    public static func commentsTable(_ comments: [SurveyFact]) -> ReportTable {
        ReportTable(name: "agent_nps_comments", title: "NPS answers and verbatim comments",
                    columns: [Column("call_id", "call", .text), Column("answered_at", "answered", .text, inTable: false),
                              Column("score", .count), Column("comment", .text).width(80)],
                    rows: comments.map { [.text($0.callID), .text($0.answeredAt), .opt($0.score), .opt($0.comment)] })
    }

    /// Team-level aggregate rows, only for teams with at least `minimumAgents` agents.
    public static func teamTable(_ s: [AgentSummary], team: String?, minimumAgents: Int) -> ReportTable? {
        guard let team else { return nil }
        let members = s.filter { $0.team == team }
        guard members.count >= minimumAgents else { return nil }
        let qs = members.compactMap(\.quality)
        let mean = qs.isEmpty ? nil : qs.reduce(0, +) / Double(qs.count)
        return ReportTable(name: "team", title: "Team \(team) (\(members.count) agents)",
                           columns: [Column("team", .text), Column("agents", .count), Column("mean_agent_quality", "mean quality", .percent),
                                     Column("calls", .count)],
                           rows: [[.text(team), .int(members.count), .opt(mean), .int(members.reduce(0) { $0 + $1.calls })]])
    }
}

/// Whole HTML pages of the reports.
public enum HTMLPages {
    /// `links`, `anchors`, `style`: as `HTMLReport.page` (a static report folder's agent page
    /// links its calls and numbers); `title` of the page.
    public static func agents(tables: [ReportTable], scoresByCard: [(card: StoredCard, scores: [Double], rows: [AgentCallRow])],
                              summaries: [(StoredCard, [AgentSummary])], generated: String, title: String = "callqa — agent quality",
                              links: Links = .files, anchors: Bool = false, style: String = "") -> String {
        var charts = ""
        for (card, scores, rows) in scoresByCard {
            charts += "<h2>\(HTMLReport.escape(card.name))</h2>\n"
            charts += SVGCharts.histogram(scores, target: card.target, title: "Call quality distribution — \(card.name)")
            let trend = AgentReport.weeklyTrend(rows)
            if !trend.weeks.isEmpty {
                charts += SVGCharts.lines(trend.series, xLabels: trend.weeks, target: card.target, title: "Weekly mean quality per agent")
            }
        }
        return agentsPage(tables: tables, chartsBody: charts, summaries: summaries, generated: generated, title: title, links: links,
                          anchors: anchors, style: style)
    }

    /// The charts of one card: the distribution against the target and weekly means per agent.
    public static func cardCharts(card: StoredCard, bins: [Int], daily: [(agent: String, date: String, n: Int, sum: Double)]) -> String {
        var body = "<h2>\(HTMLReport.escape(card.name))</h2>\n"
        body += SVGCharts.histogram(bins: bins, target: card.target, title: "Call quality distribution — \(card.name)")
        var acc: [String: [String: (n: Int, sum: Double)]] = [:]
        var weekOf: [String: String] = [:]
        for d in daily {
            let w = weekOf[d.date] ?? AgentReport.isoWeek(d.date)
            weekOf[d.date] = w
            let old = acc[d.agent]?[w] ?? (0, 0)
            acc[d.agent, default: [:]][w] = (old.n + d.n, old.sum + d.sum)
        }
        let weeks = Set(acc.values.flatMap(\.keys)).sorted()
        if !weeks.isEmpty {
            let series = acc.keys.sorted().map { a in (name: a, points: acc[a]!.mapValues { $0.sum / Double($0.n) }) }
            body += SVGCharts.lines(series, xLabels: weeks, target: card.target, title: "Weekly mean quality per agent")
        }
        return body
    }

    public static func agentsPage(tables: [ReportTable], chartsBody: String, summaries: [(StoredCard, [AgentSummary])], generated: String,
                                  title: String = "callqa — agent quality", links: Links = .files, anchors: Bool = false,
                                  style: String = "") -> String {
        var body = "<p class=\"muted\">Generated \(HTMLReport.escape(generated)) by callqa. Quality target and intervals as noted under each table.</p>\n" + chartsBody
        if let (_, s) = summaries.first {
            let withNPS = s.filter { $0.nps != nil }
            if !withNPS.isEmpty {
                body += SVGCharts.intervals(withNPS.map { (label: $0.agentID, value: $0.nps!, low: $0.npsLow ?? $0.nps!, high: $0.npsHigh ?? $0.nps!, reliable: $0.npsN >= 30) },
                                            title: "NPS by agent with 95 % intervals (grey: n < 30)")
            }
        }
        return HTMLReport.page(title: title, tables: tables, body: body, links: links, anchors: anchors, style: style)
    }

    public static func kpi(tables: [ReportTable], slByHour: [(label: String, value: Double?)], links: Links = .files) -> String {
        var body = ""
        if !slByHour.isEmpty { body += SVGCharts.bars(slByHour, goal: 0.8, title: "Service level by hour of day (goal 80/20)") }
        return HTMLReport.page(title: "callqa — KPIs", tables: tables, body: body, links: links)
    }

    public static func nps(tables: [ReportTable], byAgent: [(label: String, value: Double, low: Double, high: Double, reliable: Bool)],
                           links: Links = .files) -> String {
        var body = ""
        if !byAgent.isEmpty { body += SVGCharts.intervals(byAgent, title: "NPS with 95 % intervals (grey: not reliable)") }
        return HTMLReport.page(title: "callqa — NPS", tables: tables, body: body, links: links)
    }

    /// The page of one call. Without a player (a single file): the timeline and a link to the
    /// recording. With one (a static report folder): the recording's player, or the reason
    /// there is none, the timeline that follows it and seeks on click, and the call pages'
    /// script (`player.script`; `#t=SECONDS` in the address starts there). `navigation`:
    /// links shown under the heading. The transcript, when the call has one, follows the
    /// timeline (each turn's time a link to that second; with a player, the words being said
    /// light up) and replaces the `call_transcript` table.
    public static func call(_ d: CallDetail, tables: [ReportTable], transcript: StoredTranscript? = nil, links: Links = .files,
                            player: RecordingPlayer? = nil, navigation: String = "") -> String {
        let tables = transcript == nil ? tables : tables.filter { $0.name != "call_transcript" }
        let said = transcript.map { TranscriptRendering.html($0, callID: d.callID, recordingPath: d.recordingPath, links: links) } ?? ""
        guard let player else {
            var body = navigation + (timeline(d) ?? "")
            if let p = d.recordingPath {
                if let url = links.recording(d.callID, p, nil) {
                    body += "<p>Recording: <a href=\"\(HTMLReport.escape(url))\">\(HTMLReport.escape(p))</a></p>\n"
                }
            }
            return HTMLReport.page(title: "callqa — call \(d.callID)", tables: tables, body: body + said, links: links)
        }
        var body = navigation + "<div id=\"recording\">\n" + playerHTML(player)
        body += timeline(d, interactive: true) ?? "<p class=\"muted\">No analysed recording: no timeline.</p>\n"
        body += "</div>\n" + said + "<script src=\"\(HTMLReport.escape(player.script))\" defer></script>\n"
        return HTMLReport.page(title: "callqa — call \(d.callID)", tables: tables, body: body, links: links,
                               style: "audio{width:100%;max-width:900px;margin:8px 0 2px}")
    }

    /// The player, or why there is none, and how the page reaches the recording.
    static func playerHTML(_ p: RecordingPlayer) -> String {
        let e = HTMLReport.escape
        let name = (p.path as NSString).lastPathComponent
        let link = "<a href=\"\(e(p.href))\">\(e(p.relative ? name : p.path))</a>"
        let format = p.format.map { " (\(e($0)))" } ?? ""
        var out = ""
        guard p.exists else {
            return "<p class=\"bad\" id=\"no-player\">The recording is not at \(e(p.path)) any more (moved or deleted after the analysis): nothing to play.</p>\n"
        }
        let playback = RecordingPlayer.playback(container: p.container, encoding: p.encoding)
        if playback == .none {
            out += "<p class=\"bad\" id=\"no-player\">Browsers cannot play this recording's format\(format), so this page has no player. "
                + "Open \(link) with a media player (VLC, for one), or listen in the workspace (<code>callqa serve</code>), which decodes every format for the browser. "
                + "Evidence links below name their second.</p>\n"
            return out
        }
        let speeds = ["0.75", "1", "1.25", "1.5", "2"].map { s in "<option value=\"\(s)\"\(s == "1" ? " selected" : "")>\(s)×</option>" }.joined()
        out += "<audio id=\"player\" controls preload=\"metadata\" src=\"\(e(p.href))\"></audio>\n"
        out += "<p class=\"note\"><label>Speed <select id=\"speed\">\(speeds)</select></label> · Click the timeline to play from that moment; evidence links below jump to their second.</p>\n"
        if p.relative {
            out += "<p class=\"note\" id=\"recording-link\">Recording \(link)\(format), linked relative to this page: it plays wherever the folder \(e(p.holder)) is moved, zipped or mailed whole, with this report inside it. The report folder sent alone keeps its pages and links, not the recordings.</p>\n"
        } else {
            out += "<p class=\"note\" id=\"recording-link\">Recording \(link)\(format), linked by its full path because it lies outside the folder that holds this report: it plays on this computer only. To send a report with its recordings, write it inside the recordings' folder (the default of <code>callqa run DIR</code>: DIR/callqa-report) and send that folder whole.</p>\n"
        }
        if case let .someBrowsers(which) = playback {
            out += "<p class=\"note\" id=\"codec-note\">\(e(which)) If the player stays silent, open the file with a media player, or listen in the workspace (<code>callqa serve</code>), which decodes every format.</p>\n"
        }
        return out
    }

    /// The call's timeline (agent / customer speech, overtalk, dead air, hold, tones,
    /// interruptions); nil without an analysed recording. `interactive` for a player (the
    /// workspace's, a static folder's call page). An analysis made before tones were stored
    /// as events (analyzer version 13 and earlier) says so in the tones lane, with its total.
    public static func timeline(_ d: CallDetail, interactive: Bool = false) -> String? {
        guard let dur = d.durationS else { return nil }
        var lanes: [(name: String, spans: [(Double, Double)], color: String)] = []
        for (party, spans) in d.segments {
            lanes.append((party, spans.map { ($0.startS, $0.endS) }, party == "customer" ? "#e8833a" : "#5b8def"))
        }
        for (kind, color) in [(AudioEventKind.overtalk, "#c7416b"), (.deadAir, "#555555"), (.hold, "#2e9e5b"), (.tone, "#c98a00"),
                              (.interruption, "#9c5bd1")] {
            let spans = d.events.filter { $0.kind == kind }.map { ($0.startS, $0.endS) }
            if !spans.isEmpty || kind != .interruption { lanes.append((laneName(kind), spans, color)) }
        }
        var notes: [String: String] = [:]
        if let a = d.audio, a.toneS > 0, !d.events.contains(where: { $0.kind == .tone }) {
            notes[laneName(.tone)] = "\(JSONValue.format(a.toneS, decimals: 1)) s of tones, not placed: analysed by \(a.analyzerVersion); ingest again to place them"
        }
        return SVGCharts.timeline(durationS: dur, lanes: lanes, title: "Timeline of call \(d.callID)", interactive: interactive, laneNotes: notes)
    }

    /// A timeline lane's name: `dead air`, `hold`, `tones`, …
    public static func laneName(_ kind: AudioEventKind) -> String {
        kind == .tone ? "tones" : kind.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// `file:///path#t=START` for evidence links (percent-encoded path).
    public static func fileURL(_ path: String, start: Double? = nil) -> String {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return "file://" + encoded + (start.map { "#t=" + JSONValue.format($0, decimals: 2) } ?? "")
    }
}

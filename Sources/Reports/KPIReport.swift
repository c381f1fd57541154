import Analytics
import CallQAModel

/// `report kpi`: the contact-center KPIs by the chosen dimensions.
public enum KPIReport {
    public static func tables(_ groups: [KPIGroup], by dims: [KPIDimension], settings s: KPISettings) -> [ReportTable] {
        let keyColumns = dims.map { Column($0.rawValue, $0.rawValue, .text) }
        let t = JSONValue.format(s.slThresholdS, decimals: 1)
        var columns = keyColumns + [
            Column("offered", .count), Column("answered", .count), Column("abandoned", .count),
            Column("short_abandons", "short ab.", .count, inTable: false), Column("outbound", .count, inTable: false),
            Column("service_level", "SL(\(t)s)", .ratio),
        ]
        columns += SLVariant.allCases.map { Column("sl_" + $0.rawValue, nil, .ratio, inTable: false) }
        columns += [
            Column("abandon_rate", "lost", .ratio), Column("abandon_rate_excl_short", nil, .ratio, inTable: false),
            Column("asa_s", "ASA s", .seconds), Column("aht_s", "AHT s", .seconds), Column("aht_n", nil, .count, inTable: false),
            Column("fcr", "FCR", .ratio), Column("fcr_low", nil, .ratio, inTable: false), Column("fcr_high", nil, .ratio, inTable: false),
            Column("fcr_n", nil, .count, inTable: false), Column("calls_per_agent_day", "calls/agent/day", .number(decimals: 1)),
        ]
        let rows: [[Cell]] = groups.map { g in
            var r: [Cell] = g.key.map { .text($0) }
            r += [.int(g.offered), .int(g.answered), .int(g.abandoned), .int(g.shortAbandons), .int(g.outbound),
                  .opt(g.serviceLevel(s.headline))]
            r += SLVariant.allCases.map { .opt(g.serviceLevel($0)) }
            r += [.opt(g.abandonRate), .opt(g.abandonRateExcludingShort), .opt(g.asaS), .opt(g.ahtS), .int(g.ahtN),
                  .opt(g.fcr), .opt(g.fcrInterval?.low), .opt(g.fcrInterval?.high), .int(g.fcrN), .opt(g.callsPerAgentDay)]
            return r
        }
        let title = "KPIs" + (dims.isEmpty ? "" : " by " + dims.map(\.rawValue).joined(separator: ", "))
        let outbound = groups.reduce(0) { $0 + $1.outbound }
        let notes = [
            "offered = inbound calls (and calls without a direction); outbound calls are not offered calls"
                + (outbound == 0 ? "." : ": \(outbound == 1 ? "1 outbound call" : "\(outbound) outbound calls") of this selection left out here (column outbound in CSV/JSON)."),
            "SL(T) headline: \(s.headline.rawValue) = \(s.headline.formula), T = \(t) s; all variants in CSV/JSON and below.",
            "lost = abandoned / offered; short abandons (wait < \(JSONValue.format(s.shortAbandonS, decimals: 1)) s) counted apart.",
            "ASA = mean wait of answered calls; AHT = talk + hold + ACW over answered calls; FCR = answered calls whose caller did not call again within \(JSONValue.format(s.fcrWindowS / 86400, decimals: 1)) days.",
        ]
        let main = ReportTable(name: "kpi" + (dims.isEmpty ? "" : "_by_" + dims.map(\.rawValue).joined(separator: "_")),
                               title: title, columns: columns, rows: rows, notes: notes)
        // The service-level variants side by side.
        let variantColumns = keyColumns + SLVariant.allCases.map { Column("sl_" + $0.rawValue, shortName($0), .ratio) }
        let variantRows: [[Cell]] = groups.map { g in g.key.map { .text($0) } + SLVariant.allCases.map { .opt(g.serviceLevel($0)) } }
        let variants = ReportTable(name: main.name + "_service_level", title: "Service level variants, T = \(t) s",
                                   columns: variantColumns, rows: variantRows,
                                   notes: SLVariant.allCases.map { "\(shortName($0)): \($0.formula)" })
        return [main, variants]
    }

    static func shortName(_ v: SLVariant) -> String {
        switch v {
        case .answeredOverAll: "A/(A+Ab)"
        case .abandonsWithinTCountAsMet: "(A+Ab≤T)/all"
        case .answeredOnly: "A only"
        case .abandonsWithinTExcluded: "excl Ab≤T"
        case .shortAbandonsExcluded: "excl short"
        }
    }
}

/// `report nps`: NPS with n and interval by the chosen dimensions, distribution, detractor comments.
public enum NPSReport {
    public enum Dimension: String, Sendable, CaseIterable {
        case day, queue, team, agent
        func key(_ f: SurveyFact) -> String {
            switch self {
            case .day: f.localDate
            case .queue: f.queue ?? "(none)"
            case .team: f.team ?? "(none)"
            case .agent: f.agentID ?? "(none)"
            }
        }
    }

    /// At most this many detractor comments are listed (the latest first).
    public static let commentLimit = 500

    /// From individual answers (tests and small sets).
    public static func tables(_ facts: [SurveyFact], by dims: [Dimension], minimumN: Int) -> [ReportTable] {
        var groups: [[String]: NPSGroupCounts] = [:]
        for f in facts where f.score != nil || f.csat != nil {
            let key = dims.map { $0.key(f) }
            var g = groups[key] ?? NPSGroupCounts(key: key, agentName: nil, nps: NPS(promoters: 0, passives: 0, detractors: 0), csatN: 0, csatTop: 0)
            if let s = f.score {
                if s >= 9 { g.nps.promoters += 1 } else if s >= 7 { g.nps.passives += 1 } else { g.nps.detractors += 1 }
            }
            if let c = f.csat { g.csatN += 1; if c >= 4 { g.csatTop += 1 } }
            if g.agentName == nil { g.agentName = f.agentName }
            groups[key] = g
        }
        var dist = [Int](repeating: 0, count: 11)
        for f in facts { if let s = f.score { dist[s] += 1 } }
        let comments = facts.filter { ($0.score ?? 10) <= 6 && !($0.comment ?? "").isEmpty }
        return tables(groups: groups.values.sorted { $0.key.lexicographicallyPrecedes($1.key) }, distribution: dist,
                      comments: comments, by: dims, minimumN: minimumN)
    }

    /// From counts per group (the path that scales).
    public static func tables(groups: [NPSGroupCounts], distribution dist: [Int], comments: [SurveyFact], by dims: [Dimension],
                              minimumN: Int) -> [ReportTable] {
        let hasCSAT = groups.contains { $0.csatN > 0 }
        var columns = dims.map { Column($0.rawValue, $0.rawValue, .text) }
        if dims == [.agent] { columns.append(Column("agent_name", "name", .text).width(14)) }
        columns += [
            Column("n", .count), Column("promoters", "prom.", .count), Column("passives", "pass.", .count),
            Column("detractors", "detr.", .count), Column("nps", "NPS", .number(decimals: 1)),
            Column("nps_low", "95% low", .number(decimals: 1)), Column("nps_high", "95% high", .number(decimals: 1)),
            Column("reliable", .text),
        ]
        if hasCSAT {
            columns += [Column("csat_n", nil, .count), Column("csat_top_box", "CSAT top-2", .ratio),
                        Column("csat_low", nil, .ratio, inTable: false), Column("csat_high", nil, .ratio, inTable: false)]
        }
        let rows: [[Cell]] = groups.map { g in
            let nps = g.nps
            var r: [Cell] = g.key.map { .text($0) }
            if dims == [.agent] { r.append(.opt(g.agentName)) }
            r += [.int(nps.n), .int(nps.promoters), .int(nps.passives), .int(nps.detractors), .opt(nps.value),
                  .opt(nps.interval?.low), .opt(nps.interval?.high),
                  .text(nps.n == 0 ? "no answers" : nps.reliable(minimumN: minimumN) ? "yes" : "no (n < \(minimumN))")]
            if hasCSAT {
                let w = Intervals.wilson(successes: g.csatTop, n: g.csatN)
                r += [.int(g.csatN), g.csatN == 0 ? .null : .number(Double(g.csatTop) / Double(g.csatN)), .opt(w?.low), .opt(w?.high)]
            }
            return r
        }
        let name = "nps" + (dims.isEmpty ? "" : "_by_" + dims.map(\.rawValue).joined(separator: "_"))
        let main = ReportTable(
            name: name, title: "NPS" + (dims.isEmpty ? "" : " by " + dims.map(\.rawValue).joined(separator: ", ")),
            columns: columns, rows: rows,
            notes: ["NPS = % promoters (9–10) − % detractors (0–6); 95 % adjusted-Wald interval (n+3, +¾ promoter, +¾ detractor; widened to hold the NPS itself); below n = \(minimumN) not reliable."]
                + (hasCSAT ? ["CSAT top-2 = share of 4–5 on the 1–5 scale, Wilson 95 % interval."] : []))
        let total = max(1, dist.reduce(0, +))
        let distribution = ReportTable(
            name: "nps_distribution", title: "Score distribution",
            columns: [Column("score", .count), Column("answers", .count), Column("share", .ratio)],
            rows: (0...10).map { [.int($0), .int(dist[$0]), .number(Double(dist[$0]) / Double(total))] })
        let commentsTable = ReportTable(
            name: "nps_detractor_comments", title: "Detractor comments (verbatim)",
            columns: [Column("call_id", "call", .text), Column("agent_id", "agent", .text), Column("score", .count),
                      Column("answered_at", "answered", .text, inTable: false), Column("comment", .text).width(70)],
            rows: comments.map { [.text($0.callID), .opt($0.agentID), .opt($0.score), .text($0.answeredAt), .opt($0.comment)] },
            notes: comments.count >= commentLimit ? ["The latest \(commentLimit) detractor comments are listed."] : [])
        return [main, distribution, commentsTable]
    }
}

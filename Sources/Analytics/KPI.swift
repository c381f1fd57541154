/// One call as the KPIs need it.
public struct CallKPIRow: Sendable, Equatable {
    public var callID: String
    public var startedEpoch: Double
    /// Local calendar fields (in the call's own offset, or the zone asked for).
    public var localDate: String
    public var localHour: Int
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int
    public var outbound: Bool
    public var answered: Bool
    public var waitS: Double?
    public var handleS: Double?
    public var agentID: String?
    public var queue: String?
    public var team: String?
    public var dialed: String?
    /// Whether the same (hashed) caller called again within the FCR window after this
    /// call; nil without a caller number.
    public var repeatedWithinWindow: Bool?

    public init(callID: String, startedEpoch: Double, localDate: String, localHour: Int, weekday: Int, outbound: Bool,
                answered: Bool, waitS: Double?, handleS: Double?, agentID: String?, queue: String?, team: String?,
                dialed: String?, repeatedWithinWindow: Bool?) {
        self.callID = callID
        self.startedEpoch = startedEpoch
        self.localDate = localDate
        self.localHour = localHour
        self.weekday = weekday
        self.outbound = outbound
        self.answered = answered
        self.waitS = waitS
        self.handleS = handleS
        self.agentID = agentID
        self.queue = queue
        self.team = team
        self.dialed = dialed
        self.repeatedWithinWindow = repeatedWithinWindow
    }
}

/// Service-level definitions in use across contact centers, each named.
public enum SLVariant: String, Sendable, CaseIterable {
    /// answered ≤ T / (answered + abandoned)
    case answeredOverAll = "answered_within_t_over_all"
    /// (answered ≤ T + abandoned ≤ T) / (answered + abandoned)
    case abandonsWithinTCountAsMet = "abandons_within_t_count_as_met"
    /// answered ≤ T / answered
    case answeredOnly = "answered_only"
    /// answered ≤ T / (answered + abandoned > T)
    case abandonsWithinTExcluded = "abandons_within_t_excluded"
    /// answered ≤ T / (answered + abandoned − short abandons)
    case shortAbandonsExcluded = "short_abandons_excluded"

    public var formula: String {
        switch self {
        case .answeredOverAll: "answered≤T / (answered + abandoned)"
        case .abandonsWithinTCountAsMet: "(answered≤T + abandoned≤T) / (answered + abandoned)"
        case .answeredOnly: "answered≤T / answered"
        case .abandonsWithinTExcluded: "answered≤T / (answered + abandoned>T)"
        case .shortAbandonsExcluded: "answered≤T / (answered + abandoned − short abandons)"
        }
    }
}

/// Settings of the KPIs; stored with what they produce.
public struct KPISettings: Sendable, Equatable {
    /// Service-level threshold T (s).
    public var slThresholdS: Double = 20
    /// Abandons before this wait (s) are short abandons, counted apart.
    public var shortAbandonS: Double = 5
    /// A repeat call by the same caller within this window (s) means not resolved first time.
    public var fcrWindowS: Double = 7 * 86400
    public var headline: SLVariant = .answeredOverAll

    public init() {}
}

/// Grouping dimensions of KPI reports.
public enum KPIDimension: String, Sendable, CaseIterable {
    case day, hour, weekday, queue, team, dialed, agent

    /// "Mon" … "Sun" for ISO weekday 1 … 7.
    public static func weekdayName(_ isoWeekday: Int) -> String {
        ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][max(0, min(7, isoWeekday))]
    }

    func key(_ r: CallKPIRow) -> String {
        switch self {
        case .day: r.localDate
        case .hour: r.localHour < 10 ? "0\(r.localHour)" : "\(r.localHour)"
        case .weekday: Self.weekdayName(r.weekday)
        case .queue: r.queue ?? "(none)"
        case .team: r.team ?? "(none)"
        case .dialed: r.dialed ?? "(none)"
        case .agent: r.agentID ?? "(none)"
        }
    }

    /// Sort key: weekdays in week order, hours numerically, the rest as text.
    func order(_ r: CallKPIRow) -> String {
        switch self {
        case .weekday: "\(r.weekday)"
        default: key(r)
        }
    }
}

/// The KPIs of one group of calls.
public struct KPIGroup: Sendable, Equatable {
    public var key: [String]
    /// Inbound (or unspecified direction) calls: answered + abandoned.
    public var offered = 0
    public var answered = 0
    public var abandoned = 0
    public var shortAbandons = 0
    public var answeredWithinT = 0
    public var abandonedWithinT = 0
    /// Outbound calls (not offered to a queue; counted apart).
    public var outbound = 0
    /// Mean wait of answered calls (s).
    public var asaS: Double?
    /// Mean talk + hold + ACW of answered calls (s), and how many had it.
    public var ahtS: Double?
    public var ahtN = 0
    /// Answered calls with a caller number, and those without a repeat in the window.
    public var fcrN = 0
    public var fcrResolved = 0
    /// Answered calls per agent and day (nil when grouped by hour of day).
    public var callsPerAgentDay: Double?

    public init(key: [String]) {
        self.key = key
    }

    public func serviceLevel(_ v: SLVariant) -> Double? {
        func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        switch v {
        case .answeredOverAll: return ratio(answeredWithinT, answered + abandoned)
        case .abandonsWithinTCountAsMet: return ratio(answeredWithinT + abandonedWithinT, answered + abandoned)
        case .answeredOnly: return ratio(answeredWithinT, answered)
        case .abandonsWithinTExcluded: return ratio(answeredWithinT, answered + abandoned - abandonedWithinT)
        case .shortAbandonsExcluded: return ratio(answeredWithinT, answered + abandoned - shortAbandons)
        }
    }

    /// abandoned / offered.
    public var abandonRate: Double? { offered > 0 ? Double(abandoned) / Double(offered) : nil }
    /// (abandoned − short) / (offered − short).
    public var abandonRateExcludingShort: Double? {
        let d = offered - shortAbandons
        return d > 0 ? Double(abandoned - shortAbandons) / Double(d) : nil
    }
    public var fcr: Double? { fcrN > 0 ? Double(fcrResolved) / Double(fcrN) : nil }
    public var fcrInterval: (low: Double, high: Double)? { Intervals.wilson(successes: fcrResolved, n: fcrN) }
}

public enum KPI {
    /// Aggregates calls into groups (one group, key [], without dimensions).
    public static func aggregate(_ rows: [CallKPIRow], by dims: [KPIDimension], settings: KPISettings) -> [KPIGroup] {
        var groups: [[String]: [CallKPIRow]] = [:]
        var order: [[String]: [String]] = [:]
        for r in rows {
            let k = dims.map { $0.key(r) }
            groups[k, default: []].append(r)
            if order[k] == nil { order[k] = dims.map { $0.order(r) } }
        }
        return groups.map { key, rs in
            var g = group(key: key, rs, settings: settings)
            // Agent-days are not meaningful per hour of day.
            if dims.contains(.hour) { g.callsPerAgentDay = nil }
            return g
        }
            .sorted { order[$0.key]!.lexicographicallyPrecedes(order[$1.key]!) }
    }

    static func group(key: [String], _ rows: [CallKPIRow], settings s: KPISettings) -> KPIGroup {
        var g = KPIGroup(key: key)
        var waits: [Double] = [], handles: [Double] = []
        var agentDays = Set<String>()
        for r in rows {
            if r.outbound { g.outbound += 1; continue }
            g.offered += 1
            let wait = r.waitS ?? 0
            if r.answered {
                g.answered += 1
                if wait <= s.slThresholdS { g.answeredWithinT += 1 }
                if let w = r.waitS { waits.append(w) }
                if let h = r.handleS { handles.append(h) }
                if let rep = r.repeatedWithinWindow {
                    g.fcrN += 1
                    if !rep { g.fcrResolved += 1 }
                }
                if let a = r.agentID { agentDays.insert(a + "|" + r.localDate) }
            } else {
                g.abandoned += 1
                if wait < s.shortAbandonS { g.shortAbandons += 1 }
                if wait <= s.slThresholdS { g.abandonedWithinT += 1 }
            }
        }
        g.asaS = waits.isEmpty ? nil : waits.reduce(0, +) / Double(waits.count)
        g.ahtS = handles.isEmpty ? nil : handles.reduce(0, +) / Double(handles.count)
        g.ahtN = handles.count
        g.callsPerAgentDay = agentDays.isEmpty ? nil : Double(g.answered) / Double(agentDays.count)
        return g
    }
}

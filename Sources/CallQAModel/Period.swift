import Foundation

/// How many calls a selection holds and the local days they span.
public struct CallSpan: Sendable, Equatable {
    /// Calls in the selection.
    public var calls: Int
    /// First and last local day `YYYY-MM-DD` of those calls (nil without calls).
    public var firstDate: String?
    public var lastDate: String?

    public init(calls: Int, firstDate: String?, lastDate: String?) {
        self.calls = calls
        self.firstDate = firstDate
        self.lastDate = lastDate
    }

    /// `2026-11-24` or `2026-11-24 to 2026-11-25`; nil without calls.
    public var days: String? {
        guard let firstDate, let lastDate else { return nil }
        return firstDate == lastDate ? firstDate : "\(firstDate) to \(lastDate)"
    }
}

/// A `--from/--to` filter on call start. Dates are whole days, both inclusive: read in the
/// call's own UTC offset (its `local_date`) unless a zone is given; timestamps are instants.
public struct Period: Sendable, Equatable {
    /// Inclusive lower bound (Unix s).
    public var fromEpoch: Double?
    /// Exclusive upper bound (Unix s).
    public var toEpoch: Double?
    /// Inclusive local dates `YYYY-MM-DD`.
    public var fromDate: String?
    public var toDate: String?

    public init(fromEpoch: Double? = nil, toEpoch: Double? = nil, fromDate: String? = nil, toDate: String? = nil) {
        self.fromEpoch = fromEpoch
        self.toEpoch = toEpoch
        self.fromDate = fromDate
        self.toDate = toDate
    }

    public static let all = Period()

    /// Parses the two bounds. Nil with a message when one is not a date or timestamp.
    public static func parse(from: String?, to: String?, zone: Timestamp.Zone?) -> Result<Period, PeriodError> {
        var p = Period()
        for (text, isFrom) in [(from, true), (to, false)] {
            guard let text else { continue }
            let t = text.trimmingCharacters(in: .whitespaces)
            let isDate = t.count == 10 && Timestamp.parse(t, zone: nil) != nil
            if isDate {
                if let zone {
                    // Midnight in the zone; the end bound is the next midnight.
                    guard let start = Timestamp.parse(t + "T00:00:00", zone: zone) else { return .failure(PeriodError(option: isFrom ? "--from" : "--to", value: text)) }
                    if isFrom { p.fromEpoch = start.epochS } else {
                        let next = Timestamp.parse(Timestamp(epochS: start.epochS + 36 * 3600, offsetS: start.offsetS).localDate + "T00:00:00", zone: zone)
                        p.toEpoch = next?.epochS
                    }
                } else if isFrom { p.fromDate = t } else { p.toDate = t }
            } else if let ts = Timestamp.parse(t, zone: zone) {
                if isFrom { p.fromEpoch = ts.epochS } else { p.toEpoch = ts.epochS }
            } else {
                return .failure(PeriodError(option: isFrom ? "--from" : "--to", value: text))
            }
        }
        // `--from` after `--to` selects nothing: an error, not an empty report.
        if let f = p.fromEpoch, let t = p.toEpoch, f >= t {
            return .failure(PeriodError(option: "--to", value: to ?? "", reason: "is before --from \(from ?? "")"))
        }
        if let f = p.fromDate, let t = p.toDate, f > t {
            return .failure(PeriodError(option: "--to", value: to ?? "", reason: "is before --from \(from ?? "")"))
        }
        if let f = p.fromDate, let t = p.toEpoch, let d = Timestamp.parse(f, zone: nil), d.epochS >= t + 14 * 3600 {
            return .failure(PeriodError(option: "--to", value: to ?? "", reason: "is before --from \(from ?? "")"))
        }
        if let f = p.fromEpoch, let t = p.toDate, let d = Timestamp.parse(t, zone: nil), f >= d.epochS + 86400 + 14 * 3600 {
            return .failure(PeriodError(option: "--to", value: to ?? "", reason: "is before --from \(from ?? "")"))
        }
        return .success(p)
    }
}

/// A bound that is neither a date nor a timestamp.
public struct PeriodError: Error, Sendable, Equatable, CustomStringConvertible {
    public var option: String
    public var value: String
    /// Why a well-formed value is refused (e.g. "is before --from 2026-11-25"); nil: malformed.
    public var reason: String?

    public init(option: String, value: String, reason: String? = nil) {
        self.option = option
        self.value = value
        self.reason = reason
    }

    public var description: String {
        if let reason { return "\(option) '\(value)' \(reason): the period would be empty" }
        return "\(option): expected a date (2026-11-24) or an ISO 8601 timestamp (2026-11-24T09:00:00+01:00), got '\(value)'"
    }
}

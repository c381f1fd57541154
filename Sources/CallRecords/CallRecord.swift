import CallAnalysis
import CallQAModel
import Foundation

/// A row of a call-record source that was rejected, with where and why.
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: SourceRef
    /// The call id when the row had one.
    public var callID: String?
    /// The column at fault, when one is.
    public var field: String?
    public var message: String

    public init(source: SourceRef, callID: String? = nil, field: String? = nil, message: String) {
        self.source = source
        self.callID = callID
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = source.description + ": "
        if let field { s += "column '\(field)': " }
        return s + message
    }
}

/// What a call-record file yielded: the records and the rejected rows.
public struct ParsedRecords: Sendable {
    public var records: [CallRecord] = []
    public var errors: [RecordError] = []
    /// A problem with the whole file (unreadable, no header); nothing was read from it.
    public var fileError: RecordError?

    public init() {}
}

/// Shared field readers, with the error text the README documents.
enum FieldParse {
    static func seconds(_ raw: String, field: String, at ref: SourceRef, callID: String?) throws(RecordError) -> Double? {
        let t = raw.trimmedSpaces
        if t.isEmpty { return nil }
        guard let v = decimal(t) else {
            if t.contains(","), Double(t.replacingOccurrences(of: ",", with: ".")) != nil {
                throw RecordError(source: ref, callID: callID, field: field,
                                  message: "expected seconds ≥ 0 with a decimal point, got \"\(t)\" (a decimal comma: export the sheet with '.' as the decimal separator, e.g. in Excel turn off 'Use system separators', or save from a spreadsheet set to English; or read it as it is with --locale de)")
            }
            throw RecordError(source: ref, callID: callID, field: field, message: "expected seconds ≥ 0, got \"\(t)\"")
        }
        guard v >= 0 else {
            throw RecordError(source: ref, callID: callID, field: field, message: "expected seconds ≥ 0, got \"\(t)\"")
        }
        guard v < 1e7 else {
            throw RecordError(source: ref, callID: callID, field: field, message: "expected seconds below 10,000,000, got \"\(t)\"")
        }
        return v
    }

    /// Seconds as a German spreadsheet writes them: `43,7`, `1.234,5`, `1.234`, `12`. A dot
    /// that is no thousands separator (`43.7`) is refused: it is not German notation, and
    /// reading it either way could be wrong.
    static func germanSeconds(_ raw: String, field: String, at ref: SourceRef, callID: String?) throws(RecordError) -> Double? {
        let t = raw.trimmedSpaces
        if t.isEmpty { return nil }
        let thousands = t.range(of: #"^\d{1,3}(\.\d{3})+(,\d+)?$"#, options: .regularExpression) != nil
        guard t.contains(",") || thousands || !t.contains(".") else {
            throw RecordError(source: ref, callID: callID, field: field,
                              message: "expected seconds with a decimal comma (--locale de), got \"\(t)\": write 43,7 (a dot only separates thousands, as in 1.234,5); without --locale de the file must use '.' throughout")
        }
        let plain = (thousands || t.contains(",") ? t.replacingOccurrences(of: ".", with: "") : t).replacingOccurrences(of: ",", with: ".")
        guard t.filter({ $0 == "," }).count <= 1, decimal(plain) != nil else {
            throw RecordError(source: ref, callID: callID, field: field, message: "expected seconds ≥ 0 with a decimal comma (--locale de), e.g. 43,7, got \"\(t)\"")
        }
        return try seconds(plain, field: field, at: ref, callID: callID)
    }

    /// A finite decimal number (digits, `.`, sign, exponent), nil otherwise. Swift's
    /// `Double("0x10")` and `Double("0x1p3")` read hexadecimal floats, and `Double("nan")` NaN.
    static func decimal(_ t: String) -> Double? {
        guard !t.isEmpty, t.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 101 || $0 == 69 || $0 == 43 || $0 == 45 }),
              let v = Double(t), v.isFinite else { return nil }
        return v
    }

    static func bool(_ raw: String, field: String, at ref: SourceRef, callID: String?) throws(RecordError) -> Bool? {
        switch raw.trimmedSpaces.lowercased() {
        case "": return nil
        case "true", "yes", "y", "1": return true
        case "false", "no", "n", "0": return false
        default:
            throw RecordError(source: ref, callID: callID, field: field, message: "expected true or false, got \"\(raw)\"")
        }
    }

    static func text(_ raw: String) -> String? {
        let t = raw.trimmedSpaces
        return t.isEmpty ? nil : t
    }
}

extension CallRecord {
    /// A fingerprint of the record's content (not of where it was read), to tell a repeated
    /// row from a conflicting one and to notice a changed record on a later run.
    public var fingerprint: String {
        func n(_ d: Double?) -> String { d.map { String($0) } ?? "" }
        var parts: [String] = [
            callID, recording ?? "", agentID ?? "", agentName ?? "", team ?? "", queue ?? "",
            direction?.rawValue ?? "", startedAt.map { "\($0.epochS)/\($0.offsetS)" } ?? "", n(waitS),
            answered.map { $0 ? "1" : "0" } ?? "", n(talkS), n(holdS), n(acwS), caller ?? "", dialed ?? "",
            agentChannel?.rawValue ?? "",
        ]
        for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { parts.append(k + "=" + v) }
        for l in legs {
            parts.append("leg=\(l.agentID ?? "")/\(n(l.talkS))/\(l.startedAt.map { "\($0.epochS)" } ?? "")/\(l.answered ? 1 : 0)"
                         + (l.recording.map { "/" + $0 } ?? ""))
        }
        return SHA256.hex(Array(parts.joined(separator: "\u{1F}").utf8))
    }
}

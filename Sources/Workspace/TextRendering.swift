import CallQAModel
import Foundation
import Reports
import Store

/// Plain-text renderings of the audit log, the user list and the API tokens for the command line:
/// an aligned table, RFC 4180 CSV (spreadsheet formulas neutralised), JSON.
public enum TextRendering {
    /// Output formats of `callqa audit` and `callqa users list`.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json
    }

    public static let auditColumns = ["at", "action", "user", "address", "call_id", "target", "detail"]

    public static func audit(_ entries: [AuditEntry], format: Format) -> String {
        let rows = entries.map { e in [e.at, e.action.rawValue, e.actor, e.address, e.callID, e.target, e.detail] }
        return render(columns: auditColumns, rows: rows, format: format)
    }

    public static let userColumns = ["name", "role", "agent_id", "teams", "status", "created_at", "last_login_at"]

    public static func users(_ users: [UserRecord], format: Format) -> String {
        let rows: [[String?]] = users.map { u in
            [u.account.name, u.account.role.rawValue, u.account.agentID, u.account.teams.isEmpty ? nil : u.account.teams.joined(separator: ","),
             u.disabled ? "disabled" : "active", u.createdAt, u.lastLoginAt]
        }
        return render(columns: userColumns, rows: rows, format: format)
    }

    public static let tokenColumns = ["id", "user", "role", "label", "status", "created_at", "created_by", "expires_at", "revoked_at",
                                      "last_used_at", "last_used_address"]

    /// `callqa tokens list`: every token's number, user, status and use (never the token).
    public static func tokens(_ tokens: [TokenRecord], format: Format) -> String {
        let rows: [[String?]] = tokens.map { t in
            [String(t.tokenID), t.userName, t.role.rawValue, t.label, t.status.rawValue, t.createdAt, t.createdBy, t.expiresAt,
             t.revokedAt, t.lastUsedAt, t.lastUsedAddress]
        }
        return render(columns: tokenColumns, rows: rows, format: format)
    }

    static func render(columns: [String], rows: [[String?]], format: Format) -> String {
        switch format {
        case .table:
            let cells = [columns] + rows.map { $0.map { clean($0 ?? "-") } }
            let widths = columns.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
            func line(_ r: [String]) -> String {
                r.enumerated().map { i, v in i == r.count - 1 ? v : v.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ")
            }
            let rule = widths.map { String(repeating: "-", count: $0) }
            return ([line(cells[0]), line(rule)] + cells.dropFirst().map(line)).joined(separator: "\n") + "\n"
        case .csv:
            let lines = [columns.map { CSVWriter.cell($0) }] + rows.map { $0.map { CSVWriter.cell($0 ?? "") } }
            return lines.map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .json:
            let objects = rows.map { row in
                "{" + zip(columns, row).map { k, v in "\(JSONText.string(k)): \(v.map(JSONText.string) ?? "null")" }.joined(separator: ", ") + "}"
            }
            return "[" + (objects.isEmpty ? "" : "\n  " + objects.joined(separator: ",\n  ") + "\n") + "]\n"
        }
    }

    /// Control characters shown as `\u{…}` in the terminal, never acted on.
    static func clean(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.properties.generalCategory == .control { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}

import Foundation
/// Self-contained HTML: no network, no external fonts, no inline scripts (the call pages of a
/// static report folder load one script file written beside them); every data-derived text
/// escaped.
public enum HTMLReport {
    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { out += "&#\(ch.value);" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2733;max-width:1200px}
        h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dee6;padding-bottom:4px}
        table{border-collapse:collapse;margin:8px 0 4px}th,td{padding:3px 8px;border-bottom:1px solid #e6eaef;text-align:left;vertical-align:top}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f5f8;font-weight:600}
        .note{color:#5a6775;font-size:12px;margin:2px 0}.bad{color:#b3261e;font-weight:600}.good{color:#1e7b34}
        .muted{color:#8a96a3}svg{display:block;margin:8px 0}
        ol.turns{position:relative;list-style:none;padding:0;margin:6px 0;max-height:32em;overflow-y:auto}ol.turns li{margin:3px 0;padding:2px 6px;border-left:3px solid #5b8def}
        ol.turns li.customer{border-left-color:#e8833a}ol.turns li.mixed{border-left-color:#8a96a3}ol.turns .t{color:#5a6775;font-variant-numeric:tabular-nums;margin-right:4px}
        ol.turns .who{color:#5a6775;font-size:12px;margin-right:4px}span.w.redacted{background:#eceff3;color:#5a6775}
        span.w{border-radius:3px}span.w.now{background:#ffe27a}#player~* span.w,#recording~* span.w{cursor:pointer}
        """

    /// A page with the given tables (HTML rendering of any report). `links` links the cells
    /// (`Links.cellLink(for:)`: ids to their pages, numbers to the calls behind them; nothing
    /// with `.files`); `anchors` gives each table its name as `id` (a link target); `style`
    /// adds CSS for this page.
    public static func page(title: String, tables: [ReportTable], body: String = "", links: Links = .files, anchors: Bool = false,
                            style extra: String = "") -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title>"
        out += "<style>\(style)\(extra.isEmpty ? "" : "\n" + extra)</style></head><body>\n<h1>\(escape(title))</h1>\n"
        for w in tables.first?.warnings ?? [] { out += "<p class=\"bad\">Warning: \(escape(w))</p>\n" }
        if let p = tables.first?.period { out += "<p class=\"period\">\(escape(p.label.prefix(1).uppercased() + p.label.dropFirst()))</p>\n" }
        out += body
        // A note shared by several tables (the agents legend, once per card) is shown once.
        var seen = Set<String>()
        for t in tables {
            var t = t
            t.notes = t.notes.filter { seen.insert($0).inserted }
            out += table(t, id: anchors ? t.name : nil, cellLink: links.cellLink(for: t))
        }
        out += "</body></html>\n"
        return out
    }

    /// `cellLink(row, columnKey)`: a link for a cell (the workspace links numbers to the calls
    /// behind them); nil: plain text.
    public static func table(_ t: ReportTable, id: String? = nil, cellLink: ((Int, String) -> String?)? = nil) -> String {
        // The columns of the terminal table; CSV and JSON carry the rest.
        let shown = t.columns.indices.filter { t.columns[$0].inTable }
        var out = "<h2>\(escape(t.title))</h2>\n<table" + (id.map { " id=\"\(escape($0))\"" } ?? "") + "><thead><tr>"
        for i in shown { out += (t.columns[i].kind != .text ? "<th class=\"n\">" : "<th>") + "\(escape(t.columns[i].header))</th>" }
        out += "</tr></thead><tbody>\n"
        for (n, full) in t.rows.enumerated() {
            out += "<tr>"
            // Evidence links to its moment of the recording (`file:///…#t=START`): a click plays it.
            let link = t.columns.firstIndex { $0.key == "evidence_link" }.flatMap { i -> String? in
                if case let .text(l) = full[i], !l.isEmpty { return l } else { return nil }
            }
            for (c, col) in shown.map({ (full[$0], t.columns[$0]) }) {
                let numeric = col.kind != .text
                out += numeric ? "<td class=\"n\">" : "<td>"
                let text = escape(ReportTable.display(c, col.kind))
                if col.key == "evidence", let link {
                    out += "<a href=\"\(escape(link))\">\(text)</a></td>"
                } else if let href = cellLink?(n, col.key), !text.isEmpty {
                    out += "<a href=\"\(escape(href))\">\(text)</a></td>"
                } else {
                    out += text + "</td>"
                }
            }
            out += "</tr>\n"
            // Detail lines (a worst call's section scores) span the table under the call's rows.
            for d in t.detailLines(after: n) {
                out += "<tr class=\"detail\"><td colspan=\"\(shown.count)\"><span class=\"muted\">\(escape(d.header)):</span> \(escape(d.text))</td></tr>\n"
            }
        }
        out += "</tbody></table>\n"
        for n in t.notes { out += "<p class=\"note\">\(escape(n))</p>\n" }
        return out
    }
}

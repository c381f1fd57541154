import Foundation

/// A cell of a report table.
public enum Cell: Sendable, Equatable {
    case text(String)
    case int(Int)
    case number(Double)
    case null

    public static func opt(_ v: Double?) -> Cell { v.map { .number($0) } ?? .null }
    public static func opt(_ v: Int?) -> Cell { v.map { .int($0) } ?? .null }
    public static func opt(_ v: String?) -> Cell { v.map { .text($0) } ?? .null }
}

/// How a column's numbers are shown and written.
public enum ColumnKind: Sendable, Equatable {
    case text
    case count
    /// 0–1 in CSV/JSON, percent in the terminal.
    case ratio
    /// As `ratio`, whole percent in the terminal.
    case ratioWhole
    /// Seconds.
    case seconds
    /// As `seconds`, whole seconds in the terminal.
    case wholeSeconds
    /// Percent 0–100 (quality scores), or −100…100 (NPS).
    case percent
    case number(decimals: Int)
}

public struct Column: Sendable, Equatable {
    /// snake_case key for CSV headers and JSON objects.
    public var key: String
    /// Terminal header.
    public var header: String
    public var kind: ColumnKind
    /// Shown in the terminal table (CSV and JSON always carry every column).
    public var inTable: Bool
    /// Longest text shown in the terminal (cut with "…"); CSV and JSON keep it whole.
    public var maxWidth: Int?
    /// A terminal convenience (e.g. "69.9–80.1" for an interval whose bounds have their own
    /// CSV/JSON columns): left out of CSV and JSON.
    public var terminalOnly = false
    /// Not a column of the terminal table but an indented line (`  sections: …`, wrapped)
    /// under the last row of each run of rows with the same first cell and value (the rows of
    /// one call); in HTML a row spanning the table, likewise. CSV and JSON: a column.
    public var detailLine = false

    public init(_ key: String, _ header: String?, _ kind: ColumnKind, inTable: Bool = true) {
        self.key = key
        self.header = header ?? key
        self.kind = kind
        self.inTable = inTable
    }

    public init(_ key: String, _ kind: ColumnKind, inTable: Bool = true) {
        self.init(key, nil, kind, inTable: inTable)
    }

    /// The same column, shown only in the terminal.
    public var terminal: Column {
        var c = self
        c.terminalOnly = true
        return c
    }

    /// The same column, shown as an indented detail line under its rows (terminal, HTML).
    public var detail: Column {
        var c = self
        c.inTable = false
        c.detailLine = true
        return c
    }

    /// The same column, cut to `width` characters in the terminal.
    public func width(_ width: Int) -> Column {
        var c = self
        c.maxWidth = width
        return c
    }
}

/// One table of a report, renderable as terminal text, CSV or JSON.
public struct ReportTable: Sendable {
    /// File stem for `--out DIR` (e.g. "kpi_by_hour").
    public var name: String
    public var title: String
    public var columns: [Column]
    public var rows: [[Cell]]
    /// Definitions and caveats printed under the table.
    public var notes: [String]
    /// The card this table belongs to, when a report has one block per card.
    public var cardID: String?
    /// The agent this table is about, in one agent's report (its numbers link to that
    /// agent's calls in a static report folder); not written to CSV or JSON.
    public var agentID: String?
    /// What the table is, whatever its card (`agents`, `agent_summary`): tables of one kind
    /// and different cards are merged, with a `scorecard` column, into one CSV on standard output.
    public var kind: String
    /// The period the table covers (every report states it): in the terminal title, as
    /// `period_from`/`period_to` columns in CSV, as a `period` object in JSON.
    public var period: ReportPeriod?
    /// Said before the title in the terminal and HTML, as `warnings` in JSON, and in CSV as a
    /// last column `warning` repeated on every row (e.g. "this run scored nothing: …").
    public var warnings: [String] = []
    /// Printed in the terminal instead of rows when there are none.
    public var emptyText = "(no data)"

    public init(name: String, title: String, columns: [Column], rows: [[Cell]], cardID: String? = nil, kind: String? = nil, notes: [String] = []) {
        self.name = name
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
        self.cardID = cardID
        self.kind = kind ?? name
    }

    /// This table with the card id as a first column `scorecard`.
    public func withScorecardColumn() -> ReportTable {
        var t = self
        t.columns.insert(Column("scorecard", "card", .text), at: 0)
        t.rows = rows.map { [.opt(cardID)] + $0 }
        return t
    }

    /// Terminal tables fit this many columns.
    public static let maxWidth = 100

    /// The detail lines to print after row `n` (``Column/detailLine``): `(header, text)` for
    /// each detail column with a value, when row `n` ends a run of rows with the same first
    /// cell and the same detail values.
    public func detailLines(after n: Int) -> [(header: String, text: String)] {
        let details = columns.indices.filter { columns[$0].detailLine }
        guard !details.isEmpty else { return [] }
        let key = { (r: [Cell]) in [r[0]] + details.map { r[$0] } }
        if n + 1 < rows.count && key(rows[n + 1]) == key(rows[n]) { return [] }
        return details.compactMap { i in
            switch rows[n][i] {
            case .null: return nil
            case let c: return (columns[i].header, Self.display(c, columns[i].kind))
            }
        }
    }

    /// Aligned text, numbers right-aligned; control characters in data made visible; at most
    /// ``maxWidth`` columns (text cut with "…").
    public func text() -> String {
        let shown = columns.indices.filter { columns[$0].inTable }
        var cells: [[String]] = [shown.map { columns[$0].header }]
        for row in rows {
            cells.append(shown.map { i in
                let d = Self.display(row[i], columns[i].kind)
                guard let w = columns[i].maxWidth, d.count > w else { return d }
                return String(d.prefix(max(1, w - 1))) + "…"
            })
        }
        var widths = cells[0].map(\.count)
        for r in cells { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        // Fit `Self.maxWidth` columns: cut the widest text column by one, again and again
        // (headers stay whole; CSV and JSON keep every value).
        let textColumns = shown.indices.filter { columns[shown[$0]].kind == .text }
        while widths.reduce(0, +) + 2 * max(0, widths.count - 1) > Self.maxWidth {
            guard let i = textColumns.filter({ widths[$0] > max(6, cells[0][$0].count) }).max(by: { widths[$0] < widths[$1] }) else { break }
            widths[i] -= 1
        }
        for n in cells.indices.dropFirst() {
            for i in textColumns where cells[n][i].count > widths[i] {
                cells[n][i] = String(cells[n][i].prefix(max(1, widths[i] - 1))) + "…"
            }
        }
        var out = warnings.map { Self.wrap("WARNING: " + TerminalText.clean($0), width: 100) }.joined()
        out += Self.wrap(TerminalText.clean(title) + (period.map { " · " + $0.label } ?? ""), width: 100)
        for (n, r) in cells.enumerated() {
            var line = ""
            for (i, c) in r.enumerated() {
                if i > 0 { line += "  " }
                let pad = String(repeating: " ", count: widths[i] - c.count)
                let numeric = columns[shown[i]].kind != .text
                line += numeric && n > 0 ? pad + c : c + pad
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
            if n > 0 {
                for d in detailLines(after: n - 1) {
                    out += Self.wrapItems("  " + d.header + ": " + d.text, width: Self.maxWidth, indent: "    ")
                }
            }
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        if rows.isEmpty { out += Self.wrap(emptyText, width: Self.maxWidth) }
        for note in notes { out += Self.wrap(TerminalText.clean(note), width: 100) }
        return out
    }

    /// Several tables as terminal text, each note printed once (under the first table that
    /// has it), a blank line between tables.
    public static func text(_ tables: [ReportTable]) -> String {
        var seen = Set<String>()
        var lastPeriod: ReportPeriod?
        return tables.enumerated().map { n, t in
            var t = t
            t.notes = t.notes.filter { seen.insert($0).inserted }
            // The period once, on the first table (again only where it changes).
            if n > 0 && t.period == lastPeriod { t.period = nil } else { lastPeriod = t.period }
            if n > 0 { t.warnings = [] }
            return t.text()
        }.joined(separator: "\n")
    }

    /// Wraps a list of `a · b · c` items between items (an item longer than a line is
    /// word-wrapped), continuation lines indented by `indent`.
    public static func wrapItems(_ text: String, width: Int, indent: String) -> String {
        var out = "", line = ""
        for item in text.components(separatedBy: " · ") {
            if line.isEmpty { line = item; continue }
            if line.count + 3 + item.count > width {
                out += wrap(line + " ·", width: width, indent: indent)
                line = indent + item
            } else {
                line += " · " + item
            }
        }
        return out + wrap(line, width: width, indent: indent)
    }

    /// Word-wraps a note to `width` columns, continuation lines indented by `indent`.
    public static func wrap(_ text: String, width: Int, indent: String = "  ") -> String {
        // A leading indent is kept on the first line.
        let lead = String(text.prefix { $0 == " " })
        var out = "", line = lead
        for word in text.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: false) {
            if line != lead && line != indent && line.count + 1 + word.count > width {
                out += line + "\n"
                line = indent
            }
            line += (line == lead || line == indent ? "" : " ") + word
        }
        return out + line + "\n"
    }

    static func display(_ c: Cell, _ kind: ColumnKind) -> String {
        switch (c, kind) {
        case (.null, _): return "—"
        case let (.text(s), _): return TerminalText.clean(s)
        case let (.int(i), _): return String(i)
        case let (.number(v), .ratio): return JSONValue.format(v * 100, decimals: 1, padded: true) + "%"
        case let (.number(v), .ratioWhole): return JSONValue.format(v * 100, decimals: 0, padded: true) + "%"
        case let (.number(v), .seconds): return JSONValue.format(v, decimals: 1, padded: true)
        case let (.number(v), .wholeSeconds): return JSONValue.format(v, decimals: 0, padded: true)
        case let (.number(v), .percent): return JSONValue.format(v, decimals: 1, padded: true)
        case let (.number(v), .number(d)): return JSONValue.format(v, decimals: d, padded: true)
        case let (.number(v), _): return JSONValue.format(v, decimals: 2)
        }
    }

    static func raw(_ c: Cell, _ kind: ColumnKind) -> JSONValue {
        switch (c, kind) {
        case (.null, _): return .null
        case let (.text(s), _): return .string(s)
        case let (.int(i), _): return .int(i)
        case let (.number(v), .ratio), let (.number(v), .ratioWhole): return .ratio(v)
        case let (.number(v), .seconds), let (.number(v), .wholeSeconds): return .seconds(v)
        case let (.number(v), .percent): return .number(v, decimals: 2)
        case let (.number(v), .number(d)): return .number(v, decimals: d)
        case let (.number(v), _): return .number(v, decimals: 4)
        }
    }

    /// RFC 4180 CSV with every column; spreadsheet formulas neutralised. A table with
    /// warnings ends each row with a `warning` column holding them, so a spreadsheet shows
    /// them beside every figure (and readers that pick columns by name are unaffected).
    public func csv() -> String {
        let keep = columns.indices.filter { !columns[$0].terminalOnly }
        let periodKeys = (period == nil ? [] : ["period_from", "period_to"]) + (warnings.isEmpty ? [] : ["warning"])
        let periodCells = (period.map { [$0.from ?? "", $0.to ?? ""] } ?? []) + (warnings.isEmpty ? [] : [warnings.joined(separator: "; ")])
        var out = CSVWriter.line(keep.map { columns[$0].key } + periodKeys)
        for full in rows {
            let row = keep.map { full[$0] }
            let cols = keep.map { columns[$0] }
            out += CSVWriter.line(zip(row, cols).map { c, col in
                switch Self.raw(c, col.kind) {
                case .null: return ""
                case let .string(s): return s
                case let v: return v.rendered()
                }
            } + periodCells)
        }
        return out
    }

    /// `{"table": name, "title": …, "rows": [{key: value, …}], "notes": […]}`.
    public func json() -> JSONValue {
        var head: [(String, JSONValue)] = [("table", .string(name)), ("title", .string(title))]
        if let period {
            head.append(("period", .object([("from", period.from.map { .string($0) } ?? .null), ("to", period.to.map { .string($0) } ?? .null),
                                             ("calls", .int(period.calls))])))
        }
        if !warnings.isEmpty { head.append(("warnings", .array(warnings.map { .string($0) }))) }
        return .object(head + [
            ("rows", .array(rows.map { row in
                .object(zip(columns, row).filter { !$0.0.terminalOnly }.map { col, c in (col.key, Self.raw(c, col.kind)) })
            })),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }
}

/// How a report's CSV is written: never a dropped row, never a folder named `.csv`.
public enum CSVExport {
    /// Where the CSV of a report goes.
    public enum Destination: Equatable, Sendable {
        /// The main table on standard output.
        case standardOutput
        /// One file.
        case file(String)
        /// One file per table in this folder.
        case folder(String)
    }

    /// A `--out` that cannot hold the report's tables.
    public struct OutError: Error, Equatable, CustomStringConvertible {
        public var path: String
        public var tables: Int
        public var description: String {
            "--out \(path): this report has \(tables) tables, one CSV file each; give a folder (e.g. --out \((path as NSString).deletingPathExtension)/) or leave --out out for one CSV of the main table on standard output"
        }
    }

    /// `--out` for CSV: nothing → standard output; an existing folder, a path ending in `/`,
    /// or a path without `.csv` for several tables → a folder of files; one table → that file;
    /// a `.csv` path (or an existing file) for several tables → an error asking for a folder.
    public static func destination(out: String?, tableCount: Int) throws(OutError) -> Destination {
        guard let out else { return .standardOutput }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: out, isDirectory: &isDir)
        if exists && isDir.boolValue || out.hasSuffix("/") { return .folder(out) }
        if tableCount <= 1 { return .file(out) }
        if exists || out.lowercased().hasSuffix(".csv") { throw OutError(path: out, tables: tableCount) }
        return .folder(out)
    }

    /// The CSV on standard output: the main table (the first one's kind); when that kind has
    /// one table per card, all of them as one table with a `scorecard` column, so no card's
    /// rows are dropped.
    public static func mainTable(_ tables: [ReportTable]) -> ReportTable? {
        guard let first = tables.first else { return nil }
        let same = tables.filter { $0.kind == first.kind }
        guard same.count > 1 || first.cardID != nil else { return first }
        let withCard = same.map { $0.withScorecardColumn() }
        var merged = withCard[0]
        merged.name = first.kind
        merged.rows = withCard.flatMap { t in
            // Columns may differ between cards only if a renderer changes; align by key.
            t.columns.map(\.key) == merged.columns.map(\.key) ? t.rows : t.rows.map { row in
                merged.columns.map { c in t.columns.firstIndex { $0.key == c.key }.map { row[$0] } ?? .null }
            }
        }
        return merged
    }
}

/// The period a report covers, as it states it.
public struct ReportPeriod: Sendable, Equatable {
    /// First day (or instant) covered: the `--from` bound, else the first call's local day.
    public var from: String?
    /// Last day (or instant, exclusive) covered: the `--to` bound, else the last call's local day.
    public var to: String?
    /// Calls in the period.
    public var calls: Int

    public init(from: String?, to: String?, calls: Int) {
        self.from = from
        self.to = to
        self.calls = calls
    }

    /// `period 2026-11-24, 11 calls` / `period 2026-11-24 to 2026-11-25, 23 calls`.
    public var label: String {
        "period \(days), " + (calls == 1 ? "1 call" : "\(calls) calls")
    }

    /// `2026-11-24`, `2026-11-24 to 2026-11-25`, `from 2026-11-24`, `up to 2026-11-25`.
    public var days: String {
        switch (from, to) {
        case let (f?, t?): return f == t ? f : "\(f) to \(t)"
        case let (f?, nil): return "from \(f)"
        case let (nil, t?): return "up to \(t)"
        case (nil, nil): return "(no calls)"
        }
    }
}

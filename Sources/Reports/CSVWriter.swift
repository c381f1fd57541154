import Foundation

/// Writes RFC 4180 CSV text. Cells that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'` when `neutralizeFormulas`.
public enum CSVWriter {
    public static func line(_ cells: [String], neutralizeFormulas: Bool = true) -> String {
        cells.map { cell($0, neutralizeFormulas: neutralizeFormulas) }.joined(separator: ",") + "\n"
    }

    public static func cell(_ value: String, neutralizeFormulas: Bool = true) -> String {
        var v = value
        if neutralizeFormulas, let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
           Double(v) == nil {
            v = "'" + v
        }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}

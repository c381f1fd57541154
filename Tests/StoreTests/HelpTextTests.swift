import Foundation
import Testing

/// Issue 22: every command's help reads as written — no sentence broken by a hard line break,
/// no default said twice, no list of values written in the text and added again by the parser.
@Suite struct HelpTextTests {
    static let commands: [[String]] = [
        [], ["run"], ["ingest"], ["analyze"], ["score"], ["explain"], ["scorecard"], ["scorecard", "lint"], ["scorecard", "check"],
        ["scorecard", "metrics"], ["evaluations"], ["evaluations", "import"], ["evaluations", "template"], ["nps"], ["nps", "import"],
        ["report"], ["report", "agents"], ["report", "agent"], ["report", "call"], ["report", "kpi"], ["report", "nps"], ["check"],
        ["serve"], ["users"], ["users", "add"], ["users", "list"], ["users", "password"], ["audit"],
        ["disputes"], ["disputes", "list"], ["disputes", "show"], ["disputes", "open"], ["disputes", "accept"], ["disputes", "reject"],
        ["disputes", "withdraw"], ["report", "disputes"], ["calibration"], ["calibration", "create"], ["calibration", "list"],
        ["calibration", "close"], ["calibration", "report"], ["coaching"], ["coaching", "add"], ["coaching", "list"], ["coaching", "done"],
        ["tokens"], ["tokens", "add"], ["tokens", "list"], ["tokens", "revoke"],
    ]

    /// `callqa ARGS --help` on a terminal so wide that every line break left is one of the text's own.
    static func help(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = try callqaExecutable()
        p.arguments = args + ["--help"]
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "5000"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(args)")
        return String(decoding: data, as: UTF8.self)
    }

    /// The problems of one help text.
    static func problems(_ text: String) -> [String] {
        var found: [String] = []
        let lines = text.components(separatedBy: "\n")
        let overview = lines.prefix { !$0.hasPrefix("USAGE:") }.joined(separator: " ")
        for (i, line) in lines.enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.components(separatedBy: "default").count > 2 { found.append("default twice: \(t)") }
            // A value list the parser adds, already spelled out in the text before it.
            if let r = t.range(of: "(values: ") {
                let values = t[r.upperBound...].prefix { $0 != ";" && $0 != ")" }.components(separatedBy: ", ")
                let before = t[..<r.lowerBound]
                if values.count > 1 && values.allSatisfy({ before.contains($0) }) { found.append("values twice: \(t)") }
            }
            // A default of an option that the overview states as well.
            if t.hasPrefix("--"), overview.contains("default") { found.append("a default in the overview: \(overview)") }
            // A sentence broken across lines: the next line goes on in lower case, not a new option.
            if i + 1 < lines.count, let last = t.last, !".:!?)".contains(last) {
                let next = lines[i + 1].trimmingCharacters(in: .whitespaces)
                if let first = next.first, first.isLowercase, !next.hasPrefix("-") && !t.hasPrefix("-") {
                    found.append("line break mid-sentence: \(t) ⏎ \(next)")
                }
            }
        }
        return Array(Set(found)).sorted()
    }

    @Test func theDetectorFindsWhatTheIssueSaw() {
        #expect(!Self.problems("OVERVIEW: x\n\nwrites reports to --out (default DIR/r).\n\nUSAGE: y\n  --out <out>  Folder (default: FOLDER/r).\n").isEmpty)
        #expect(!Self.problems("  --format <f>  Output: table or json. (values: table, json; default: table)\n").isEmpty)
        #expect(!Self.problems("OVERVIEW: Prints what was done and the\nagents table.\n").isEmpty)
        #expect(!Self.problems("  --n <n>  Minimum (default: 5). (default: 5)\n").isEmpty)
        #expect(Self.problems("OVERVIEW: Fine.\n\nUSAGE: x\n  --format <f>  Output format. (values: table, json; default: table)\n").isEmpty)
    }

    @Test func everyCommandsHelpHasNoDoubledDefaultNorBrokenSentence() throws {
        for args in Self.commands {
            let text = try Self.help(args)
            #expect(text.contains("USAGE:"), "\(args)")
            #expect(Self.problems(text).isEmpty, "callqa \(args.joined(separator: " ")) --help: \(Self.problems(text))")
        }
    }
}

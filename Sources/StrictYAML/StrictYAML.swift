import FileAccess
import Foundation
import Yams

/// A problem in a YAML file, with its position (1-based line and column; 0 when the problem
/// is the file as a whole).
public struct YAMLIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The one strict reader of callqa's YAML files (coaching cards, the settings file).
///
/// Reads a file safely (regular files only, a size bound, UTF-8), composes it with Yams,
/// and walks the node tree with a `YAMLReader` that knows every allowed key, converts
/// scalars to typed values itself (a quoted or unquoted scalar is text until the reader
/// converts it, so `NO` stays "NO" and `010` stays 10), and collects every problem with its
/// position instead of stopping at the first.
public enum StrictYAML {
    /// The text of a YAML file and its bytes (for a content hash), read safely: regular files
    /// only (a FIFO would block), no more than `limit` bytes, UTF-8.
    public static func read(path: String, limit: Int) throws(YAMLIssue) -> (text: String, data: Data) {
        let data: Data
        do { data = try RegularFile.read(path, limit: limit) } catch {
            throw YAMLIssue(file: path, line: 0, column: 0, message: "cannot read the file: \(error.reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YAMLIssue(file: path, line: 0, column: 0, message: "not valid UTF-8 text")
        }
        return (text, data)
    }

    /// The node tree of `text` (nil for an empty document); a syntax error is one issue at its position.
    public static func compose(_ text: String, file: String) throws(YAMLIssue) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw issue(from: e, file: file)
        } catch {
            throw YAMLIssue(file: file, line: 0, column: 0, message: "YAML error: \(error)")
        }
    }

    static func issue(from e: YamlError, file: String) -> YAMLIssue {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return YAMLIssue(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")
        case let .reader(problem, _, _, _):
            return YAMLIssue(file: file, line: 0, column: 0, message: "YAML reader: \(problem)")
        default:
            return YAMLIssue(file: file, line: 0, column: 0, message: "YAML error: \(e)")
        }
    }

    /// Levenshtein distance over UTF-8 bytes (for "did you mean").
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The allowed key nearest to `key` when it is within 3 edits, for "did you mean".
    public static func nearest(_ key: String, in keys: [String]) -> String? {
        guard let near = keys.min(by: { editDistance($0, key) < editDistance($1, key) }), editDistance(near, key) <= 3 else { return nil }
        return near
    }
}

/// Walks a composed YAML document, converting nodes into typed values and collecting every
/// problem (`issues`) with the node's position. A conversion that fails records an issue and
/// returns nil, so the caller carries on and the next problem is found too.
public struct YAMLReader: Sendable {
    /// The file named in issues.
    public let file: String
    /// Every problem found so far, in the order found.
    public private(set) var issues: [YAMLIssue] = []
    /// Nodes visited at most (alias bombs expand to far more) and nesting depth at most.
    public let maxNodes: Int
    public let maxDepth: Int
    private var visited = 0
    private var exhausted = false

    public init(file: String, maxNodes: Int = 20_000, maxDepth: Int = 24) {
        self.file = file
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
    }

    /// Line and column of a node (0 when Yams gave none).
    public func position(_ n: Node) -> (line: Int, column: Int) { (n.mark?.line ?? 0, n.mark?.column ?? 0) }

    /// Records a problem at a node.
    public mutating func error(_ n: Node, _ message: String) {
        let (l, c) = position(n)
        issues.append(YAMLIssue(file: file, line: l, column: c, message: message))
    }

    /// Records a problem at a position.
    public mutating func error(line: Int, column: Int, _ message: String) {
        issues.append(YAMLIssue(file: file, line: line, column: column, message: message))
    }

    /// Counts nodes and depth; false (with one error) once the budget is spent.
    public mutating func budget(_ n: Node, depth: Int) -> Bool {
        if exhausted { return false }
        visited += 1
        if visited > maxNodes || depth > maxDepth {
            exhausted = true
            error(n, visited > maxNodes
                  ? "document too large: more than \(maxNodes) nodes (aliases expanding without end?)"
                  : "nesting deeper than \(maxDepth) levels")
            return false
        }
        return true
    }

    /// The key/value pairs of a mapping; unknown keys are errors (with a suggestion), and so
    /// are keys given twice and missing required ones. `what` names the mapping in messages.
    public mutating func mapping(_ n: Node, what: String, keys: [String], required: [String] = [], depth: Int) -> [String: Node]? {
        mappingWithKeys(n, what: what, keys: keys, required: required, depth: depth)?.values
    }

    /// As `mapping`, with the key nodes too (for problems about a key rather than its value).
    public mutating func mappingWithKeys(_ n: Node, what: String, keys: [String], required: [String] = [],
                                         depth: Int) -> (values: [String: Node], keys: [String: Node])? {
        guard budget(n, depth: depth) else { return nil }
        guard case let .mapping(m) = n else {
            error(n, "\(what): expected a mapping of keys (\(keys.joined(separator: ", ")))")
            return nil
        }
        var out: [String: Node] = [:], keyNodes: [String: Node] = [:]
        for (k, v) in m {
            guard case let .scalar(s) = k else { error(k, "\(what): keys must be plain words"); continue }
            let key = s.string
            if !keys.contains(key) {
                let hint = StrictYAML.nearest(key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                error(k, "\(what): unknown key '\(key)'\(hint); allowed: \(keys.joined(separator: ", "))")
                continue
            }
            if out[key] != nil { error(k, "\(what): key '\(key)' appears twice"); continue }
            out[key] = v
            keyNodes[key] = k
        }
        for r in required where out[r] == nil { error(n, "\(what): missing '\(r)'") }
        return (out, keyNodes)
    }

    /// A scalar as text.
    public mutating func string(_ n: Node?, what: String) -> String? {
        guard let n else { return nil }
        guard case let .scalar(s) = n else { error(n, "\(what): expected text"); return nil }
        return s.string
    }

    /// An unquoted number within `range`.
    public mutating func number(_ n: Node?, what: String, range: ClosedRange<Double>) -> Double? {
        guard let n else { return nil }
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any, let v = Double(s.string.trimmingCharacters(in: .whitespaces)) else {
            error(n, "\(what): expected a number, got \(describe(n))")
            return nil
        }
        guard v.isFinite, range.contains(v) else {
            error(n, "\(what): expected a number between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(s.string)")
            return nil
        }
        return v
    }

    /// Any finite unquoted number (the caller checks its range with its own words).
    public mutating func number(_ n: Node?, what: String) -> Double? {
        guard let n else { return nil }
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any,
              let v = Double(s.string.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            error(n, "\(what): expected a number, got \(describe(n))")
            return nil
        }
        return v
    }

    /// `true` or `false`, exactly.
    public mutating func bool(_ n: Node?, what: String) -> Bool? {
        guard let n else { return nil }
        guard case let .scalar(s) = n else { error(n, "\(what): expected true or false"); return nil }
        switch s.string {
        case "true": return true
        case "false": return false
        default:
            error(n, "\(what): expected true or false, got '\(s.string)'")
            return nil
        }
    }

    /// One of `allowed` (text), e.g. an enum's raw values.
    public mutating func choice(_ n: Node?, what: String, allowed: [String]) -> String? {
        guard let n else { return nil }
        guard case let .scalar(s) = n, allowed.contains(s.string) else {
            let hint = n.scalar.flatMap { StrictYAML.nearest($0.string, in: allowed) }.map { " (did you mean '\($0)'?)" } ?? ""
            error(n, "\(what): expected \(Self.alternatives(allowed)), got \(describe(n))\(hint)")
            return nil
        }
        return s.string
    }

    /// A list, or a single item treated as a list of one.
    public mutating func list(_ n: Node, depth: Int) -> [Node] {
        guard budget(n, depth: depth) else { return [] }
        if case let .sequence(s) = n { return Array(s) }
        return [n]
    }

    /// A node in words: `'text'` for a scalar, else its kind (`a mapping`, `a list`).
    public func describe(_ n: Node) -> String {
        switch n {
        case let .scalar(s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ words: [String]) -> String {
        words.count <= 1 ? (words.first ?? "") : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    /// A number as written in messages: whole numbers without a decimal point, others to
    /// two decimals (the same text as the cards' `FactValue.format`).
    public static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        guard abs(v) < 1e15 else { return String(v) }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(r)
        if s.contains("e") { s = String(v) }
        return s
    }
}

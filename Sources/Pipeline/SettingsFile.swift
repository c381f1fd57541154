import Analytics
import CallAnalysis
import CallRecords
import FileAccess
import Foundation
import Yams

/// Settings from a YAML file: `callqa.yaml` in the working folder, or the file given with
/// `--config`. Command-line options win over the file, the file over the built-in defaults;
/// the values used are stored with the results they produce, as always.
///
/// ```yaml
/// analysis:                 # any analysis parameter, by its snake_case name
///   dead_air_s: 8
///   min_silence_s: 3
///   agent_channel: right    # left or right
/// kpi:
///   sl_threshold_s: 30
///   short_abandon_s: 5
///   fcr_window_days: 7
///   sl_variant: answered_only
/// nps:
///   min_n: 30
/// agents:
///   min_scored: 10          # below this many scored calls an agent is too few to judge
/// ```
///
/// Every section and key is optional. An unknown section or key, a value of the wrong kind
/// or out of range is an error naming the file, the line and what was expected.
public struct SettingsFile: Sendable, Equatable {
    /// The file read, if any.
    public var path: String?
    public var analysis = AnalysisParameters()
    public var agentChannel: AgentChannel?
    public var kpi = KPISettings()
    /// Below this many answers an NPS is marked not reliable.
    public var npsMinimumN = 30
    /// Below this many scored calls an agent's quality is marked too small to judge.
    public var agentsMinimumScored = 10

    /// The file looked for in the working folder when no `--config` is given.
    public static let defaultName = "callqa.yaml"
    static let kpiKeys = ["sl_threshold_s", "short_abandon_s", "fcr_window_days", "sl_variant"]

    public init() {}

    /// The settings in force: `explicitPath` if given (it must exist), else `callqa.yaml` in
    /// `folder` when there is one, else the defaults.
    public static func resolve(explicitPath: String?, folder: String = FileManager.default.currentDirectoryPath)
        throws(SettingsError) -> SettingsFile {
        if let explicitPath { return try load(path: explicitPath) }
        let local = (folder as NSString).appendingPathComponent(defaultName)
        return FileManager.default.fileExists(atPath: local) ? try load(path: local) : SettingsFile()
    }

    /// Reads and checks a settings file.
    public static func load(path: String) throws(SettingsError) -> SettingsFile {
        let data: Data
        do { data = try RegularFile.read(path, limit: 1 << 20) } catch {
            throw SettingsError(file: path, line: nil, message: "cannot read the file: \(error.reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError(file: path, line: nil, message: "not UTF-8 text")
        }
        var settings = try parse(text, file: path)
        settings.path = path
        return settings
    }

    /// Parses settings text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(SettingsError) -> SettingsFile {
        func fail(_ node: Node?, _ message: String) -> SettingsError {
            SettingsError(file: file, line: node?.mark?.line, message: message)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw SettingsError(file: file, line: Self.line(of: e), message: "not valid YAML: \(Self.problem(of: e))")
        } catch {
            throw SettingsError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        var s = SettingsFile()
        guard let root else { return s }   // an empty file: the defaults
        guard let sections = root.mapping else {
            throw fail(root, "expected sections 'analysis', 'kpi', 'nps' or 'agents' (a mapping), got a \(Self.kind(root))")
        }
        for (keyNode, value) in sections {
            let section = keyNode.string ?? ""
            guard let entries = value.mapping else {
                if value.null != nil { continue }   // `kpi:` with nothing under it
                throw fail(value, "section '\(section)': expected keys with values under it, got a \(Self.kind(value))")
            }
            for (k, v) in entries {
                let key = k.string ?? ""
                func number() throws(SettingsError) -> Double {
                    guard let scalar = v.scalar, let x = Double(scalar.string), x.isFinite else {
                        throw fail(v, "'\(section).\(key)': expected a number, got \(Self.describe(v))")
                    }
                    return x
                }
                switch section {
                case "analysis":
                    if key == "agent_channel" {
                        guard let c = v.string.flatMap(AgentChannel.init(rawValue:)) else {
                            throw fail(v, "'analysis.agent_channel': expected left or right, got \(Self.describe(v))")
                        }
                        s.agentChannel = c
                    } else if let path = AnalysisParameters.keyPaths.first(where: { $0.name == key })?.keyPath {
                        s.analysis[keyPath: path] = try number()
                    } else {
                        let known = AnalysisParameters.keyPaths.map(\.name) + ["agent_channel"]
                        throw fail(k, "unknown key 'analysis.\(key)'; expected one of: \(known.joined(separator: ", "))")
                    }
                case "kpi":
                    switch key {
                    case "sl_threshold_s":
                        s.kpi.slThresholdS = try number()
                        if !(s.kpi.slThresholdS >= 0) { throw fail(v, "'kpi.sl_threshold_s': expected seconds ≥ 0") }
                    case "short_abandon_s":
                        s.kpi.shortAbandonS = try number()
                        if !(s.kpi.shortAbandonS >= 0) { throw fail(v, "'kpi.short_abandon_s': expected seconds ≥ 0") }
                    case "fcr_window_days":
                        let days = try number()
                        if !(days > 0) { throw fail(v, "'kpi.fcr_window_days': expected days > 0") }
                        s.kpi.fcrWindowS = days * 86400
                    case "sl_variant":
                        guard let variant = v.string.flatMap(SLVariant.init(rawValue:)) else {
                            throw fail(v, "'kpi.sl_variant': expected one of \(SLVariant.allCases.map(\.rawValue).joined(separator: ", ")), got \(Self.describe(v))")
                        }
                        s.kpi.headline = variant
                    default:
                        throw fail(k, "unknown key 'kpi.\(key)'; expected one of: \(kpiKeys.joined(separator: ", "))")
                    }
                case "nps":
                    guard key == "min_n" else { throw fail(k, "unknown key 'nps.\(key)'; expected: min_n") }
                    let n = try number()
                    guard n >= 1, n == n.rounded(), n < 1e9 else { throw fail(v, "'nps.min_n': expected a whole number ≥ 1") }
                    s.npsMinimumN = Int(n)
                case "agents":
                    guard key == "min_scored" else { throw fail(k, "unknown key 'agents.\(key)'; expected: min_scored") }
                    let n = try number()
                    guard n >= 1, n == n.rounded(), n < 1e9 else { throw fail(v, "'agents.min_scored': expected a whole number ≥ 1") }
                    s.agentsMinimumScored = Int(n)
                default:
                    throw fail(keyNode, "unknown section '\(section)'; expected analysis, kpi, nps or agents")
                }
            }
        }
        if let problem = s.analysis.validationError() {
            throw SettingsError(file: file, line: nil, message: "section 'analysis': \(problem)")
        }
        return s
    }

    private static func kind(_ n: Node) -> String {
        switch n {
        case .scalar: "single value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    private static func describe(_ n: Node) -> String {
        if let scalar = n.scalar { return "'\(scalar.string)'" }
        return "a \(kind(n))"
    }

    private static func line(of e: YamlError) -> Int? {
        switch e {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of e: YamlError) -> String {
        switch e {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): problem
        default: "\(e)"
        }
    }
}

/// A settings file that cannot be used: which file, which line if known, and why.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

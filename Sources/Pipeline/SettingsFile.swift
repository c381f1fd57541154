import Analytics
import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import StrictYAML
import Transcription
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
/// alerts:                   # callqa watch (AlertSettings)
///   rules:
///     - id: dead-air
///       metric: audio.longest_silence_s
///       at_least: 30
///   webhook: https://hooks.example.com/callqa
/// disputes:
///   window_days: 7          # how long after an evaluator answer is stored it may be disputed
/// transcription:            # see `TranscriptionSetup`
///   model: /usr/local/share/callqa/models/ggml-base-q8_0.bin
///   stage: true             # transcribe during ingest, run and watch
///   select: {cards: [order-confirmation], queues: [support], sample_share: 0.1}
///   language: auto
///   languages_by_queue: {support_de: de}
///   customer_channel: true
///   redact: true
/// ```
///
/// Every section and key is optional. An unknown section or key, a value of the wrong kind
/// or out of range is an error naming the file, the line and column and what was expected;
/// every such problem of the file is reported, not just the first (the strict reader of
/// `StrictYAML`, the same as the cards').
public struct SettingsFile: Sendable, Equatable {
    /// The file read, if any.
    public var path: String?
    public var analysis = AnalysisParameters()
    public var agentChannel: AgentChannel?
    /// `analysis.hold_music`: the site's hold music and announcements, files or folders (paths
    /// relative to the settings file's folder); see `HoldMusicLibrary`.
    public var holdMusic: [String] = []
    public var kpi = KPISettings()
    /// Below this many answers an NPS is marked not reliable.
    public var npsMinimumN = 30
    /// Below this many scored calls an agent's quality is marked too small to judge.
    public var agentsMinimumScored = 10
    /// `callqa watch`'s alert rules and where alerts are sent.
    public var alerts = AlertSettings()
    /// How long after an evaluator answer is stored it may be disputed.
    public var disputeWindow = DisputeWindow()
    /// The `transcription` section.
    public var transcription = TranscriptionSetup()

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

    /// Settings files larger than this are refused (bytes).
    public static let maxFileBytes = 1 << 20

    /// Reads and checks a settings file; throws every problem found.
    public static func load(path: String) throws(SettingsError) -> SettingsFile {
        let text: String
        do { text = try StrictYAML.read(path: path, limit: maxFileBytes).text } catch { throw SettingsError([error]) }
        var settings = try parse(text, file: path)
        settings.path = path
        return settings
    }

    /// Parses settings text; `file` names it in errors. Every problem is collected (an unknown
    /// key, a value of the wrong kind, a number out of range), each with its line and column.
    public static func parse(_ text: String, file: String) throws(SettingsError) -> SettingsFile {
        let root: Node?
        do { root = try StrictYAML.compose(text, file: file) } catch { throw SettingsError([error]) }
        var s = SettingsFile()
        guard let root else { return s }   // an empty file: the defaults
        var reader = YAMLReader(file: file)
        let sections = ["analysis", "kpi", "nps", "agents", "alerts", "disputes", "transcription"]
        guard let top = reader.mapping(root, what: "settings", keys: sections, depth: 0) else { throw SettingsError(reader.issues) }
        /// A section's keys; nil for an absent or empty section (`kpi:` with nothing under it).
        func section(_ name: String, keys: [String]) -> (values: [String: Node], keys: [String: Node])? {
            guard let node = top[name], node.null == nil else { return nil }
            return reader.mappingWithKeys(node, what: name, keys: keys, depth: 1)
        }
        let analysisKeys = AnalysisParameters.keyPaths.map(\.name) + ["agent_channel", "hold_music"]
        if let m = section("analysis", keys: analysisKeys)?.values {
            if let node = m["hold_music"] {
                // One path or a list of them; relative ones are the settings file's folder's.
                let items = reader.list(node, depth: 2)
                let folder = (file as NSString).deletingLastPathComponent
                for item in items {
                    guard let path = reader.string(item, what: "analysis.hold_music") else { continue }
                    if path.isEmpty {
                        reader.error(item, "analysis.hold_music: expected a file or folder path, got an empty string")
                    } else {
                        let expanded = (path as NSString).expandingTildeInPath
                        s.holdMusic.append(expanded.hasPrefix("/") || folder.isEmpty ? expanded : (folder as NSString).appendingPathComponent(expanded))
                    }
                }
            }
            if let c = reader.choice(m["agent_channel"], what: "analysis.agent_channel", allowed: AgentChannel.allCases.map(\.rawValue)) {
                s.agentChannel = AgentChannel(rawValue: c)
            }
            for (name, path) in AnalysisParameters.keyPaths {
                if let v = reader.number(m[name], what: "analysis.\(name)") { s.analysis[keyPath: path] = v }
            }
            // Ranges and relations between parameters, at the value they name (else the section).
            if let problem = s.analysis.validationError() {
                let named = AnalysisParameters.keyPaths.first { problem.contains("'\($0.name)'") && m[$0.name] != nil }
                if let node = named.flatMap({ m[$0.name] }) ?? top["analysis"] {
                    reader.error(node, "analysis: \(problem)")
                }
            }
        }
        if let m = section("kpi", keys: kpiKeys)?.values {
            func nonNegative(_ key: String, unit: String) -> Double? {
                guard let node = m[key], let v = reader.number(node, what: "kpi.\(key)") else { return nil }
                guard v >= 0 else { reader.error(node, "kpi.\(key): expected \(unit) ≥ 0, got \(YAMLReader.format(v))"); return nil }
                return v
            }
            if let v = nonNegative("sl_threshold_s", unit: "seconds") { s.kpi.slThresholdS = v }
            if let v = nonNegative("short_abandon_s", unit: "seconds") { s.kpi.shortAbandonS = v }
            if let node = m["fcr_window_days"], let days = reader.number(node, what: "kpi.fcr_window_days") {
                if days > 0 { s.kpi.fcrWindowS = days * 86400 } else { reader.error(node, "kpi.fcr_window_days: expected days > 0, got \(YAMLReader.format(days))") }
            }
            if let v = reader.choice(m["sl_variant"], what: "kpi.sl_variant", allowed: SLVariant.allCases.map(\.rawValue)) {
                s.kpi.headline = SLVariant(rawValue: v) ?? s.kpi.headline
            }
        }
        /// A whole number ≥ 1 (counts of answers or calls).
        func count(_ m: [String: Node], _ what: String, _ key: String) -> Int? {
            guard let node = m[key], let n = reader.number(node, what: "\(what).\(key)") else { return nil }
            guard n >= 1, n == n.rounded(), n < 1e9 else {
                reader.error(node, "\(what).\(key): expected a whole number ≥ 1, got \(YAMLReader.format(n))")
                return nil
            }
            return Int(n)
        }
        if let m = section("nps", keys: ["min_n"])?.values, let n = count(m, "nps", "min_n") { s.npsMinimumN = n }
        if let m = section("agents", keys: ["min_scored"])?.values, let n = count(m, "agents", "min_scored") { s.agentsMinimumScored = n }
        if let node = top["alerts"], node.null == nil { s.alerts = AlertSettings.parse(node, reader: &reader) }
        if let m = section("disputes", keys: ["window_days"])?.values, let node = m["window_days"],
           let days = reader.number(node, what: "disputes.window_days") {
            if days > 0 && days <= 3650 { s.disputeWindow = DisputeWindow(days: days) } else {
                reader.error(node, "disputes.window_days: expected days > 0 and at most 3650, got \(YAMLReader.format(days))")
            }
        }
        if let t = section("transcription", keys: TranscriptionSetup.keys) {
            s.transcription = TranscriptionSetup.parse(t.values, reader: &reader)
        }
        if !reader.issues.isEmpty { throw SettingsError(reader.issues) }
        return s
    }
}

/// The `transcription` section of the settings file: which model, which calls, how.
///
/// ```yaml
/// transcription:
///   model: /usr/local/share/callqa/models/ggml-base-q8_0.bin   # default (see README)
///   stage: false            # true: ingest, run and watch transcribe the calls they analysed
///   select:                 # which calls need transcripts (absent: every analysed call);
///     cards: [order-confirmation]   # a call is selected when any rule holds
///     queues: [support]
///     sample_share: 0.1     # 10 % of all calls, chosen by call id
///   language: auto          # or one language for every call: en, de, ru, …
///   languages: [en, de]     # detection picks among these (default: any whisper knows)
///   languages_by_queue: {support_de: de, support_ru: ru}
///   customer_channel: true  # false: the customer's channel is never transcribed
///   redact: true            # digit runs (card and phone numbers, codes) out before storage
///   window_s: 25            # longest recogniser window (s), 5–28
///   jobs: 2                 # calls in parallel (default: every core)
///   threads: 1              # recogniser threads per call
/// ```
public struct TranscriptionSetup: Sendable, Equatable {
    /// nil: the command line's `--model`, else the installed default.
    public var modelPath: String?
    public var stage = false
    public var selection = TranscriptSelection()
    public var settings = TranscriptionSettings()
    public var jobs: Int?
    public var threads: Int?

    public init() {}

    static let keys = ["model", "stage", "select", "language", "languages", "languages_by_queue", "customer_channel", "redact", "window_s", "jobs", "threads"]

    static func parse(_ m: [String: Node], reader: inout YAMLReader) -> TranscriptionSetup {
        var t = TranscriptionSetup()
        if let p = reader.string(m["model"], what: "transcription.model") {
            if p.isEmpty { reader.error(m["model"]!, "transcription.model: expected the path of a whisper.cpp model file") } else { t.modelPath = p }
        }
        if let b = reader.bool(m["stage"], what: "transcription.stage") { t.stage = b }
        if let b = reader.bool(m["customer_channel"], what: "transcription.customer_channel") { t.settings.customerChannel = b }
        if let b = reader.bool(m["redact"], what: "transcription.redact") { t.settings.redact = b }
        if let w = reader.number(m["window_s"], what: "transcription.window_s", range: 5...28) { t.settings.windowS = w }
        func language(_ node: Node, what: String) -> String? {
            guard let code = reader.string(node, what: what) else { return nil }
            guard code.count == 2 || code.count == 3, code == code.lowercased(), WhisperSession.knowsLanguage(code) else {
                reader.error(node, "\(what): expected a language code whisper knows (en, de, fr, es, it, ru, pl, nl, pt, …) or auto, got '\(code)'")
                return nil
            }
            return code
        }
        if let node = m["language"], let s = node.scalar?.string, s == "auto" {
            t.settings.language = nil
        } else if let node = m["language"] {
            t.settings.language = language(node, what: "transcription.language")
        }
        if let node = m["languages"] {
            t.settings.detectAmong = reader.list(node, depth: 2).compactMap { language($0, what: "transcription.languages") }
        }
        if let node = m["languages_by_queue"] {
            if case let .mapping(pairs) = node, reader.budget(node, depth: 2) {
                for (k, v) in pairs {
                    guard let queue = k.scalar?.string, !queue.isEmpty else { reader.error(k, "transcription.languages_by_queue: keys are queue names"); continue }
                    if t.settings.languagesByQueue[queue] != nil { reader.error(k, "transcription.languages_by_queue: queue '\(queue)' appears twice"); continue }
                    if let code = language(v, what: "transcription.languages_by_queue.\(queue)") { t.settings.languagesByQueue[queue] = code }
                }
            } else {
                reader.error(node, "transcription.languages_by_queue: expected queue names with a language each, e.g. {support_de: de}")
            }
        }
        func count(_ key: String, _ range: ClosedRange<Double>) -> Int? {
            guard let node = m[key], let v = reader.number(node, what: "transcription.\(key)", range: range) else { return nil }
            guard v == v.rounded() else { reader.error(node, "transcription.\(key): expected a whole number, got \(YAMLReader.format(v))"); return nil }
            return Int(v)
        }
        t.jobs = count("jobs", 1...256)
        t.threads = count("threads", 1...64)
        if let node = m["select"], let sel = reader.mapping(node, what: "transcription.select", keys: ["cards", "queues", "sample_share"], depth: 2) {
            if let c = sel["cards"] { t.selection.cards = reader.list(c, depth: 3).compactMap { reader.string($0, what: "transcription.select.cards") } }
            if let q = sel["queues"] { t.selection.queues = reader.list(q, depth: 3).compactMap { reader.string($0, what: "transcription.select.queues") } }
            t.selection.sampleShare = reader.number(sel["sample_share"], what: "transcription.select.sample_share", range: 0...1)
            if sel.isEmpty { reader.error(node, "transcription.select: give cards, queues or sample_share (or leave select out: every analysed call)") }
        }
        return t
    }
}

/// A settings file that cannot be used: every problem found, in the order of the file, each
/// with the file, line and column (`callqa.yaml:3:3: analysis: unknown key 'dead_air' (did you
/// mean 'dead_air_s'?); allowed: …`).
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [YAMLIssue]

    public init(_ issues: [YAMLIssue]) {
        self.issues = issues.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }.map(\.element)
    }

    /// One line per problem: `file:line:column: message` (`file: message` for the file as a whole).
    public var lines: [String] {
        issues.map { $0.line > 0 ? $0.description : "\($0.file): \($0.message)" }
    }

    public var description: String { lines.joined(separator: "\n") }
}

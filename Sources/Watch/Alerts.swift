import CallQAModel
import Foundation
import Logging
import Pipeline
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Checks the settings file's alert rules against calls just stored and scored, and against
/// detractor surveys imported while the watcher runs.
struct AlertEvaluator {
    let settings: AlertSettings

    /// The alerts the rules raise on these calls (the store keeps one per call and rule).
    func evaluate(callIDs: [String], store: CallStore, nowEpoch: Double) throws(StoreError) -> [NewAlert] {
        guard !settings.rules.isEmpty, !callIDs.isEmpty else { return [] }
        let rules = settings.rules
        let needFacts = rules.contains { if case .metric = $0.condition { true } else { false } }
        let needScores = rules.contains {
            switch $0.condition { case .criticalFailed, .scoreBelow: true; default: false }
        }
        let needSurveys = rules.contains { if case .surveyAtMost = $0.condition { true } else { false } }
        var facts: [String: CallFacts] = [:]
        if needFacts {
            for input in try store.scoringInputs(period: .all, callIDs: callIDs, scope: .everything) { facts[input.facts.callID] = input.facts }
        }
        var out: [NewAlert] = []
        for id in callIDs {
            let scores = needScores ? try store.storedScores(callID: id, scope: .everything) : []
            let surveys = needSurveys ? try store.callSurveys(callID: id, scope: .everything) : []
            for rule in rules {
                if let reason = Self.reason(rule.condition, facts: facts[id], scores: scores, surveys: surveys) {
                    out.append(NewAlert(callID: id, ruleID: rule.id, reason: reason, raisedEpoch: nowEpoch, notify: settings.notifies))
                }
            }
        }
        return out
    }

    /// Why the condition holds for a call, nil when it does not. Reasons name metric values,
    /// card and criterion ids and survey scores: never a number or a name of a person.
    static func reason(_ c: AlertRule.Condition, facts: CallFacts?, scores: [StoredScore], surveys: [SurveyFact]) -> String? {
        switch c {
        case let .metric(name, atLeast, atMost):
            guard case let .number(v)? = facts?.values[name] else { return nil }
            if let low = atLeast, v < low { return nil }
            if let high = atMost, v > high { return nil }
            let limits = [atLeast.map { "at least \(FactValue.format($0))" }, atMost.map { "at most \(FactValue.format($0))" }]
                .compactMap { $0 }.joined(separator: ", ")
            return "\(name) = \(FactValue.format(v)) (\(limits))"
        case let .criticalFailed(card):
            for s in scores where card == nil || s.cardID == card {
                let failed = s.results.filter { $0.critical && $0.outcome == .notMet }.map(\.criterionID)
                if s.criticalFailed || !failed.isEmpty {
                    return "critical criterion failed on card \(s.cardID): \(failed.isEmpty ? "(see the call)" : failed.joined(separator: ", "))"
                }
            }
            return nil
        case let .scoreBelow(limit, card):
            for s in scores where (card == nil || s.cardID == card) && s.status == .complete {
                if let v = s.score, v < limit { return "score \(FactValue.format((v * 10).rounded() / 10)) % on card \(s.cardID) (below \(FactValue.format(limit)))" }
            }
            return nil
        case let .surveyAtMost(limit):
            guard let worst = surveys.compactMap(\.score).min(), worst <= limit else { return nil }
            return "survey score \(worst) (at most \(limit))"
        }
    }
}

/// Sends alerts to the configured command and webhook, from the `alerts` table: each alert
/// until it was sent, or failed `attempts` times (retries back off). Runs on its own thread
/// so a slow endpoint never holds up the calls. A crash between sending and recording it
/// sends that alert again at the next start: at least once, never lost.
final class AlertNotifier: @unchecked Sendable {
    let settings: AlertSettings
    let store: CallStore
    let logger: Logger
    let curl: String?
    private let lock = NSCondition()
    private var stopping = false
    private var wake = false
    private var thread: Thread?
    private var finished = false

    init(settings: AlertSettings, store: CallStore, logger: Logger, curl: String?) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.curl = curl
    }

    func start() {
        guard settings.notifies else { return }
        let t = Thread { [self] in loop() }
        t.name = "callqa-alerts"
        thread = t
        t.start()
    }

    /// New alerts are waiting.
    func poke() {
        lock.lock()
        wake = true
        lock.signal()
        lock.unlock()
    }

    /// Stops after the notification in progress (waits at most `timeoutS` + 1 s for it).
    func stop() {
        guard thread != nil else { return }
        lock.lock()
        stopping = true
        lock.signal()
        let deadline = Date().addingTimeInterval(settings.timeoutS * 2 + 1)
        while !finished, lock.wait(until: deadline) {}
        lock.unlock()
    }

    private func loop() {
        while true {
            lock.lock()
            if stopping {
                finished = true
                lock.signal()
                lock.unlock()
                return
            }
            if !wake { _ = lock.wait(until: Date().addingTimeInterval(1)) }
            wake = false
            let stop = stopping
            lock.unlock()
            if stop { continue }
            do {
                let now = Date().timeIntervalSince1970
                for alert in try store.alertsToNotify(nowEpoch: now, limit: 20, scope: .everything) {
                    if isStopping { break }
                    deliver(alert)
                }
            } catch {
                logger.error("alerts: cannot read the alerts to send", metadata: ["error": "\(error)"])
            }
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// The JSON sent: alert id, call id, rule, reason, times, a link to the call's page when
    /// the workspace's address is set; agent and team only with `include_agent: true`.
    func payload(_ a: AlertRow) -> String {
        var fields: [(String, String)] = [
            ("alert_id", String(a.alertID)), ("call_id", JSONText.string(a.callID)), ("rule", JSONText.string(a.ruleID)),
            ("reason", JSONText.string(a.reason)), ("raised_at", JSONText.string(a.raisedAt)),
            ("call_started_at", JSONText.string(a.callStartedAt)),
        ]
        if let base = settings.workspaceURL {
            let id = a.callID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#%"))) ?? a.callID
            fields.append(("url", JSONText.string("\(base)/calls/\(id)")))
        }
        if settings.includeAgent {
            fields.append(("agent_id", a.agentID.map(JSONText.string) ?? "null"))
            fields.append(("team", a.team.map(JSONText.string) ?? "null"))
        }
        return JSONText.object(fields)
    }

    private func deliver(_ a: AlertRow) {
        let body = payload(a)
        var problems: [String] = []
        if let command = settings.command {
            var env = ProcessInfo.processInfo.environment
            env["CALLQA_ALERT_ID"] = String(a.alertID)
            env["CALLQA_ALERT_CALL_ID"] = a.callID
            env["CALLQA_ALERT_RULE"] = a.ruleID
            env["CALLQA_ALERT_REASON"] = a.reason
            if let p = Self.run(command, stdin: body, environment: env, timeoutS: settings.timeoutS) { problems.append("command: \(p)") }
        }
        if let url = settings.webhook {
            if let curl {
                let args = [curl, "--silent", "--show-error", "--fail", "--max-time", String(Int(settings.timeoutS.rounded(.up))),
                            "--request", "POST", "--header", "Content-Type: application/json", "--header", "User-Agent: callqa-watch",
                            "--data-binary", "@-", "--", url]
                if let p = Self.run(args, stdin: body, environment: ProcessInfo.processInfo.environment, timeoutS: settings.timeoutS + 5) {
                    problems.append("webhook: \(p)")
                }
            } else {
                problems.append("webhook: curl is not installed")
            }
        }
        let now = Date().timeIntervalSince1970
        let attempt = a.notifyAttempts + 1
        do {
            if problems.isEmpty {
                try store.recordNotification(alertID: a.alertID, status: .sent, error: nil, retryEpoch: nil, nowEpoch: now)
                logger.info("alert sent", metadata: ["alert_id": "\(a.alertID)", "call_id": "\(a.callID)", "rule": "\(a.ruleID)"])
            } else {
                let giveUp = attempt >= settings.attempts
                let retry = giveUp ? nil : now + 10 * pow(2, Double(attempt - 1))
                try store.recordNotification(alertID: a.alertID, status: giveUp ? .failed : .pending, error: problems.joined(separator: "; "),
                                             retryEpoch: retry, nowEpoch: now)
                logger.warning(giveUp ? "alert not sent, giving up" : "alert not sent, will retry",
                               metadata: ["alert_id": "\(a.alertID)", "call_id": "\(a.callID)", "rule": "\(a.ruleID)",
                                          "attempt": "\(attempt)", "error": "\(problems.joined(separator: "; "))"])
            }
        } catch {
            logger.error("alerts: cannot record a notification", metadata: ["error": "\(error)"])
        }
    }

    /// Runs a program (no shell) with `stdin`, killed after `timeoutS`. Nil on exit status 0,
    /// else what went wrong (its standard error's last line).
    static func run(_ argv: [String], stdin: String, environment: [String: String], timeoutS: Double) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.environment = environment
        let input = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errors
        do { try p.run() } catch { return "cannot start \(argv[0]): \(error.localizedDescription)" }
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeoutS)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            usleep(200_000)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            return "timed out after \(FactValue.format(timeoutS)) s"
        }
        p.waitUntilExit()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").last.map(String.init) ?? ""
        return p.terminationStatus == 0 ? nil : "exit status \(p.terminationStatus)\(err.isEmpty ? "" : ": " + String(err.prefix(300)))"
    }
}

import CallQAModel
import FileAccess
import Foundation

/// Asterisk call records: `cdr_csv`'s Master.csv and the queue_log.
public enum AsteriskCDR {
    /// cdr_csv's fixed column order (16 columns; 18 with `uniqueid, userfield`; 21 with
    /// `peeraccount, linkedid, sequence`).
    public static let defaultColumns = [
        "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
        "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
        "uniqueid", "userfield", "peeraccount", "linkedid", "sequence",
    ]

    /// Columns `--cdr-columns` may name beyond cdr_csv's: `recordingfile` (FreePBX's CDR,
    /// or a `cdr_custom` mapping with `${MIXMONITOR_FILENAME}`), the row's (leg's) recording.
    public static let optionalColumns = ["recordingfile"]

    /// Reads Master.csv. `columns` overrides the column order for sites that reorder it.
    /// Timestamps (`YYYY-MM-DD HH:MM:SS`, no offset) are read in `zone`.
    /// Each row becomes a call keyed by `uniqueid`; `src` is the caller, `dst` the dialed
    /// number, the agent is `dstchannel` without its `-sequence` suffix (`SIP/1001`), the queue
    /// comes from `lastapp = Queue`'s first argument, talk is `billsec`, wait is answer − start.
    public static func parse(path: String, zone: Timestamp.Zone, columns: [String]? = nil) -> ParsedRecords {
        var out = ParsedRecords()
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, delimiter: UInt8(ascii: ","))
        } catch {
            out.fileError = RecordError(source: SourceRef(file: path, line: 0), message: error.description)
            return out
        }
        var rows: Rows
        do { rows = try Rows(zone: zone, columns: columns) } catch {
            out.fileError = RecordError(source: SourceRef(file: path, line: 0), message: error.message)
            return out
        }
        while let rec = reader.nextRecord(onError: {
            out.errors.append(RecordError(source: SourceRef(file: path, line: $0.line), message: $0.description))
        }) {
            out.errors += rows.add(rec, file: path).errors
        }
        out.records = rows.records
        return out
    }

    /// Master.csv rows folded into calls one row at a time, exactly as `parse` folds a whole
    /// file: `parse` is this over every row of the file. `callqa watch` feeds it the rows of a
    /// file that grows. A call is keyed by the uniqueid of its first row; later rows with the
    /// same uniqueid (or linkedid) are further legs of it, exact repeats are ignored.
    public struct Rows: Sendable {
        let zone: Timestamp.Zone
        let names: [String]
        let explicitColumns: Int?
        let uidIndex: Int
        /// The calls by key (the first row's uniqueid), and the keys in order of first row.
        public private(set) var byKey: [String: CallRecord] = [:]
        public private(set) var keys: [String] = []
        private var byID: [String: String] = [:], byLinkedID: [String: String] = [:]

        /// - Throws: when the column map has no `uniqueid` (calls cannot be identified).
        public init(zone: Timestamp.Zone, columns: [String]? = nil) throws(RecordError) {
            self.zone = zone
            names = columns ?? defaultColumns
            explicitColumns = columns?.count
            guard let uid = names.firstIndex(of: "uniqueid") ?? names.firstIndex(of: "linkedid") else {
                throw RecordError(source: SourceRef(file: "", line: 0), message: "the column map has no 'uniqueid': calls cannot be identified")
            }
            uidIndex = uid
        }

        /// The calls in order of their first row.
        public var records: [CallRecord] { keys.compactMap { byKey[$0] } }

        /// The key a row belongs to, without folding it in: its call's when it is a further
        /// leg or a repeat, else its own uniqueid; nil when it has none.
        public func key(of rec: CSVRecord) -> String? {
            guard rec.fields.count > uidIndex else { return nil }
            let uid = rec.fields[uidIndex].trimmedSpaces
            guard !uid.isEmpty else { return nil }
            if let k = byID[uid] { return k }
            if let i = names.firstIndex(of: "linkedid"), i < rec.fields.count, let linked = FieldParse.text(rec.fields[i]), let k = byLinkedID[linked] {
                return k
            }
            return uid
        }

        /// Folds one row in. Returns the key of the call it belongs to (nil when the row was
        /// rejected before it could be tied to a call) and the row's errors.
        @discardableResult
        public mutating func add(_ rec: CSVRecord, file path: String) -> (key: String?, errors: [RecordError]) {
            let ref = SourceRef(file: path, line: rec.line)
            let minimum = explicitColumns ?? 17
            guard rec.fields.count >= minimum, rec.fields.count <= max(names.count, minimum) else {
                return (nil, [RecordError(source: ref, message: "expected \(explicitColumns.map { "\($0)" } ?? "17, 18 or 21") cdr_csv columns (with uniqueid), got \(rec.fields.count)")])
            }
            var v: [String: String] = [:]
            for (i, f) in rec.fields.enumerated() where i < names.count { v[names[i]] = f }
            let uid = rec.fields[uidIndex].trimmedSpaces
            guard !uid.isEmpty else {
                return (nil, [RecordError(source: ref, field: "uniqueid", message: "missing uniqueid")])
            }
            guard uid.count <= 200, !uid.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else {
                return (nil, [RecordError(source: ref, field: "uniqueid", message: "uniqueid must be one line of at most 200 characters without control characters")])
            }
            let call: CallRecord
            do { call = try record(v, uid: uid, ref: ref, zone: zone) } catch { return (nil, [error]) }
            // Asterisk 12+ writes one row per bridge: a transferred call has several rows
            // with the same uniqueid (or, between channels, the same linkedid).
            let linked = v["linkedid"].flatMap(FieldParse.text)
            if let previous = byID[uid] ?? linked.flatMap({ byLinkedID[$0] }), let first = byKey[previous] {
                if first.fingerprint == call.fingerprint || first.legs.contains(where: { leg(leg(call)) == leg($0) }) {
                    return (previous, [])
                }
                if let merged = addLeg(call, to: first) {
                    byKey[previous] = merged
                    byID[uid] = previous
                    return (previous, [])
                }
                return (nil, [RecordError(source: ref, callID: uid, field: "uniqueid",
                                          message: "duplicate uniqueid '\(uid)' with different content (first at line \(first.source.line)); a further leg (bridge) of one call must start within 12 hours after it")])
            }
            byID[uid] = uid
            if let linked { byLinkedID[linked] = uid }
            byKey[uid] = call
            keys.append(uid)
            return (uid, [])
        }

        /// Forgets calls (their rows were folded long ago and they are stored): a later row with
        /// one of their uniqueids starts a new call.
        public mutating func remove(keys gone: Set<String>) {
            guard !gone.isEmpty else { return }
            for k in gone { byKey.removeValue(forKey: k) }
            keys.removeAll { gone.contains($0) }
            byID = byID.filter { !gone.contains($0.value) }
            byLinkedID = byLinkedID.filter { !gone.contains($0.value) }
        }
    }

    static func record(_ v: [String: String], uid: String, ref: SourceRef, zone: Timestamp.Zone) throws(RecordError) -> CallRecord {
        var call = CallRecord(callID: uid, source: ref)
        func time(_ name: String, required: Bool) throws(RecordError) -> Timestamp? {
            guard let t = v[name].flatMap(FieldParse.text) else {
                if required { throw RecordError(source: ref, callID: uid, field: name, message: "missing time (expected YYYY-MM-DD HH:MM:SS)") }
                return nil
            }
            guard let ts = Timestamp.parse(t, zone: zone) else {
                throw RecordError(source: ref, callID: uid, field: name, message: "expected YYYY-MM-DD HH:MM:SS, got \"\(t)\"")
            }
            return ts
        }
        guard let start = try time("start", required: true) else { return call }
        let answer = try time("answer", required: false)
        let end = try time("end", required: false)
        call.startedAt = start
        call.caller = v["src"].flatMap(FieldParse.text)
        call.dialed = v["dst"].flatMap(FieldParse.text)
        if let dst = v["dstchannel"].flatMap(FieldParse.text) { call.agentID = agentName(fromChannel: dst) }
        if v["lastapp"]?.lowercased() == "queue", let data = v["lastdata"].flatMap(FieldParse.text) {
            call.queue = data.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init)
            call.direction = .inbound
        }
        // An agent's extension dialling out: `src` is the extension, `dst` the customer's
        // number, and the agent is the calling channel (`dstchannel` is the trunk).
        if call.direction == nil, let src = call.caller, let dst = call.dialed, isExtension(src),
           dst.filter(\.isNumber).count >= 7 {
            call.direction = .outbound
            if let ch = v["channel"].flatMap(FieldParse.text) { call.agentID = agentName(fromChannel: ch) }
        }
        let disposition = v["disposition"].flatMap(FieldParse.text)?.uppercased()
        guard let d = disposition, ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"].contains(d) else {
            throw RecordError(source: ref, callID: uid, field: "disposition",
                              message: "expected ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION, got \"\(disposition ?? "")\"")
        }
        call.answered = d == "ANSWERED"
        call.talkS = try FieldParse.seconds(v["billsec"] ?? "", field: "billsec", at: ref, callID: uid)
        if let duration = try FieldParse.seconds(v["duration"] ?? "", field: "duration", at: ref, callID: uid),
           let billsec = call.talkS, billsec > duration {
            throw RecordError(source: ref, callID: uid, field: "billsec", message: "billsec \(billsec) exceeds duration \(duration)")
        }
        if call.answered == true, let answer {
            guard answer.epochS >= start.epochS else {
                throw RecordError(source: ref, callID: uid, field: "answer", message: "answer time is before start time")
            }
            call.waitS = answer.epochS - start.epochS
        } else if call.answered == false, let end {
            call.waitS = max(0, end.epochS - start.epochS)
        }
        for key in ["accountcode", "userfield", "dcontext", "linkedid", "channel", "amaflags"] {
            if let value = v[key].flatMap(FieldParse.text) { call.attributes["cdr_" + key] = value }
        }
        call.attributes["cdr_disposition"] = d
        if let file = v["recordingfile"].flatMap(FieldParse.text) { call.recording = file }
        return call
    }

    /// The leg one CDR row describes.
    static func leg(_ row: CallRecord) -> CallLeg {
        CallLeg(agentID: row.agentID, talkS: row.talkS, startedAt: row.startedAt, answered: row.answered ?? false, source: row.source,
                recording: row.recording)
    }

    static func leg(_ l: CallLeg) -> CallLeg {
        var c = l
        c.source = SourceRef(file: "", line: 0)
        c.scored = true
        return c
    }

    /// The call with one more leg: talk is the sum of the legs; answered if any leg was;
    /// start and wait stay the first leg's. Nil when the row cannot be a leg of this call
    /// (it starts before it, or more than 12 hours after).
    ///
    /// Whose call it is (agent, scorecards, quality) follows the recording. When no row names
    /// a recording (`recordingfile`), one recording found by uniqueid holds the whole call:
    /// every leg is covered and the call is the agent's with the most talk. When rows name
    /// their own recordings, the call is analysed on the recording of the leg with the most
    /// talk among those with one (every leg naming that same file is covered too), and is that
    /// leg's agent's; legs with another file or none are kept, marked not scored.
    static func addLeg(_ row: CallRecord, to call: CallRecord) -> CallRecord? {
        guard let first = call.startedAt, let start = row.startedAt,
              start.epochS >= first.epochS, start.epochS - first.epochS <= 12 * 3600 else { return nil }
        var c = call
        if c.legs.isEmpty { c.legs = [leg(call)] }
        c.legs.append(leg(row))
        c.legs.sort { ($0.startedAt?.epochS ?? 0, $0.source.line) < ($1.startedAt?.epochS ?? 0, $1.source.line) }
        let talks = c.legs.compactMap(\.talkS)
        c.talkS = talks.isEmpty ? nil : talks.reduce(0, +)
        c.answered = c.legs.contains(where: \.answered)
        if c.legs.contains(where: { $0.recording != nil }) {
            // The leg with the most talk among those with a recording (the later one on a tie).
            let withFile = c.legs.indices.filter { c.legs[$0].recording != nil }
            let top = withFile.max { (c.legs[$0].talkS ?? 0, $0) < (c.legs[$1].talkS ?? 0, $1) }!
            let file = c.legs[top].recording
            c.recording = file
            for i in c.legs.indices { c.legs[i].scored = c.legs[i].recording == file }
            var byAgent: [String: Double] = [:]
            for l in c.legs where l.scored { if let a = l.agentID { byAgent[a, default: 0] += l.talkS ?? 0 } }
            if let a = c.legs.filter(\.scored).compactMap(\.agentID).max(by: { (byAgent[$0] ?? 0) < (byAgent[$1] ?? 0) }) { c.agentID = a }
        } else {
            for i in c.legs.indices { c.legs[i].scored = true }
            var byAgent: [String: Double] = [:]
            for l in c.legs { if let a = l.agentID { byAgent[a, default: 0] += l.talkS ?? 0 } }
            if let top = c.legs.compactMap(\.agentID).max(by: { (byAgent[$0] ?? 0) < (byAgent[$1] ?? 0) }) { c.agentID = top }
        }
        if c.waitS == nil { c.waitS = row.waitS }
        c.attributes["cdr_legs"] = String(c.legs.count)
        return c
    }

    /// An internal extension: 2 to 6 digits (a contact center's own short number).
    static func isExtension(_ number: String) -> Bool {
        (2...6).contains(number.count) && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `SIP/1001-0000002a` → `SIP/1001`; `Local/1001@agents-00000001;1` → `Local/1001@agents`.
    public static func agentName(fromChannel channel: String) -> String {
        var c = Substring(channel)
        if let semi = c.lastIndex(of: ";") { c = c[..<semi] }
        if let dash = c.lastIndex(of: "-"), c[c.index(after: dash)...].allSatisfy(\.isHexDigit),
           c.index(after: dash) < c.endIndex {
            c = c[..<dash]
        }
        return String(c)
    }
}

/// Asterisk's queue_log: `time|callid|queue|agent|event|data1|data2|…`.
public enum QueueLog {
    /// Folds the events of each call id into one call record:
    /// ENTERQUEUE (start, queue, caller id), CONNECT (agent, wait = holdtime),
    /// ABANDON / EXITWITHTIMEOUT (unanswered, wait = waittime),
    /// COMPLETEAGENT / COMPLETECALLER (wait = holdtime, talk = calltime),
    /// TRANSFER (wait = holdtime, talk = calltime). Other events and `NONE` call ids
    /// (agent logins, queue starts) are ignored.
    public static func parse(path: String, zone: Timestamp.Zone) -> ParsedRecords {
        var out = ParsedRecords()
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, delimiter: UInt8(ascii: "|"))
        } catch {
            out.fileError = RecordError(source: SourceRef(file: path, line: 0), message: error.description)
            return out
        }
        var events = Events(zone: zone)
        while let rec = reader.nextRecord(onError: {
            out.errors.append(RecordError(source: SourceRef(file: path, line: $0.line), message: $0.description))
        }) {
            out.errors += events.add(rec, file: path).errors
        }
        out.records = events.records
        return out
    }

    /// The events that end a call in the queue (it was answered and finished, or abandoned).
    public static let finalEvents: Set<String> = ["ABANDON", "EXITWITHTIMEOUT", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER"]

    /// queue_log lines folded into calls one line at a time, exactly as `parse` folds a whole
    /// file (`parse` is this over every line). `callqa watch` feeds it the lines of a log
    /// that grows. A call is keyed by its call id.
    public struct Events: Sendable {
        let zone: Timestamp.Zone
        public private(set) var byKey: [String: CallRecord] = [:]
        public private(set) var keys: [String] = []
        /// Calls whose final event (`finalEvents`) was read.
        public private(set) var finished: Set<String> = []

        public init(zone: Timestamp.Zone) {
            self.zone = zone
        }

        /// The calls in order of their first line.
        public var records: [CallRecord] { keys.compactMap { byKey[$0] } }

        /// The call id of a line that concerns a call (nil for `NONE` and lines without one).
        public static func key(of rec: CSVRecord) -> String? {
            guard rec.fields.count >= 5 else { return nil }
            let id = rec.fields[1].trimmedSpaces
            return id.isEmpty || id == "NONE" ? nil : id
        }

        /// Folds one line in. Returns the call id it concerned (nil for lines that concern no
        /// call or were rejected before they could) and the line's errors.
        @discardableResult
        public mutating func add(_ rec: CSVRecord, file path: String) -> (key: String?, errors: [RecordError]) {
            let ref = SourceRef(file: path, line: rec.line)
            let f = rec.fields
            guard f.count >= 5 else {
                return (nil, [RecordError(source: ref, message: "expected time|callid|queue|agent|event[|data…], got \(f.count) field(s)")])
            }
            let callID = f[1].trimmedSpaces
            let event = f[4].trimmedSpaces.uppercased()
            guard callID != "NONE", !callID.isEmpty else { return (nil, []) }
            // The same rule as a manifest's call_id: ids are shown in reports and terminals.
            guard callID.count <= 200, !callID.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else {
                return (nil, [RecordError(source: ref, field: "callid", message: "call id must be one line of at most 200 characters without control characters")])
            }
            let known = ["ENTERQUEUE", "CONNECT", "ABANDON", "EXITWITHTIMEOUT", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER"]
            guard known.contains(event) else { return (nil, []) }
            guard let epoch = FieldParse.decimal(f[0].trimmedSpaces), epoch > 0, epoch < 1e11 else {
                return (nil, [RecordError(source: ref, callID: callID, field: "time", message: "expected Unix time in seconds, got \"\(f[0])\"")])
            }
            var errors: [RecordError] = []
            func data(_ i: Int) -> String { 4 + i < f.count ? f[4 + i].trimmedSpaces : "" }
            func seconds(_ i: Int, _ name: String) -> Double? {
                let t = data(i)
                guard let v = FieldParse.decimal(t), v >= 0, v < 1e7 else {
                    errors.append(RecordError(source: ref, callID: callID, field: name, message: "\(event): expected seconds ≥ 0, got \"\(t)\""))
                    return nil
                }
                return v
            }
            if byKey[callID] == nil {
                keys.append(callID)
                var call = CallRecord(callID: callID, source: ref)
                call.direction = .inbound
                byKey[callID] = call
            }
            var call = byKey[callID]!
            let queue = f[2].trimmedSpaces
            if call.queue == nil, !queue.isEmpty, queue != "NONE" { call.queue = queue }
            let agent = f[3].trimmedSpaces
            let ts = Timestamp(epochS: epoch, offsetS: zone.offset(atEpochS: epoch))
            switch event {
            case "ENTERQUEUE":
                call.startedAt = ts
                call.source = ref
                if let cid = FieldParse.text(data(2)) { call.caller = cid }
            case "CONNECT":
                guard let wait = seconds(1, "holdtime") else { return (callID, errors) }
                call.waitS = wait
                call.answered = true
                if agent != "NONE", !agent.isEmpty { call.agentID = agent }
            case "ABANDON", "EXITWITHTIMEOUT":
                guard let wait = seconds(3, "waittime") else { return (callID, errors) }
                call.waitS = wait
                call.answered = false
                call.attributes["queue_exit"] = event.lowercased()
            case "COMPLETEAGENT", "COMPLETECALLER":
                guard let wait = seconds(1, "holdtime"), let talk = seconds(2, "calltime") else { return (callID, errors) }
                call.waitS = wait
                call.talkS = talk
                call.answered = true
                if agent != "NONE", !agent.isEmpty { call.agentID = agent }
                call.attributes["queue_exit"] = event.lowercased()
            case "TRANSFER":
                guard let wait = seconds(3, "holdtime"), let talk = seconds(4, "calltime") else { return (callID, errors) }
                call.waitS = wait
                call.talkS = talk
                call.answered = true
                if agent != "NONE", !agent.isEmpty { call.agentID = agent }
                call.attributes["queue_exit"] = "transfer"
            default: break
            }
            if call.startedAt == nil { call.startedAt = ts }
            if QueueLog.finalEvents.contains(event) { finished.insert(callID) }
            byKey[callID] = call
            return (callID, errors)
        }

        /// Forgets calls (folded long ago and stored): a later line with their id starts anew.
        public mutating func remove(keys gone: Set<String>) {
            guard !gone.isEmpty else { return }
            for k in gone { byKey.removeValue(forKey: k) }
            keys.removeAll { gone.contains($0) }
            finished.subtract(gone)
        }
    }

    /// Adds what the queue_log knows to CDR records with the same id (queue, agent, wait,
    /// talk, answered); queue_log calls without a CDR are kept as they are.
    public static func merge(cdr: [CallRecord], queueLog: [CallRecord]) -> [CallRecord] {
        var byID: [String: CallRecord] = [:]
        for q in queueLog { byID[q.callID] = q }
        var out: [CallRecord] = []
        for var c in cdr {
            if let q = byID.removeValue(forKey: c.callID) {
                c.queue = q.queue ?? c.queue
                c.agentID = q.agentID ?? c.agentID
                c.waitS = q.waitS ?? c.waitS
                c.talkS = q.talkS ?? c.talkS
                c.answered = q.answered ?? c.answered
                c.direction = q.direction ?? c.direction
                for (k, v) in q.attributes { c.attributes[k] = v }
            }
            out.append(c)
        }
        out += queueLog.filter { byID[$0.callID] != nil }
        return out
    }
}

extension InputKind {
    /// Looks at the first non-empty line: a header with `call_id` → manifest; pipe-separated
    /// with a Unix time first and 5+ fields → queue_log; 16+ comma fields with
    /// `YYYY-MM-DD HH:MM:SS` values → Asterisk CDR. Nil when none fits.
    public static func detect(path: String) -> InputKind? {
        guard let head = try? RegularFile.head(path, count: 8192) else { return nil }
        var text: String
        if head.count >= 2, (head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF) {
            // UTF-16 with a byte-order mark (Excel "Unicode text"): the reader converts it.
            text = String(data: head.prefix(head.count & ~1), encoding: .utf16) ?? ""
        } else {
            text = String(decoding: head, as: UTF8.self)
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard let line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .first(where: { !String($0).trimmedSpaces.isEmpty }) else { return nil }
        let lower = line.lowercased()
        let cells = lower.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        if cells.contains("call_id") { return .manifest }
        // A manifest header with another separator: read it as a manifest, whose parser
        // then says which separators it accepts.
        if lower.contains("call_id") && !lower.contains("|enterqueue|") { return .manifest }
        let pipes = line.split(separator: "|", omittingEmptySubsequences: false)
        if pipes.count >= 5, let t = Double(pipes[0]), t > 0 { return .queueLog }
        if cells.count >= 16, line.range(of: #"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"#, options: .regularExpression) != nil {
            return .asteriskCDR
        }
        return nil
    }
}

/// Where `callqa watch` has read a followed call-record file up to: the file's identity
/// (device and inode, to notice rotation), the bytes consumed and the next line's number.
public struct WatchSourceRow: Sendable, Equatable {
    /// The path followed (as given, or found in a watched folder).
    public var path: String
    public var kind: InputKind
    public var device: UInt64
    public var inode: UInt64
    /// Bytes of that file consumed: every record up to here is in the database.
    public var offset: Int64
    /// The line the next record starts on.
    public var nextLine: Int
    /// SHA-256 (hex) of the last bytes consumed (up to 64, before `offset`): finds the copy
    /// logrotate's copytruncate made, to read what the truncation took away.
    public var tailSHA256: String

    public init(path: String, kind: InputKind, device: UInt64, inode: UInt64, offset: Int64, nextLine: Int, tailSHA256: String = "") {
        self.path = path
        self.kind = kind
        self.device = device
        self.inode = inode
        self.offset = offset
        self.nextLine = nextLine
        self.tailSHA256 = tailSHA256
    }
}

/// A record line `callqa watch` keeps while its call may still change: its text sealed
/// (it holds caller numbers), where it was read, and the call it belongs to.
public struct WatchLineRow: Sendable, Equatable {
    /// Set by the store (reading order).
    public var lineID: Int64
    /// The followed path the line came through (which fold it belongs to).
    public var sourcePath: String
    /// The file's name when the line was read (a rotated file's new name when it was read there).
    public var file: String
    /// The line the record starts on.
    public var line: Int
    public var callKey: String
    /// When it was read (Unix time, s).
    public var readEpoch: Double
    /// The call was stored with this line folded in.
    public var done: Bool
    /// The record's bytes, sealed with the database's key (`LineSeal` in the watcher).
    public var sealed: [UInt8]

    public init(lineID: Int64 = 0, sourcePath: String, file: String, line: Int, callKey: String, readEpoch: Double, done: Bool = false,
                sealed: [UInt8]) {
        self.lineID = lineID
        self.sourcePath = sourcePath
        self.file = file
        self.line = line
        self.callKey = callKey
        self.readEpoch = readEpoch
        self.done = done
        self.sealed = sealed
    }
}

/// An alert a rule raised on a call.
public struct NewAlert: Sendable, Equatable {
    public var callID: String
    public var ruleID: String
    /// Why, without personal data (metric values, criterion ids, a survey score).
    public var reason: String
    public var raisedEpoch: Double
    /// A command or webhook is configured: the alert waits to be sent.
    public var notify: Bool

    public init(callID: String, ruleID: String, reason: String, raisedEpoch: Double, notify: Bool) {
        self.callID = callID
        self.ruleID = ruleID
        self.reason = reason
        self.raisedEpoch = raisedEpoch
        self.notify = notify
    }
}

/// How an alert's notification (command, webhook) went.
public enum NotifyStatus: String, Sendable, Equatable, CaseIterable {
    /// No command or webhook was configured when it was raised.
    case none
    /// Waiting to be sent (or to be tried again).
    case pending
    case sent
    /// Every attempt failed; `notify_error` says why.
    case failed
}

/// A stored alert, with the call's agent and team (what the workspace's list shows).
public struct AlertRow: Sendable, Equatable {
    public var alertID: Int64
    public var callID: String
    public var ruleID: String
    public var reason: String
    /// ISO 8601, UTC.
    public var raisedAt: String
    public var raisedEpoch: Double
    public var notifyStatus: NotifyStatus
    public var notifyAttempts: Int
    public var notifyError: String?
    public var agentID: String?
    public var team: String?
    /// The call's start (ISO 8601 with its offset).
    public var callStartedAt: String

    public init(alertID: Int64, callID: String, ruleID: String, reason: String, raisedAt: String, raisedEpoch: Double,
                notifyStatus: NotifyStatus, notifyAttempts: Int, notifyError: String?, agentID: String?, team: String?,
                callStartedAt: String) {
        self.alertID = alertID
        self.callID = callID
        self.ruleID = ruleID
        self.reason = reason
        self.raisedAt = raisedAt
        self.raisedEpoch = raisedEpoch
        self.notifyStatus = notifyStatus
        self.notifyAttempts = notifyAttempts
        self.notifyError = notifyError
        self.agentID = agentID
        self.team = team
        self.callStartedAt = callStartedAt
    }
}

import CallQAModel
import Store

/// Finds the recording of a call that an account may hear: the file's path, or nil when the
/// call does not exist, has no recording, or lies outside the account's scope (the three
/// answer alike: 404).
public protocol RecordingLocator: Sendable {
    func recordingPath(callID: String, for account: Account) throws(StoreError) -> String?
}

/// The locator over the store: the account's scope (`Account.scope`) is the only thing that
/// limits what it finds, through the store's scoped read.
public struct StoreRecordingLocator: RecordingLocator {
    public let store: CallStore

    public init(store: CallStore) { self.store = store }

    public func recordingPath(callID: String, for account: Account) throws(StoreError) -> String? {
        try store.recordingPath(callID: callID, scope: account.scope)
    }
}

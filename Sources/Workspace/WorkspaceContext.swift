import Hummingbird
import Logging
import NIOCore

/// The per-request context: the client's address and, once the session middleware has run,
/// who is logged in.
public struct WorkspaceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer address (without port); nil when unknown.
    public var peerAddress: String?
    /// The logged-in user's session, set by `SessionMiddleware`.
    public var session: AuthenticatedSession?
    /// Who calls `/api/v1` (a token's user, or the session's), set by `APIMiddleware`.
    public var apiCaller: APICaller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// A context for a request that did not come through a socket (in-process tests).
    public init(logger: Logger, peerAddress: String?) {
        coreContext = .init(source: LoggerSource(logger: logger))
        self.peerAddress = peerAddress
    }

    /// Form bodies are small; recordings are never uploaded.
    public var maxUploadSize: Int { 64 * 1024 }

    private struct LoggerSource: RequestContextSource {
        let logger: Logger
    }
}

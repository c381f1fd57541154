/// Why a recording could not be read.
public enum AudioIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be opened for reading.
    case cannotOpen(path: String, reason: String)
    /// libsndfile opened nothing: unknown or unsupported format (G.729, random bytes, …).
    case unsupportedFormat(path: String, reason: String)
    /// The file declares an impossible layout (zero sample rate, no channels).
    case invalidHeader(path: String, reason: String)
    /// Decoding failed part-way through the data.
    case readFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open '\(path)': \(reason)"
        case let .unsupportedFormat(path, reason):
            return "cannot decode '\(path)': \(reason) (libsndfile)"
        case let .invalidHeader(path, reason):
            return "invalid recording '\(path)': \(reason)"
        case let .readFailed(path, reason):
            return "error reading '\(path)': \(reason) (libsndfile)"
        }
    }
}

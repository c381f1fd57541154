/// The player of a call page in a static report folder: where the recording is, how the
/// page reaches it, and whether a browser can play its format. Browsers play PCM WAV, MP3
/// and FLAC; G.711 (µ-law, A-law) WAV only some of them (Chromium-based ones); GSM 6.10,
/// ADPCM and G.72x WAV none: the page says so instead of showing a player that stays silent.
public struct RecordingPlayer: Sendable, Equatable {
    /// Whether browsers play a format.
    public enum Playback: Sendable, Equatable {
        case everywhere
        /// Some browsers (the sentence says which).
        case someBrowsers(String)
        case none
    }

    /// The recording from the page: relative (`../../c-003.wav`) or `file:///…`.
    public var href: String
    /// The recording's path on this computer.
    public var path: String
    /// `href` is relative to the page.
    public var relative: Bool
    /// The folder that holds the report folder (what to send whole for a relative link to play).
    public var holder: String
    /// The file is there now (when the page was written).
    public var exists: Bool
    /// From the analysis; nil when the recording was never analysed.
    public var container: String?
    public var encoding: String?
    /// The call pages' script, from the page.
    public var script: String

    public init(href: String, path: String, relative: Bool, holder: String, exists: Bool, container: String?, encoding: String?, script: String) {
        self.href = href
        self.path = path
        self.relative = relative
        self.holder = holder
        self.exists = exists
        self.container = container
        self.encoding = encoding
        self.script = script
    }

    /// What browsers make of a container and encoding as the analysis names them
    /// (`WAV`/`µ-law`, …; see AudioIO's format names).
    public static func playback(container: String?, encoding: String?) -> Playback {
        guard let container, let encoding else { return .someBrowsers("The recording's format is unknown (it was not analysed).") }
        switch encoding {
        case "GSM 6.10", "IMA ADPCM", "MS ADPCM", "VOX ADPCM", "G.721", "G.723": return .none
        case "µ-law", "A-law": return .someBrowsers("Chrome, Edge and other Chromium-based browsers play G.711 \(encoding) WAV; other browsers may stay silent.")
        case "PCM8", "PCM16", "PCM24", "float32": return ["WAV", "WAVEX", "RF64"].contains(container) ? .everywhere : .someBrowsers("Not every browser plays \(container) files.")
        case "MP3", "FLAC": return .everywhere
        case "Vorbis", "Opus": return .someBrowsers("Safari may not play Ogg \(encoding).")
        default: return .someBrowsers("Not every browser plays \(container) \(encoding).")
        }
    }

    /// `WAV µ-law`, or nil when unknown.
    public var format: String? { container.flatMap { c in encoding.map { "\(c) \($0)" } } }
}

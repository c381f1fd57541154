import AudioIO
import CallAnalysis
import CallQAModel

/// Version of the analysis algorithm; stored with every result. Bump when numbers change.
public let analyzerVersion = "callqa-analysis 28"

/// Why a recording could not be analysed.
public enum AnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reader failed (cannot open, cannot decode, bad header, read error).
    case audio(AudioIOError)
    /// More than two channels and no explicit channel choice.
    case tooManyChannels(path: String, channels: Int)
    /// The explicit channel choice does not fit the file.
    case badChannelSelection(path: String, selection: [Int], channels: Int)

    public var description: String {
        switch self {
        case let .audio(e): return e.description
        case let .tooManyChannels(path, n):
            return "'\(path)' has \(n) channels: expected 1 (mono) or 2 (agent + customer); choose two with --channels A,B"
        case let .badChannelSelection(path, sel, n):
            let s = sel.map { String($0 + 1) }.joined(separator: ",")
            return "'\(path)': --channels \(s) does not fit a file with \(n) channel(s): expected 1 or 2 distinct channels between 1 and \(n)"
        }
    }
}

/// Streams recordings through the analysis.
public enum RecordingAnalyzer {
    /// Opens `path` with libsndfile and analyses it.
    public static func analyze(path: String, options: AnalysisOptions) throws(AnalysisError) -> RecordingAnalysis {
        let source: SndFileSource
        do { source = try SndFileSource(path: path) } catch { throw .audio(error) }
        var src = source
        var result = try analyze(source: &src, file: path, options: options)
        if let t = source.truncation {
            result.truncation = t
            result.metrics.health.append(.truncated)
        }
        result.nonFiniteSamples = source.nonFiniteSamples
        if source.nonFiniteSamples > 0 { result.metrics.health.append(.nonFiniteSamples) }
        // Absurd float values (±5e19) were clipped to full scale by the reader: clipped, and
        // flagged apart, since no recording holds such values.
        if source.outOfRangeSamples > 0 {
            if !result.metrics.health.contains(.clipping) { result.metrics.health.append(.clipping) }
            result.metrics.health.append(.outOfRangeSamples)
        }
        return result
    }

    /// Analyses any audio source block by block (tests feed `MemorySource`).
    public static func analyze<S: AudioSource>(source: inout S, file: String, options: AnalysisOptions) throws(AnalysisError) -> RecordingAnalysis {
        let format = source.format
        let used: [Int]
        if let sel = options.channelSelection {
            guard (1...2).contains(sel.count), Set(sel).count == sel.count,
                  sel.allSatisfy({ $0 >= 0 && $0 < format.channels }) else {
                throw .badChannelSelection(path: file, selection: sel, channels: format.channels)
            }
            used = sel
        } else if format.channels <= 2 {
            used = format.channels == 2 ? [options.agentChannel.index, 1 - options.agentChannel.index] : [0]
        } else {
            throw .tooManyChannels(path: file, channels: format.channels)
        }
        var analyzer = ConversationAnalyzer(parameters: options.parameters, sampleRate: format.sampleRate,
                                            channelCount: used.count,
                                            quantization: CodecQuantization(encoding: format.encoding),
                                            knownAudio: options.knownAudio)
        var block = AudioBlock(channelCount: format.channels, capacity: options.blockFrames)
        while true {
            let n: Int
            do { n = try source.read(into: &block) } catch { throw .audio(error) }
            if n == 0 { break }
            // Channels in analysis order, agent first; the arrays are shared, not copied.
            analyzer.consume(channels: used.map { block.channels[$0] }, frameCount: n)
        }
        let outcome = analyzer.finish()
        // Outcome channels are in `used` order: agent is index 0 on stereo.
        let metrics = ConversationMetrics(outcome: outcome, agentChannel: 0, parameters: options.parameters)
        let info = RecordingInfo(container: format.container, encoding: format.encoding,
                                 sampleRate: format.sampleRate, channels: format.channels, frames: format.frames)
        var analysis = RecordingAnalysis(file: file, format: info, metrics: metrics, options: options,
                                         channelsUsed: used, truncation: nil, nonFiniteSamples: 0)
        analysis.judgedHold = outcome.channels.map(\.judgedHold)
        return analysis
    }
}

// Developer tool: per-frame trace of the detector for one channel of one file, as CSV on
// stdout. Used to tune the detector against the accuracy harness's truth; not part of
// the product's CLI. A stereo file is analysed as the product does (each channel hears the
// other's frames, for its echo).
import AudioIO
import CallAnalysis
import Foundation

// `--utterances`: step 6's judgement of each utterance of the channel instead (the product's
// whole analysis, as `callqa analyze` runs it without a hold-music library): when it was
// judged, its verdict, the figures behind it and the rule that decided (`UtteranceJudgement`), as CSV.
var args = CommandLine.arguments
let utterances = args.contains("--utterances")
args.removeAll { $0 == "--utterances" }
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: vadtrace FILE [CHANNEL] [--utterances]\n".utf8))
    exit(64)
}

/// Optional figure for CSV: empty when absent.
func cell(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "" }

do {
    let src = try SndFileSource(path: args[1])
    guard args.count <= 2 || Int(args[2]) != nil else {
        FileHandle.standardError.write(Data("vadtrace: channel '\(args[2])': expected a channel number (0 or 1)\n".utf8))
        exit(64)
    }
    let channel = args.count > 2 ? Int(args[2])! : 0
    let p = AnalysisParameters()
    let stereo = src.format.channels == 2
    let q = CodecQuantization(encoding: src.format.encoding)
    guard channel >= 0 && channel < src.format.channels else {
        FileHandle.standardError.write(Data("vadtrace: channel \(channel): the file has \(src.format.channels)\n".utf8))
        exit(64)
    }
    if utterances {
        guard src.format.channels <= 2 else {
            FileHandle.standardError.write(Data("vadtrace: --utterances: \(src.format.channels) channels (callqa analyses 1 or 2)\n".utf8))
            exit(64)
        }
        var analyzer = ConversationAnalyzer(parameters: p, sampleRate: src.format.sampleRate, channelCount: src.format.channels,
                                            recordFrames: true, quantization: q)
        var block = AudioBlock(channelCount: src.format.channels, capacity: 4096)
        while true {
            let n = try src.read(into: &block)
            if n == 0 { break }
            analyzer.consume(channels: block.channels, frameCount: n)
        }
        let outcome = analyzer.finish()
        var text = "start_s,end_s,verdict,level_swing_db,level_reference_db,spectral_swing_db,spectral_reference_db,"
            + "reference_s,dip_margin,held_peaks,steady_share,rule\n"
        for j in outcome.channels[channel].judgements {
            text += "\(cell(Double(j.span.start) * 0.01)),\(cell(Double(j.span.end) * 0.01)),\(j.verdict.rawValue),"
                + "\(cell(j.levelSwingDB)),\(cell(j.levelReferenceDB)),\(cell(j.spectralSwingDB)),\(cell(j.spectralReferenceDB)),"
                + "\(cell(j.referenceFrames.map { Double($0) * 0.01 })),\(cell(j.dipMargin)),\(cell(j.heldPeaks)),\(cell(j.steadyShare)),\(j.rule?.rawValue ?? "")\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        exit(0)
    }
    var extractors = (0..<src.format.channels).map { _ in
        FrameFeatureExtractor(sampleRate: src.format.sampleRate, parameters: p, quantization: q)
    }
    var detector = ChannelDetector(parameters: p, stereo: stereo)
    detector.recordFrames = true
    var block = AudioBlock(channelCount: src.format.channels, capacity: 4096)
    var features = Array(repeating: [FrameFeatures](), count: src.format.channels)
    var all: [FrameFeatures] = []
    while try src.read(into: &block) > 0 {
        for c in 0..<src.format.channels {
            features[c].removeAll(keepingCapacity: true)
            block.channels[c].withUnsafeBufferPointer { buf in
                extractors[c].consume(UnsafeBufferPointer(rebasing: buf[0..<block.frameCount]), into: &features[c])
            }
        }
        for i in features[channel].indices {
            if stereo { detector.push(features[channel][i], far: features[1 - channel][i]) } else { detector.push(features[channel][i]) }
        }
        all += features[channel]
    }
    detector.finish()
    var text = "frame,class,b0,b1,b2,b3,gain_db,rho1,rho2,power_db,periodic,call_tone,dtmf,w,bg_low_db,bg_far_db,bg_heard,bg_level_dbfs,bg_in_db,far_talks,echo_dbfs,noise_dbfs,held_lines\n"
    let trace = detector.output.trace
    for (i, c) in trace.classes.enumerated() {
        let w = trace.bandSNR[i]
        let f = all[i]
        let pdb = f.power > 0 ? 10 * log10(f.power) : -200
        let b = trace.background[i]
        text += "\(i),\(c.rawValue),\(w[0]),\(w[1]),\(w[2]),\(w[3]),\(trace.predictionGainDB[i]),\(f.rho1),\(f.rho2),\(pdb),\(f.periodicTone),\(f.callTone),\(f.dualTone),\(trace.weightedSNR[i]),\(b[0]),\(b[1]),\(b[2]),\(b[3]),\(trace.backgroundInput[i][0]),\(trace.backgroundInput[i][1]),\(trace.echo[i][0]),\(trace.echo[i][1]),\(Int(f.heldLines) - 1)\n"
    }
    FileHandle.standardOutput.write(Data(text.utf8))
} catch {
    FileHandle.standardError.write(Data("vadtrace: \(error)\n".utf8))
    exit(1)
}

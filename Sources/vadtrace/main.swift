// Developer tool: per-frame trace of the detector for one channel of one file, as CSV on
// stdout. Used to tune the detector against the accuracy harness's truth; not part of
// the product's CLI.
import AudioIO
import CallAnalysis
import Foundation

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: vadtrace FILE [CHANNEL]\n".utf8))
    exit(64)
}
do {
    let src = try SndFileSource(path: args[1])
    let channel = args.count > 2 ? Int(args[2]) ?? 0 : 0
    let p = AnalysisParameters()
    var extractor = FrameFeatureExtractor(sampleRate: src.format.sampleRate, parameters: p,
                                          quantization: CodecQuantization(encoding: src.format.encoding))
    var detector = ChannelDetector(parameters: p)
    detector.recordFrames = true
    var block = AudioBlock(channelCount: src.format.channels, capacity: 4096)
    var features: [FrameFeatures] = []
    var all: [FrameFeatures] = []
    while try src.read(into: &block) > 0 {
        features.removeAll(keepingCapacity: true)
        block.channels[channel].withUnsafeBufferPointer { buf in
            extractor.consume(UnsafeBufferPointer(rebasing: buf[0..<block.frameCount]), into: &features)
        }
        for f in features { detector.push(f) }
        all += features
    }
    detector.finish()
    var text = "frame,class,b0,b1,b2,b3,gain_db,rho1,rho2,power_db,periodic,call_tone,dtmf\n"
    let trace = detector.output.trace
    for (i, c) in trace.classes.enumerated() {
        let w = trace.bandSNR[i]
        let f = all[i]
        let pdb = f.power > 0 ? 10 * log10(f.power) : -200
        text += "\(i),\(c.rawValue),\(w[0]),\(w[1]),\(w[2]),\(w[3]),\(trace.predictionGainDB[i]),\(f.rho1),\(f.rho2),\(pdb),\(f.periodicTone),\(f.callTone),\(f.dualTone)\n"
    }
    FileHandle.standardOutput.write(Data(text.utf8))
} catch {
    FileHandle.standardError.write(Data("vadtrace: \(error)\n".utf8))
    exit(1)
}

import CallQAModel
import CallRecords
import Foundation
import Testing

/// Seeded random mutation of valid inputs: every parser must return (records or errors),
/// never crash or hang. CALLQA_FUZZ_ITERATIONS raises the count (scripts/fuzz.sh).
struct Mutator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static let interesting: [[UInt8]] = [
        [0x22], [0x2C], [0x3B], [0x0A], [0x0D, 0x0A], [0x0D], [0xFF], [0xC3], [0x00], [0xEF, 0xBB, 0xBF], [0x7C],
        Array("\"\"".utf8), Array("-1".utf8), Array("1e308".utf8), Array("NaN".utf8), Array("9999-99-99T99:99:99+99:99".utf8),
        Array("../../etc/passwd".utf8), Array("=cmd|' /C calc'!A0".utf8), Array("<script>".utf8), Array(String(repeating: "9", count: 40).utf8),
    ]

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...6, using: &self) {
            let pos = b.isEmpty ? 0 : Int.random(in: 0...b.count, using: &self)
            switch Int.random(in: 0..<6, using: &self) {
            case 0 where !b.isEmpty && pos < b.count: b[pos] = UInt8.random(in: 0...255, using: &self)
            case 1: b.insert(contentsOf: Self.interesting.randomElement(using: &self)!, at: pos)
            case 2 where pos < b.count: b.removeSubrange(pos..<min(b.count, pos + Int.random(in: 1...20, using: &self)))
            case 3: b = Array(b.prefix(pos))
            case 4 where pos < b.count:
                let end = min(b.count, pos + Int.random(in: 1...200, using: &self))
                b.insert(contentsOf: b[pos..<end], at: pos)
            default: b.insert(UInt8.random(in: 0...255, using: &self), at: pos)
            }
        }
        return b
    }
}

func fuzzIterations(_ base: Int) -> Int {
    ProcessInfo.processInfo.environment["CALLQA_FUZZ_ITERATIONS"].flatMap(Int.init) ?? base
}

@Suite struct FuzzTests {
    static let manifest = Array("""
        call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s,caller,dialed,agent_channel,x
        c1,a.wav,a1,"Anna, B",Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,30,0,20,+49 30 1,0800,left,"multi
        line"
        c2,,a2,Ben,Blue,orders,outbound,2026-11-24T09:05:00Z,4,false,,,,,,right,
        """.utf8)
    static let cdr = Array(#"""
        "","+4930111222","5000","from-pstn","""Ann"" <+4930111222>","PJSIP/trunk-1","PJSIP/agent1001-2","Queue","support,t","2026-11-24 09:00:00","2026-11-24 09:00:18","2026-11-24 09:05:18",318,300,"ANSWERED","DOCUMENTATION","1764000000.11",""
        """#.utf8)
    static let queueLog = Array("1764000000|1764000000.11|support|NONE|ENTERQUEUE||+4930111222|1\n1764000018|1764000000.11|support|PJSIP/a|CONNECT|18|x|3\n1764000318|1764000000.11|support|PJSIP/a|COMPLETECALLER|18|300|1\n".utf8)

    @Test func parsersSurviveMutatedInputs() throws {
        var rng = Mutator(state: 20_261_125)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("input.csv").path
        let n = fuzzIterations(1500)
        var records = 0, errors = 0
        for i in 0..<n {
            let seed = [Self.manifest, Self.cdr, Self.queueLog][i % 3]
            let bytes = rng.mutate(seed)
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let r: ParsedRecords
            switch i % 3 {
            case 0: r = Manifest.parse(path: path, zone: i % 2 == 0 ? nil : .fixed(offsetS: 3600))
            case 1: r = AsteriskCDR.parse(path: path, zone: .fixed(offsetS: 0))
            default: r = QueueLog.parse(path: path, zone: .named("Europe/Berlin"))
            }
            _ = InputKind.detect(path: path)
            records += r.records.count
            errors += r.errors.count + (r.fileError == nil ? 0 : 1)
            // Every error points at a line inside the file (or the whole file). Line breaks are
            // LFs, or CRs in a file without any LF (classic Mac line ends, read as such).
            let lfs = bytes.filter { $0 == 0x0A }.count
            let breaks = lfs > 0 ? lfs : bytes.filter { $0 == 0x0D }.count
            for e in r.errors { #expect(e.source.line >= 0 && e.source.line <= breaks + 1) }
        }
        print("fuzz (CSV, manifest, CDR, queue_log): \(n) executions, \(records) records, \(errors) clean errors, 0 crashes")
        #expect(records + errors > 0)
    }
}

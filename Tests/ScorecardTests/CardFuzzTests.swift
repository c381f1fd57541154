import Foundation
import Scorecard
import Testing

@Suite struct CardFuzzTests {
    /// Mutated example cards: the loader returns a card or issues with positions, never crashes.
    @Test func loaderSurvivesMutatedCards() throws {
        let folder = packageRoot.appendingPathComponent("Scorecards")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { Array(try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8).utf8) }
        var state: UInt64 = 7
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let tokens = [":", "- ", "\n", "  ", "&a ", "*a", "[", "]", "{", "}", "'", "\"", "1e999", "NO", "~", "!!binary ", "%YAML 1.1\n", "#"]
        let n = ProcessInfo.processInfo.environment["CALLQA_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 600
        var cards = 0, issues = 0
        for i in 0..<n {
            var b = seeds[i % seeds.count]
            for _ in 0..<Int(1 + next() % 5) {
                let pos = Int(next() % UInt64(b.count + 1))
                switch next() % 4 {
                case 0 where pos < b.count: b[pos] = UInt8(truncatingIfNeeded: next())
                case 1: b.insert(contentsOf: Array(tokens[Int(next() % UInt64(tokens.count))].utf8), at: pos)
                case 2 where pos < b.count: b.removeSubrange(pos..<min(b.count, pos + Int(1 + next() % 30)))
                default: b = Array(b.prefix(pos))
                }
            }
            let text = String(decoding: b, as: UTF8.self)
            do {
                _ = try CardLoader.parse(text: text, file: "f.yaml", contentHash: "h")
                cards += 1
            } catch {
                issues += error.issues.count
                #expect(!error.issues.isEmpty)
            }
        }
        print("fuzz (cards): \(n) executions, \(cards) loaded, \(issues) lint issues, 0 crashes")
    }
}

import CallRecords
import Foundation
@testable import Pipeline
import Testing

/// The recording resolver: what a walk of the audio root lists, the bound on it, and the
/// uniqueid lookup that replaced the search through every file name.
@Suite struct RecordingResolverTests {
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-resolver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Audio files at any depth, links to files included, links to folders not followed,
    /// a folder named like a recording not a recording, names as `pathExtension` reads them.
    @Test func walkListsAudioFilesOnly() throws {
        let dir = try Self.folder()
        let fm = FileManager.default
        for sub in ["2026/11/24", "real", "d.wav"] { try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true) }
        for f in ["a.wav", "B.WAV", ".wav", "notes.txt", "x.wav.", "2026/11/24/q-1.flac", "real/x.wav", "d.wav/inner.mp3"] {
            try Data().write(to: dir.appendingPathComponent(f))
        }
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: dir.appendingPathComponent("real").path)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("l.wav").path, withDestinationPath: dir.appendingPathComponent("real/x.wav").path)
        let (files, complete) = RecordingResolver.audioFiles(under: dir.path, limit: 1_000)
        #expect(complete)
        #expect(files == Set(["a.wav", "B.WAV", "2026/11/24/q-1.flac", "real/x.wav", "d.wav/inner.mp3", "l.wav"].map { dir.path + "/" + $0 }))
        // The bound: a walk stops after the entries it may look at, and says so.
        let (some, cut) = RecordingResolver.audioFiles(under: dir.path, limit: 3)
        #expect(!cut && some.count <= 3)
    }

    /// The warning names the root whose walk was cut short; recordings rows reference are struck off.
    @Test func unreferencedWarningAndItsBound() throws {
        let dir = try Self.folder()
        for i in 0..<6 { try Data().write(to: dir.appendingPathComponent("r\(i).wav")) }
        var full = RecordingResolver(recordingPattern: nil, scanLimit: 100)
        full.lookForUnreferenced(under: dir.path)
        full.referenced(RecordingResolver.resolve("r0.wav", root: dir.path))
        full.referenced(.missing(path: dir.path + "/r1.wav"))
        #expect(full.unreferencedWarning == "4 recording(s) under the audio root are not referenced by any call: "
                + (2..<6).map { "\(dir.path)/r\($0).wav" }.joined(separator: ", "))
        // Past 20, the first 20 in order and an ellipsis.
        let many = try Self.folder()
        for i in (0..<30).reversed() { try Data().write(to: many.appendingPathComponent(String(format: "r%02d.wav", i))) }
        var long = RecordingResolver(recordingPattern: nil, scanLimit: 100)
        long.lookForUnreferenced(under: many.path)
        #expect(long.unreferencedWarning == "30 recording(s) under the audio root are not referenced by any call: "
                + (0..<20).map { String(format: "\(many.path)/r%02d.wav", $0) }.joined(separator: ", ") + ", …")
        var bounded = RecordingResolver(recordingPattern: nil, scanLimit: 2)
        bounded.lookForUnreferenced(under: dir.path)
        #expect(bounded.unreferencedWarning?.hasSuffix("(only the first 2 entries under \(dir.path) were looked at)") == true)
    }

    /// Numbers in names: digits joined by single dots, not preceded by a digit or a dot.
    @Test(arguments: [
        ("q-support-1764000000.11.wav", ["1764000000.11"]),
        ("1764000000.1-in.wav", ["1764000000.1"]),
        ("x.1764000000.11.wav", []),
        ("a12b3.4.5c", ["12", "3.4.5"]),
        ("v1..2", ["1"]),
        ("", []),
    ])
    func numbersInNames(name: String, numbers: [String]) {
        #expect(RecordingFinder.numbers(in: name) == numbers)
    }

    /// The lookup by number finds what the search through every name finds, for ids of
    /// digits and dots, on names built to sit on every boundary.
    @Test func lookupEqualsTheSearch() throws {
        var rng = SplitMix64(state: 27)
        let alphabet = Array("0123456789..-_abq")
        func word(_ n: Int) -> String { String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }) }
        let ids = ["1764000000.11", "1764000000.1", "11", "1", "17.5", "0"]
        for _ in 0..<200 {
            let names = (0..<8).map { _ in word(Int(rng.next() % 6)) + ids[Int(rng.next() % UInt64(ids.count))] + word(Int(rng.next() % 6)) + ".wav" }.sorted()
            let dir = try Self.folder()
            for n in names { try Data().write(to: dir.appendingPathComponent(n)) }
            var finder = RecordingFinder(root: dir.path)
            for id in ids {
                let searched = names.first { RecordingFinder.contains(id: id, in: $0) }
                #expect(finder.find(uniqueID: id, pattern: nil) == searched, "\(id) in \(names)")
            }
            try FileManager.default.removeItem(at: dir)
        }
    }

    /// Named recordings: the path as given when it is a file, else the first file of that
    /// name under the root, else the name as given.
    @Test func namedRecordings() throws {
        let dir = try Self.folder()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("2026/11/24"), withIntermediateDirectories: true)
        try Data().write(to: dir.appendingPathComponent("2026/11/24/out-1.wav"))
        try Data().write(to: dir.appendingPathComponent("top.wav"))
        var finder = RecordingFinder(root: dir.path)
        #expect(finder.find(named: "top.wav") == "top.wav")
        #expect(finder.find(named: "out-1.wav") == "2026/11/24/out-1.wav")
        #expect(finder.find(named: "gone.wav") == "gone.wav")
        #expect(finder.find(uniqueID: "9.9", pattern: "q-{uniqueid}.wav") == "q-9.9.wav")
    }
}

import FileDigest
import Foundation
import Testing

/// The digest module: libcrypto's SHA-256 of files against the FIPS 180-4 test vectors, and
/// the size/mtime stamp that recognises unchanged recordings.
@Suite struct FileDigestTests {
    static func file(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-digest-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// FIPS 180-4 / NIST examples: "", "abc", the 448-bit message and a million 'a's (the
    /// last spans no buffer boundary; 3 MiB of 'a's below does).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func knownVectors(message: String, sha: String) throws {
        let bytes = Array(message.utf8)
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try FileDigest.sha256(path: path)
        #expect(d.sha == sha)
        #expect(d.size == Int64(bytes.count))
        #expect(try FileDigest.sha256(bytes: bytes) == sha)
    }

    /// A file longer than the read buffer hashes as the same bytes in memory.
    @Test func fileLongerThanTheBuffer() throws {
        var bytes = [UInt8](repeating: 0, count: 3 << 20 | 17)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try FileDigest.sha256(path: path)
        #expect(d.sha == (try FileDigest.sha256(bytes: bytes)))
        #expect(d.size == Int64(bytes.count))
    }

    /// The stamp is the file's size and modification time, and matches the digest's.
    @Test func stampIsSizeAndModificationTime() throws {
        let path = try Self.file(Array("abc".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_764_000_000.5)], ofItemAtPath: path)
        let stamp = try #require(FileStamp.of(path: path))
        #expect(stamp == FileStamp(sizeBytes: 3, mtimeEpoch: 1_764_000_000.5))
        #expect(try FileDigest.sha256(path: path).stamp == stamp)
        #expect(FileStamp.of(path: path + ".missing") == nil)
    }

    /// Only regular files: a folder or a missing file is an error, never a hang.
    @Test func foldersAndMissingFilesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.path
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(path: dir) }
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(path: dir + "/callqa-no-such-\(UUID().uuidString)") }
    }

    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect(FileDigest.hex([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
    }
}

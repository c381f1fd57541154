import CallQAModel
import CallRecords
import Foundation
import Testing

/// Writes `bytes` to a new temporary file and returns its path.
func tempFile(_ name: String, _ bytes: [UInt8]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-rec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func tempFile(_ name: String, _ text: String) throws -> String { try tempFile(name, Array(text.utf8)) }

func readAll(_ path: String, delimiter: UInt8? = nil) throws -> [Result<CSVRecord, CSVError>] {
    let r = try CSVReader(path: path, delimiter: delimiter)
    var out: [Result<CSVRecord, CSVError>] = []
    while true {
        do {
            guard let rec = try r.next() else { break }
            out.append(.success(rec))
        } catch {
            out.append(.failure(error))
            if case .unterminatedQuote = error { break }
        }
    }
    return out
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsWithCommasQuotesAndNewlinesAndCRLF() throws {
        let p = try tempFile("a.csv", "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,,3\r\n")
        let rows = try readAll(p).map { try $0.get() }
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["1", "", "3"]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func bomIsSkippedAndSemicolonDetected() throws {
        let p = try tempFile("b.csv", [0xEF, 0xBB, 0xBF] + Array("call_id;agent_id\nc1;a1\n".utf8))
        let r = try CSVReader(path: p)
        #expect(r.delimiter == UInt8(ascii: ";"))
        #expect(try r.next()?.fields == ["call_id", "agent_id"])
        #expect(try r.next()?.fields == ["c1", "a1"])
        #expect(try r.next() == nil)
    }

    @Test func invalidUTF8IsAnErrorOnItsLineAndReadingGoesOn() throws {
        let p = try tempFile("c.csv", Array("a,b\n".utf8) + [0x66, 0xFF, 0x2C, 0x67, 0x0A] + Array("ok,fine\n".utf8))
        let rows = try readAll(p)
        #expect(rows.count == 3)
        #expect(throws: CSVError.invalidUTF8(file: p, line: 2, field: 1)) { try rows[1].get() }
        #expect(try rows[2].get().fields == ["ok", "fine"])
    }

    @Test func overlongFieldAndUnterminatedQuote() throws {
        let long = String(repeating: "x", count: 2000)
        let p = try tempFile("d.csv", "a,b\n\(long),1\nshort,2\n\"open,3\n")
        let r = try CSVReader(path: p, maxFieldBytes: 1000)
        _ = try r.next()
        #expect(throws: CSVError.fieldTooLong(file: p, line: 2, limit: 1000)) { try r.next() }
        #expect(try r.next()?.fields == ["short", "2"])
        #expect(throws: CSVError.unterminatedQuote(file: p, line: 4)) { try r.next() }
    }

    @Test func missingFileAndDirectoryAreClearErrors() throws {
        #expect(throws: CSVError.unreadable(file: "/nonexistent/x.csv", reason: "No such file or directory")) {
            _ = try CSVReader(path: "/nonexistent/x.csv")
        }
        #expect(throws: CSVError.unreadable(file: "/tmp", reason: "is a directory")) { _ = try CSVReader(path: "/tmp") }
    }
}

@Suite struct TimestampTests {
    @Test func offsetsAndZ() throws {
        let a = try #require(Timestamp.parse("2026-11-24T09:15:00+01:00", zone: nil))
        #expect(a.epochS == 1_795_508_100)
        #expect(a.offsetS == 3600)
        #expect(a.iso8601 == "2026-11-24T09:15:00+01:00")
        let z = try #require(Timestamp.parse("2026-11-24T08:15:00Z", zone: nil))
        #expect(z.epochS == a.epochS)
        let compact = try #require(Timestamp.parse("2026-11-24 03:15:00.250-0500", zone: nil))
        #expect(compact.epochS == a.epochS + 0.25)
        #expect(compact.iso8601 == "2026-11-24T03:15:00.250-05:00")
    }

    @Test func rejectsBadDatesAndMissingOffsetWithoutZone() {
        for bad in ["2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "24.11.2026 09:00", "2026-11-24T25:00:00Z", "", "2026-11-24T09:00:00+01:00x"] {
            #expect(Timestamp.parse(bad, zone: nil) == nil, "\(bad)")
        }
        #expect(Timestamp.parse("2026-11-24 09:00:00", zone: nil) == nil)
        #expect(Timestamp.parse("2026-11-24 09:00:00", zone: .fixed(offsetS: 7200))?.offsetS == 7200)
    }

    @Test func namedZoneFollowsDaylightSaving() throws {
        let berlin = try #require(Timestamp.Zone("Europe/Berlin"))
        let winter = try #require(Timestamp.parse("2026-01-15 12:00:00", zone: berlin))
        let summer = try #require(Timestamp.parse("2026-07-15 12:00:00", zone: berlin))
        #expect(winter.offsetS == 3600)
        #expect(summer.offsetS == 7200)
        #expect(summer.iso8601 == "2026-07-15T12:00:00+02:00")
        #expect(Timestamp.Zone("Mars/Olympus") == nil)
        #expect(Timestamp.Zone("+05:30") == .fixed(offsetS: 19800))
    }

    @Test func localDateAcrossMidnight() throws {
        let t = try #require(Timestamp.parse("2026-11-24T23:30:00-05:00", zone: nil))
        #expect(t.localDate == "2026-11-24")
        #expect(Timestamp(epochS: t.epochS, offsetS: 0).localDate == "2026-11-25")
    }
}

@Suite struct HashingTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Streaming in odd pieces gives the same digest as one shot.
        var s = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var i = 0
        while i < million.count { let n = min(777, million.count - i); s.update(million[i..<(i + n)]); i += n }
        #expect(SHA256.hexString(s.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(SHA256.hexString(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func callerNumbersNormaliseBeforeHashing() {
        let h = CallerHasher(key: Array("0123456789abcdef".utf8), countryCode: "49")
        #expect(h.normalize("+49 (30) 1234-567") == "+49301234567")
        #expect(h.normalize("0049 30 1234567") == "+49301234567")
        #expect(h.normalize("030 1234567") == "+49301234567")
        #expect(h.normalize("Anonymous") == "anonymous")
        #expect(h.hash("+49 30 1234567") == h.hash("030/1234567"))
        #expect(h.hash("+49 30 1234567") != CallerHasher(key: Array("another key 1234".utf8)).hash("+49 30 1234567"))
        #expect(h.hash("  ") == nil)
        #expect(h.hash("+49301234567")?.count == 32)
    }
}

import AudioIO
import CSndFile
import Foundation
import HTTPTypes
import Store
import Testing
@testable import Workspace

/// The audio route: decoded 16-bit PCM WAV, byte ranges, channels, every codec.
@Suite struct AudioTests {
    @Test func rangeHeadersParse() {
        #expect(RangeRequest(header: nil, total: 100) == .full)
        #expect(RangeRequest(header: "bytes=0-9", total: 100) == .partial(0...9))
        #expect(RangeRequest(header: "bytes=90-", total: 100) == .partial(90...99))
        #expect(RangeRequest(header: "bytes=90-1000", total: 100) == .partial(90...99))
        #expect(RangeRequest(header: "bytes=-10", total: 100) == .partial(90...99))
        #expect(RangeRequest(header: "bytes=-1000", total: 100) == .partial(0...99))
        #expect(RangeRequest(header: "bytes=100-", total: 100) == .unsatisfiable)
        #expect(RangeRequest(header: "bytes=-0", total: 100) == .unsatisfiable)
        #expect(RangeRequest(header: "bytes=5-2", total: 100) == .full)          // invalid: ignored
        #expect(RangeRequest(header: "bytes=0-1,5-6", total: 100) == .full)      // several: served whole
        #expect(RangeRequest(header: "items=0-1", total: 100) == .full)
        #expect(RangeRequest(header: "bytes=a-b", total: 100) == .full)
    }

    @Test func fullResponseIsAValidWAVOfTheDecodedSamples() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let r = try await b.get("/calls/c-a1/audio")
        #expect(r.status == .ok && r.header("Accept-Ranges") == "bytes" && r.header("Content-Type") == "audio/wav")
        #expect(r.header("Content-Disposition") == "inline; filename=\"c-a1.wav\"")
        let h = try #require(WAVHeader(r.body))
        let frames = 3 * 8000
        #expect(h == WAVHeader(format: 1, channels: 2, rate: 8000, frames: frames))
        #expect(r.body.count == 44 + frames * 4 && r.header("Content-Length") == String(44 + frames * 4))
        // The samples are the file's 16-bit samples: left 440 Hz at 0.25, right 1 kHz at 0.1.
        let samples = Self.int16(r.body, from: 44)
        let left = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
        let right = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
        #expect(abs(Int(left.max()!) - 8192) <= 2 && abs(Int(right.max()!) - 3277) <= 2)
        let stereo = Signals.stereoCall(seconds: 3)
        for i in [0, 1, 17, 4000, 23_999] {
            #expect(abs(Int(left[i]) - Int((stereo[0][i] * 32768).rounded())) <= 1)
            #expect(abs(Int(right[i]) - Int((stereo[1][i] * 32768).rounded())) <= 1)
        }
        let download = try await b.get("/calls/c-a1/audio?download=1")
        #expect(download.header("Content-Disposition") == "attachment; filename=\"c-a1.wav\"" && download.body == r.body)
    }

    @Test func rangesServeExactlyTheBytesOfTheWholeFile() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let whole = try await b.get("/calls/c-a2/audio").body
        let total = whole.count
        let cases: [(String, ClosedRange<Int>)] = [
            ("bytes=0-0", 0...0), ("bytes=0-43", 0...43), ("bytes=0-1023", 0...1023), ("bytes=40-50", 40...50),
            ("bytes=45-46", 45...46), ("bytes=50001-70002", 50001...70002), ("bytes=\(total - 3)-", (total - 3)...(total - 1)),
            ("bytes=-5", (total - 5)...(total - 1)), ("bytes=-\(total + 10)", 0...(total - 1)), ("bytes=96000-999999999", 96000...(total - 1)),
        ]
        for (header, range) in cases {
            let r = try await b.get("/calls/c-a2/audio", headers: [.range: header])
            #expect(r.status == .partialContent, "\(header)")
            #expect(r.header("Content-Range") == "bytes \(range.lowerBound)-\(range.upperBound)/\(total)", "\(header)")
            #expect(r.header("Content-Length") == String(range.count), "\(header)")
            #expect(r.body == Array(whole[range]), "\(header)")
        }
        let unsatisfiable = try await b.get("/calls/c-a2/audio", headers: [.range: "bytes=\(total)-"])
        #expect(unsatisfiable.status == .rangeNotSatisfiable && unsatisfiable.header("Content-Range") == "bytes */\(total)")
        // One audit row for this listening (the first range), covering the session's further
        // ranges of the recording.
        let rows = try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio }
        #expect(rows.count == 1)
        #expect(rows.allSatisfy { $0.actor == "qa1" && $0.callID == "c-a2" && $0.address == "192.0.2.10" })
        #expect(rows[0].detail == "play bytes 0-\(total - 1)/\(total) channel both")
    }

    /// What one `audio` audit row stands for: one session's listening of one call on one
    /// channel selection (or its download), for the audit window from its first range.
    @Test func oneAuditRowPerListeningNotPerRange() async throws {
        let f = try Fixture { $0.audioAuditWindowS = 600 }
        let b = try await f.loggedIn("qa1")
        func rows() throws -> [AuditEntry] { try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio } }
        for range in ["bytes=0-1023", "bytes=1024-50000", "bytes=90000-", "bytes=0-1"] {
            #expect(try await b.get("/calls/c-a1/audio", headers: [.range: range]).status == .partialContent)
            f.clock.advance(60)
        }
        #expect(try rows().map(\.detail) == ["play bytes 0-1023/96044 channel both"])
        // Another channel, a download, another call: each its own row.
        #expect(try await b.get("/calls/c-a1/audio?channel=left", headers: [.range: "bytes=0-99"]).status == .partialContent)
        #expect(try await b.get("/calls/c-a1/audio?download=1").status == .ok)
        #expect(try await b.get("/calls/c-a2/audio", headers: [.range: "bytes=5-9"]).status == .partialContent)
        #expect(try rows().map { "\($0.callID ?? "") \($0.detail ?? "")" } == [
            "c-a1 play bytes 0-1023/96044 channel both", "c-a1 play bytes 0-99/48044 channel left",
            "c-a1 download bytes 0-96043/96044 channel both", "c-a2 play bytes 5-9/96044 channel both",
        ])
        // The same listening after the window (counted from its row): a new row.
        f.clock.advance(400)
        #expect(try await b.get("/calls/c-a1/audio", headers: [.range: "bytes=2048-4095"]).status == .partialContent)
        #expect(try rows().count == 5 && rows().last?.detail == "play bytes 2048-4095/96044 channel both")
        // Another session of the same user (another browser): its own row at once.
        let other = try await f.loggedIn("qa1")
        #expect(try await other.get("/calls/c-a1/audio", headers: [.range: "bytes=0-1"]).status == .partialContent)
        #expect(try rows().count == 6)
        // A refused request writes nothing and covers nothing.
        #expect(try await b.get("/calls/c-a1/audio", headers: [.range: "bytes=999999-"]).status == .rangeNotSatisfiable)
        #expect(try rows().count == 6)
    }

    /// HEAD answers the headers a GET would (type, length, ranges, disposition), with no body
    /// and no audit row; refused HEADs answer as the GETs would, without a body.
    @Test func headAnswersTheHeadersOfGetWithoutBodyOrAudit() async throws {
        let f = try Fixture { $0.audioAuditWindowS = 0 }
        let b = try await f.loggedIn("qa1")
        func rows() throws -> Int { try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio }.count }
        for (uri, range) in [("/calls/c-a1/audio", nil), ("/calls/c-a1/audio", "bytes=1024-50000"), ("/calls/c-a1/audio?channel=left&download=1", nil)] as [(String, String?)] {
            let headers: HTTPFields = range.map { [.range: $0] } ?? [:]
            let before = try rows()
            let head = try await b.send(.head, uri, headers: headers)
            #expect(try rows() == before, "HEAD \(uri) is not a listening")
            let get = try await b.get(uri, headers: headers)
            #expect(head.status == get.status && head.body.isEmpty && !get.body.isEmpty, "\(uri) \(range ?? "")")
            for name in [HTTPField.Name.contentType, .contentLength, .contentRange, .acceptRanges, .contentDisposition, .cacheControl] {
                #expect(head.header(name.rawName) == get.header(name.rawName), "\(uri) \(range ?? ""): \(name)")
            }
            #expect(head.header("Content-Length") == String(get.body.count))
        }
        #expect(try rows() == 3, "the GETs were audited")
        let unsatisfiable = try await b.send(.head, "/calls/c-a1/audio", headers: [.range: "bytes=999999-"])
        #expect(unsatisfiable.status == .rangeNotSatisfiable && unsatisfiable.header("Content-Range") == "bytes */96044" && unsatisfiable.body.isEmpty)
        let missing = try await b.send(.head, "/calls/c-missing/audio")
        #expect(missing.status == .notFound && missing.body.isEmpty)
        #expect(try await Browser(f.client).send(.head, "/calls/c-a1/audio").status == .unauthorized)
        #expect(try rows() == 3)
    }

    @Test func aZeroWindowAuditsEveryRange() async throws {
        let f = try Fixture { $0.audioAuditWindowS = 0 }
        let b = try await f.loggedIn("qa1")
        for range in ["bytes=0-1", "bytes=2-3", "bytes=4-5"] {
            #expect(try await b.get("/calls/c-a1/audio", headers: [.range: range]).status == .partialContent)
        }
        #expect(try f.store.auditEntries(fromEpoch: nil, toEpoch: nil).filter { $0.action == .audio }.count == 3)
    }

    @Test func channelSelectionServesOneChannelAsMono() async throws {
        let f = try Fixture()
        let b = try await f.loggedIn("qa1")
        let both = Self.int16(try await b.get("/calls/c-r1/audio").body, from: 44)
        for (name, index) in [("left", 0), ("right", 1)] {
            let r = try await b.get("/calls/c-r1/audio?channel=\(name)")
            let h = try #require(WAVHeader(r.body))
            #expect(h == WAVHeader(format: 1, channels: 1, rate: 8000, frames: 24000))
            let mono = Self.int16(r.body, from: 44)
            #expect(mono == stride(from: index, to: both.count, by: 2).map { both[$0] })
            let part = try await b.get("/calls/c-r1/audio?channel=\(name)", headers: [.range: "bytes=1001-2000"])
            #expect(part.body == Array(r.body[1001...2000]))
        }
        #expect(try await b.get("/calls/c-r1/audio?channel=middle").status == .badRequest)
    }

    /// Every codec libsndfile writes here: the served WAV has the declared frames, and a range
    /// reached by `sf_seek` holds the same bytes as the same range decoded from the start.
    @Test(arguments: [
        ("pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2), ("ulaw.wav", SF_FORMAT_WAV | SF_FORMAT_ULAW, 2),
        ("alaw.wav", SF_FORMAT_WAV | SF_FORMAT_ALAW, 2), ("gsm.wav", SF_FORMAT_WAV | SF_FORMAT_GSM610, 1),
        ("ima.wav", SF_FORMAT_WAV | SF_FORMAT_IMA_ADPCM, 2), ("msadpcm.wav", SF_FORMAT_WAV | SF_FORMAT_MS_ADPCM, 2),
        ("flac.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2), ("float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2),
        ("ogg.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 2),
    ])
    func everyCodecDecodesAndSeeksExactly(name: String, format: Int, channels: Int) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-codec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let signal = Array(Signals.stereoCall(seconds: 4).prefix(channels))
        let path = Signals.write(dir.appendingPathComponent(name).path, signal, format: Int32(format))
        let wav = try DecodedWAV(path: path, channel: .both)
        let declared = try SndFileSource(path: path).format.frames
        #expect(wav.frames == declared && wav.outputChannels == channels && wav.sampleRate == 8000)
        #expect(WAVHeader(wav.header()) == WAVHeader(format: 1, channels: channels, rate: 8000, frames: Int(declared)))
        var whole: [UInt8] = []
        try await wav.write(range: 0...(wav.totalBytes - 1)) { whole += $0 }
        #expect(Int64(whole.count) == wav.totalBytes)
        let total = wav.totalBytes
        for range in [Int64(44)...Int64(1000), 20_001...40_000, (total / 2 + 1)...(total / 2 + 8191), (total - 777)...(total - 1)] {
            var seeked: [UInt8] = [], decoded: [UInt8] = []
            let usedSeek = try await wav.write(range: range, seeking: true) { seeked += $0 }
            try await wav.write(range: range, seeking: false) { decoded += $0 }
            #expect(decoded == Array(whole[Int(range.lowerBound)...Int(range.upperBound)]), "\(name) \(range) from the start")
            #expect(seeked == decoded, "\(name) \(range) by sf_seek (used: \(usedSeek))")
        }
    }

    @Test func aTruncatedRecordingIsPaddedToItsDeclaredLength() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callqa-trunc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = Signals.write(dir.appendingPathComponent("t.wav").path, Signals.stereoCall(seconds: 1), format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16))
        let wav = try DecodedWAV(path: path, channel: .both)
        // Cut the file after the header has been read: the declared length stays.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 44 + 4000 * 4)
        try handle.close()
        var out: [UInt8] = []
        try await wav.write(range: 0...(wav.totalBytes - 1)) { out += $0 }
        #expect(Int64(out.count) == wav.totalBytes)
        #expect(out[(44 + 4000 * 4)...].allSatisfy { $0 == 0 })
    }

    static func int16(_ bytes: [UInt8], from offset: Int) -> [Int16] {
        stride(from: offset, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }
}

extension WAVHeader {
    /// The header a 16-bit PCM WAV of these frames must have.
    init(format: UInt16, channels: Int, rate: Int, frames: Int) {
        let align = channels * 2
        riffSize = UInt32(36 + frames * align); self.format = format; self.channels = UInt16(channels); sampleRate = UInt32(rate)
        byteRate = UInt32(rate * align); blockAlign = UInt16(align); bitsPerSample = 16; dataSize = UInt32(frames * align)
    }
}

import CallAnalysis
import CallQAModel
import CallRecords
import Foundation
import Testing

@Suite struct ManifestTests {
    static let header = "call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s,caller,dialed,agent_channel,campaign\n"

    @Test func goodRowsAndExtraColumnsKept() throws {
        let p = try tempFile("m.csv", Self.header + """
            c1,c1.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,300,20,30,+49 30 1,0800,right,spring
            c2,,a1,Anna,Blue,orders,INBOUND,2026-11-24T09:03:00+01:00,45,false,,,,,0800,,

            """)
        let r = Manifest.parse(path: p, zone: nil)
        #expect(r.fileError == nil)
        #expect(r.errors.isEmpty)
        #expect(r.records.count == 2)
        let c1 = r.records[0]
        #expect(c1.recording == "c1.wav")
        #expect(c1.direction == .inbound)
        #expect(c1.waitS == 12 && c1.talkS == 300 && c1.holdS == 20 && c1.acwS == 30)
        #expect(c1.agentChannel == .right)
        #expect(c1.attributes == ["campaign": "spring"])
        #expect(c1.source.line == 2)
        #expect(r.records[1].answered == false)
        #expect(r.records[1].recording == nil)
        #expect(!r.records[1].isAnswered)
    }

    /// Every bad-row case of the issue, each with its file:line and field.
    /// Issue 22: `agnet_id`, `answerd`, `recordings` were stored as attributes: exit 0, no
    /// agents, no audio. A header name one or two edits from a known column is an error.
    @Test func headerTyposOfKnownColumnsAreErrorsWithDidYouMean() throws {
        for (typo, known) in [("agnet_id", "agent_id"), ("answerd", "answered"), ("recordings", "recording"), ("Started_At ", "")] {
            let header = Self.header.replacingOccurrences(of: known.isEmpty ? "started_at" : known, with: typo)
            let p = try tempFile("t.csv", header + "c1,c1.wav,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,300,20,30,+49 30 1,0800,right,spring\n")
            let r = Manifest.parse(path: p, zone: nil)
            if known.isEmpty {
                #expect(r.fileError == nil, "case and spaces are not typos")
                continue
            }
            let e = try #require(r.fileError, "\(typo)")
            #expect(e.description.contains("did you mean '\(known)'?"), "\(e.description)")
            #expect(e.source.line == 1 && e.field == typo)
        }
        // A genuine extra column is kept, and listed.
        let p = try tempFile("x.csv", Self.header + "c1,,a1,Anna,Blue,orders,inbound,2026-11-24T09:00:00+01:00,12,true,300,20,30,,0800,,spring\n")
        #expect(try Manifest.Reader(path: p, zone: nil).extraColumns == ["campaign"])
        #expect(Suggest.nearest("agnet_id", in: Manifest.knownColumns) == "agent_id")
        #expect(Suggest.nearest("campaign", in: Manifest.knownColumns) == nil)
    }

    @Test func badRowsAreRejectedWithLineAndReason() throws {
        let p = try tempFile("bad.csv", Self.header + """
            ,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,1,true,1,0,0,,,,
            c2,c.wav,a1,Anna,Blue,q,inbound,24/11/2026 09:00,1,true,1,0,0,,,,
            c3,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,-3,true,1,0,0,,,,
            c4,c.wav,a1,Anna,Blue,q,sideways,2026-11-24T09:00:00+01:00,1,true,1,0,0,,,,
            c5,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,1,maybe,1,0,0,,,,
            c6,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,1,true,1,0,0,,,middle,
            c7,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,1,true,1,0,0,,,,
            c7,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,2,true,1,0,0,,,,
            c7,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00+01:00,1,true,1,0,0,,,,
            c8,too,few
            c9,c.wav,a1,Anna,Blue,q,inbound,2026-11-24T09:00:00,1,true,1,0,0,,,,

            """)
        let r = Manifest.parse(path: p, zone: nil)
        #expect(r.records.map(\.callID) == ["c7"])
        let got = r.errors.map { "\($0.source.line) \($0.field ?? "-")" }
        #expect(got == ["2 call_id", "3 started_at", "4 wait_s", "5 direction", "6 answered", "7 agent_channel",
                        "9 call_id", "11 -", "12 started_at"])
        #expect(r.errors[0].description == "\(p):2: column 'call_id': missing call_id (required)")
        #expect(r.errors[2].description == "\(p):4: column 'wait_s': expected seconds ≥ 0, got \"-3\"")
        #expect(r.errors[6].message.contains("duplicate call_id 'c7' with different content (first at line 8)"))
        #expect(r.errors[8].message.contains("no UTC offset"))
        // With a zone, the offset-less time is accepted.
        let withZone = Manifest.parse(path: p, zone: .fixed(offsetS: 3600))
        #expect(withZone.records.map(\.callID).contains("c9"))
    }

    @Test func fileLevelProblems() throws {
        let noID = try tempFile("x.csv", "id,recording\n1,a.wav\n")
        #expect(Manifest.parse(path: noID, zone: nil).fileError?.message.hasPrefix("header has no 'call_id' column") == true)
        let dup = try tempFile("y.csv", "call_id,started_at,call_id\n1,2,3\n")
        #expect(Manifest.parse(path: dup, zone: nil).fileError?.field == "call_id")
        let empty = try tempFile("z.csv", "")
        #expect(Manifest.parse(path: empty, zone: nil).fileError?.message.hasPrefix("empty file") == true)
        let pipes = try tempFile("w.csv", "call_id|started_at\n1|2\n")
        #expect(Manifest.parse(path: pipes, zone: nil).fileError?.message.contains("comma- or semicolon-separated") == true)
        #expect(Manifest.parse(path: "/nonexistent.csv", zone: nil).fileError?.message.hasPrefix("cannot read '/nonexistent.csv'") == true)
    }
}

/// Samples written by hand from the Asterisk documentation of cdr_csv and queue_log.
@Suite struct AsteriskTests {
    static let master = #"""
        "","+4930111222","5000","from-pstn","""Ann"" <+4930111222>","PJSIP/trunk-00000001","PJSIP/agent1001-00000002","Queue","support,t,,,300","2026-11-24 09:00:00","2026-11-24 09:00:18","2026-11-24 09:05:18",318,300,"ANSWERED","DOCUMENTATION","1764000000.11",""
        "","+4930333444","5000","from-pstn","""Bob"" <+4930333444>","PJSIP/trunk-00000003","","Queue","support,t,,,300","2026-11-24 09:01:00","","2026-11-24 09:01:40",40,0,"NO ANSWER","DOCUMENTATION","1764000060.12",""
        "","+4930555666","5001","from-pstn","""Cy"" <+4930555666>","PJSIP/trunk-00000005","PJSIP/agent1002-00000006","Dial","PJSIP/agent1002,30","2026-11-24 09:02:00","2026-11-24 09:02:05","2026-11-24 09:03:05",65,60,"ANSWERED","DOCUMENTATION","1764000120.13","","","1764000120.13","7"
        "","+4930777888","5000","from-pstn","x","PJSIP/trunk-7","","Queue","support","2026-11-24 25:00:00","","2026-11-24 09:04:00",1,0,"NO ANSWER","DOCUMENTATION","1764000240.14",""
        "","+4930777888","5000","from-pstn","x","PJSIP/trunk-7","","Queue","support","2026-11-24 09:04:00","","2026-11-24 09:04:30",30,0,"LOST","DOCUMENTATION","1764000240.15",""

        """#

    @Test func masterCSV() throws {
        let p = try tempFile("Master.csv", Self.master)
        #expect(InputKind.detect(path: p) == .asteriskCDR)
        let r = AsteriskCDR.parse(path: p, zone: .fixed(offsetS: 3600))
        #expect(r.records.map(\.callID) == ["1764000000.11", "1764000060.12", "1764000120.13"])
        let a = r.records[0]
        #expect(a.agentID == "PJSIP/agent1001")
        #expect(a.queue == "support")
        #expect(a.caller == "+4930111222")
        #expect(a.dialed == "5000")
        #expect(a.waitS == 18)
        #expect(a.talkS == 300)
        #expect(a.answered == true)
        #expect(a.startedAt?.iso8601 == "2026-11-24T09:00:00+01:00")
        #expect(r.records[1].answered == false)
        #expect(r.records[1].waitS == 40)
        #expect(r.records[2].queue == nil)
        #expect(r.errors.map { "\($0.source.line) \($0.field ?? "-")" } == ["4 start", "5 disposition"])
    }

    @Test func reorderedColumnsWithAMap() throws {
        let p = try tempFile("Master.csv", "\"1764000000.11\",\"2026-11-24 09:00:00\",\"2026-11-24 09:00:10\",\"2026-11-24 09:01:10\",70,60,\"ANSWERED\",\"+4930111\",\"5000\"\n")
        let cols = ["uniqueid", "start", "answer", "end", "duration", "billsec", "disposition", "src", "dst"]
        let r = AsteriskCDR.parse(path: p, zone: .fixed(offsetS: 0), columns: cols)
        #expect(r.errors.isEmpty)
        #expect(r.records.first?.waitS == 10)
        #expect(r.records.first?.caller == "+4930111")
    }

    static let queueLog = """
        1764000000|NONE|NONE|NONE|QUEUESTART|
        1764000000|1764000000.11|support|NONE|ENTERQUEUE||+4930111222|1
        1764000018|1764000000.11|support|PJSIP/agent1001|CONNECT|18|1764000018.20|3
        1764000318|1764000000.11|support|PJSIP/agent1001|COMPLETECALLER|18|300|1
        1764000060|1764000060.12|support|NONE|ENTERQUEUE||+4930333444|1
        1764000100|1764000060.12|support|NONE|ABANDON|1|1|40
        1764000200|1764000200.30|sales|NONE|ENTERQUEUE||+4930999|1
        1764000500|1764000200.30|sales|NONE|EXITWITHTIMEOUT|1|1|300
        1764000600|1764000600.40|sales|NONE|ENTERQUEUE||+4930888|1
        1764000610|1764000600.40|sales|PJSIP/agent1003|CONNECT|10|1764000610.41|2
        1764000700|1764000600.40|sales|PJSIP/agent1003|TRANSFER|2000|default|10|90|1
        1764000800|1764000800.50|sales|PJSIP/agent1003|COMPLETEAGENT|ten|90|1

        """

    @Test func queueLogFoldsEventsPerCall() throws {
        let p = try tempFile("queue_log", Self.queueLog)
        #expect(InputKind.detect(path: p) == .queueLog)
        let r = QueueLog.parse(path: p, zone: .fixed(offsetS: 0))
        let byID = Dictionary(uniqueKeysWithValues: r.records.map { ($0.callID, $0) })
        let a = try #require(byID["1764000000.11"])
        #expect(a.agentID == "PJSIP/agent1001" && a.waitS == 18 && a.talkS == 300 && a.answered == true)
        #expect(a.caller == "+4930111222" && a.queue == "support")
        #expect(a.startedAt?.epochS == 1_764_000_000)
        #expect(byID["1764000060.12"]?.answered == false && byID["1764000060.12"]?.waitS == 40)
        #expect(byID["1764000200.30"]?.attributes["queue_exit"] == "exitwithtimeout")
        #expect(byID["1764000600.40"]?.talkS == 90 && byID["1764000600.40"]?.attributes["queue_exit"] == "transfer")
        #expect(r.errors.count == 1 && r.errors[0].source.line == 12 && r.errors[0].field == "holdtime")
    }

    @Test func mergeAddsQueueLogFactsToCDR() throws {
        let cdr = AsteriskCDR.parse(path: try tempFile("Master.csv", Self.master), zone: .fixed(offsetS: 0)).records
        let q = QueueLog.parse(path: try tempFile("queue_log", Self.queueLog), zone: .fixed(offsetS: 0)).records
        let merged = QueueLog.merge(cdr: cdr, queueLog: q)
        #expect(merged.count == 3 + 3)
        #expect(merged[0].waitS == 18 && merged[0].attributes["queue_exit"] == "completecaller")
        #expect(merged[0].caller == "+4930111222")
    }

    @Test func agentFromChannel() {
        #expect(AsteriskCDR.agentName(fromChannel: "SIP/1001-0000002a") == "SIP/1001")
        #expect(AsteriskCDR.agentName(fromChannel: "Local/1001@agents-00000001;1") == "Local/1001@agents")
        #expect(AsteriskCDR.agentName(fromChannel: "PJSIP/agent-x") == "PJSIP/agent-x")
    }

    @Test func detection() throws {
        #expect(InputKind.detect(path: try tempFile("a.csv", "\u{FEFF}call_id;started_at\n")) == .manifest)
        #expect(InputKind.detect(path: try tempFile("b.txt", "hello world\n")) == nil)
    }
}

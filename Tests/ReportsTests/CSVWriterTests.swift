import Reports
import Testing

@Suite struct CSVWriterTests {
    @Test func writerQuotesAndNeutralisesFormulas() {
        #expect(CSVWriter.line(["a,b", "say \"x\"", "=HYPERLINK(1)", "-3", "+1 555", "@x", "plain"])
            == "\"a,b\",\"say \"\"x\"\"\",'=HYPERLINK(1),-3,'+1 555,'@x,plain\n")
    }
}

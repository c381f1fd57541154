import CallQAModel
import CallRecords
import Store

extension ImportSession {
    /// Streams the data rows of an import file whose header has `columns` columns: a record
    /// the CSV reader cannot read, or one with another number of fields, is rejected with its
    /// line; `body` gets every other record's place and fields. Returns the rows read,
    /// rejected ones included.
    public func eachRow(of reader: CSVReader, path: String, columns: Int, _ body: (SourceRef, [String]) throws -> Void) throws -> Int {
        var rows = 0
        while let rec = try reader.nextRecord(onError: { error in
            rows += 1
            try reject(SourceRef(file: path, line: error.line), field: nil, error.description.replacingOccurrences(of: "\(path):\(error.line): ", with: ""))
        }) {
            rows += 1
            let ref = SourceRef(file: path, line: rec.line)
            guard rec.fields.count == columns else {
                try reject(ref, field: nil, "expected \(columns) fields as in the header, got \(rec.fields.count)")
                continue
            }
            try body(ref, rec.fields)
        }
        return rows
    }
}

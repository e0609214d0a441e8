import Train

/// The records of a CSV an experiment report wrote (one run per line; the fields are names,
/// numbers and booleans, so there is no quoting): the reader beside the reports' CSV writers.
struct CSVRecords {
    let file: String
    let columns: [String]
    /// The fields of each record, with its line number.
    let records: [(line: Int, fields: [String])]

    /// Splits `text`, checking the header is exactly `columns` and every record has that many fields.
    /// - Throws: `TrainError.badData` naming the file and line.
    init(_ text: String, file: String, columns: [String]) throws {
        self.file = file
        self.columns = columns
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == columns.joined(separator: ",") else {
            throw TrainError.badData(file: file, problem: "line 1: the header is not '\(columns.joined(separator: ","))'")
        }
        var records: [(Int, [String])] = []
        for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == columns.count else {
                throw TrainError.badData(file: file, problem: "line \(k + 1): \(fields.count) fields, expected \(columns.count)")
            }
            records.append((k + 1, fields))
        }
        self.records = records
    }

    /// The field of `column` in record `r`, parsed.
    /// - Throws: `TrainError.badData` naming the file, line, column and text.
    func field<T>(_ r: Int, _ column: String, _ parse: (String) -> T?) throws -> T {
        let text = records[r].fields[columns.firstIndex(of: column)!]
        guard let value = parse(text) else {
            throw TrainError.badData(file: file, problem: "line \(records[r].line): '\(text)' is not a valid \(column)")
        }
        return value
    }

    /// An optional number: an empty field is nil.
    func optionalDouble(_ r: Int, _ column: String) throws -> Double? {
        try field(r, column) { $0.isEmpty ? .some(nil) : Double($0).map { .some($0) } }
    }
}

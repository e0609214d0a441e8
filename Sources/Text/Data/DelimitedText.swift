/// A parser for CSV and TSV files (RFC 4180, with the delimiter a parameter), over UTF-8 bytes.
///
/// - A record ends at `\n` or `\r\n` outside quotes; a lone `\r` is an ordinary character.
/// - A field that starts with `"` is quoted: it may hold delimiters, line breaks and `""` (one
///   quote); after the closing quote only a delimiter or the end of the record may follow.
/// - A `"` inside an unquoted field is an ordinary character (as Python's csv module reads it).
/// - Empty lines are skipped; every other record must have as many fields as the header.
/// Linear in the input; nothing is read twice.
struct DelimitedText {
    struct Record {
        /// The 1-based line where the record starts.
        var line: Int
        var fields: [String]
    }

    let delimiter: UInt8

    /// The records of `bytes` (valid UTF-8), header included.
    ///
    /// - Throws: `TextError(.malformedData)` for an unterminated quoted field (naming the line where
    ///   it opened) or text after a closing quote.
    func records(_ bytes: [UInt8], file: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var i = 0
        let n = bytes.count
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var atFieldStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        while i < n {
            let b = bytes[i]
            if atFieldStart && b == quote {
                // Quoted field.
                let openLine = line
                i += 1
                var closed = false
                while i < n {
                    let c = bytes[i]
                    if c == quote {
                        if i + 1 < n && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if c == lf { line += 1 }
                    field.append(c)
                    i += 1
                }
                guard closed else {
                    throw TextError(.malformedData, file: file, line: openLine, message: "a quoted field is not closed before the end of the file")
                }
                // Only a delimiter or the end of the record may follow.
                if i < n && bytes[i] != delimiter && bytes[i] != lf && !(bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf) {
                    throw TextError(.malformedData, file: file, line: line, message: "text after the closing quote of a field (write a quote inside a quoted field as \"\")")
                }
                atFieldStart = false
                continue
            }
            if b == delimiter {
                endField()
                atFieldStart = true
                i += 1
            } else if b == lf || (b == cr && i + 1 < n && bytes[i + 1] == lf) {
                endRecord()
                i += b == cr ? 2 : 1
                line += 1
                recordLine = line
                atFieldStart = true
            } else {
                field.append(b)
                atFieldStart = false
                i += 1
            }
        }
        if !field.isEmpty || !fields.isEmpty || !atFieldStart { endRecord() }
        return records
    }
}

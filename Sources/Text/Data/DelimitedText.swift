/// A parser for CSV and TSV files (RFC 4180, with the delimiter a parameter), over UTF-8 bytes.
///
/// - A record ends at `\n` or `\r\n` outside quotes; a lone `\r` is an ordinary character.
/// - A field that starts with `"` is quoted: it may hold delimiters, line breaks and `""` (one
///   quote); after the closing quote only a delimiter or the end of the record may follow.
/// - A `"` inside an unquoted field is an ordinary character (as Python's csv module reads it).
/// - Empty lines are skipped; every other record must have as many fields as the header.
/// Linear in the input: each byte is looked at once, fields are sliced out, not built byte by byte.
struct DelimitedText {
    struct Record {
        /// The 1-based line where the record starts.
        var line: Int
        var fields: [String]
    }

    let delimiter: UInt8

    private static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// The records of `bytes` (valid UTF-8), header included.
    ///
    /// - Throws: `TextError(.malformedData)` for an unterminated quoted field (naming the line where
    ///   it opened) or text after a closing quote.
    func records(_ bytes: [UInt8], file: String) throws -> [Record] {
        try bytes.withUnsafeBufferPointer { try records($0, file: file) }
    }

    private func records(_ bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> [Record] {
        let quote = Self.quote, lf = Self.lf, cr = Self.cr, delimiter = self.delimiter
        let n = bytes.count
        var records: [Record] = []
        var fields: [String] = []
        var line = 1
        var i = 0
        /// Whether position `j` ends a record (`\n`, or `\r\n`).
        func isRecordEnd(_ j: Int) -> Bool { bytes[j] == lf || (bytes[j] == cr && j + 1 < n && bytes[j + 1] == lf) }
        while i < n {
            // One record, starting at i.
            let recordLine = line
            fields.removeAll(keepingCapacity: true)
            if isRecordEnd(i) {           // an empty line
                i += bytes[i] == cr ? 2 : 1
                line += 1
                continue
            }
            while true {
                // One field, starting at i.
                if i < n && bytes[i] == quote {
                    let openLine = line
                    i += 1
                    var start = i
                    var pieces: [UInt8]? = nil    // only when the field holds "" escapes
                    var closed = false
                    while i < n {
                        let c = bytes[i]
                        if c == quote {
                            if i + 1 < n && bytes[i + 1] == quote {
                                if pieces == nil { pieces = [] }
                                pieces!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...i]))
                                i += 2
                                start = i
                                continue
                            }
                            closed = true
                            break
                        }
                        if c == lf { line += 1 }
                        i += 1
                    }
                    guard closed else {
                        throw TextError(.malformedData, file: file, line: openLine, message: "a quoted field is not closed before the end of the file")
                    }
                    let tail = UnsafeBufferPointer(rebasing: bytes[start..<i])
                    if var p = pieces {
                        p.append(contentsOf: tail)
                        fields.append(String(decoding: p, as: UTF8.self))
                    } else {
                        fields.append(String(decoding: tail, as: UTF8.self))
                    }
                    i += 1    // the closing quote
                    if i < n && bytes[i] != delimiter && !isRecordEnd(i) {
                        throw TextError(.malformedData, file: file, line: line,
                                        message: "text after the closing quote of a field (write a quote inside a quoted field as \"\")")
                    }
                } else {
                    let start = i
                    while i < n && bytes[i] != delimiter && !isRecordEnd(i) { i += 1 }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                }
                // After a field: a delimiter, the end of the record, or the end of the input.
                if i < n && bytes[i] == delimiter { i += 1; continue }
                if i < n { i += bytes[i] == cr ? 2 : 1; line += 1 }
                break
            }
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}

import Checkpoint

/// Which fields of a data file hold the text, the optional second text (sentence pairs) and the label.
public struct TextColumns: Sendable, Equatable {
    public var text: String
    public var label: String
    /// The second text of a sentence pair, or nil.
    public var secondText: String?

    public init(text: String = "text", label: String = "label", secondText: String? = nil) {
        self.text = text
        self.label = label
        self.secondText = secondText
    }
}

/// The file formats `LabeledTexts.read` takes, chosen by extension.
public enum TextFileFormat: String, Sendable, CaseIterable {
    /// Comma-separated values with a header row (RFC 4180).
    case csv
    /// Tab-separated values with a header row, quoted like CSV.
    case tsv
    /// JSON Lines: one object per line (blank lines skipped).
    case jsonl

    /// The format of `path` from its extension (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`), or nil.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { self = .tsv }
        else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { self = .jsonl }
        else { return nil }
    }
}

/// Texts with their labels as written in a file, before labels become class ids.
public struct LabeledTexts: Sendable, Equatable {
    public var texts: [String]
    public var secondTexts: [String]?
    public var labels: [String]
    /// The 1-based line each example starts on (for messages).
    public var lines: [Int]
    /// The file they came from.
    public var source: String

    public init(texts: [String], secondTexts: [String]?, labels: [String], lines: [Int], source: String) {
        self.texts = texts
        self.secondTexts = secondTexts
        self.labels = labels
        self.lines = lines
        self.source = source
    }

    public var count: Int { texts.count }

    /// Reads a CSV, TSV or JSON Lines file (format from the extension unless given).
    ///
    /// Columns are found by name in the header row (CSV/TSV) or by key (JSONL). Labels keep their
    /// exact text (JSON numbers and booleans as written); an empty or missing label is an error
    /// naming the line. Texts may be empty.
    /// - Throws: `TextError` naming the file (and line): undecodable bytes, a malformed row, a
    ///   missing column (the message lists the columns there are), no examples.
    public static func read(file path: String, format: TextFileFormat? = nil, columns: TextColumns = TextColumns(),
                            encoding: TextEncoding = .utf8) throws -> LabeledTexts {
        guard let format = format ?? TextFileFormat(path: path) else {
            throw TextError(.malformedData, file: path, message: "unknown data format: expected a .csv, .tsv or .jsonl file")
        }
        let bytes = try TextDecoding.utf8Bytes(try TextFiles.read(path, what: "data file"), encoding: encoding, file: path)
        let result: LabeledTexts
        switch format {
        case .csv: result = try fromDelimited(bytes, delimiter: UInt8(ascii: ","), headerRows: 1, columns: columns, file: path)
        case .tsv: result = try fromDelimited(bytes, delimiter: UInt8(ascii: "\t"), headerRows: 1, columns: columns, file: path)
        case .jsonl: result = try fromJSONLines(bytes, columns: columns, file: path)
        }
        guard result.count > 0 else { throw TextError(.unusableData, file: path, message: "no examples") }
        return result
    }

    /// Rows of a delimited file whose first row names the columns; `headerRows - 1` more rows
    /// (Orange's types and roles) are skipped.
    static func fromDelimited(_ bytes: [UInt8], delimiter: UInt8, headerRows: Int, columns: TextColumns, file: String) throws -> LabeledTexts {
        let records = try DelimitedText(delimiter: delimiter).records(bytes, file: file)
        guard let header = records.first else { throw TextError(.unusableData, file: file, message: "empty file (no header row)") }
        func index(_ name: String) throws -> Int {
            let matches = header.fields.indices.filter { header.fields[$0] == name }
            guard let i = matches.first else {
                throw TextError(.missingColumn, file: file, line: header.line,
                                message: "no column \(JSONText.quoted(name)) (columns: \(header.fields.map(JSONText.quoted).joined(separator: ", ")))")
            }
            guard matches.count == 1 else {
                throw TextError(.malformedData, file: file, line: header.line, message: "\(matches.count) columns are named \(JSONText.quoted(name))")
            }
            return i
        }
        let t = try index(columns.text), l = try index(columns.label)
        let s = try columns.secondText.map(index)
        var out = LabeledTexts(texts: [], secondTexts: s == nil ? nil : [], labels: [], lines: [], source: file)
        for r in records.dropFirst(headerRows) {
            guard r.fields.count == header.fields.count else {
                throw TextError(.malformedData, file: file, line: r.line,
                                message: "\(r.fields.count) fields where the header has \(header.fields.count)")
            }
            guard !r.fields[l].isEmpty else { throw TextError(.malformedData, file: file, line: r.line, message: "empty label") }
            out.texts.append(r.fields[t])
            out.labels.append(r.fields[l])
            if let s { out.secondTexts!.append(r.fields[s]) }
            out.lines.append(r.line)
        }
        return out
    }

    static func fromJSONLines(_ bytes: [UInt8], columns: TextColumns, file: String) throws -> LabeledTexts {
        var out = LabeledTexts(texts: [], secondTexts: columns.secondText == nil ? nil : [], labels: [], lines: [], source: file)
        var start = 0, line = 1
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let content = bytes[start..<end]
            defer { start = end + 1; line += 1 }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(Array(content))
            } catch let e as JSONSyntaxError {
                throw TextError(.malformedData, file: file, line: line, message: "not valid JSON: \(e.message) at column \(e.offset + 1)")
            }
            guard case .object = value else {
                throw TextError(.malformedData, file: file, line: line, message: "expected a JSON object, found \(value.typeName)")
            }
            func text(_ key: String) throws -> String {
                guard let v = value[key] else {
                    throw TextError(.missingColumn, file: file, line: line, message: "no field \(JSONText.quoted(key))")
                }
                guard case .string(let s) = v else {
                    throw TextError(.malformedData, file: file, line: line, message: "field \(JSONText.quoted(key)): expected a string, found \(v.typeName)")
                }
                return s
            }
            guard let labelValue = value[columns.label] else {
                throw TextError(.missingColumn, file: file, line: line, message: "no field \(JSONText.quoted(columns.label))")
            }
            let label: String
            switch labelValue {
            case .string(let s): label = s
            case .number(let literal): label = literal
            case .bool(let b): label = b ? "true" : "false"
            default:
                throw TextError(.malformedData, file: file, line: line,
                                message: "field \(JSONText.quoted(columns.label)): expected a string, number or boolean, found \(labelValue.typeName)")
            }
            guard !label.isEmpty else { throw TextError(.malformedData, file: file, line: line, message: "empty label") }
            out.texts.append(try text(columns.text))
            if let s = columns.secondText { out.secondTexts!.append(try text(s)) }
            out.labels.append(label)
            out.lines.append(line)
        }
        return out
    }
}

/// One tensor entry of a safetensors header; offsets are relative to the data area.
struct SafetensorsEntry: Equatable {
    let name: String
    let dtype: DType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// The parsed and validated header of one safetensors file.
///
/// Validation follows the reference implementation (`SafeTensors::read_metadata` and
/// `Metadata::validate` of the `safetensors` crate), with a distinct error kind per failure.
struct SafetensorsHeader {
    /// The reference implementation's limit on the header length.
    static let maxHeaderLength: UInt64 = 100_000_000

    /// Entries sorted by ascending `(begin, end)`, ties in header order.
    let entries: [SafetensorsEntry]
    /// The `__metadata__` map (empty when absent).
    let metadata: [String: String]
    /// Absolute file offset of the data area: 8 + header length.
    let dataStart: Int

    /// Reads and validates the header of the file behind `reader`, checking every offset against
    /// the file's size (so a later read cannot run past the end of an unmodified file).
    ///
    /// - Throws: `CheckpointError` of kind `.truncated` (file shorter than 8 bytes, than the
    ///   header, or than the data the header declares), `.headerTooLarge`, `.invalidHeader`,
    ///   `.unknownDType`, `.duplicateTensor`, `.invalidOffsets`, `.overlappingTensors`,
    ///   `.uncoveredData`, `.shapeMismatch`, or `.io`.
    static func read(from reader: FileReader) throws -> SafetensorsHeader {
        let path = reader.path
        let fileSize = try reader.size()
        guard fileSize >= 8 else {
            throw CheckpointError(.truncated, file: path, message: "file has \(fileSize) bytes; a safetensors file starts with an 8-byte header length")
        }
        let lengthBytes = try reader.read(count: 8, at: 0)
        let length = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= maxHeaderLength else {
            throw CheckpointError(.headerTooLarge, file: path, message: "header length \(length) bytes exceeds the limit of \(maxHeaderLength)")
        }
        let headerLength = Int(length)
        guard 8 + headerLength <= fileSize else {
            throw CheckpointError(.truncated, file: path, message: "header length \(headerLength) bytes is larger than the \(fileSize - 8) bytes that follow it")
        }
        let bytes = try reader.read(count: headerLength, at: 8)
        let parsed = try parse(bytes, path: path)
        let header = SafetensorsHeader(entries: parsed.entries, metadata: parsed.metadata, dataStart: 8 + headerLength)
        try validateLayout(header.entries, dataSize: fileSize - header.dataStart, path: path)
        return header
    }

    /// Parses header JSON into entries sorted by offset; checks types, dtypes, duplicates and
    /// the byte count of each tensor, but not how the ranges fit together (see `validateLayout`).
    static func parse(_ bytes: [UInt8], path: String) throws -> (entries: [SafetensorsEntry], metadata: [String: String]) {
        if let bad = JSONParser.firstInvalidUTF8Offset(bytes) {
            throw CheckpointError(.invalidHeader, file: path, message: "header is not valid UTF-8 (byte \(bad) of the header)")
        }
        guard bytes.first == UInt8(ascii: "{") else {
            let found = bytes.first.map { "byte 0x\(String($0, radix: 16))" } ?? "an empty header"
            throw CheckpointError(.invalidHeader, file: path, message: "header must start with '{', found \(found)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch let e as JSONSyntaxError {
            throw CheckpointError(.invalidHeader, file: path, message: "header is not valid JSON: \(e.message) at byte \(e.offset) of the header")
        }
        guard case .object(let members) = json else {
            throw CheckpointError(.invalidHeader, file: path, message: "header is \(json.typeName), expected an object")
        }
        var metadata: [String: String]?
        var entries: [SafetensorsEntry] = []
        var seen = Set<String>()
        for member in members {
            if member.key == "__metadata__" {
                guard metadata == nil else {
                    throw CheckpointError(.invalidHeader, file: path, message: "header has two __metadata__ entries")
                }
                metadata = try parseMetadata(member.value, path: path)
                continue
            }
            guard seen.insert(member.key).inserted else {
                throw CheckpointError(.duplicateTensor, file: path, message: "tensor '\(member.key)' appears more than once in the header")
            }
            entries.append(try parseEntry(member, path: path))
        }
        let order = entries.indices.sorted {
            (entries[$0].begin, entries[$0].end, $0) < (entries[$1].begin, entries[$1].end, $1)
        }
        return (order.map { entries[$0] }, metadata ?? [:])
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        guard case .object(let pairs) = value else {
            throw CheckpointError(.invalidHeader, file: path, message: "__metadata__ is \(value.typeName), expected an object of strings")
        }
        var result: [String: String] = [:]
        for pair in pairs {
            guard case .string(let s) = pair.value else {
                throw CheckpointError(.invalidHeader, file: path, message: "__metadata__ entry '\(pair.key)' is \(pair.value.typeName), expected a string")
            }
            result[pair.key] = s
        }
        return result
    }

    private static func parseEntry(_ member: JSONMember, path: String) throws -> SafetensorsEntry {
        let name = member.key
        func invalid(_ message: String) -> CheckpointError {
            CheckpointError(.invalidHeader, file: path, message: "tensor '\(name)': \(message)")
        }
        guard case .object(let fields) = member.value else {
            throw invalid("entry is \(member.value.typeName), expected an object")
        }
        func field(_ key: String) throws -> JSONValue {
            guard let v = fields.first(where: { $0.key == key })?.value else { throw invalid("missing field '\(key)'") }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw invalid("'dtype' is not a string") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw CheckpointError(.unknownDType, file: path, message: "tensor '\(name)' has unknown dtype '\(dtypeName)'")
        }
        guard case .array(let dims) = try field("shape") else { throw invalid("'shape' is not an array") }
        var shape: [Int] = []
        for d in dims {
            guard case .value(let v) = d.nonNegativeInteger else {
                throw invalid("shape entry \(Self.literal(d)) is not a non-negative integer")
            }
            shape.append(v)
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2 else {
            throw invalid("'data_offsets' is not an array of two integers")
        }
        var bounds: [Int] = []
        for o in offsets {
            switch o.nonNegativeInteger {
            case .value(let v): bounds.append(v)
            case .tooLarge:
                throw CheckpointError(.invalidOffsets, file: path, message: "tensor '\(name)': data offset \(Self.literal(o)) is out of range")
            case .negative, .notAnInteger:
                throw invalid("data offset \(Self.literal(o)) is not a non-negative integer")
            }
        }
        let entry = SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: bounds[0], end: bounds[1])
        if entry.end < entry.begin {
            throw CheckpointError(.invalidOffsets, file: path, message: "tensor '\(name)': data_offsets end \(entry.end) is before begin \(entry.begin)")
        }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw invalid("shape \(shape) overflows") }
            count = p
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw invalid("shape \(shape) of \(dtype.rawValue) overflows") }
        guard byteCount == entry.end - entry.begin else {
            throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(name)': shape \(shape) of \(dtype.rawValue) needs \(byteCount) bytes but data_offsets [\(entry.begin), \(entry.end)] span \(entry.end - entry.begin)")
        }
        return entry
    }

    private static func literal(_ v: JSONValue) -> String {
        switch v {
        case .number(let t): return t
        case .string(let s): return "\"\(s)\""
        default: return v.typeName
        }
    }

    /// Checks that the sorted entries tile the data area `0 ..< dataSize` exactly.
    ///
    /// A gap (including before the first tensor or after the last) is `.uncoveredData`, an
    /// overlap `.overlappingTensors`. A consistent header whose last tensor ends past the end
    /// of the file is `.truncated` (the usual cause is an interrupted download or copy).
    static func validateLayout(_ entries: [SafetensorsEntry], dataSize: Int, path: String) throws {
        var covered = 0
        var previous: SafetensorsEntry?
        for e in entries {
            if e.begin > covered {
                let before = previous.map { "between '\($0.name)' and '\(e.name)'" } ?? "before '\(e.name)'"
                throw CheckpointError(.uncoveredData, file: path, message: "data bytes \(covered)..<\(e.begin) belong to no tensor (gap \(before))")
            }
            if e.begin < covered, let p = previous {
                throw CheckpointError(.overlappingTensors, file: path, message: "tensor '\(e.name)' (bytes \(e.begin)..<\(e.end)) overlaps '\(p.name)' (bytes \(p.begin)..<\(p.end))")
            }
            covered = e.end
            previous = e
        }
        if covered < dataSize {
            throw CheckpointError(.uncoveredData, file: path, message: "data area has \(dataSize) bytes but tensors cover only \(covered); \(dataSize - covered) trailing bytes belong to no tensor")
        }
        if covered > dataSize {
            let last = previous.map { " ('\($0.name)' ends at data byte \($0.end))" } ?? ""
            throw CheckpointError(.truncated, file: path, message: "file is truncated: tensors need \(covered) data bytes but only \(dataSize) follow the header\(last)")
        }
    }
}

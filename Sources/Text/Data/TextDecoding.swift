import Checkpoint

/// The character encoding of a data file.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// UTF-8 (a leading byte-order mark is dropped); invalid bytes are an error naming the line.
    case utf8
    /// ISO-8859-1: every byte is the scalar of the same value (never an error).
    case latin1
}

enum TextDecoding {
    /// `bytes` as valid UTF-8, without a leading byte-order mark when `stripBOM`.
    ///
    /// - Throws: `TextError(.undecodable)` naming the line (1-based, counting `\n`) and the column
    ///   (byte) of the first invalid byte.
    static func utf8Bytes(_ bytes: [UInt8], encoding: TextEncoding, file: String, stripBOM: Bool = true) throws -> [UInt8] {
        switch encoding {
        case .latin1:
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 8)
            for b in bytes {
                if b < 0x80 { out.append(b) } else { out.append(0xC0 | b >> 6); out.append(0x80 | b & 0x3F) }
            }
            return out
        case .utf8:
            // The standard library's validation is fast; the slow scan only finds the offset to report.
            if String(validating: bytes, as: UTF8.self) == nil, let bad = JSONParser.firstInvalidUTF8Offset(bytes) {
                var line = 1, lineStart = 0
                for i in 0..<bad where bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
                throw TextError(.undecodable, file: file, line: line,
                                message: "byte \(bad - lineStart + 1) (0x\(String(bytes[bad], radix: 16, uppercase: true))) is not valid UTF-8; if the file is Latin-1, read it with the latin1 encoding")
            }
            if stripBOM && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes[3...]) }
            return bytes
        }
    }

    /// The Unicode scalar values of `text` (decoded from its UTF-8, which a String keeps valid).
    static func scalars(_ text: String) -> [UInt32] {
        var text = text
        return text.withUTF8 { utf8 in
            [UInt32](unsafeUninitializedCapacity: utf8.count) { out, count in
                var i = 0, n = 0
                let end = utf8.count
                while i < end {
                    let b0 = UInt32(utf8[i])
                    if b0 < 0x80 {
                        out[n] = b0
                        i += 1
                    } else if b0 < 0xE0 {
                        out[n] = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                        i += 2
                    } else if b0 < 0xF0 {
                        out[n] = (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                        i += 3
                    } else {
                        out[n] = (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6 | UInt32(utf8[i + 3] & 0x3F)
                        i += 4
                    }
                    n += 1
                }
                count = n
            }
        }
    }
}

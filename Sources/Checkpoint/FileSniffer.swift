/// Recognises a file's format from its first bytes.
enum FileSniffer {
    /// What a file looks like.
    enum Guess: Equatable {
        case safetensors
        case hdf5
        case json
        /// A ZIP archive (a PyTorch checkpoint or a Keras 3 `.keras` file).
        case zip
        /// A GGUF file (magic `GGUF`).
        case gguf
        /// Anything else, with a short description ("a ZIP archive ...", "a text file", ...).
        case other(String)
    }

    /// The start of a legacy (pre-1.6) `torch.save` stream: protocol 2, then the pickled magic
    /// number 0x1950a86a20f9469cfc6c as a LONG1.
    static let legacyTorchMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// The 8-byte HDF5 format signature, found at byte 0 or after a user block of 512·2ⁿ bytes.
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Guesses the format of the file behind `reader` from its content; `fileName` only decides
    /// for files whose content fits no format (a `.safetensors` file is then parsed anyway so its
    /// own validation error is reported).
    ///
    /// safetensors is recognised by a `{` right after the 8-byte header length (unless the file
    /// itself starts like JSON); HDF5 by its signature at offset 0, 512, 1024, 2048, ... (up to
    /// 1 MiB); JSON by a leading `{` or `[`; an empty file is `.other`.
    static func guess(_ reader: FileReader, fileName: String) throws -> Guess {
        let size = try reader.size()
        if size == 0 { return .other("an empty file (0 bytes)") }
        let head = try reader.read(count: min(size, 16), at: 0)
        if head.starts(with: hdf5Signature) { return .hdf5 }
        if head.starts(with: Array("GGUF".utf8)) { return .gguf }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        var offset = 512
        while offset + 8 <= min(size, 1 << 20) {
            if try reader.read(count: 8, at: offset) == hdf5Signature { return .hdf5 }
            offset *= 2
        }
        // A real header length is below 2^27, so its high bytes are 0; JSON text such as
        // `{"meta":{` also has a `{` at byte 8 but printable bytes throughout.
        let looksLikeJSON = head[0] == UInt8(ascii: "{") && head.count > 7 && head[7] != 0
        if head.count > 8 && head[8] == UInt8(ascii: "{") && !looksLikeJSON { return .safetensors }
        let lower = fileName.lowercased()
        if lower.hasSuffix(".safetensors") { return .safetensors }
        if let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return .json
        }
        let isTar = try size >= 512 && reader.read(count: 5, at: 257) == Array("ustar".utf8)
        return .other(describe(head, size: size, lowercasedName: lower, isTar: isTar))
    }

    /// A short description of non-checkpoint content, for `notACheckpoint` messages.
    static func describe(_ head: [UInt8], size: Int, lowercasedName: String, isTar: Bool = false) -> String {
        if head.starts(with: [0x1F, 0x8B]) { return "a gzip-compressed file" }
        if head.starts(with: legacyTorchMagic) || isTar {
            return "a legacy PyTorch file (the serialization of torch < 1.6, or _use_new_zipfile_serialization=False), which is not read; re-save it with a current torch.save, or convert it to safetensors"
        }
        if head.count >= 2 && head[0] == 0x80 && (2...5).contains(head[1]) {
            return "a Python pickle that is not a PyTorch checkpoint (pickles are never executed here)"
        }
        if lowercasedName.hasSuffix(".h5") || lowercasedName.hasSuffix(".hdf5") {
            return "named like HDF5 but without the HDF5 signature (\(size) bytes)"
        }
        // Printable ASCII, whitespace, and bytes of multi-byte UTF-8 sequences (>= 0x80).
        let text = head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 != 0x7F) }
        if text { return "a text file (\(size) bytes), not a checkpoint" }
        let hex = head.prefix(8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
        return "not a checkpoint format read here (safetensors, PyTorch, GGUF, HDF5; \(size) bytes starting \(hex))"
    }
}

import Foundation

/// A minimal reader of ZIP archives (PKWARE APPNOTE 6.3) whose entries are *stored*
/// (compression method 0), as PyTorch's `torch.save` writes them.
///
/// It reads the end-of-central-directory record (ZIP64 too), the central directory, and each
/// entry's local header, and checks every extracted entry's CRC-32. Deflated entries (method 8)
/// and encrypted entries are reported as unsupported: zlib is not available to Foundation on
/// Linux, and PyTorch never compresses its archives.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let path: String
    let entries: [Entry]
    private let reader: FileReader
    private let fileSize: Int

    /// Reads the archive's directory.
    /// - Throws: `CheckpointError(.notACheckpoint)` if there is no end-of-central-directory
    ///   record, `.invalidHeader` / `.truncated` for a malformed directory, `.io` on read errors.
    init(path: String) throws {
        self.path = path
        reader = FileReader(path: path)
        fileSize = try reader.size()
        let tailLength = min(fileSize, 22 + 65_535)
        let tail = try reader.read(count: tailLength, at: fileSize - tailLength)
        guard let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4b50 }) else {
            throw CheckpointError(.notACheckpoint, file: path, message: "not a ZIP archive (no end-of-central-directory record)")
        }
        var count = Int(Self.u16(tail, eocd + 10))
        var directorySize = Int(Self.u32(tail, eocd + 12))
        var directoryOffset = Int(Self.u32(tail, eocd + 16))
        // ZIP64: a locator just before the EOCD points at the ZIP64 EOCD record.
        if eocd >= 20, Self.u32(tail, eocd - 20) == 0x0706_4b50 {
            let recordOffset = Int(Self.u64(tail, eocd - 20 + 8))
            let record = try reader.read(count: 56, at: recordOffset)
            guard Self.u32(record, 0) == 0x0606_4b50 else {
                throw CheckpointError(.invalidHeader, file: path, message: "ZIP64 end-of-central-directory record is missing")
            }
            count = Int(Self.u64(record, 32))
            directorySize = Int(Self.u64(record, 40))
            directoryOffset = Int(Self.u64(record, 48))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= fileSize else {
            throw CheckpointError(.truncated, file: path, message: "the ZIP central directory lies beyond the end of the file")
        }
        let directory = try reader.read(count: directorySize, at: directoryOffset)
        var entries: [Entry] = []
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, Self.u32(directory, p) == 0x0201_4b50 else {
                throw CheckpointError(.invalidHeader, file: path, message: "malformed ZIP central directory entry \(entries.count)")
            }
            let nameLength = Int(Self.u16(directory, p + 28)), extraLength = Int(Self.u16(directory, p + 30))
            let commentLength = Int(Self.u16(directory, p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw CheckpointError(.invalidHeader, file: path, message: "ZIP central directory entry \(entries.count) overruns the directory")
            }
            let name = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            var compressed = Int(Self.u32(directory, p + 20)), size = Int(Self.u32(directory, p + 24))
            var offset = Int(Self.u32(directory, p + 42))
            // ZIP64 extended information (header 0x0001): the 0xFFFFFFFF fields, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = Self.u16(directory, e), length = Int(Self.u16(directory, e + 2))
                if id == 0x0001 {
                    var q = e + 4
                    if size == 0xFFFF_FFFF, q + 8 <= e + 4 + length { size = Int(Self.u64(directory, q)); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= e + 4 + length { compressed = Int(Self.u64(directory, q)); q += 8 }
                    if offset == 0xFFFF_FFFF, q + 8 <= e + 4 + length { offset = Int(Self.u64(directory, q)) }
                }
                e += 4 + length
            }
            entries.append(Entry(name: name, method: Self.u16(directory, p + 10), flags: Self.u16(directory, p + 8),
                                 crc32: Self.u32(directory, p + 16), compressedSize: compressed, size: size, localHeaderOffset: offset))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry called `name`, or nil.
    func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The bytes of `entry`, CRC-checked.
    /// - Throws: `.unsupported` for compressed or encrypted entries, `.truncated` if the data
    ///   runs past the end of the file, `.invalidHeader` for a bad local header or CRC mismatch.
    func data(of entry: Entry) throws -> [UInt8] {
        guard entry.flags & 1 == 0 else {
            throw CheckpointError(.unsupported, file: path, message: "ZIP entry '\(entry.name)' is encrypted")
        }
        guard entry.method == 0 else {
            throw CheckpointError(.unsupported, file: path,
                                  message: "ZIP entry '\(entry.name)' uses compression method \(entry.method)\(entry.method == 8 ? " (deflate)" : ""); only stored entries are supported")
        }
        let header = try reader.read(count: 30, at: entry.localHeaderOffset)
        guard Self.u32(header, 0) == 0x0403_4b50 else {
            throw CheckpointError(.invalidHeader, file: path, message: "ZIP entry '\(entry.name)' has no local header at its offset")
        }
        let start = entry.localHeaderOffset + 30 + Int(Self.u16(header, 26)) + Int(Self.u16(header, 28))
        guard start + entry.size <= fileSize else {
            throw CheckpointError(.truncated, file: path, message: "ZIP entry '\(entry.name)' runs past the end of the file")
        }
        let bytes = try reader.read(count: entry.size, at: start)
        guard CRC32.checksum(bytes) == entry.crc32 else {
            throw CheckpointError(.invalidHeader, file: path, message: "ZIP entry '\(entry.name)' fails its CRC-32 check (corrupt file)")
        }
        return bytes
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as ZIP uses.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

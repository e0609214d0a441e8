import Checkpoint
import Foundation

/// Reads a text file (or standard input) line by line, in chunks, decoding each line.
///
/// Lines end at `\n` (a `\r` before it stays in the line); a last line without `\n` counts, and a
/// file ending in `\n` has no empty line after it. Memory holds one chunk and the longest line, which
/// may take at most a quarter of the memory budget (`MemoryBudget.current`).
public final class TextLineReader {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private let encoding: TextEncoding
    public let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` up to here hold no newline.
    private var scanned = 0
    private var atEnd = false
    /// The 1-based number of the line `next()` returned last.
    public private(set) var lineNumber = 0

    static let chunkSize = 1 << 20

    /// - Parameter path: a file, or `-` for standard input.
    public init(path: String, encoding: TextEncoding = .utf8) throws {
        self.path = path
        self.encoding = encoding
        if path == "-" {
            handle = FileHandle.standardInput
            ownsHandle = false
        } else {
            do {
                handle = FileHandle(fileDescriptor: try InputFile.open(path), closeOnDealloc: true)
            } catch let e as CheckpointError {
                throw TextError(e, what: "file")
            }
            ownsHandle = true
        }
    }

    deinit {
        if ownsHandle { try? handle.close() }
    }

    /// The next line, or nil at the end.
    /// - Throws: `TextError(.undecodable)` naming the line when its bytes are not valid UTF-8.
    public func next() throws -> String? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                scanned = start
                return try decode(line)
            }
            scanned = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return try decode(line)
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                scanned -= start
                start = 0
            }
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: Self.chunkSize)
            } catch {
                throw TextError(.io, file: path, message: "read failed: \(FileProblem.text(error))")
            }
            if let chunk, !chunk.isEmpty {
                // One line may not outgrow the memory budget (a file without newlines).
                guard buffer.count + chunk.count <= max(Self.chunkSize, MemoryBudget.current.bytes / 4) else {
                    throw TextError(.unusableData, file: path, line: lineNumber + 1,
                                    message: "a line of more than \(buffer.count) bytes exceeds a quarter of the memory budget (\(MemoryBudget.current))")
                }
                buffer.append(contentsOf: chunk)
            } else { atEnd = true }
        }
    }

    private func decode(_ bytes: [UInt8]) throws -> String {
        lineNumber += 1
        do {
            return String(decoding: try TextDecoding.utf8Bytes(bytes, encoding: encoding, file: path, stripBOM: lineNumber == 1), as: UTF8.self)
        } catch let e as TextError {
            throw TextError(e.kind, file: path, line: lineNumber, message: e.message)
        }
    }
}

import Checkpoint

/// Reads a whole gzip-compressed data set through Checkpoint's zlib wrapper.
enum Gzip {
    /// The decompressed size allowed (the largest data set, Fashion-MNIST's training images,
    /// is 47 MB): a corrupt or hostile file fails after at most this much output.
    static let limit = 1 << 30

    /// The decompressed bytes of `path`; `TrainError.badData` naming the file on any failure.
    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try Zlib.gunzip(path, limit: limit)
        } catch let error as CheckpointError {
            throw TrainError.badData(file: path, problem: error.kind == .notFound ? "no such file" : error.message)
        }
    }
}

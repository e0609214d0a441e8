/// Why a checkpoint could not be opened, read or written.
///
/// `file` is the file (or folder) at fault, which for sharded checkpoints is the shard or index
/// concerned rather than the path given to `Checkpoint.open`. `description` is one line.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of failure; each malformed-file case has its own kind.
    public enum Kind: String, Sendable {
        /// The path does not exist (or a tensor is not part of the checkpoint).
        case notFound
        /// The path is a folder, FIFO, socket or device where a regular file is read.
        case notAFile
        /// A file, or what it declares, is larger than a limit or the memory budget allows.
        case tooLarge
        /// The file or folder is not a checkpoint of any format read here.
        case notACheckpoint
        /// The safetensors header length exceeds 100,000,000 bytes.
        case headerTooLarge
        /// The header is not valid UTF-8 / JSON, or has wrong field types.
        case invalidHeader
        /// The file ends before the header or the data it declares.
        case truncated
        /// A tensor's data offsets are impossible (end before begin, or out of range).
        case invalidOffsets
        /// Two tensors' byte ranges overlap.
        case overlappingTensors
        /// Bytes of the data area belong to no tensor (a gap, or trailing bytes).
        case uncoveredData
        /// A tensor's byte count differs from product(shape) × element size.
        case shapeMismatch
        /// A dtype string that is not a `DType`.
        case unknownDType
        /// The same tensor name appears twice.
        case duplicateTensor
        /// A shard named by an index file does not exist.
        case missingShard
        /// libhdf5 reported a failure, or the HDF5 layout is inconsistent.
        case hdf5
        /// A system call (open, read, write, rename) failed.
        case io
        /// A valid file uses a feature this reader does not handle.
        case unsupported
        /// A compressed stream (a deflated ZIP entry, a gzip file) is corrupt, truncated, or
        /// inflates beyond its declared size or bound.
        case compression
        /// A pickle names a global (class or function) outside the reader's whitelist; nothing
        /// is ever executed.
        case disallowedGlobal
    }

    public let kind: Kind
    public let file: String
    public let message: String

    /// Creates an error; line breaks in `message` become spaces so `description` stays one line.
    public init(_ kind: Kind, file: String, message: String) {
        self.kind = kind
        self.file = file
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `"<file>: <message>"`, on one line.
    public var description: String { "\(file): \(message)" }
}

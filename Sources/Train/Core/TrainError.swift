/// What can go wrong in training, each with a one-line message.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    /// A data set file is missing or malformed (`file`, the problem).
    case badData(file: String, problem: String)
    /// A checkpoint given to --init or --resume does not fit the model.
    case badCheckpoint(file: String, problem: String)
    /// A resume state is incomplete or inconsistent.
    case badResumeState(String)
    /// An output file could not be written.
    case output(file: String, problem: String)
    /// The loss became NaN or infinite.
    case diverged(step: Int)

    public var description: String {
        switch self {
        case let .invalidOption(m): return m
        case let .badData(file, problem): return "\(file): \(problem)"
        case let .badCheckpoint(file, problem): return "\(file): \(problem)"
        case let .output(file, problem): return "\(file): \(problem)"
        case let .badResumeState(m): return "cannot resume: \(m)"
        case let .diverged(step): return "the loss became NaN or infinite at step \(step) (lower --lr or set --clip)"
        }
    }
}

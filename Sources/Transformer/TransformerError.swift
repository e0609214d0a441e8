/// What can go wrong loading, checking or saving a transformer; each case is one line naming
/// the file and the field or tensor at fault.
public enum TransformerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `config.json` is missing, not JSON, or a field is missing or out of range.
    case badConfig(file: String, field: String, problem: String)
    /// The configuration asks for something this implementation does not do.
    case unsupported(file: String, problem: String)
    /// The weights do not match the configuration (a missing tensor, a wrong shape, a bad dtype,
    /// non-finite values, layers beyond `num_hidden_layers`).
    case badTensor(file: String, tensor: String, problem: String)
    /// A checkpoint could not be opened or read.
    case checkpoint(file: String, problem: String)
    /// Inputs to the model that it cannot take (token id out of range, sequence too long, ...).
    case badInput(String)
    /// An output file could not be written.
    case output(file: String, problem: String)

    public var description: String {
        switch self {
        case let .badConfig(file, field, problem): return "\(file): field '\(field)' \(problem)"
        case let .unsupported(file, problem): return "\(file): \(problem)"
        case let .badTensor(file, tensor, problem): return "\(file): tensor '\(tensor)' \(problem)"
        case let .checkpoint(file, problem): return "\(file): \(problem)"
        case let .badInput(m): return m
        case let .output(file, problem): return "\(file): \(problem)"
        }
    }
}

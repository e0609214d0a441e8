import ArgumentParser
import Train

/// The values of a comma-separated option (`--lrs 0.001,0.003`), each parsed by `parse`.
/// - Throws: `ValidationError` naming the option when it is empty or a value does not parse.
func commaSeparated<T>(_ text: String, option: String, _ parse: (String) -> T?) throws -> [T] {
    let values = text.split(separator: ",").map { parse($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--\(option): cannot read '\(text)'") }
    return values.map { $0! }
}

/// Runs a plan's own checks, reporting a bad option as a usage error (exit status 64).
func validated(_ check: () throws -> Void) throws {
    do { try check() } catch let TrainError.invalidOption(message) { throw ValidationError(message) }
}

/// A setting outside its documented range, in the terms of the library that owns it.
///
/// Libraries name their settings as they write them (the key in the JSON they write, `xmin_pos`,
/// `batch_size`), never as a command-line flag; the command line turns `field` (and the settings
/// the requirement names, `related`) into flags in one place.
public struct InvalidSetting: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting's name as its owner writes it, e.g. `xmin_pos`.
    public let field: String
    /// The offending value as text (`nan`, `-1`, `64,,64`).
    public let value: String
    /// What is allowed, completing "must be …" (`a finite number in [1, 1e+06]`,
    /// `at least min_evals (8)`); it may name other settings, listed in `related`.
    public let requirement: String
    /// Other settings of the same owner that `requirement` names.
    public let related: [String]

    public init(field: String, value: String, requirement: String, related: [String] = []) {
        self.field = field
        self.value = value
        self.requirement = requirement
        self.related = related
    }

    public var description: String { "\(field) = \(value): must be \(requirement)" }
}

extension InvalidSetting {
    /// Throws unless `condition` holds.
    public static func require(_ condition: Bool, _ field: String, _ value: some CustomStringConvertible,
                               _ requirement: String, related: [String] = []) throws {
        if !condition { throw InvalidSetting(field: field, value: value.description, requirement: requirement, related: related) }
    }
}

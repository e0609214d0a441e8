import Analyzer
import ArgumentParser
import PDE
import Settings
import Train

/// How a command names the library settings it passes on. By default a setting's flag is
/// `--` and its name with `_` and `.` as `-` (`xmin_pos` → `--xmin-pos`, `farms.rows` →
/// `--farms-rows`); `overrides` name the flags called otherwise (`min_evals` is
/// `--policy-min-evals` in `train`, `--tb-min-evals` in `fno train`).
struct FlagNames: Sendable {
    var overrides: [String: String] = [:]

    /// The flag of a library setting (`hidden.count` → the flag of `hidden`).
    func flag(_ field: String) -> String {
        let base = field.hasSuffix(".count") ? String(field.dropLast(".count".count)) : field
        if let f = overrides[base] { return f }
        return "--" + String(base.map { $0 == "_" || $0 == "." ? "-" : $0 })
    }

    /// These names, with `other`'s overrides added (`other` wins a clash).
    func merging(_ other: FlagNames) -> FlagNames {
        FlagNames(overrides: overrides.merging(other.overrides) { _, new in new })
    }
}

/// The flag names of a command whose library settings may also fail while it runs (a check that
/// needs the data, e.g. `--t-train` against the file's frames); `main` maps such errors with them.
protocol NamesSettings {
    static var flagNames: FlagNames { get }
}

/// The one place where the libraries' setting errors become usage errors (exit status 64) that
/// name flags: `InvalidSetting` (a value outside its documented range, in the library's terms),
/// and the older message-carrying `TrainError.invalidOption` / `AnalysisError.invalidOption`.
enum UsageErrors {
    /// `--xmin-pos nan: must be a finite number in [1, 1000000]`.
    static func message(_ e: InvalidSetting, _ names: FlagNames) -> String {
        var requirement = e.requirement
        for r in e.related { requirement = replacingWord(r, with: names.flag(r), in: requirement) }
        if e.field.hasSuffix(".count") {
            return "\(names.flag(e.field)) has \(e.value) values; their number must be \(requirement)"
        }
        return "\(names.flag(e.field)) \(e.value): must be \(requirement)"
    }

    /// The usage error for `error` when it is about settings, else nil.
    static func usageError(_ error: Error, _ names: FlagNames) -> ValidationError? {
        switch error {
        case let e as InvalidSetting: return ValidationError(message(e, names))
        case let TrainError.invalidOption(m): return ValidationError(m)
        case let AnalysisError.invalidOption(m): return ValidationError(m)
        default: return nil
        }
    }

    /// `text` with every whole-word `word` (not inside a longer name) replaced.
    static func replacingWord(_ word: String, with replacement: String, in text: String) -> String {
        let chars = Array(text), w = Array(word)
        guard !w.isEmpty, chars.count >= w.count else { return text }
        func isNamePart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" }
        var out = "", i = 0
        while i < chars.count {
            if i + w.count <= chars.count, Array(chars[i..<(i + w.count)]) == w,
               i == 0 || !isNamePart(chars[i - 1]), i + w.count == chars.count || !isNamePart(chars[i + w.count]) {
                out += replacement
                i += w.count
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }
}

/// Runs a library's own checks, reporting a setting out of range as a usage error (exit status
/// 64) naming its flag.
@discardableResult
func validated<T>(_ names: FlagNames = FlagNames(), _ check: () throws -> T) throws -> T {
    do { return try check() } catch {
        if let usage = UsageErrors.usageError(error, names) { throw usage }
        throw error
    }
}

/// The values of a comma-separated option (`--lrs 0.001,0.003`), each parsed by `parse`.
/// - Throws: `ValidationError` naming the option when it is empty, has an empty item
///   (`64,,64`) or a value that does not parse.
func commaSeparated<T>(_ text: String, option: String, _ parse: (String) -> T?) throws -> [T] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var values: [T] = []
    for (k, item) in items.enumerated() {
        guard !item.isEmpty else {
            throw ValidationError("--\(option) '\(text)': item \(k + 1) is empty (give comma-separated values, e.g. --\(option) \(items.filter { !$0.isEmpty }.joined(separator: ",")))")
        }
        guard let v = parse(item) else { throw ValidationError("--\(option) '\(text)': cannot read '\(item)'") }
        values.append(v)
    }
    return values
}

import Foundation

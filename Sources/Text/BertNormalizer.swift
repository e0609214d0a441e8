import Foundation

/// BERT's text normalization, as the `tokenizers` package's `BertNormalizer` does it, in this order:
///
/// 1. `cleanText`: drop NUL, U+FFFD and control characters (general category C* except tab, newline,
///    carriage return); every whitespace character becomes a space.
/// 2. `handleChineseChars`: a space before and after every CJK ideograph.
/// 3. `stripAccents` (default: the value of `lowercase`): canonical decomposition (NFD), then every
///    nonspacing mark (Mn) removed.
/// 4. `lowercase`: each scalar's full lower-case mapping (`İ` → `i̇`, one scalar at a time).
///
/// Python's `BertTokenizer` lower-cases before stripping accents; `tokenizers` (our reference) strips
/// first. The two differ only for scalars whose lower-case form decomposes differently.
public struct BertNormalizer: Sendable, Equatable {
    public var cleanText: Bool
    public var handleChineseChars: Bool
    /// nil: strip accents exactly when lower-casing (BERT's `strip_accents: null`).
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether accents are stripped (`stripAccents`, or `lowercase` when it is nil).
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// The normalized text.
    public func normalize(_ text: String) -> String {
        var out: [UInt32] = []
        normalize(ArraySlice(text.unicodeScalars.map(\.value)), into: &out)
        var view = String.UnicodeScalarView()
        for v in out { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }

    /// Appends the normalized form of `scalars` to `out`.
    ///
    /// ASCII scalars are starters that decompose to themselves, so NFD never reorders across them:
    /// runs of non-ASCII scalars are decomposed separately (Foundation's canonical mapping) and ASCII
    /// goes straight through.
    func normalize(_ scalars: ArraySlice<UInt32>, into out: inout [UInt32]) {
        let strip = stripsAccents
        var pending: [UInt32] = []   // a run of non-ASCII scalars awaiting decomposition
        func flush(_ out: inout [UInt32]) {
            if strip {
                var stripped: [UInt32] = []
                Self.appendStrippingAccents(pending[...], to: &stripped)
                append(stripped[...], to: &out)
            } else {
                append(pending[...], to: &out)
            }
            pending.removeAll(keepingCapacity: true)
        }
        for v in scalars {
            if v < 128 {
                if cleanText {
                    if BertCharacters.isASCIIControl(v) { continue }
                    if BertCharacters.isASCIIWhitespace(v) {
                        if !pending.isEmpty { flush(&out) }
                        out.append(32)
                        continue
                    }
                }
                if !pending.isEmpty { flush(&out) }
                out.append(lowercase && v >= 65 && v <= 90 ? v + 32 : v)
                continue
            }
            if cleanText {
                if v == 0xFFFD || BertCharacters.isControl(v) { continue }
                if BertCharacters.isWhitespace(v) {
                    if !pending.isEmpty { flush(&out) }
                    out.append(32)
                    continue
                }
            }
            if handleChineseChars && BertCharacters.isChinese(v) {
                if !pending.isEmpty { flush(&out) }
                out.append(32)
                pending.append(v)
                flush(&out)
                out.append(32)
                continue
            }
            pending.append(v)
        }
        if !pending.isEmpty { flush(&out) }
    }

    /// Appends `scalars`, lower-cased when `lowercase` is set.
    @inline(__always) private func append(_ scalars: ArraySlice<UInt32>, to out: inout [UInt32]) {
        if lowercase {
            for v in scalars { BertCharacters.appendLowercase(v, to: &out) }
        } else {
            out.append(contentsOf: scalars)
        }
    }

    /// Appends the canonical decomposition (NFD) of `scalars` without its nonspacing marks.
    ///
    /// NFD uses `tokenizers`' Unicode 9.0 tables: a scalar assigned later is a starter that
    /// decomposes to itself, so it splits the run, and Foundation decomposes the pieces between.
    private static func appendStrippingAccents(_ scalars: ArraySlice<UInt32>, to out: inout [UInt32]) {
        var start = scalars.startIndex
        while start < scalars.endIndex {
            var end = start
            while end < scalars.endIndex && BertCharacters.isInNormalizationTables(scalars[end]) { end += 1 }
            if end > start {
                var text = String.UnicodeScalarView()
                for v in scalars[start..<end] { text.append(Unicode.Scalar(v)!) }
                for s in String(text).decomposedStringWithCanonicalMapping.unicodeScalars
                where !BertCharacters.isNonspacingMark(s.value) {
                    out.append(s.value)
                }
            }
            if end < scalars.endIndex { out.append(scalars[end]); end += 1 }
            start = end
        }
    }
}

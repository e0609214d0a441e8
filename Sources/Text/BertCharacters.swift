/// The character classes of BERT's basic tokenization, as the `tokenizers` package (0.23) defines
/// them (`normalizers/bert.rs`, `pre_tokenizers/bert.rs`), on Unicode scalars.
///
/// - whitespace: `\t \n \r` and every scalar with the White_Space property (Rust's
///   `char::is_whitespace`); cleaning turns it into a space, the pre-tokenizer splits on it.
/// - control: general category Cc, Cf or Co other than `\t \n \r`; dropped by cleaning, as are NUL
///   and U+FFFD. Unassigned scalars (Cn) are kept.
/// - punctuation: ASCII 33–47, 58–64, 91–96, 123–126 plus general category P*; a word of its own.
/// - Chinese: the CJK ideograph blocks `tokenizers` lists (its sixth range starts at 0x2B920, where
///   Google's BERT starts it at 0x2B820); surrounded by spaces.
/// - nonspacing mark (Mn): removed after NFD when accents are stripped.
///
/// `tokenizers` judges categories with Unicode 8.0's tables (the `unicode_categories` crate) and
/// decomposes with Unicode 9.0's (`unicode-normalization-alignments`); whitespace and lower-casing
/// come from Rust's current tables. Swift's tables are newer (Unicode 17), so we reproduce the old
/// ones: a scalar assigned after 8.0 has no category (it is an ordinary character), one assigned
/// after 9.0 neither decomposes nor reorders, and the seven scalars whose category changed since 8.0
/// get their 8.0 category. Tests/TextTests compares every scalar against `tokenizers`
/// (docs/text.md, "Unicode versions").
enum BertCharacters {
    /// ASCII classes: bit 0 whitespace, bit 1 control (dropped by cleaning; checked first), bit 2 punctuation.
    private static let asciiClass: [UInt8] = (0..<128).map { v -> UInt8 in
        switch v {
        case 9, 10, 13, 32: return 1
        case 11, 12: return 3          // vertical tab, form feed: White_Space and Cc
        case 0..<32, 127: return 2
        case 33...47, 58...64, 91...96, 123...126: return 4
        default: return 0
        }
    }

    @inline(__always) static func isASCIIWhitespace(_ v: UInt32) -> Bool { asciiClass[Int(v)] & 1 != 0 }
    @inline(__always) static func isASCIIControl(_ v: UInt32) -> Bool { asciiClass[Int(v)] & 2 != 0 }
    @inline(__always) static func isASCIIPunctuation(_ v: UInt32) -> Bool { asciiClass[Int(v)] & 4 != 0 }
    /// Whitespace or punctuation: where the pre-tokenizer splits.
    @inline(__always) static func isASCIISeparator(_ v: UInt32) -> Bool { asciiClass[Int(v)] & 5 != 0 }

    /// The general category `tokenizers` sees: Unicode 8.0's.
    static func legacyCategory(_ v: UInt32) -> Unicode.GeneralCategory {
        let properties = Unicode.Scalar(v)!.properties
        guard let age = properties.age, age.major < 8 || (age.major == 8 && age.minor == 0) else { return .unassigned }
        switch v {
        case 0x166D, 0x111C9: return .otherPunctuation     // So since 12.0, Mn since 13.0
        case 0x1734, 0x1171E: return .nonspacingMark       // Mc since 14.0
        case 0x1885, 0x1886: return .otherLetter           // Mn since 9.0
        case 0xA9BD: return .spacingMark                   // Mn since 12.0
        default: return properties.generalCategory
        }
    }

    /// Whether NFD as `tokenizers` does it (Unicode 9.0 tables) knows the scalar: later scalars
    /// neither decompose nor take part in canonical reordering.
    @inline(__always) static func isInNormalizationTables(_ v: UInt32) -> Bool {
        guard let age = Unicode.Scalar(v)!.properties.age else { return false }
        return age.major <= 8 || (age.major == 9 && age.minor == 0)
    }

    /// White_Space (Rust `char::is_whitespace`), for any scalar.
    @inline(__always) static func isWhitespace(_ v: UInt32) -> Bool {
        if v < 128 { return isASCIIWhitespace(v) }
        return Unicode.Scalar(v)!.properties.isWhitespace
    }

    /// Dropped by cleaning: Cc, Cf or Co (Unicode 8.0) other than `\t \n \r`.
    @inline(__always) static func isControl(_ v: UInt32) -> Bool {
        if v < 128 { return isASCIIControl(v) }
        switch legacyCategory(v) {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// BERT punctuation: the ASCII punctuation characters plus general category P* (Unicode 8.0).
    @inline(__always) static func isPunctuation(_ v: UInt32) -> Bool {
        if v < 128 { return isASCIIPunctuation(v) }
        switch legacyCategory(v) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK ideograph ranges `tokenizers` isolates.
    @inline(__always) static func isChinese(_ v: UInt32) -> Bool {
        guard v >= 0x3400 else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    /// General category Mn (Unicode 8.0): removed after NFD when stripping accents.
    @inline(__always) static func isNonspacingMark(_ v: UInt32) -> Bool {
        v >= 0x300 && legacyCategory(v) == .nonspacingMark
    }

    /// Appends the full lower-case mapping of `v` (one to three scalars; Rust's `char::to_lowercase`,
    /// which is context-free: a final sigma is not special).
    @inline(__always) static func appendLowercase(_ v: UInt32, to out: inout [UInt32]) {
        if v < 128 {
            out.append(v >= 65 && v <= 90 ? v + 32 : v)
            return
        }
        for s in Unicode.Scalar(v)!.properties.lowercaseMapping.unicodeScalars { out.append(s.value) }
    }
}

import Foundation
import Testing
@testable import Analyzer

/// `NamePattern`: the same answers as Swift's `Regex` on the supported syntax, linear time on
/// the patterns that make a backtracking engine hang, and one-line errors for the rest.
struct NamePatternTests {
    static let names = [
        "", "a", "aa", "ab", "b", "encoder.layer.0.attention.self.query.weight", "encoder.layer.11.output.dense.weight",
        "embeddings.word_embeddings.weight", "classifier.weight", "layers/dense_1/vars/0", "blk.10.attn_q.weight",
        "model.layers.3.mlp.down_proj.lora_A.weight", "x-y", "a.b", "a\nb", "ÄÖü", "tab\there", "q_proj", "Q_PROJ",
    ]
    static let patterns = [
        "a", "^a", "a$", "^a$", "^$", "", "a*", "a+b", "a?b", "(ab)+", "a{2}", "a{1,}", "a{0,1}b", "a{1,3}",
        "layer\\.(0|11)\\.", "attention|output", "^encoder\\..*weight$", "[0-9]+", "\\d+\\.", "[^a-z]", "\\w+/\\w+",
        "[a-c-]", "[-x]", "[.]", "\\.", ".", "^.$", "q_proj|k_proj", "(?:q|k)_proj$", "(?<kind>lora)_[AB]", "[\\d_]",
        "\\s", "\\S+", "emb.*?weight", "a*?b", "(a|ab)(c|bcd)?", "(a*)*b", "(a+)+$", "x{0}", "\\x41|Ä",
        "\\u{00C4}", "[Ä-Ü]", "tab\\t", "a|", "|a", "()", "(|a)+b",
    ]

    @Test func agreesWithSwiftRegex() throws {
        for p in Self.patterns {
            let ours = try NamePattern(p)
            let theirs = try Regex(p)
            for n in Self.names {
                #expect(ours.matches(n) == ((try theirs.firstMatch(in: n)) != nil), "search \(p) in \(n.debugDescription)")
                #expect(ours.matchesWhole(n) == ((try theirs.wholeMatch(in: n)) != nil), "whole \(p) on \(n.debugDescription)")
            }
        }
    }

    /// Patterns on which a backtracking engine takes time exponential in the name: here each
    /// answers at once (a name of 1,001 scalars; Swift's `Regex` does not finish `(a+)+$` on 30).
    @Test func nestedQuantifiersDoNotBacktrack() throws {
        let name = String(repeating: "a", count: 1000) + "!"
        for p in ["(a+)+$", "^(a*)*$", "^(a|aa)*$", "^(a|a)*$", "^(a+)+b", "(.*a){20}$", "((a{1,10}){1,10}){1,10}$"] {
            #expect(!(try NamePattern(p)).matches(name), "\(p)")
        }
        #expect(try NamePattern("(a+)+!$").matches(name))
    }

    @Test func unsupportedSyntaxIsAnErrorNamingTheOffset() {
        let cases: [(String, String)] = [
            ("(", "unbalanced '('"), (")", "unbalanced ')'"), ("*a", "nothing to repeat"), ("a**", "a quantifier follows another"),
            ("a*+", "a quantifier follows another"), ("(a)\\1", "the escape '\\1'"), ("(?=a)", "lookaround"), ("(?i)a", "lookaround"),
            ("\\bword", "the escape '\\b'"), ("[a", "unterminated character class"), ("[z-a]", "out of order"),
            ("a{5,2}", "maximum below its minimum"), ("a{1001}", "a count above 1000"), ("(a{1000}){1000}", "too large"),
            (String(repeating: "(", count: 300) + String(repeating: ")", count: 300), "nest deeper"), ("a\\", "cannot end with"),
            ("[[:alpha:]]", "POSIX classes"),
        ]
        for (pattern, problem) in cases {
            do {
                _ = try NamePattern(pattern)
                Issue.record("\(pattern) compiled")
            } catch let e as NamePatternError {
                #expect(e.description.contains(problem), "\(pattern): \(e)")
                #expect(!e.description.contains("\n"))
            } catch {
                Issue.record("\(pattern): \(error)")
            }
        }
    }

    @Test func literalBracesAreNotCounts() throws {
        #expect(try NamePattern("a{").matches("a{"))
        #expect(try NamePattern("a{x}").matches("a{x}"))
        #expect(try NamePattern("[]a]").matches("]"))
        // Swift's Regex finds no match of [^\W] in "a" (as PCRE and Python do, this does).
        #expect(try NamePattern("[^\\W]").matches("a") && !NamePattern("[^\\W]").matches("."))
        #expect(try NamePattern("[[]").matches("["))
    }
}

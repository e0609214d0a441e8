import Foundation
import Testing
@testable import Checkpoint

/// The malformed-file corpus of the new formats (Scripts/make-format-corpus.py →
/// fixtures/formats/bad/): every case fails with its own kind and message, opening or reading.
@Suite struct FormatCorpusTests {
    static let cases: [(String, String, String)] = {
        let data = FileManager.default.contents(atPath: formatFixture("bad/expected.json"))!
        let doc = try! JSONSerialization.jsonObject(with: data) as! [String: [String: String]]
        return doc.keys.sorted().map { ($0, doc[$0]!["kind"]!, doc[$0]!["message"]!) }
    }()

    @Test func corpusCoversEveryFormat() {
        #expect(Self.cases.count >= 50)
        for format in ["torch/", "gguf/", "keras/", "quantized/"] { #expect(Self.cases.contains { $0.0.hasPrefix(format) }) }
    }

    @Test(arguments: cases)
    func caseFailsWithItsKind(_ file: String, _ kind: String, _ fragment: String) {
        let error = checkpointError {
            let checkpoint = try Checkpoint.open(formatFixture("bad/" + file))
            for t in checkpoint.tensors where t.unreadable == nil { _ = try checkpoint.readDoubles(t) }
        }
        #expect(error?.kind.rawValue == kind, "\(file): \(error.map { "\($0)" } ?? "no error")")
        #expect(error?.message.contains(fragment) == true, "\(file): \(error?.message ?? "")")
        #expect(error?.description.contains("\n") == false)
    }
}

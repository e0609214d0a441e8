import Foundation
import Testing
@testable import Checkpoint

/// `fixtures/torch/*.pt`, written by `Scripts/make-torch-fixture.py` in PyTorch's zip layout.
private let torchFixtures: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("fixtures/torch").path
}()

@Suite struct TorchFileTests {
    /// Names follow the pickled structure, dtypes the storage classes, and views (a transposed
    /// float tensor, an int64 view at a storage offset, a storage shared by two tensors) come
    /// out in row-major order; non-tensor values are skipped.
    @Test func readsViewsDtypesAndNames() throws {
        let tensors = try TorchFile.load(torchFixtures + "/views.pt")
        #expect(tensors.map(\.name) == ["x", "y", "nested.0", "nested.1", "same"])
        #expect(tensors.map(\.dtype) == [.F32, .F64, .BOOL, .I64, .F32])
        #expect(tensors.map(\.shape) == [[2, 3], [4], [2, 2], [3], [6]])
        // size (2, 3), stride (1, 2) over [0 … 5]: element (i, j) = storage[i + 2j].
        #expect(tensors[0].values == [0, 2, 4, 1, 3, 5])
        #expect(tensors[1].values == [1.5, -2, 3.25, 1e300])
        #expect(tensors[2].values == [1, 0, 0, 1])
        #expect(tensors[3].values == [20, 30, 40])
        #expect(tensors[4].values == [0, 1, 2, 3, 4, 5])
    }

    @Test func corruptAndUnsupportedFilesFailWithTypedErrors() throws {
        #expect(checkpointError { _ = try TorchFile.load(torchFixtures + "/missing.pt") }?.kind == .notFound)
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try Data(contentsOf: URL(fileURLWithPath: torchFixtures + "/views.pt"))
        // A flipped byte inside data.pkl fails its CRC-32 (storages read in place are not
        // checksummed, like safetensors data).
        var corrupt = original
        let at = try #require(corrupt.range(of: Data("_rebuild_tensor_v2".utf8))).lowerBound
        corrupt[at + 3] ^= 0x01
        try corrupt.write(to: URL(fileURLWithPath: folder + "/crc.pt"))
        #expect(checkpointError { _ = try TorchFile.load(folder + "/crc.pt") }?.kind == .invalidHeader)
        // A truncated archive has no end-of-central-directory record.
        try original.prefix(original.count - 30).write(to: URL(fileURLWithPath: folder + "/cut.pt"))
        #expect(checkpointError { _ = try TorchFile.load(folder + "/cut.pt") }?.kind == .notACheckpoint)
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: folder + "/text.pt"))
        #expect(checkpointError { _ = try TorchFile.load(folder + "/text.pt") }?.kind == .notACheckpoint)
    }
}

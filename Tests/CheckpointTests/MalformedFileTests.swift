import Foundation
import Testing
@testable import Checkpoint

@Suite struct MalformedFileTests {
    static let cases: [(String, CheckpointError.Kind)] = [
        ("header-too-large.safetensors", .headerTooLarge),
        ("header-longer-than-file.safetensors", .truncated),
        ("invalid-json.safetensors", .invalidHeader),
        ("invalid-utf8.safetensors", .invalidHeader),
        ("header-not-object.safetensors", .invalidHeader),
        ("negative-dimension.safetensors", .invalidHeader),
        ("unknown-dtype.safetensors", .unknownDType),
        ("offsets-reversed.safetensors", .invalidOffsets),
        ("offsets-out-of-range.safetensors", .invalidOffsets),
        ("overlap.safetensors", .overlappingTensors),
        ("gap.safetensors", .uncoveredData),
        ("trailing-bytes.safetensors", .uncoveredData),
        ("shape-mismatch.safetensors", .shapeMismatch),
        ("duplicate-key.safetensors", .duplicateTensor),
        ("truncated-data.safetensors", .truncated),
        ("missing-shard/model.safetensors.index.json", .missingShard),
        ("missing-shard", .missingShard),
        ("unmapped-tensor/model.safetensors.index.json", .invalidHeader),
        ("not-a-checkpoint.txt", .notACheckpoint),
        ("archive.zip", .invalidHeader),
        ("truncated.h5", .hdf5),
        ("keras2-missing-layer.h5", .hdf5),
        ("empty.safetensors", .notACheckpoint),
    ]

    @Test func casesMatchTheFixtureScript() {
        let fromScript = Fixtures.badKinds
        #expect(fromScript.count == Self.cases.count)
        for (file, kind) in Self.cases { #expect(fromScript[file] == kind.rawValue, "\(file)") }
    }

    @Test(arguments: cases)
    func malformedFileRaisesItsKind(_ file: String, _ kind: CheckpointError.Kind) {
        let path = Fixtures.path("bad/" + file)
        let error = checkpointError { _ = try Checkpoint.open(path) }
        #expect(error?.kind == kind, "\(file): \(String(describing: error))")
        let name = (file as NSString).lastPathComponent
        #expect(error?.description.contains(name) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func messagesNameTheCulprits() {
        func message(_ file: String) -> String {
            checkpointError { _ = try Checkpoint.open(Fixtures.path("bad/" + file)) }?.message ?? ""
        }
        #expect(message("unknown-dtype.safetensors").contains("Q4_K"))
        #expect(message("unknown-dtype.safetensors").contains("'w'"))
        #expect(message("overlap.safetensors").contains("'a'") && message("overlap.safetensors").contains("'b'"))
        #expect(message("shape-mismatch.safetensors").contains("'w'"))
        #expect(message("duplicate-key.safetensors").contains("'w'"))
        #expect(message("missing-shard").contains("model-00002-of-00002.safetensors"))
        #expect(message("unmapped-tensor/model.safetensors.index.json").contains("ghost"))
        #expect(message("not-a-checkpoint.txt").contains("text file"))
        #expect(message("archive.zip").contains("data.pkl at byte 0"))
        #expect(message("keras2-missing-layer.h5").contains("ghost_layer"))
    }

    @Test func missingPathIsNotFound() {
        let error = checkpointError { _ = try Checkpoint.open(Fixtures.path("no-such-model.safetensors")) }
        #expect(error?.kind == .notFound)
        #expect(error?.file == Fixtures.path("no-such-model.safetensors"))
    }

    @Test func emptyFolderIsNotACheckpoint() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = checkpointError { _ = try Checkpoint.open(folder) }
        #expect(error?.kind == .notACheckpoint)
        #expect(error?.description.contains(folder) == true)
    }

    @Test func folderWithOnlyOtherFilesIsNotACheckpoint() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        let error = checkpointError { _ = try Checkpoint.open(folder) }
        #expect(error?.kind == .notACheckpoint)
        #expect(error?.message.contains("config.json") == true)
    }

    @Test func jsonWithoutWeightMapIsNotACheckpoint() throws {
        let error = checkpointError { _ = try Checkpoint.open(Fixtures.path("hf-folder/config.json")) }
        #expect(error?.kind == .notACheckpoint)
    }

    @Test func shortSafetensorsFileIsTruncated() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/short.safetensors"))
        #expect(checkpointError { _ = try Checkpoint.open(folder + "/short.safetensors") }?.kind == .truncated)
    }

    @Test func errorDescriptionIsOneLineNamingTheFile() {
        let e = CheckpointError(.io, file: "/x/y.safetensors", message: "first\nsecond")
        #expect(e.description == "/x/y.safetensors: first second")
    }
}

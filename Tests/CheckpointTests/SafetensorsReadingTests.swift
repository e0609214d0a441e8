import Foundation
import Testing
@testable import Checkpoint

@Suite struct SafetensorsReadingTests {
    @Test func everyDTypeIsInTheDTypeFixture() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("dtypes.safetensors"))
        #expect(Set(checkpoint.tensors.map(\.dtype)) == Set(DType.allCases))
    }

    @Test func edgeValuesDecodeAsSpecified() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("dtypes.safetensors"))
        func values(_ name: String) throws -> [Double] { try checkpoint.readDoubles(checkpoint.tensor(named: name)!) }
        let f16 = try values("f16")
        #expect(f16[1].sign == .minus && f16[1] == 0)           // negative zero
        #expect(f16[2] == 0x1p-24)                              // smallest subnormal
        #expect(f16[8] == 65504)                                // max
        #expect(f16[10] == .infinity && f16[12].isNaN)
        let e4m3 = try values("f8_e4m3")
        #expect(e4m3[9] == 448 && e4m3[10] == -448)             // fn variant: no infinities
        #expect(e4m3[11].isNaN && e4m3[12].isNaN)               // 0x7F and 0xFF
        #expect(e4m3[2] == 0x1p-9)
        let e5m2 = try values("f8_e5m2")
        #expect(e5m2[7] == 57344 && e5m2[8] == .infinity)
        let bf16 = try values("bf16")
        #expect(bf16[5] == -3.140625 && bf16[2] == 0x1p-133)
        #expect(try values("bool") == [1, 0, 0, 1])
        #expect(try values("u64")[1] == 18446744073709551615.0)
    }

    @Test func tensorsAreListedByDataOffsetNotHeaderOrder() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("offset-order.safetensors"))
        #expect(checkpoint.tensors.map(\.name) == ["alpha", "zeta"])
    }

    @Test func shardOrderFollowsWeightMapText() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("sharded/model.safetensors.index.json"))
        let names = checkpoint.tensors.map(\.name)
        #expect(names == ["head.bias", "encoder.layer.2.weight", "encoder.layer.10.weight", "embeddings.weight"])
        #expect(names != names.sorted())
        #expect(checkpoint.tensor(named: "unmapped.extra") == nil)
        #expect(checkpoint.tensor(named: "head.bias")?.file.hasSuffix("model-00002-of-00002.safetensors") == true)
        #expect(checkpoint.format == .safetensorsSharded)
    }

    @Test func folderWithIndexUsesTheIndex() throws {
        let viaFolder = try Checkpoint.open(Fixtures.path("sharded"))
        let viaIndex = try Checkpoint.open(Fixtures.path("sharded/model.safetensors.index.json"))
        #expect(viaFolder.tensors == viaIndex.tensors)
        #expect(viaFolder.path == Fixtures.path("sharded"))
    }

    @Test func hfFolderOpensItsSingleSafetensorsFile() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("hf-folder"))
        #expect(checkpoint.format == .safetensors)
        #expect(checkpoint.tensors.first?.name == "embeddings.position_ids")
        #expect(checkpoint.tensors.first?.dtype == .I64)
        #expect(checkpoint.tensors.allSatisfy { $0.file == Fixtures.path("hf-folder/model.safetensors") })
    }

    @Test func folderWithoutIndexReadsShardsInNaturalOrder() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("shards-no-index"))
        #expect(checkpoint.format == .safetensorsSharded)
        #expect(checkpoint.tensors.map(\.name) == ["layer.2.weight", "layer.10.weight"])
        #expect(checkpoint.tensors[0].file.hasSuffix("part-2.safetensors"))
    }

    @Test func detectionIsByContentNotExtension() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disguised = folder + "/weights.bin"
        try FileManager.default.copyItem(atPath: Fixtures.path("offset-order.safetensors"), toPath: disguised)
        #expect(try Checkpoint.open(disguised).format == .safetensors)
        let hdf5 = folder + "/weights.data"
        try FileManager.default.copyItem(atPath: Fixtures.path("keras2/weights.h5"), toPath: hdf5)
        #expect(try Checkpoint.open(hdf5).format == .keras2)
    }

    @Test func jsonWithBraceAtByteEightIsNotTakenForSafetensors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Fixtures.path("offset-order.safetensors"), toPath: folder + "/model.safetensors")
        let index = #"{"meta":{"note":"x"},"weight_map":{"zeta":"model.safetensors"}}"#
        try Data(index.utf8).write(to: URL(fileURLWithPath: folder + "/index.json"))
        let checkpoint = try Checkpoint.open(folder + "/index.json")
        #expect(checkpoint.format == .safetensorsSharded)
        #expect(checkpoint.tensors.map(\.name) == ["zeta"])
    }

    @Test func folderWithOneHDF5FileOpensIt() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("keras3"))
        #expect(checkpoint.format == .keras3)
    }

    @Test func foreignTensorInfoIsRejected() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("offset-order.safetensors"))
        let alpha = checkpoint.tensor(named: "alpha")!
        let wrongShape = TensorInfo(name: "alpha", dtype: .F32, shape: [200], file: alpha.file, layout: .pytorch)
        let error = checkpointError { _ = try checkpoint.readDoubles(wrongShape) }
        #expect(error?.kind == .notFound)
        let unknown = TensorInfo(name: "beta", dtype: .F32, shape: [2], file: alpha.file, layout: .pytorch)
        #expect(checkpointError { _ = try checkpoint.readFloats(unknown) }?.kind == .notFound)
    }

    @Test func fileShrunkAfterOpeningGivesTruncated() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/shrinking.safetensors"
        try FileManager.default.copyItem(atPath: Fixtures.path("dtypes.safetensors"), toPath: path)
        let checkpoint = try Checkpoint.open(path)
        let handle = FileHandle(forWritingAtPath: path)!
        try handle.truncate(atOffset: 100)
        try handle.close()
        let error = checkpointError { _ = try checkpoint.readDoubles(checkpoint.tensors.last { $0.elementCount > 0 }!) }
        #expect(error?.kind == .truncated)
        #expect(error?.description.contains("shrinking.safetensors") == true)
    }
}

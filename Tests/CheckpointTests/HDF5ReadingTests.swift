import Foundation
import Testing
@testable import Checkpoint

@Suite struct HDF5ReadingTests {
    @Test func keras2OrderFollowsLayerAndWeightNames() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("keras2/weights.h5"))
        #expect(checkpoint.format == .keras2)
        #expect(checkpoint.tensors.map(\.name) == [
            "embedding/embedding/embeddings:0",
            "conv2d/conv2d/kernel:0", "conv2d/conv2d/bias:0",
            "lstm/lstm/lstm_cell/kernel:0", "lstm/lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm/lstm_cell/bias:0",
            "dense_1/dense_1/kernel:0", "dense_1/dense_1/bias:0",
        ])
        #expect(checkpoint.tensors.allSatisfy { $0.layout == .keras })
    }

    @Test func keras2StoredTypesMapToClosestDType() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("keras2/weights.h5"))
        #expect(checkpoint.tensor(named: "conv2d/conv2d/kernel:0")?.dtype == .F32)   // big-endian float32
        #expect(checkpoint.tensor(named: "conv2d/conv2d/bias:0")?.dtype == .F16)
        #expect(checkpoint.tensor(named: "dense_1/dense_1/bias:0")?.dtype == .F64)
        #expect(checkpoint.tensor(named: "conv2d/conv2d/kernel:0")?.shape == [3, 3, 2, 4])
    }

    @Test func fullModelSkipsOptimizerWeightsAndPrefix() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("keras2/full_model.h5"))
        #expect(checkpoint.format == .keras2FullModel)
        #expect(checkpoint.tensors.map(\.name) == ["dense/dense/kernel:0", "dense/dense/bias:0",
                                                     "dense_1/dense_1/kernel:0", "dense_1/dense_1/bias:0"])
        #expect(!checkpoint.tensors.contains { $0.name.contains("optimizer") || $0.name.contains("Adam") })
        #expect(checkpoint.metadata["model_config"]?.contains("Sequential") == true)
    }

    @Test func keras3NamesNestingAndNaturalOrder() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("keras3/model.weights.h5"))
        #expect(checkpoint.format == .keras3)
        let names = checkpoint.tensors.map(\.name)
        #expect(names.first == "layers/dense/vars/0")
        #expect(names.contains("layers/residual_block/layers/conv1d/vars/0"))
        let many = names.filter { $0.hasPrefix("layers/many_vars/") }
        #expect(many == (0..<12).map { "layers/many_vars/vars/\($0)" })
        #expect(!names.contains { $0.hasPrefix("optimizer/") })
        #expect(checkpoint.tensor(named: "layers/residual_block/layers/conv1d/vars/0")?.shape == [3, 8, 8])
    }

    @Test func genericHDF5SkipsNonNumericDatasetsAndLinks() throws {
        let checkpoint = try Checkpoint.open(Fixtures.path("generic.h5"))
        #expect(checkpoint.format == .hdf5)
        let names = checkpoint.tensors.map(\.name)
        for skipped in ["group/text", "group/record", "group/flags", "group/nothing", "group/link_to_matrix"] {
            #expect(!names.contains(skipped), "\(skipped)")
        }
        #expect(names.suffix(3) == ["ordered/z", "ordered/a", "ordered/m"])   // tracked creation order
        #expect(checkpoint.tensor(named: "group/scalar")?.shape == [])
        #expect(checkpoint.tensor(named: "group/ints_be")?.dtype == .I16)
        #expect(checkpoint.tensors.allSatisfy { $0.layout == .pytorch })
    }

    @Test func truncatedHDF5IsOneLineError() throws {
        let error = checkpointError { _ = try Checkpoint.open(Fixtures.path("bad/truncated.h5")) }
        #expect(error?.kind == .hdf5)
        #expect(error?.description.contains("truncated.h5") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func checkpointsCanBeOpenedAndDroppedRepeatedly() throws {
        for _ in 0..<20 {
            let checkpoint = try Checkpoint.open(Fixtures.path("keras2/weights.h5"))
            _ = try checkpoint.readDoubles(checkpoint.tensors[0])
        }
        let last = try Checkpoint.open(Fixtures.path("keras2/weights.h5"))
        #expect(try last.readDoubles(last.tensors[0]).count == 40)
    }
}

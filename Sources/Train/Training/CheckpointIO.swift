import Checkpoint
import Foundation

/// Model weights and resume states as safetensors files, written atomically.
public enum CheckpointIO {
    /// Writes the parameters (F32, PyTorch names and shapes) with `metadata`.
    public static func save(_ parameters: ParameterSet<Float>, extra: [WritableTensor] = [], metadata: [String: String], to path: String) throws {
        let tensors = parameters.entries.map { WritableTensor(name: $0.name, shape: $0.shape, floats: parameters.values.array($0)) }
        try SafetensorsWriter.write(tensors + extra, metadata: metadata, to: path)
    }

    /// Loads every parameter from `path` by name. A tensor whose shape differs is an error,
    /// except the tensors named in `replaceable` (a new head), which keep their current values.
    /// - Returns: the names that were kept (not loaded).
    @discardableResult
    public static func load(into parameters: ParameterSet<Float>, from path: String, replaceable: Set<String> = []) throws -> [String] {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.open(path) } catch let e as CheckpointError {
            throw TrainError.badCheckpoint(file: e.file, problem: e.message)
        }
        var kept: [String] = []
        for e in parameters.entries {
            guard let info = checkpoint.tensor(named: e.name) else {
                throw TrainError.badCheckpoint(file: path, problem: "has no tensor '\(e.name)' (the model needs \(parameters.entries.map(\.name).prefix(4).joined(separator: ", "))…)")
            }
            guard info.shape == e.shape else {
                if replaceable.contains(e.name) { kept.append(e.name); continue }
                throw TrainError.badCheckpoint(file: path, problem: "tensor '\(e.name)' has shape \(info.shape), the model needs \(e.shape)")
            }
            let values: [Float]
            do { values = try checkpoint.readFloats(info) } catch let err as CheckpointError {
                throw TrainError.badCheckpoint(file: err.file, problem: err.message)
            }
            guard values.allSatisfy({ $0.isFinite }) else {
                throw TrainError.badCheckpoint(file: path, problem: "tensor '\(e.name)' holds NaN or infinite values")
            }
            parameters.values.set(e, values)
        }
        return kept
    }

    /// Opens a checkpoint, turning its errors into `TrainError.badCheckpoint`.
    static func open(_ path: String) throws -> Checkpoint {
        do { return try Checkpoint.open(path) } catch let e as CheckpointError {
            throw TrainError.badCheckpoint(file: e.file, problem: e.message)
        }
    }
}

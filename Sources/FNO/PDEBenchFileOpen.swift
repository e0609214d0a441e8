import Checkpoint
import PDE
import Train

/// Opens a PDEBench-layout file, turning the reader's errors into one-line `TrainError`s that
/// name the file.
enum PDEBenchFileOpen {
    static func open(_ path: String) throws -> PDEBenchFile {
        do { return try PDEBenchFile.open(path) }
        catch let e as PDEDataFileError { throw TrainError.badData(file: e.file, problem: e.message) }
        catch let e as CheckpointError { throw TrainError.badData(file: e.file, problem: e.message) }
    }
}

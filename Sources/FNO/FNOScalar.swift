import PDE
import Train

/// The element types of the FNO layers: `Float` for training, `Double` for the gradient checks
/// (the same generic code). Adds FFTW transforms (PDE's `FFTScalar`) to the trainer's
/// `TrainScalar`, whose LinearAlgebra `BLASScalar` supplies the real and complex products.
public protocol FNOScalar: TrainScalar, FFTScalar {}

extension Float: FNOScalar {}
extension Double: FNOScalar {}

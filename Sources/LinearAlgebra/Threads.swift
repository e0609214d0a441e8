internal import CLapack

/// Control of OpenBLAS's own thread pool.
///
/// htsr parallelises across layers and keeps BLAS single-threaded inside each layer: on two
/// cores under load, two-thread OpenBLAS on many small matrices was 20–40× slower than one.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for each call.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS uses for each call.
    public static var current: Int { Int(openblas_get_num_threads()) }
}

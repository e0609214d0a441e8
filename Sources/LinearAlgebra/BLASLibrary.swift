internal import CLapack
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS and LAPACK libraries in use, as they describe themselves (for `htsr doctor`).
public struct BLASLibrary: Sendable {
    /// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... Cooperlake MAX_THREADS=64".
    public let configuration: String
    /// The kernels ("core") OpenBLAS uses now, e.g. "SkylakeX".
    public let core: String
    /// Threads per BLAS call now, and the processors OpenBLAS counted when it loaded.
    public let threads: Int
    public let processors: Int
    /// LAPACK's version (`ilaver`), e.g. "3.9.1".
    public let lapackVersion: String
    /// The shared objects that define `cblas_dsyrk`, `dsyevd_` and `LAPACKE_dsyevd` (nil if unknown).
    public let blasPath: String?
    public let lapackPath: String?
    public let lapackePath: String?

    /// The libraries this process has loaded.
    public static func current() -> BLASLibrary {
        var major: htsr_lapack_int = 0, minor: htsr_lapack_int = 0, patch: htsr_lapack_int = 0
        ilaver_(&major, &minor, &patch)
        return BLASLibrary(
            configuration: String(cString: openblas_get_config()),
            core: String(cString: openblas_get_corename()),
            threads: Int(openblas_get_num_threads()),
            processors: Int(openblas_get_num_procs()),
            lapackVersion: "\(major).\(minor).\(patch)",
            blasPath: sharedObject(defining: htsr_blas_symbol()),
            lapackPath: sharedObject(defining: htsr_lapack_symbol()),
            lapackePath: sharedObject(defining: htsr_lapacke_symbol()))
    }

    /// The file mapped at `address` in this process (from `/proc/self/maps`), nil if unknown.
    static func sharedObject(defining address: UnsafeRawPointer) -> String? {
        let target = UInt(bitPattern: address)
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            // "start-end perms offset dev inode path"
            let fields = String(cString: line).split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16),
                  low <= target, target < high else { continue }
            let path = String(fields[5].drop { $0 == " " }.prefix { $0 != "\n" })
            return path.hasPrefix("/") ? path : nil
        }
        return nil
    }
}

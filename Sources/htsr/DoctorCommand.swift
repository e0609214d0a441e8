import ArgumentParser
internal import CStartup
import Foundation
import LinearAlgebra

/// `htsr doctor`: what htsr computes with on this machine — CPU, BLAS library and version, the
/// BLAS kernels in use and why, threads, the eigensolver choice.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Print the CPU, the BLAS/LAPACK libraries, the BLAS kernels (core) in use and why, and threads.",
        discussion: """
        With --compare-cores, also time a Gram matrix (dsyrk) and its eigenvalues under each OpenBLAS
        core this CPU can run, and check that every core's eigenvalues equal the start-up core's
        within 1e-12·λmax (exit 1 if one does not). The start-up core is restored afterwards.
        """)

    @Flag(help: "Time dsyrk and the eigensolver under each core this CPU can run and compare their eigenvalues.")
    var compareCores = false

    @Option(help: "With --compare-cores: the Gram's order n (of an n × 2n matrix).")
    var order: Int = 1024

    func validate() throws {
        if order < 2 || order > 8192 { throw ValidationError("--order must be between 2 and 8192; got \(order).") }
        if !compareCores && order != 1024 { throw ValidationError("--order needs --compare-cores") }
    }

    func run() throws {
        print(Doctor.report(), terminator: "")
        if compareCores {
            let comparison = try CoreComparison.run(order: order)
            print(comparison.text, terminator: "")
            if !comparison.allAgree { throw ExitCode(1) }
        }
    }
}

/// The text of `htsr doctor`.
enum Doctor {
    static func report() -> String {
        var cpu = htsr_cpu()
        htsr_cpu_identify(&cpu)
        let choice = htsr_blas_core_choice().pointee
        let blas = BLASLibrary.current()
        let env = ProcessInfo.processInfo.environment
        var lines: [String] = []
        lines.append("CPU:          \(describe(cpu))")
        lines.append("processors:   \(ProcessInfo.processInfo.activeProcessorCount) (htsr analyze runs that many layer workers by default)")
        lines.append("BLAS:         \(blas.configuration)")
        lines.append("  library:    \(blas.blasPath ?? "unknown")")
        lines.append("LAPACK:       \(blas.lapackVersion) (\(blas.lapackPath ?? "unknown")); LAPACKE \(blas.lapackePath ?? "unknown")")
        lines.append("core:         \(blas.core)")
        lines.append("  why:        \(why(choice, cpu: cpu))")
        let threadVariables = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"].compactMap { name in env[name].map { "\(name)=\($0)" } }
        if threadVariables.isEmpty {
            lines.append("BLAS threads: \(blas.threads) per call (OpenBLAS's pool is shut down before main; htsr parallelises across layers)")
        } else {
            lines.append("BLAS threads: \(blas.threads) per call (\(threadVariables.joined(separator: ", ")) set by the user: kept)")
        }
        lines.append("eigensolver:  dsyevd below order \(SymmetricEigen.twoStageFromOrder), dsyevd_2stage from there (values only)")
        #if MPI
        lines.append("MPI:          built in (\(MPIRuntime.libraryVersion)): mpirun -np N htsr analyze MODEL ...")
        #else
        lines.append("MPI:          not built in (swift build --traits MPI)")
        #endif
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ cpu: htsr_cpu) -> String {
        var c = cpu
        let vendor = withUnsafeBytes(of: &c.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let brand = withUnsafeBytes(of: &c.brand) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            .trimmingCharacters(in: .whitespaces)
        if vendor.isEmpty { return "not an x86-64 CPU (no cpuid)" }
        var features: [String] = []
        if cpu.avx != 0 { features.append("AVX") }
        if cpu.avx2 != 0 { features.append("AVX2") }
        if cpu.fma != 0 { features.append("FMA") }
        if cpu.avx512 != 0 { features.append("AVX-512 (F DQ CD BW VL)") }
        if cpu.avx512_bf16 != 0 { features.append("AVX512_BF16") }
        let os = cpu.os_zmm != 0 ? "the OS saves ZMM" : cpu.os_ymm != 0 ? "the OS saves YMM, not ZMM" : "the OS saves no AVX state"
        return "\(brand.isEmpty ? vendor : brand) (\(vendor) family \(cpu.family) model \(cpu.model) stepping \(cpu.stepping)); "
            + "\(features.isEmpty ? "no AVX" : features.joined(separator: " ")); \(os)"
    }

    /// Why the core in use is the one it is: the start-up decision (Sources/CStartup/blas_core.c).
    static func why(_ choice: htsr_blas_core, cpu: htsr_cpu) -> String {
        var c = choice
        let openblas = withUnsafeBytes(of: &c.openblas_choice) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let requested = withUnsafeBytes(of: &c.requested) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let capability = cpu.avx512 != 0 && cpu.os_zmm != 0 ? "AVX-512" : "AVX2 and FMA"
        switch choice.decision {
        case HTSR_CORE_USER:
            return "OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "") is set: the user's choice is always kept"
        case HTSR_CORE_NOT_DYNAMIC:
            return "this OpenBLAS is built for one CPU (not DYNAMIC_ARCH): nothing to choose"
        case HTSR_CORE_KEPT:
            if htsr_core_is_generic(openblas) != 0 {
                return "OpenBLAS's own choice; the CPU (or the OS) offers neither AVX2/FMA nor AVX-512, so there is nothing faster"
            }
            return "OpenBLAS's own choice for this CPU (not a generic core: kept)"
        case HTSR_CORE_SWITCHED:
            let micros = String(format: "%.0f", choice.switch_seconds * 1e6)
            return "OpenBLAS chose the generic \(openblas) kernels on a CPU with \(capability); htsr switched to \(requested) before main (\(micros) µs; set OPENBLAS_CORETYPE to choose yourself)"
        case HTSR_CORE_SWITCH_FAILED:
            return "OpenBLAS chose the generic \(openblas) kernels on a CPU with \(capability); htsr asked for \(requested) but OpenBLAS does not offer it"
        default:
            return "the BLAS is not OpenBLAS: nothing to choose"
        }
    }
}

/// `htsr doctor --compare-cores`: the same Gram and eigenvalues under each OpenBLAS core this
/// CPU can run, timed, and checked against the start-up core (switched in process with
/// `htsr_blas_use_core`, before and after which no BLAS call is running).
enum CoreComparison {
    /// Cores worth comparing, with the CPU features their kernels need.
    static let candidates: [(core: String, runs: @Sendable (htsr_cpu) -> Bool)] = [
        ("Prescott", { _ in true }),
        ("Sandybridge", { $0.avx != 0 && $0.os_ymm != 0 }),
        ("Haswell", { $0.avx2 != 0 && $0.fma != 0 && $0.os_ymm != 0 }),
        ("Zen", { $0.avx2 != 0 && $0.fma != 0 && $0.os_ymm != 0 }),
        ("SkylakeX", { $0.avx512 != 0 && $0.os_zmm != 0 }),
        ("Cooperlake", { $0.avx512 != 0 && $0.avx512_bf16 != 0 && $0.os_zmm != 0 }),
    ]

    struct Outcome {
        var text: String
        var allAgree: Bool
    }

    static func run(order n: Int) throws -> Outcome {
        var cpu = htsr_cpu()
        htsr_cpu_identify(&cpu)
        let startup = BLASLibrary.current().core
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let w = (0..<(2 * n * n)).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        func measure() throws -> (gram: Double, eigen: Double, values: [Double]) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var (g, m) = w.withUnsafeBufferPointer { SymmetricEigen.gramOfSmallerSide($0, rows: 2 * n, cols: n) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            let values = try SymmetricEigen.eigenvalues(symmetric: &g, n: m)
            let t2 = DispatchTime.now().uptimeNanoseconds
            return (Double(t1 - t0) / 1e9, Double(t2 - t1) / 1e9, values)
        }
        let reference = try measure().values
        let lambdaMax = reference.last ?? 1
        let solver = SymmetricEigen.Solver.preferred(forOrder: n).rawValue
        var lines = ["", "cores (n = \(n): dsyrk of a \(2 * n) × \(n) matrix, then \(solver); one BLAS thread; vs the start-up core \(startup)):",
                     "  core          dsyrk s   eigen s   max |Δλ|/λmax"]
        var allAgree = true
        defer { _ = htsr_blas_use_core(startup) }
        for (core, runs) in candidates {
            guard runs(cpu) else {
                lines.append("  \(core.padding(toLength: 12, withPad: " ", startingAt: 0))  (the CPU lacks its instructions)")
                continue
            }
            guard htsr_blas_use_core(core) != 0 else {
                lines.append("  \(core.padding(toLength: 12, withPad: " ", startingAt: 0))  (this OpenBLAS does not offer it)")
                continue
            }
            let m = try measure()
            let difference = zip(m.values, reference).map { abs($0 - $1) }.max() ?? 0
            let agrees = difference <= 1e-12 * lambdaMax
            allAgree = allAgree && agrees
            lines.append("  " + core.padding(toLength: 12, withPad: " ", startingAt: 0)
                         + String(format: "  %7.3f   %7.3f   %.1e", m.gram, m.eigen, difference / lambdaMax)
                         + (agrees ? "" : "  DIFFERS (tolerance 1e-12)"))
        }
        return Outcome(text: lines.joined(separator: "\n") + "\n", allAgree: allAgree)
    }
}

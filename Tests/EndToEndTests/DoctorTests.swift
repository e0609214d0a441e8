import Foundation
import Testing

/// `htsr doctor`: the machine as htsr sees it, and the BLAS kernels compared.
@Suite struct DoctorTests {
    @Test func reportsCPUBLASCoreAndThreads() throws {
        let r = try HTSRBinary.run(["doctor"])
        #expect(r.status == 0, "\(r.stderr)")
        for label in ["CPU:", "BLAS:", "library:", "LAPACK:", "core:", "why:", "BLAS threads:", "eigensolver:"] {
            #expect(r.stdout.contains(label), "\(label) missing from:\n\(r.stdout)")
        }
        #expect(r.stdout.contains("OPENBLAS_NUM_THREADS=1 set by the user: kept"))
    }

    /// A user's OPENBLAS_CORETYPE is never overridden.
    @Test func keepsTheUsersCore() throws {
        let r = try HTSRBinary.run(["doctor"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("core:         Prescott"), "\(r.stdout)")
        #expect(r.stdout.contains("OPENBLAS_CORETYPE=Prescott is set"))
    }

    /// Every core the CPU can run, switched in process, gives the start-up core's eigenvalues
    /// within 1e-12·λmax, and the start-up core is back afterwards.
    @Test func coresAgree() throws {
        let r = try HTSRBinary.run(["doctor", "--compare-cores", "--order", "80"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").filter { $0.contains("e-") || $0.contains("e+00") }
        #expect(rows.contains { $0.contains("Prescott") }, "\(r.stdout)")
        #expect(!r.stdout.contains("DIFFERS"))
    }

    @Test func orderNeedsCompareCores() throws {
        let r = try HTSRBinary.run(["doctor", "--order", "80"])
        #expect(r.status == 64 && r.stderr.contains("--compare-cores"))
    }
}

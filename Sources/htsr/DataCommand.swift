import Analyzer
import ArgumentParser
import Checkpoint
import Foundation
import PDE

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate PDE data sets as HDF5 in the PDEBench layout, or list one.",
        discussion: """
        Every sample is reproducible from --seed (sample i draws from stream i of the seed, whatever
        the number of threads). Files are float32, chunked one sample per chunk, gzip-compressed,
        written to a temporary file and renamed when complete.
        """,
        subcommands: [BurgersData.self, DarcyData.self, NavierStokesData.self, CFDData.self, InspectData.self, CrossCheckData.self]
    )
}

/// Options shared by every generator.
struct GenerationOptions: ParsableArguments {
    @Option(help: "Number of samples.")
    var samples: Int

    @Option(help: "Seed of the random initial conditions / coefficients.")
    var seed: UInt64

    @Option(name: .shortAndLong, help: ArgumentHelp("Output HDF5 file.", valueName: "FILE.h5"))
    var out: String

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "gzip level 1…9.")
    var compression: Int = 4

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be ≥ 1.") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1.") }
        guard (1...9).contains(compression) else { throw ValidationError("--compression must be 1…9.") }
    }

    /// Generates the file with a progress line on stderr and prints a summary on stdout.
    func run(_ generator: some PDEDataGenerator) throws {
        TemporaryFiles.installSignalHandlers()
        let progress = Terminal.ProgressLine(prefix: "htsr data \(generator.equation)")
        defer { progress.finish() }
        let start = Date()
        let summary = try DataSetWriter.write(generator, samples: samples, seed: seed, to: out, threads: threads,
                                              compressionLevel: compression, software: "htsr \(htsrVersion)") { done, total in
            progress.update(done, total, "samples")
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let fields = generator.fields.map { "\($0.name) \(summary.shapes[$0.name]!)" }.joined(separator: ", ")
        print("wrote \(out): \(fields) in \(String(format: "%.1f", seconds)) s")
    }
}

struct BurgersData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burgers",
        abstract: "1-D viscous Burgers u_t + (u²/2)_x = ν u_xx on [0,1) periodic: tensor (samples, steps, resolution).",
        discussion: "Random initial conditions: periodic Gaussian random field (FNO: γ 2.5, τ 7, σ 49). Pseudo-spectral, ETDRK4.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Grid points of the output.") var resolution: Int = 128
    @Option(help: "Frames per sample, t = 0 … final time.") var steps: Int = 41
    @Option(help: "Final time.") var finalTime: Double = 1
    @Option(help: "Viscosity ν.") var viscosity: Double = 0.01
    @Option(help: "Solver grid points (a multiple of --resolution; default: enough to resolve fronts of width 2ν).")
    var solverResolution: Int?

    func run() throws {
        try options.run(try BurgersGenerator(resolution: resolution, frames: steps, finalTime: finalTime,
                                             viscosity: viscosity, solverResolution: solverResolution))
    }
}

struct DarcyData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "darcy",
        abstract: "2-D Darcy −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary: nu (a) and tensor (u).",
        discussion: "a = 12 where a Neumann Gaussian random field (α 2, τ 3) is ≥ 0, 3 elsewhere (FNO). Cell-centred finite volumes, IC(0)-CG.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Cells per side of the output.") var resolution: Int = 64
    @Option(help: "Solve on a grid refined this many times per cell side; u is averaged back.") var refinement: Int = 2

    func run() throws {
        try options.run(try DarcyGenerator(resolution: resolution, refinement: refinement))
    }
}

struct NavierStokesData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "navier-stokes",
        abstract: "2-D incompressible Navier–Stokes (vorticity) on the torus, the FNO benchmark: tensor (samples, steps, R, R).",
        discussion: "Forcing 0.1(sin 2π(x+y) + cos 2π(x+y)); initial vorticity from a Gaussian random field (α 2.5, τ 7). Pseudo-spectral, ETDRK4.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Grid points per side of the output.") var resolution: Int = 64
    @Option(help: "Frames per sample, t = 0, Δt, 2Δt, ….") var steps: Int = 21
    @Option(help: "Time Δt between frames.") var interval: Double = 1
    @Option(help: "Viscosity ν.") var viscosity: Double = 1e-3
    @Option(help: "Solver grid points per side (a multiple of --resolution).") var solverResolution: Int?

    func run() throws {
        try options.run(try NavierStokesGenerator(resolution: resolution, frames: steps, interval: interval,
                                                  viscosity: viscosity, solverResolution: solverResolution))
    }
}

struct CFDData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cfd",
        abstract: "2-D compressible Navier–Stokes (PDEBench 2-D CFD): density, Vx, Vy, pressure, each (samples, steps, R, R).",
        discussion: "Periodic unit square, γ 5/3, PDEBench's random initial conditions (2D_rand). Finite volumes: MUSCL + HLLC + SSP-RK2.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Cells per side of the output.") var resolution: Int = 32
    @Option(help: "Frames per sample, t = 0, Δt, 2Δt, ….") var steps: Int = 21
    @Option(help: "Time Δt between frames.") var interval: Double = 0.05
    @Option(help: "Mach number M.") var mach: Double = 0.1
    @Option(help: "Shear viscosity η (kinematic).") var eta: Double = 0.01
    @Option(help: "Bulk viscosity ζ (kinematic).") var zeta: Double = 0.01
    @Option(help: "Solver cells per side (a multiple of --resolution; every k-th cell is kept).") var solverResolution: Int?

    func run() throws {
        try options.run(try CompressibleFlowGenerator(resolution: resolution, frames: steps, interval: interval, mach: mach,
                                                      shearViscosity: eta, bulkViscosity: zeta, solverResolution: solverResolution))
    }
}

struct InspectData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a PDEBench-layout HDF5 file (ours or PDEBench's): layout, fields, grid, attributes, value ranges.")

    @Argument(help: "The HDF5 file.") var file: String
    @Option(help: "Samples read for the value statistics (0: none).") var statsSamples: Int = 100
    @OptionGroup var memory: MemoryArguments

    func validate() throws {
        guard statsSamples >= 0 else { throw ValidationError("--stats-samples must be ≥ 0.") }
    }

    func run() throws {
        let f = try PDEBenchFile.open(file)
        print(try DataInspection.report(f, statsSamples: statsSamples), terminator: "")
    }
}

struct CrossCheckData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Compare our Burgers and Darcy solvers with the data sets of PyPI neuraloperator 0.3.0.",
        discussion: "DIR holds burgers_lowres.pt, darcy_test_16.pt, darcy_test_32.pt and darcy_train_16.pt (Scripts/setup installs them).")

    @Argument(help: "Folder of the neuraloperator data files.")
    var folder: String = ".cache/neuraloperator/neuralop/datasets/data"

    func run() throws {
        let b = try NeuralOperatorCrossCheck.burgers(file: folder + "/burgers_lowres.pt")
        print(String(format: "burgers_lowres.pt: %d samples, nu %g, frames every %g: relative L2 mean %.3g, max %.3g",
                     b.samples, b.viscosity, b.frameInterval, b.meanRelativeL2, b.maxRelativeL2))
        for name in ["darcy_test_32.pt", "darcy_test_16.pt", "darcy_train_16.pt"] {
            let d = try NeuralOperatorCrossCheck.darcy(file: folder + "/" + name)
            print(String(format: "%@: %d², fitted a = %.4g (mask) / %.4g (no mask) on %d samples (fit error %.3g); %d held out: relative L2 mean %.3g, max %.3g",
                         name, d.resolution, d.coefficientTrue, d.coefficientFalse, d.fitSamples, d.fitRelativeL2,
                         d.evaluatedSamples, d.meanRelativeL2, d.maxRelativeL2))
        }
    }
}

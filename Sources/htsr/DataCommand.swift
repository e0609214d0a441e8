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

/// The generators' settings named otherwise on the command line (their names are the keys of
/// the file's `parameters` attribute).
let dataFlagNames = FlagNames(overrides: ["frames": "--steps", "frame_interval": "--interval"])

/// Options shared by every generator.
struct GenerationOptions: ParsableArguments {
    private typealias L = DataGeneratorLimits

    @Option(help: "Number of samples; \(L.samples).")
    var samples: Int

    @Option(help: "Seed of the random initial conditions / coefficients; any 64-bit unsigned integer.")
    var seed: UInt64

    @Option(name: .shortAndLong, help: ArgumentHelp("Output HDF5 file.", valueName: "FILE.h5"))
    var out: String

    @Option(help: "Worker threads (default: all cores); \(L.threads).")
    var threads: Int = defaultThreadCount

    @Option(help: "gzip level; \(L.compression).")
    var compression: Int = L.defaultCompression

    /// Checks the generator's own settings (building it) and the file's: a usage error names the flag.
    func check<G: PDEDataGenerator>(_ make: () throws -> G) throws {
        try validated(dataFlagNames) { try DataSetWriter.validate(try make(), samples: samples, threads: threads, compressionLevel: compression) }
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

struct BurgersData: ParsableCommand, NamesSettings {
    static let flagNames = dataFlagNames
    private typealias L = DataGeneratorLimits
    static let configuration = CommandConfiguration(
        commandName: "burgers",
        abstract: "1-D viscous Burgers u_t + (u²/2)_x = ν u_xx on [0,1) periodic: tensor (samples, steps, resolution).",
        discussion: "Random initial conditions: periodic Gaussian random field (FNO: γ 2.5, τ 7, σ 49). Pseudo-spectral, ETDRK4.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Grid points of the output, even; \(L.resolution1D).") var resolution: Int = 128
    @Option(help: "Frames per sample, t = 0 … final time; \(L.frames).") var steps: Int = 41
    @Option(help: "Final time; \(L.time).") var finalTime: Double = BurgersGenerator.defaultFinalTime
    @Option(help: "Viscosity ν; \(L.burgersViscosity).") var viscosity: Double = 0.01
    @Option(help: "Solver grid points (a multiple of --resolution; default: enough to resolve fronts of width 2ν); \(L.solverResolution1D).")
    var solverResolution: Int?

    func generator() throws -> BurgersGenerator {
        try BurgersGenerator(resolution: resolution, frames: steps, finalTime: finalTime, viscosity: viscosity,
                             solverResolution: solverResolution)
    }

    func validate() throws { try options.check(generator) }

    func run() throws { try options.run(try generator()) }
}

struct DarcyData: ParsableCommand, NamesSettings {
    static let flagNames = dataFlagNames
    private typealias L = DataGeneratorLimits
    static let configuration = CommandConfiguration(
        commandName: "darcy",
        abstract: "2-D Darcy −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary: nu (a) and tensor (u).",
        discussion: "a = 12 where a Neumann Gaussian random field (α 2, τ 3) is ≥ 0, 3 elsewhere (FNO). Cell-centred finite volumes, IC(0)-CG.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Cells per side of the output; \(L.resolution2D).") var resolution: Int = 64
    @Option(help: "Solve on a grid refined this many times per cell side; u is averaged back; \(L.refinement), resolution × refinement at most \(L.solverResolution2D.upper).")
    var refinement: Int = DarcyGenerator.defaultRefinement

    func generator() throws -> DarcyGenerator { try DarcyGenerator(resolution: resolution, refinement: refinement) }

    func validate() throws { try options.check(generator) }

    func run() throws { try options.run(try generator()) }
}

struct NavierStokesData: ParsableCommand, NamesSettings {
    static let flagNames = dataFlagNames
    private typealias L = DataGeneratorLimits
    static let configuration = CommandConfiguration(
        commandName: "navier-stokes",
        abstract: "2-D incompressible Navier–Stokes (vorticity) on the torus, the FNO benchmark: tensor (samples, steps, R, R).",
        discussion: "Forcing 0.1(sin 2π(x+y) + cos 2π(x+y)); initial vorticity from a Gaussian random field (α 2.5, τ 7). Pseudo-spectral, ETDRK4.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Grid points per side of the output, even; \(L.resolutionFlow2D).") var resolution: Int = 64
    @Option(help: "Frames per sample, t = 0, Δt, 2Δt, …; \(L.frames).") var steps: Int = 21
    @Option(help: "Time Δt between frames; \(L.time).") var interval: Double = NavierStokesGenerator.Defaults.interval
    @Option(help: "Viscosity ν; \(L.viscosity).") var viscosity: Double = NavierStokesGenerator.Defaults.viscosity
    @Option(help: "Solver grid points per side (a multiple of --resolution); \(L.solverResolution2D).") var solverResolution: Int?

    func generator() throws -> NavierStokesGenerator {
        try NavierStokesGenerator(resolution: resolution, frames: steps, interval: interval, viscosity: viscosity,
                                  solverResolution: solverResolution)
    }

    func validate() throws { try options.check(generator) }

    func run() throws { try options.run(try generator()) }
}

struct CFDData: ParsableCommand, NamesSettings {
    static let flagNames = dataFlagNames
    private typealias L = DataGeneratorLimits
    static let configuration = CommandConfiguration(
        commandName: "cfd",
        abstract: "2-D compressible Navier–Stokes (PDEBench 2-D CFD): density, Vx, Vy, pressure, each (samples, steps, R, R).",
        discussion: "Periodic unit square, γ 5/3, PDEBench's random initial conditions (2D_rand). Finite volumes: MUSCL + HLLC + SSP-RK2.")

    @OptionGroup var options: GenerationOptions
    @Option(help: "Cells per side of the output; \(L.resolutionFlow2D).") var resolution: Int = 32
    @Option(help: "Frames per sample, t = 0, Δt, 2Δt, …; \(L.frames).") var steps: Int = CompressibleFlowGenerator.Defaults.frames
    @Option(help: "Time Δt between frames; \(L.time).") var interval: Double = CompressibleFlowGenerator.Defaults.interval
    @Option(help: "Mach number M; \(L.mach).") var mach: Double = CompressibleFlowGenerator.Defaults.mach
    @Option(help: "Shear viscosity η (kinematic); \(L.viscosity).") var eta: Double = CompressibleFlowGenerator.Defaults.shearViscosity
    @Option(help: "Bulk viscosity ζ (kinematic); \(L.viscosity).") var zeta: Double = CompressibleFlowGenerator.Defaults.bulkViscosity
    @Option(help: "Solver cells per side (a multiple of --resolution; every k-th cell is kept); \(L.solverResolution2D).") var solverResolution: Int?

    func generator() throws -> CompressibleFlowGenerator {
        try CompressibleFlowGenerator(resolution: resolution, frames: steps, interval: interval, mach: mach,
                                      shearViscosity: eta, bulkViscosity: zeta, solverResolution: solverResolution)
    }

    func validate() throws { try options.check(generator) }

    func run() throws { try options.run(try generator()) }
}

struct InspectData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a PDEBench-layout HDF5 file (ours or PDEBench's): layout, fields, grid, attributes, value ranges.")

    @Argument(help: "The HDF5 file.") var file: String
    @Option(help: "Samples read for the value statistics (0: none); [0, \(DataGeneratorLimits.samples.upper)].") var statsSamples: Int = 100
    @OptionGroup var memory: MemoryArguments

    func validate() throws {
        guard (0...DataGeneratorLimits.samples.upper).contains(statsSamples) else {
            throw ValidationError("--stats-samples \(statsSamples): must be an integer in [0, \(DataGeneratorLimits.samples.upper)]")
        }
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

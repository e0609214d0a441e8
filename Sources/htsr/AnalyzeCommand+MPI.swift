#if MPI
import Analyzer
import ArgumentParser
import Checkpoint
import Foundation
import Plot

/// `mpirun -np N htsr analyze …` (the MPI build, `swift build --traits MPI`).
///
/// One PATH: its layers are shared out (rank 0 plans from the headers and hands layers out
/// largest first; the other ranks read only their layers and send back spectra; rank 0 makes
/// the rows and writes exactly what one process writes). Several PATHs (a model zoo): each
/// checkpoint is one item of the work list, analysed whole by one rank, which writes its files
/// into the --output folder; with --skip-existing a rerun skips the finished ones. The exit
/// status is rank 0's, on every rank.
extension AnalyzeCommand {
    func run(on mpi: MPIRuntime) throws {
        defer { mpi.finalize() }
        if mpi.size == 1 { return try runHere() }
        if compareQuantized {
            // Two whole analyses and one comparison: rank 0 does it; the other ranks have no work.
            if mpi.rank == 0 { try runComparison() }
            return
        }
        let targets = try outputTargets()
        if paths.count > 1 && (targets.isEmpty || targets.contains(where: { if case .folder = $0 { return false } else { return true } })) {
            // Every rank stops here alike; rank 0 alone says why, and the others wait until it has
            // (mpirun may end the job, rank 0 included, at the first non-zero exit).
            guard mpi.rank == 0 else { throw ExitCode(try WorkList.awaitFinish(channel: mpi)) }
            let error = ValidationError("Under MPI, several checkpoints need every --output to be a FOLDER/ (each rank writes the files of the checkpoints it analyses).")
            FileHandle.standardError.write(Data((Self.fullMessage(for: error) + "\n").utf8))
            try WorkList.finish(status: 64, channel: mpi)
            throw ExitCode(64)
        }
        // Per working rank: the cores of the node shared among its working ranks, unless --threads is given.
        let threads = analysis.threads == defaultThreadCount ? max(1, defaultThreadCount / mpi.localWorkers) : analysis.threads
        guard mpi.rank == 0 else {
            if paths.count == 1 {
                let (command, path) = (self, paths[0])
                try Analyzer.serveSpectra(open: { try command.openSource(path) }, options: analysis.options,
                                          order: { try command.analysis.layerOrder(for: $0) }, threads: threads, channel: mpi)
            } else {
                try analyzeAssignedCheckpoints(mpi, threads: threads)
            }
            let status = try WorkList.awaitFinish(channel: mpi)
            if status != 0 { throw ExitCode(status) }
            return
        }
        // Rank 0 prints and flushes everything before it tells the ranks the status: when a rank
        // exits with a non-zero status, mpirun may end the job (rank 0 included) at once.
        var status: Int32 = 0
        do {
            status = paths.count == 1 ? try coordinateLayers(mpi) : try coordinateCheckpoints(mpi)
        } catch {
            status = Self.exitCode(for: error).rawValue
            let message = Self.fullMessage(for: error)   // what ArgumentParser would print
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        }
        fflush(nil)  // every output stream
        try WorkList.finish(status: status, channel: mpi)
        if status != 0 { throw ExitCode(status) }
    }

    /// Rank 0, one checkpoint: the report from the ranks' spectra, written as one process writes it.
    private func coordinateLayers(_ mpi: MPIRuntime) throws -> Int32 {
        let path = paths[0]
        guard !finished(path) else {
            try WorkList.decline(channel: mpi)
            return 0
        }
        let start = Date()
        let clock = timings ? StageTimings() : nil
        let source: TensorSource
        do {
            source = try openSource(path)
        } catch {
            try WorkList.decline(channel: mpi)
            throw error
        }
        let progress = progressLine(path)
        // The spectra are staged and put in place at the end, as in one process.
        let eigenvalues = try saveEigenvalues.map { try StagedFolder(target: $0, mode: .merge) }
        eigenvalues?.protected = inputs.identities
        let keep = try eigenvalueWriter(into: eigenvalues?.staging)
        let report = try Analyzer.coordinate(source, options: analysis.options, order: try analysis.layerOrder(for: source),
                                             channel: mpi, progress: { progress.update($0) },
                                             keepEigenvalues: keep, timings: clock)
        progress.finish()
        reportUnmatched(report, path: path)
        let outputStart = Date()
        try eigenvalues?.commit()
        try emit([(path, report)])
        if let clock {
            clock.add(.output, Date().timeIntervalSince(outputStart))
            let text = "timings for \(path) (rank 0: fits and output; the spectra ran on the other ranks):\n"
                + clock.report(wall: Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data(text.utf8))
        }
        return reportNonFinite(report, path: path) > 0 ? 3 : 0
    }

    /// Rank 0, several checkpoints: hands them out in the order given (the finished ones
    /// skipped with --skip-existing); after the first failure none is handed out.
    private func coordinateCheckpoints(_ mpi: MPIRuntime) throws -> Int32 {
        var nonFinite = 0
        let todo = paths.indices.filter { !finished(paths[$0]) }
        let failure = try WorkList.serve(order: todo, names: paths, channel: mpi) { _, bytes in
            guard bytes.count == 8 else { throw RemoteError("a rank sent a malformed checkpoint result") }
            nonFinite += bytes.reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        if let failure { throw RemoteError(failure) }
        return nonFinite > 0 ? 3 : 0
    }

    /// A working rank, several checkpoints: analyses each one it is given with `threads`
    /// workers and writes its files; sends back its count of layers with NaN/Inf weights.
    private func analyzeAssignedCheckpoints(_ mpi: MPIRuntime, threads: Int) throws {
        let command = self, rank = mpi.rank
        try WorkList.work(threads: 1, channel: mpi) { item, name, _ in
            let path = command.paths[item]
            guard path == name else { throw RemoteError("rank \(rank) was given \(name), expected \(path)") }
            let start = Date()
            let clock = command.timings ? StageTimings() : nil
            let report = try command.analyzeOne(path, timings: clock, eigenvalues: command.saveEigenvalues.map { $0 + "/" + stem(path) },
                                                workers: threads)
            command.reportUnmatched(report, path: path)
            // This checkpoint's files in every --output folder (run(on:) allows only folders here).
            for target in try command.outputTargets() {
                guard case let .folder(dir) = target, let file = command.outputFile(of: target, for: path) else { continue }
                do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw OutputError(file: dir, problem: "cannot create the folder: \(FileProblem.text(error))")
                }
                try AtomicFile.write(try Self.render(report, as: command.format), to: file)
            }
            if let clock {
                let text = "timings for \(path) (rank \(rank)):\n" + clock.report(wall: Date().timeIntervalSince(start))
                FileHandle.standardError.write(Data(text.utf8))
            }
            let count = UInt64(command.reportNonFinite(report, path: path))
            return (0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * $0)) }
        }
    }
}
#endif

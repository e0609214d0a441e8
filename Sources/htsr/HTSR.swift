import ArgumentParser
import Analyzer
import Checkpoint

struct HTSR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "htsr",
        abstract: "Heavy-tailed self-regularization: spectra and power-law fits of neural-network weights.",
        discussion: """
        Exit status: 0 on success; 1 when an input or output is bad (the message names the file);
        3 when the analysis finished but some layers hold NaN/Inf weights; 64 for bad arguments.
        """,
        version: htsrVersion,
        subcommands: [AnalyzeCommand.self, CompareCommand.self, PlotCommand.self, ReportCommand.self,
                      PolicyCommand.self, TrainCommand.self, ExperimentCommand.self, DataCommand.self,
                      FNOCommand.self, TokenizeCommand.self, FinetuneCommand.self,
                      FinetuneExperimentCommand.self, DoctorCommand.self]
    )
}

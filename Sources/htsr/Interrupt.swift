import ArgumentParser
import Checkpoint
import Foundation

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP as a request to stop at the next safe point instead of at
/// once, for commands that can leave a resumable state: the first signal sets `requested` (the
/// command polls it, saves, and ends with `exitCode`, 128 + the signal); a second one removes the
/// temporary files and staging folders and ends the process at once (`TemporaryFiles`).
struct Interrupt: Sendable {
    init() { TemporaryFiles.deferInterrupts() }

    var requested: Bool { TemporaryFiles.stopSignal != nil }

    /// 128 + the signal that asked to stop (130 for Ctrl-C, 143 for SIGTERM).
    var exitCode: ExitCode { ExitCode(128 + (TemporaryFiles.stopSignal ?? SIGINT)) }
}

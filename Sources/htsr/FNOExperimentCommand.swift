import ArgumentParser
import FNO
import Foundation
import Train

struct FNOExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "experiment", abstract: "placeholder")
    func run() throws {}
}

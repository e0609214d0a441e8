import Foundation
import Plot
import Testing
import Train
@testable import Experiments

/// The committed experiment reports (`reports/*`, `reports/fno/*`) regenerate byte for byte
/// from their CSVs of runs: the CSV reads back exactly, and the table, CSV and figure-data
/// writers reproduce the committed files. `HTSR_REGENERATE_REPORTS=1` writes them (and the
/// PNGs, drawn by Plot) into `reports/` instead, after checking the tables and CSVs.
@Suite struct CommittedReportsTests {
    static let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reports").path
    static var regenerating: Bool { ProcessInfo.processInfo.environment["HTSR_REGENERATE_REPORTS"] == "1" }

    /// The committed title (the Markdown's first line), the CSV, and a folder to write into.
    static func inputs(_ folder: String, _ name: String) throws -> (title: String, csv: String, out: String) {
        let md = try String(contentsOfFile: "\(folder)/\(name).md", encoding: .utf8)
        let title = String(try #require(md.split(separator: "\n").first).dropFirst("### ".count))
        let csv = try String(contentsOfFile: "\(folder)/\(name).csv", encoding: .utf8)
        let out = regenerating ? folder : FileManager.default.temporaryDirectory.appendingPathComponent("htsr-reports-\(UUID().uuidString)").path
        return (title, csv, out)
    }

    /// Compares the regenerated files with the committed bytes read before.
    static func compare(_ committed: [String: Data], in out: String, name: String) throws {
        for (ext, bytes) in committed.sorted(by: { $0.key < $1.key }) {
            let again = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).\(ext)"))
            #expect(again == bytes, "\(name).\(ext) differs from the committed file")
        }
    }

    static func committed(_ folder: String, _ name: String, _ exts: [String]) throws -> [String: Data] {
        Dictionary(uniqueKeysWithValues: try exts.map { ($0, try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).\($0)"))) })
    }

    @Test(arguments: ["tempbalance-mnist5k-scratch", "tempbalance-fashion-scratch", "tempbalance-fashion-finetune"])
    func mlpReport(name: String) throws {
        let (title, csv, out) = try Self.inputs(Self.reports, name)
        let exts = Self.regenerating ? ["md", "csv"] : ["md", "csv", "dat"]
        let before = try Self.committed(Self.reports, name, exts)
        let runs = try ExperimentReport.runs(csv: csv, file: name + ".csv")
        #expect(ExperimentReport.csv(runs) == csv)
        try ExperimentReport.write(title: title, name: name, runs: runs, to: out, gnuplot: Self.regenerating ? try GnuplotLocator.find() : nil)
        defer { if !Self.regenerating { try? FileManager.default.removeItem(atPath: out) } }
        try Self.compare(before, in: out, name: name)
    }

    @Test(arguments: ["burgers", "darcy", "darcy-spectral", "navier-stokes", "navier-stokes-spectral"])
    func fnoReport(name: String) throws {
        let folder = Self.reports + "/fno"
        let (title, csv, out) = try Self.inputs(folder, name)
        let exts = Self.regenerating ? ["md", "csv"] : ["md", "csv", "dat"]
        let before = try Self.committed(folder, name, exts)
        let runs = try FNOExperimentReport.runs(csv: csv, file: name + ".csv")
        #expect(FNOExperimentReport.csv(runs) == csv)
        try FNOExperimentReport.write(title: title, name: name, runs: runs, to: out, gnuplot: Self.regenerating ? try GnuplotLocator.find() : nil)
        defer { if !Self.regenerating { try? FileManager.default.removeItem(atPath: out) } }
        try Self.compare(before, in: out, name: name)
    }

    /// A CSV that is not one of ours: one error naming the file, line and field.
    @Test func badCSV() {
        let header = ExperimentReport.csvColumns.joined(separator: ",")
        for (text, message) in [("policy,ratio\n", "x.csv: line 1: the header is not"),
                                (header + "\nnone,0.1,0.01,1,60,500,0.5,0.5,1.0,0.0\n", "x.csv: line 2: 10 fields, expected 11"),
                                (header + "\nnone,0.1,0.01,1,60,500,0.5,0.5,1.0,0.0,maybe\n", "x.csv: line 2: 'maybe' is not a valid diverged")] {
            do {
                _ = try ExperimentReport.runs(csv: text, file: "x.csv")
                Issue.record("read \(text)")
            } catch {
                #expect("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }
}

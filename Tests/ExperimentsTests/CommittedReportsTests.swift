import Foundation
import Plot
import Testing
import Train
@testable import Experiments

/// The committed experiment reports (`reports/*.md`, `reports/fno/*.md`, `reports/finetune/*.md` written by the protocol)
/// regenerate byte for byte from their CSVs of runs: the CSV reads back exactly, and the page and
/// both figures' data files are reproduced. `HTSR_REGENERATE_REPORTS=1` writes them (and the
/// PNGs, drawn by Plot) into `reports/` instead.
@Suite struct CommittedReportsTests {
    static let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reports").path
    static var regenerating: Bool { ProcessInfo.processInfo.environment["HTSR_REGENERATE_REPORTS"] == "1" }

    /// Every protocol report: a CSV with the protocol's header beside its page.
    static func committed() -> [(folder: String, name: String)] {
        var found: [(String, String)] = []
        for folder in [reports, reports + "/fno", reports + "/finetune"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for f in files.sorted() where f.hasSuffix(".csv") {
                let name = String(f.dropLast(4))
                guard let text = try? String(contentsOfFile: "\(folder)/\(f)", encoding: .utf8),
                      text.hasPrefix(ProtocolReport.csvColumns.joined(separator: ",") + "\n"),
                      FileManager.default.fileExists(atPath: "\(folder)/\(name).md") else { continue }
                found.append((folder, name))
            }
        }
        return found
    }

    @Test func reportsRegenerate() throws {
        let reports = Self.committed()
        #expect(!reports.isEmpty, "no protocol report in reports/")
        for (folder, name) in reports {
            let md = try String(contentsOfFile: "\(folder)/\(name).md", encoding: .utf8)
            let lines = md.split(separator: "\n", omittingEmptySubsequences: false)
            let title = String(lines[0].dropFirst("### ".count)), setup = String(lines[2])
            let csv = try String(contentsOfFile: "\(folder)/\(name).csv", encoding: .utf8)
            let (cells, results) = try ProtocolReport.read(csv: csv, file: name + ".csv")
            #expect(ProtocolReport.csv(results, cells: cells) == csv, "\(name).csv does not read back exactly")
            // The page names its metric: nRMSE (lower is better) or accuracy (higher).
            let direction: Direction = md.contains("**Arms** — test nRMSE") ? .lower : .higher
            let metric: MetricFormat = direction == .lower ? .nrmse : .accuracy
            let exts = ["md", "csv", "-curves.dat", "-paired.dat"]
            let before = try exts.map { try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)\($0.hasPrefix("-") ? "" : ".")\($0)")) }
            let out = Self.regenerating ? folder : FileManager.default.temporaryDirectory.appendingPathComponent("htsr-reports-\(UUID().uuidString)").path
            defer { if !Self.regenerating { try? FileManager.default.removeItem(atPath: out) } }
            try ProtocolReport.write(title: title, setup: setup, name: name, cells: cells, results: results, direction: direction, metric: metric,
                                     to: out, gnuplot: Self.regenerating ? try GnuplotLocator.find() : nil)
            for (ext, bytes) in zip(exts, before) {
                let again = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name)\(ext.hasPrefix("-") ? "" : ".")\(ext)"))
                #expect(again == bytes, "\(name)\(ext) differs from the committed file")
            }
        }
    }
}

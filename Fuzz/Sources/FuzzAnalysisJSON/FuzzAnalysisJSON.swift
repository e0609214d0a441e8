import Analyzer
import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzAnalysisJSON_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

let file = MemoryFile()

/// An analysis JSON of arbitrary bytes (what `htsr compare`, `plot` and `report` read): loaded,
/// then written as a table, CSV and JSON again.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    file.set(UnsafeRawBufferPointer(start: data, count: size))
    guard let report = try? AnalysisReport.load(file.path) else { return 0 }
    _ = ReportFormatter.table(report)
    _ = ReportFormatter.csv(report)
    _ = try? report.jsonData()
    return 0
}

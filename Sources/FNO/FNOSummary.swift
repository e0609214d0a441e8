import Foundation

/// The lines `htsr fno train` prints at the end of a run.
public enum FNOSummary {
    public static func lines(_ o: FNOOutcome, trainer t: FNOTrainer) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.5f", $0) } ?? "–" }
        var s = ["\(t.model.config.modelName) on \(t.config.data): \(t.data.train.count) training (pool \(t.data.poolCount), reduced_batch \(t.config.reducedBatch)), \(t.data.validation.count) validation, \(t.data.test.count) test samples; grid \(t.data.spatialShape), \(t.data.frames) frames × \(t.data.channels) channel(s); initial_step \(t.initialStep), t_train \(t.tTrain)"]
        s.append("\(o.epochs) epochs, \(o.steps) steps; final train loss \(f(o.finalTrainLoss))")
        s.append("test nRMSE \(f(o.test.nrmse))  RMSE \(f(o.test.rmse))" + (o.validation.map { "   validation nRMSE \(f($0.nrmse))" } ?? ""))
        func perField(_ m: RegressionMetrics) -> String {
            zip(t.data.channelNames, m.channelNRMSE).map { "\($0) \(f($1))" }.joined(separator: ", ")
        }
        if t.data.channels > 1 { s.append("test nRMSE per field: " + perField(o.test)) }
        if let p = o.testPersistence {
            s.append("persistence reference (the last context frame held): test nRMSE \(f(p.nrmse))"
                     + (t.data.channels > 1 ? " (\(perField(p)))" : ""))
        }
        if t.config.policy != .none {
            s.append(String(format: "TempBalance: %@; analysis %.2f s = %.1f %% of training", t.balancedLayers.joined(separator: ", "),
                            o.analysisSeconds, 100 * o.analysisSeconds / max(1e-9, o.trainSeconds)))
        }
        s.append(String(format: "training %.1f s (%.1f samples/s), evaluation %.1f s; wrote %@/model.safetensors, log.jsonl",
                        o.trainSeconds, o.samplesPerSecond, o.evalSeconds, t.config.out))
        return s.joined(separator: "\n")
    }
}

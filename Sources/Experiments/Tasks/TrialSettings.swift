import FNO
import Train
import Transformer

/// The settings a trial sets in every trainer's configuration: its learning rate, seed, arm
/// (policy and, for the uniform control, the multiplier), TempBalance scale and run folder.
/// MLP, FNO and fine-tuning tasks share `apply(_:folder:)` instead of repeating it.
protocol TrialSettings {
    var lr: Float { get set }
    var seed: UInt64 { get set }
    var policy: PolicyMode { get set }
    var uniformMultiplier: Double { get set }
    var trialPolicyOptions: PolicyOptions { get set }
    var out: String { get set }
}

extension TrialSettings {
    /// Sets what `t` chooses: rate, seed, arm, the uniform multiplier (1 unless the uniform
    /// control), the scale as both s_min and s_max when the trial sweeps it, and `folder`.
    mutating func apply(_ t: Trial, folder: String) {
        lr = Float(t.lr)
        seed = t.seed
        policy = t.arm.policy
        uniformMultiplier = t.uniformMultiplier ?? 1
        if let s = t.scale {
            trialPolicyOptions.sMin = s
            trialPolicyOptions.sMax = s
        }
        out = folder
    }
}

extension TrainConfig: TrialSettings {
    var trialPolicyOptions: PolicyOptions {
        get { policyOptions }
        set { policyOptions = newValue }
    }
}

extension FinetuneConfig: TrialSettings {
    var trialPolicyOptions: PolicyOptions {
        get { policyOptions }
        set { policyOptions = newValue }
    }
}

extension FNOTrainConfig: TrialSettings {
    var trialPolicyOptions: PolicyOptions {
        get { balance.policy }
        set { balance.policy = newValue }
    }
}

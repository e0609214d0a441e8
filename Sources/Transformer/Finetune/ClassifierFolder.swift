import Checkpoint
import Foundation
import Train

/// A fine-tuned classifier written as a Hugging Face model folder, the layout
/// `BertForSequenceClassification.save_pretrained` writes: `config.json` (the pretrained model's,
/// with `architectures` = BertForSequenceClassification, `id2label`, `label2id` and `htsr_pooling`)
/// and `model.safetensors` (the encoder's tensors under `bert.`, plus `classifier.weight` and
/// `classifier.bias`; Hugging Face refuses a head beside an unprefixed encoder). `htsr analyze
/// FOLDER --base PRETRAINED` pairs `bert.encoder…` with a base model's `encoder…`. Both files are
/// written atomically; `PretrainedBert` reads the folder back.
public enum ClassifierFolder {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"

    /// The config.json text for a classifier over `classNames`.
    public static func configText(_ pretrained: PretrainedBert, classNames: [String], pooling: Pooling) -> String {
        var members = pretrained.configJSON.objectMembers ?? []
        let replaced: Set<String> = ["architectures", "id2label", "label2id", "num_labels", "htsr_pooling"]
        members.removeAll { replaced.contains($0.key) }
        members.insert(JSONMember(key: "architectures", value: .array([.string("BertForSequenceClassification")])), at: 0)
        members.append(JSONMember(key: "id2label", value: .object(classNames.enumerated().map {
            JSONMember(key: String($0.offset), value: .string($0.element))
        })))
        var seen = Set<String>()
        members.append(JSONMember(key: "label2id", value: .object(classNames.enumerated().compactMap {
            seen.insert($0.element).inserted ? JSONMember(key: $0.element, value: .int($0.offset)) : nil
        })))
        members.append(JSONMember(key: "htsr_pooling", value: .string(pooling.rawValue)))
        return JSONValue.object(members).text(.pretty) + "\n"
    }

    /// Writes `config.json` into `folder`.
    public static func writeConfig(_ pretrained: PretrainedBert, classNames: [String], pooling: Pooling, to folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(configFile)
        do { try AtomicFile.write(configText(pretrained, classNames: classNames, pooling: pooling), to: path) } catch {
            throw TransformerError.output(file: path, problem: "\(error)")
        }
    }

    /// Writes the model's weights as `model.safetensors` into `folder`.
    public static func writeWeights(_ model: BertClassifier<Float>, metadata: [String: String] = [:], to folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(weightsFile)
        let ps = model.parameters
        let tensors = ps.entries.map { e in
            WritableTensor(name: e.name.hasPrefix(BertNames.classifier + ".") ? e.name : BertNames.encoderPrefix + e.name, shape: e.shape,
                           floats: ps.values.array(e))
        }
        do { try SafetensorsWriter.write(tensors, metadata: metadata.merging(["format": "pt"]) { a, _ in a }, to: path) }
        catch let e as CheckpointError { throw TransformerError.output(file: e.file, problem: e.message) }
    }
}

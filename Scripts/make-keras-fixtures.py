#!/usr/bin/env python3
"""Writes Keras 3 .keras fixtures (fixtures/formats/keras/) with real Keras (torch backend):

  model.keras           Sequential: Dense 'encoder_in' (16 -> 32), a nested Sequential 'block'
                        (Dense 'inner' 32 -> 32, Dense 'inner_out' 32 -> 24), Dense 'classifier'
                        (24 -> 10); saved by model.save (entries stored)
  model-deflated.keras  the same archive with every entry deflate-compressed
  expected.json / expected.bin  the tensors the reader must give — the weights file's paths with
                        the layer names of config.json — and their values (float64).

    PY=$(Scripts/python-env numpy keras h5py); KERAS_BACKEND=torch "$PY" Scripts/make-keras-fixtures.py
"""
import json
import os
import pathlib
import shutil
import zipfile

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats" / "keras"


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    keras.utils.set_random_seed(5)
    block = keras.Sequential([keras.layers.Dense(32, name="inner"), keras.layers.Dense(24, name="inner_out")], name="block")
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, name="encoder_in"), block,
                              keras.layers.Dense(10, name="classifier")])
    model.save(ROOT / "model.keras")
    with zipfile.ZipFile(ROOT / "model.keras") as src, zipfile.ZipFile(ROOT / "model-deflated.keras", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    expected, blobs = [], []
    def add(prefix, layer):
        for k, v in enumerate(layer.weights):
            a = np.asarray(v.numpy(), dtype=np.float64)
            expected.append({"name": f"{prefix}{layer.name}/vars/{k}", "shape": list(a.shape)})
            blobs.append(a.ravel())
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            for inner in layer.layers:
                add(f"layers/{layer.name}/layers/", inner)
        else:
            add("layers/", layer)
    np.concatenate(blobs).astype("<f8").tofile(ROOT / "expected.bin")
    (ROOT / "expected.json").write_text(json.dumps({"keras": keras.__version__, "tensors": expected}, indent=1) + "\n")
    print("wrote", ROOT, [e["name"] for e in expected])


if __name__ == "__main__":
    main()

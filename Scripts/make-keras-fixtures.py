#!/usr/bin/env python3
"""Writes Keras 3 .keras fixtures (fixtures/formats/keras/) with real Keras (torch backend):

  model.keras           Sequential: Dense 'encoder_in' (16 -> 32), a nested Sequential 'block'
                        (Dense 'inner' 32 -> 32, Dense 'inner_out' 32 -> 24), Dense 'classifier'
                        (24 -> 10); saved by model.save (entries stored)
  model-deflated.keras  the same archive with every entry deflate-compressed
  expected.json / expected.bin  the tensors the reader must give — the weights file's paths with
                        the layer names of config.json — and their values (float64).
  corrupt-chunk.keras   model.keras with the classifier kernel (layers/dense_1/vars/0) stored as
                        one gzip-compressed chunk whose compressed bytes are corrupted: the archive
                        opens, and reading that tensor fails inside libhdf5 (the error must name
                        the .keras file and its member, not the temporary file it was read from).

    PY=$(Scripts/python-env numpy keras h5py); KERAS_BACKEND=torch "$PY" Scripts/make-keras-fixtures.py [--corrupt-only]

(--corrupt-only remakes only corrupt-chunk.keras, from the committed model.keras.)
"""
import io
import json
import os
import pathlib
import shutil
import sys
import tempfile
import zipfile

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats" / "keras"


def write_corrupt_chunk():
    import h5py
    target = "layers/dense_1/vars/0"
    with zipfile.ZipFile(ROOT / "model.keras") as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "model.weights.h5"
        with h5py.File(io.BytesIO(dict(entries)["model.weights.h5"]), "r") as src, h5py.File(path, "w") as dst:
            for k, v in src.attrs.items():
                dst.attrs[k] = v
            for name in src:
                src.copy(src[name], dst, name=name)
            values = dst[target][()]
            del dst[target]
            ds = dst.create_dataset(target, data=values, chunks=values.shape, compression="gzip", compression_opts=9)
            chunk = ds.id.get_chunk_info(0)
            start, size = chunk.byte_offset, chunk.size
        raw = bytearray(path.read_bytes())
        for k in range(start + 2, start + size - 4):   # keep the zlib header; break the stream
            raw[k] ^= 0x5A
        entries = [(n, bytes(raw) if n == "model.weights.h5" else data) for n, data in entries]
    with zipfile.ZipFile(ROOT / "corrupt-chunk.keras", "w") as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)


def main():
    if "--corrupt-only" in sys.argv:
        write_corrupt_chunk()
        print("wrote", ROOT / "corrupt-chunk.keras")
        return
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
    write_corrupt_chunk()
    print("wrote", ROOT, [e["name"] for e in expected])


if __name__ == "__main__":
    main()

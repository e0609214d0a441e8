#!/usr/bin/env python3
"""Regenerates every file under fixtures/checkpoints/ for the Checkpoint module's tests.

Usage:  python3 Scripts/make-fixtures.py        (from the repository root; needs numpy and h5py,
                                                  h5py is pip-installed quietly when missing)

Deterministic: fixed seeds, no timestamps in HDF5 files (track_times=False), fixed HDF5 file
format bounds, so running it twice gives identical bytes. The whole folder is rewritten.

What it writes (all small, < 300 KB in total):
  dtypes.safetensors          one tensor per DType, with hand-picked edge values (F16/BF16/F8
                              subnormals, max, -0, inf, nan where representable, int extremes)
  offset-order.safetensors    header keys listed in the reverse of their data order
  sharded/                    2 shards + model.safetensors.index.json whose weight_map order is
                              neither alphabetical nor shard order; shard 1 also holds an unmapped
                              tensor, which readers must leave out
  hf-folder/                  a Hugging Face-like folder: config.json, model.safetensors, 1_Pooling/
  shards-no-index/            part-2 and part-10 .safetensors without an index
                              (natural order puts 2 first)
  keras2/weights.h5           Keras 2 save_weights layout: layer_names/weight_names attributes,
                              embedding, conv2d (big-endian float32 kernel, float16 bias), a
                              weightless flatten, lstm, dense (gzip-chunked kernel, float64 bias)
  keras2/full_model.h5        Keras 2 model.save layout: model_weights/ + optimizer_weights/
  keras3/model.weights.h5     Keras 3 layout: layers/<name>/vars/<k>, a nested block, 12 vars
                              (natural order), `name` attributes on vars groups, optimizer/ state
  generic.h5                  generic HDF5: numeric datasets plus string, compound, bool, empty
                              datasets and a soft link, which readers must skip; a group with
                              tracked creation order
  strings-only.h5             valid HDF5 with no numeric dataset (a checkpoint without tensors)
  expected.json               for each fixture above: format, metadata, and every tensor's name,
                              dtype, shape, layout, file and values (as float.hex strings, exact
                              and sign-preserving: "-0x0.0p+0", "inf", "nan")
  bad/                        malformed inputs, one per error kind; see BAD below for the kind
                              each must raise
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile

import numpy as np

try:
    import h5py
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "h5py"])
    import h5py

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "checkpoints")
EXPECTED = {}

# ---------------------------------------------------------------------------------------------
# safetensors writing (the format: u64 LE header length, JSON header padded with spaces to a
# multiple of 8, then the data area; keys in the order given here).


def header_json(tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    return json.dumps(header, separators=(",", ":"))


def raw_safetensors(path, header_text, data=b"", declared_length=None, pad=True):
    """Writes a file from header text and data; `declared_length` overrides the length field."""
    h = header_text.encode("utf-8") if isinstance(header_text, str) else header_text
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    n = len(h) if declared_length is None else declared_length
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", n) + h + data)


def write_safetensors(path, tensors, metadata=None, order=None):
    """tensors: [(name, dtype, shape, bytes)] in data order; `order` lists header keys if given."""
    text = header_json(tensors, metadata)
    if order is not None:
        parsed = json.loads(text)
        text = json.dumps({k: parsed[k] for k in order}, separators=(",", ":"))
    raw_safetensors(path, text, b"".join(t[3] for t in tensors))


def hexs(values):
    return [float(v).hex() for v in values]


def expect(key, fmt, tensors, metadata=None):
    """tensors: [(name, dtype, shape, layout, file relative to ROOT, values)]."""
    EXPECTED[key] = {
        "format": fmt,
        "metadata": metadata or {},
        "tensors": [
            {"name": n, "dtype": d, "shape": list(s), "layout": l, "file": f, "values": hexs(v)}
            for n, d, s, l, f, v in tensors
        ],
    }


def f32_tensor(name, shape, values):
    a = np.asarray(values, dtype="<f4").reshape(shape)
    return (name, "F32", list(shape), a.tobytes()), [float(x) for x in a.ravel()]


# ---------------------------------------------------------------------------------------------
# dtypes.safetensors: each value written from its bit pattern, with the value it must decode to
# stated by hand (and cross-checked against numpy / ml_dtypes where they have the type).

INF, NAN = float("inf"), float("nan")
F16 = [(0x0000, 0.0), (0x8000, -0.0), (0x0001, 2.0**-24), (0x03FF, 1023 * 2.0**-24), (0x0400, 2.0**-14),
       (0x3C00, 1.0), (0xC000, -2.0), (0x3555, 0.333251953125), (0x7BFF, 65504.0), (0xFBFF, -65504.0),
       (0x7C00, INF), (0xFC00, -INF), (0x7E00, NAN), (0xFE01, NAN)]
BF16 = [(0x0000, 0.0), (0x8000, -0.0), (0x0001, 2.0**-133), (0x0080, 2.0**-126), (0x3F80, 1.0),
        (0xC049, -3.140625), (0x7F7F, (2 - 2.0**-7) * 2.0**127), (0x7F80, INF), (0xFF80, -INF), (0x7FC0, NAN)]
E4M3 = [(0x00, 0.0), (0x80, -0.0), (0x01, 2.0**-9), (0x07, 7 * 2.0**-9), (0x08, 2.0**-6), (0x38, 1.0),
        (0xC0, -2.0), (0x77, 240.0), (0x78, 256.0), (0x7E, 448.0), (0xFE, -448.0), (0x7F, NAN), (0xFF, NAN)]
E5M2 = [(0x00, 0.0), (0x80, -0.0), (0x01, 2.0**-16), (0x03, 3 * 2.0**-16), (0x04, 2.0**-14), (0x3C, 1.0),
        (0xC0, -2.0), (0x7B, 57344.0), (0x7C, INF), (0xFC, -INF), (0x7E, NAN)]


def same(a, b):
    return (a != a and b != b) or (a == b and np.signbit(a) == np.signbit(b))


def check_table(table, decoded, label):
    for (bits, want), got in zip(table, decoded):
        assert same(want, float(got)), f"{label} 0x{bits:x}: table says {want}, library says {got}"


def cross_check_tables():
    check_table(F16, np.array([b for b, _ in F16], np.uint16).view(np.float16), "F16")
    check_table(BF16, (np.array([b for b, _ in BF16], np.uint32) << 16).view(np.float32), "BF16")
    check_table(E5M2, np.array([b << 8 for b, _ in E5M2], np.uint16).view(np.float16), "F8_E5M2")
    try:
        import ml_dtypes  # optional: an independent float8 implementation
        check_table(E4M3, np.array([b for b, _ in E4M3], np.uint8).view(ml_dtypes.float8_e4m3fn), "F8_E4M3")
        check_table(BF16, np.array([b for b, _ in BF16], np.uint16).view(ml_dtypes.bfloat16), "BF16")
    except ImportError:
        pass


def make_dtypes():
    cross_check_tables()
    f32 = [0.0, -0.0, 1.5, 2.0**-149, 2.0**-126, float(np.finfo(np.float32).max), INF, -INF, NAN]
    f64 = [np.pi, -0.0, 5e-324, 1.7976931348623157e308, -INF, NAN]
    ints = {
        "I64": ("<i8", [-2**63, 2**63 - 1, 2**53 + 1, -1, 0, 42]),
        "I32": ("<i4", [-2**31, 2**31 - 1, -7, 0]),
        "I16": ("<i2", [-32768, 32767, -1, 0]),
        "I8": ("<i1", [-128, 127, -1, 0]),
        "U64": ("<u8", [0, 2**64 - 1, 2**53 + 1, 7]),
        "U32": ("<u4", [0, 2**32 - 1, 1, 2]),
        "U16": ("<u2", [0, 65535, 1, 2]),
        "U8": ("<u1", [0, 255, 1, 2]),
    }
    tensors, values = [], []

    def add(name, dtype, shape, data, vals):
        tensors.append((name, dtype, shape, data))
        values.append(vals)

    add("f64", "F64", [2, 3], np.array(f64, "<f8").tobytes(), f64)
    add("f32", "F32", [9], np.array(f32, "<f4").tobytes(), [float(np.float32(v)) for v in f32])
    add("f16", "F16", [2, 7], np.array([b for b, _ in F16], "<u2").tobytes(), [v for _, v in F16])
    add("bf16", "BF16", [10], np.array([b for b, _ in BF16], "<u2").tobytes(), [v for _, v in BF16])
    add("f8_e4m3", "F8_E4M3", [13], bytes(b for b, _ in E4M3), [v for _, v in E4M3])
    add("f8_e5m2", "F8_E5M2", [11], bytes(b for b, _ in E5M2), [v for _, v in E5M2])
    for dtype, (np_type, vals) in ints.items():
        add(dtype.lower(), dtype, [2, len(vals) // 2], np.array(vals, dtype=np_type).tobytes(), [float(v) for v in vals])
    add("bool", "BOOL", [2, 2], bytes([1, 0, 0, 1]), [1.0, 0.0, 0.0, 1.0])
    add("scalar", "F32", [], np.array([2.5], "<f4").tobytes(), [2.5])
    add("empty", "F32", [0, 3], b"", [])
    meta = {"format": "pt", "purpose": "dtype fixtures"}
    write_safetensors(os.path.join(ROOT, "dtypes.safetensors"), tensors, meta)
    expect("dtypes.safetensors", "safetensors",
           [(n, d, s, "pytorch", "dtypes.safetensors", v) for (n, d, s, _), v in zip(tensors, values)], meta)

    # Header keys in the reverse of data order: readers list tensors by ascending data offset.
    a, av = f32_tensor("alpha", [2], [1.0, 2.0])
    z, zv = f32_tensor("zeta", [1], [3.0])
    write_safetensors(os.path.join(ROOT, "offset-order.safetensors"), [a, z], order=["zeta", "alpha"])
    expect("offset-order.safetensors", "safetensors",
           [("alpha", "F32", [2], "pytorch", "offset-order.safetensors", av),
            ("zeta", "F32", [1], "pytorch", "offset-order.safetensors", zv)])


# ---------------------------------------------------------------------------------------------
# Sharded checkpoints and folders.


def make_sharded(rng):
    folder = os.path.join(ROOT, "sharded")
    os.makedirs(folder)
    s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    emb, embv = f32_tensor("embeddings.weight", [6, 4], rng.standard_normal(24))
    l2, l2v = f32_tensor("encoder.layer.2.weight", [4, 4], rng.standard_normal(16))
    extra, _ = f32_tensor("unmapped.extra", [2], [9.0, 9.0])
    l10, l10v = f32_tensor("encoder.layer.10.weight", [4, 4], rng.standard_normal(16))
    head, headv = f32_tensor("head.bias", [3], rng.standard_normal(3))
    write_safetensors(os.path.join(folder, s1), [emb, l2, extra], {"format": "pt", "shard": "1"})
    write_safetensors(os.path.join(folder, s2), [l10, head], {"format": "pt", "shard": "2"})
    weight_map = {  # deliberately neither alphabetical nor grouped by shard
        "head.bias": s2,
        "encoder.layer.2.weight": s1,
        "encoder.layer.10.weight": s2,
        "embeddings.weight": s1,
    }
    total = sum(len(t[3]) for t in (emb, l2, l10, head))
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    vals = {"head.bias": (head, headv, s2), "encoder.layer.2.weight": (l2, l2v, s1),
            "encoder.layer.10.weight": (l10, l10v, s2), "embeddings.weight": (emb, embv, s1)}
    rows = [(n, "F32", vals[n][0][2], "pytorch", "sharded/" + vals[n][2], vals[n][1]) for n in weight_map]
    meta = {"total_size": str(total), "format": "pt", "shard": "1"}
    expect("sharded/model.safetensors.index.json", "safetensors-sharded", rows, meta)
    expect("sharded", "safetensors-sharded", rows, meta)


def make_folders(rng):
    folder = os.path.join(ROOT, "hf-folder")
    os.makedirs(os.path.join(folder, "1_Pooling"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"architectures": ["BertModel"], "hidden_size": 4}, f, indent=2)
    with open(os.path.join(folder, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": 4, "pooling_mode_mean_tokens": True}, f, indent=2)
    w, wv = f32_tensor("encoder.weight", [4, 3], rng.standard_normal(12))
    ids = ("embeddings.position_ids", "I64", [1, 5], np.arange(5, dtype="<i8").tobytes())
    write_safetensors(os.path.join(folder, "model.safetensors"), [ids, w], {"format": "pt"})
    expect("hf-folder", "safetensors",
           [("embeddings.position_ids", "I64", [1, 5], "pytorch", "hf-folder/model.safetensors", [0, 1, 2, 3, 4]),
            ("encoder.weight", "F32", [4, 3], "pytorch", "hf-folder/model.safetensors", wv)], {"format": "pt"})

    folder = os.path.join(ROOT, "shards-no-index")
    os.makedirs(folder)
    t10, v10 = f32_tensor("layer.10.weight", [2, 2], rng.standard_normal(4))
    t2, v2 = f32_tensor("layer.2.weight", [2, 2], rng.standard_normal(4))
    write_safetensors(os.path.join(folder, "part-10.safetensors"), [t10])
    write_safetensors(os.path.join(folder, "part-2.safetensors"), [t2])
    expect("shards-no-index", "safetensors-sharded",
           [("layer.2.weight", "F32", [2, 2], "pytorch", "shards-no-index/part-2.safetensors", v2),
            ("layer.10.weight", "F32", [2, 2], "pytorch", "shards-no-index/part-10.safetensors", v10)])


# ---------------------------------------------------------------------------------------------
# HDF5 files. h5py writes str attributes as variable-length strings and bytes / numpy 'S'
# arrays as fixed-length ones, as Keras 2 does for layer_names and weight_names.

DTYPE_NAMES = {"f2": "F16", "f4": "F32", "f8": "F64", "i1": "I8", "i2": "I16", "i4": "I32", "i8": "I64",
               "u1": "U8", "u2": "U16", "u4": "U32", "u8": "U64"}


def h5file(path):
    return h5py.File(path, "w", libver=("earliest", "v108"), track_order=False)


def dataset(group, name, array, **kw):
    return group.create_dataset(name, data=array, track_times=False, **kw)


def row(name, array, layout, file):
    a = np.asarray(array)
    return (name, DTYPE_NAMES[a.dtype.str[1:]], list(a.shape), layout, file, [float(x) for x in a.ravel()])


def keras2_layer(f, layer, weights):
    """Writes one Keras 2 layer group: weight_names in the given order, datasets under it."""
    g = f.create_group(layer)
    if weights:
        g.attrs["weight_names"] = np.array([n.encode() for n, _, _ in weights])
    else:
        g.attrs["weight_names"] = np.array([])  # what Keras 2 writes for a weightless layer: float64, empty
    for name, array, kw in weights:
        dataset(g, name, array, **kw)


def make_keras2(rng):
    os.makedirs(os.path.join(ROOT, "keras2"))
    rel = "keras2/weights.h5"
    layers = [
        ("embedding", [("embedding/embeddings:0", rng.standard_normal((10, 4)).astype("f4"), {})]),
        ("conv2d", [("conv2d/kernel:0", rng.standard_normal((3, 3, 2, 4)).astype(">f4"), {}),
                    ("conv2d/bias:0", rng.standard_normal(4).astype("f2"), {})]),
        ("flatten", []),
        ("lstm", [("lstm/lstm_cell/kernel:0", rng.standard_normal((4, 16)).astype("f4"), {}),
                  ("lstm/lstm_cell/recurrent_kernel:0", rng.standard_normal((4, 16)).astype("f4"), {}),
                  ("lstm/lstm_cell/bias:0", rng.standard_normal(16).astype("f4"), {})]),
        ("dense_1", [("dense_1/kernel:0", rng.standard_normal((16, 8)).astype("f4"),
                      {"chunks": (4, 8), "compression": "gzip", "compression_opts": 4}),
                     ("dense_1/bias:0", rng.standard_normal(8).astype("f8"), {})]),
    ]
    with h5file(os.path.join(ROOT, rel)) as f:
        f.attrs["layer_names"] = np.array([n.encode() for n, _ in layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer, weights in layers:
            keras2_layer(f, layer, weights)
    rows = [row(f"{layer}/{name}", a, "keras", rel) for layer, ws in layers for name, a, _ in ws]
    expect(rel, "keras2-h5", rows, {"backend": "tensorflow", "keras_version": "2.15.0"})

    rel = "keras2/full_model.h5"
    layers = [("dense", [("dense/kernel:0", rng.standard_normal((5, 3)).astype("f4"), {}),
                         ("dense/bias:0", rng.standard_normal(3).astype("f4"), {})]),
              ("dense_1", [("dense_1/kernel:0", rng.standard_normal((3, 2)).astype("f4"), {}),
                           ("dense_1/bias:0", rng.standard_normal(2).astype("f4"), {})])]
    config = json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": []}})
    with h5file(os.path.join(ROOT, rel)) as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = config
        f.attrs["training_config"] = json.dumps({"loss": "mse"})
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([n.encode() for n, _ in layers])
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = b"2.15.0"
        mw.attrs["saved_by"] = "make-fixtures.py"
        for layer, weights in layers:
            keras2_layer(mw, layer, weights)
        ow = f.create_group("optimizer_weights")
        ow.attrs["weight_names"] = np.array([b"Adam/iter:0", b"Adam/dense/kernel/m:0"])
        dataset(ow, "Adam/iter:0", np.int64(10))
        dataset(ow, "Adam/dense/kernel/m:0", np.zeros((5, 3), "f4"))
    rows = [row(f"{layer}/{name}", a, "keras", rel) for layer, ws in layers for name, a, _ in ws]
    expect(rel, "keras2-full-model", rows,
           {"keras_version": "2.15.0", "backend": "tensorflow", "model_config": config,
            "training_config": json.dumps({"loss": "mse"}), "saved_by": "make-fixtures.py"})


def make_keras3(rng):
    os.makedirs(os.path.join(ROOT, "keras3"))
    rel = "keras3/model.weights.h5"
    arrays = {
        "layers/dense/vars/0": rng.standard_normal((4, 8)).astype("f4"),
        "layers/dense/vars/1": rng.standard_normal(8).astype("f4"),
        "layers/residual_block/vars/0": rng.standard_normal(8).astype("f4"),
        "layers/residual_block/layers/conv1d/vars/0": rng.standard_normal((3, 8, 8)).astype("f4"),
        "layers/residual_block/layers/conv1d/vars/1": rng.standard_normal(8).astype("f4"),
        "layers/residual_block/layers/dense_2/vars/0": rng.standard_normal((8, 8)).astype("f4"),
    }
    for k in range(12):
        arrays[f"layers/many_vars/vars/{k}"] = rng.standard_normal(2).astype("f4")
    with h5file(os.path.join(ROOT, rel)) as f:
        f.create_group("vars")
        for path in reversed(list(arrays)):  # creation order must not matter (not tracked)
            dataset(f, path, arrays[path])
        f["layers/dense/vars"].attrs["name"] = "dense"
        f["layers/residual_block/layers/conv1d/vars"].attrs["name"] = "conv1d"
        dataset(f, "optimizer/vars/0", np.int64(3))
        dataset(f, "optimizer/vars/1", np.zeros((4, 8), "f4"))
        f["optimizer/vars"].attrs["name"] = "adam"
    order = (["layers/dense/vars/0", "layers/dense/vars/1"]
             + [f"layers/many_vars/vars/{k}" for k in range(12)]
             + ["layers/residual_block/vars/0",
                "layers/residual_block/layers/conv1d/vars/0", "layers/residual_block/layers/conv1d/vars/1",
                "layers/residual_block/layers/dense_2/vars/0"])
    expect(rel, "keras3-weights", [row(p, arrays[p], "keras", rel) for p in order])


def make_generic(rng):
    rel = "generic.h5"
    mat = rng.standard_normal((3, 4))
    ints = np.array([-3, -1, 0, 2, 5], ">i2")
    counts = np.array([[1, 2], [3, 4]], "u1")
    scalar = np.float32(0.25)
    z, a, m = (rng.standard_normal(2).astype("f4") for _ in range(3))
    with h5file(os.path.join(ROOT, rel)) as f:
        f.attrs["description"] = "generic HDF5 fixture"
        f.attrs["version"] = 3  # numeric attribute: not metadata
        g = f.create_group("group")
        dataset(g, "matrix", mat)
        dataset(g, "ints_be", ints)
        dataset(g, "counts", counts)
        dataset(g, "scalar", scalar)
        dataset(g, "text", "not numeric", dtype=h5py.string_dtype())
        dataset(g, "record", np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]))
        dataset(g, "flags", np.array([True, False]))
        g.create_dataset("nothing", data=h5py.Empty("f4"), track_times=False)
        g["link_to_matrix"] = h5py.SoftLink("/group/matrix")
        o = f.create_group("ordered", track_order=True)
        dataset(o, "z", z)
        dataset(o, "a", a)
        dataset(o, "m", m)
    rows = [row("group/counts", counts, "pytorch", rel), row("group/ints_be", ints, "pytorch", rel),
            row("group/matrix", mat, "pytorch", rel), row("group/scalar", scalar, "pytorch", rel),
            row("ordered/z", z, "pytorch", rel), row("ordered/a", a, "pytorch", rel), row("ordered/m", m, "pytorch", rel)]
    expect(rel, "hdf5", rows, {"description": "generic HDF5 fixture"})

    rel = "strings-only.h5"  # valid HDF5 without numeric datasets: a checkpoint with no tensors
    with h5file(os.path.join(ROOT, rel)) as f:
        dataset(f, "vocabulary", ["a", "b"], dtype=h5py.string_dtype())
    expect(rel, "hdf5", [])


# ---------------------------------------------------------------------------------------------
# Malformed inputs: file name -> the CheckpointError.Kind it must raise (mirrored in the tests).

BAD = {
    "header-too-large.safetensors": "headerTooLarge",
    "header-longer-than-file.safetensors": "truncated",
    "invalid-json.safetensors": "invalidHeader",
    "invalid-utf8.safetensors": "invalidHeader",
    "header-not-object.safetensors": "invalidHeader",
    "negative-dimension.safetensors": "invalidHeader",
    "unknown-dtype.safetensors": "unknownDType",
    "offsets-reversed.safetensors": "invalidOffsets",
    "offsets-out-of-range.safetensors": "invalidOffsets",
    "overlap.safetensors": "overlappingTensors",
    "gap.safetensors": "uncoveredData",
    "trailing-bytes.safetensors": "uncoveredData",
    "shape-mismatch.safetensors": "shapeMismatch",
    "duplicate-key.safetensors": "duplicateTensor",
    "truncated-data.safetensors": "truncated",
    "missing-shard/model.safetensors.index.json": "missingShard",
    "missing-shard": "missingShard",
    "unmapped-tensor/model.safetensors.index.json": "invalidHeader",
    "not-a-checkpoint.txt": "notACheckpoint",
    "archive.zip": "invalidHeader",
    "truncated.h5": "hdf5",
    "keras2-missing-layer.h5": "hdf5",
    "empty.safetensors": "notACheckpoint",
}


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def make_bad(rng):
    bad = os.path.join(ROOT, "bad")
    os.makedirs(bad)
    p = lambda name: os.path.join(bad, name)
    ok_header = json.dumps({"w": entry("F32", [2], 0, 8)})
    raw_safetensors(p("header-too-large.safetensors"), ok_header, bytes(8), declared_length=100_000_001)
    raw_safetensors(p("header-longer-than-file.safetensors"), ok_header, bytes(8), declared_length=4096)
    raw_safetensors(p("invalid-json.safetensors"), '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}', bytes(8))
    raw_safetensors(p("invalid-utf8.safetensors"), b'{"w\xff": ' + ok_header[6:].encode(), bytes(8))
    raw_safetensors(p("header-not-object.safetensors"), "[1, 2, 3]", b"")
    raw_safetensors(p("negative-dimension.safetensors"), json.dumps({"w": entry("F32", [-2], 0, 8)}), bytes(8))
    raw_safetensors(p("unknown-dtype.safetensors"), json.dumps({"w": entry("Q4_K", [2], 0, 8)}), bytes(8))
    raw_safetensors(p("offsets-reversed.safetensors"), json.dumps({"w": entry("F32", [2], 8, 0)}), bytes(8))
    raw_safetensors(p("offsets-out-of-range.safetensors"), json.dumps({"w": entry("F32", [2], 0, 2**64)}), bytes(8))
    raw_safetensors(p("overlap.safetensors"), json.dumps({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)}), bytes(12))
    raw_safetensors(p("gap.safetensors"), json.dumps({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 12, 20)}), bytes(20))
    raw_safetensors(p("trailing-bytes.safetensors"), ok_header, bytes(12))
    raw_safetensors(p("shape-mismatch.safetensors"), json.dumps({"w": entry("F32", [3], 0, 8)}), bytes(8))
    raw_safetensors(p("duplicate-key.safetensors"),
                    '{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                    '"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', bytes(8))
    raw_safetensors(p("truncated-data.safetensors"), json.dumps({"w": entry("F32", [16], 0, 64)}), bytes(20))

    os.makedirs(p("missing-shard"))
    w, _ = f32_tensor("w", [2], [1.0, 2.0])
    write_safetensors(p("missing-shard/model-00001-of-00002.safetensors"), [w])
    with open(p("missing-shard/model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": {"w": "model-00001-of-00002.safetensors",
                                                  "v": "model-00002-of-00002.safetensors"}}, f, indent=2)
    os.makedirs(p("unmapped-tensor"))
    write_safetensors(p("unmapped-tensor/model.safetensors"), [w])
    with open(p("unmapped-tensor/model.safetensors.index.json"), "w") as f:
        json.dump({"weight_map": {"w": "model.safetensors", "ghost": "model.safetensors"}}, f, indent=2)

    with open(p("not-a-checkpoint.txt"), "w") as f:
        f.write("These are release notes, not model weights.\n")
    with zipfile.ZipFile(p("archive.zip"), "w") as z:
        info = zipfile.ZipInfo("archive/data.pkl", date_time=(2020, 1, 1, 0, 0, 0))
        z.writestr(info, b"not a checkpoint")
    full = p("full.h5")
    with h5file(full) as f:
        dataset(f, "weights", rng.standard_normal((32, 32)).astype("f4"))
    with open(full, "rb") as f:
        head = f.read(1024)
    os.remove(full)
    with open(p("truncated.h5"), "wb") as f:
        f.write(head)
    open(p("empty.safetensors"), "wb").close()
    with h5file(p("keras2-missing-layer.h5")) as f:  # layer_names lists a layer without a group
        f.attrs["layer_names"] = np.array([b"dense", b"ghost_layer"])
        keras2_layer(f, "dense", [("dense/kernel:0", np.ones((2, 2), "f4"), {})])


def main():
    if os.path.exists(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    rng = np.random.default_rng(20240531)
    make_dtypes()
    make_sharded(rng)
    make_folders(rng)
    make_keras2(rng)
    make_keras3(rng)
    make_generic(rng)
    make_bad(rng)
    with open(os.path.join(ROOT, "expected.json"), "w") as f:
        json.dump({"fixtures": EXPECTED, "bad": BAD}, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(ROOT) for n in names)
    print(f"wrote {ROOT} ({total} bytes)")


if __name__ == "__main__":
    main()

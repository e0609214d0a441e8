#!/usr/bin/env python3
"""Writes the malformed-file corpus of the new formats (fixtures/formats/bad/<format>/) from the
valid fixtures, and fixtures/formats/bad/expected.json: for every case the CheckpointError kind
and a fragment of the one-line message htsr must give. Standard library and numpy only.

    PY=$(Scripts/python-env numpy); "$PY" Scripts/make-format-corpus.py

Cases: truncations, lying sizes / offsets / counts, unknown type ids, pickle opcodes and globals
outside the whitelist (an os.system reduce among them), zip bombs whose declared sizes exceed
what their bytes can inflate to, GGUF strings and arrays claiming 2^63 bytes, ...
"""
import io
import json
import pathlib
import shutil
import struct
import zipfile
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats"
BAD = ROOT / "bad"
expected = {}


def case(path, data, kind, fragment):
    p = BAD / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    expected[path] = {"kind": kind, "message": fragment}


def rezip(entries, compress=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=compress)
    return buf.getvalue()


def entries_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def central_entry(data, name):
    """Offset of the central-directory record of entry `name`."""
    eocd = data.rfind(b"PK\x05\x06")
    off = struct.unpack_from("<I", data, eocd + 16)[0]
    while data[off:off + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", data, off + 28)
        if data[off + 46:off + 46 + n].decode() == name:
            return off
        off += 46 + n + e + c
    raise KeyError(name)


def patch(data, at, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, at, value)
    return bytes(b)


def torch_cases():
    good = (ROOT / "torch/state_dict.bin").read_bytes()
    ents = entries_of(good)
    pkl = dict(ents)["state_dict/data.pkl"]
    def with_pickle(p):
        return rezip([(n, p if n.endswith("data.pkl") else d) for n, d in ents])
    case("torch/truncated-half.bin", good[:len(good) // 2], "notACheckpoint", "no end-of-central-directory")
    case("torch/truncated-tail.bin", good[:-10], "notACheckpoint", "no end-of-central-directory")
    eocd = good.rfind(b"PK\x05\x06")
    z64 = good.rfind(b"PK\x06\x06")      # torch writes ZIP64 records, whose fields take precedence
    count_lie = patch(patch(good, eocd + 8, "<H", 60000), eocd + 10, "<H", 60000)
    beyond = patch(good, eocd + 16, "<I", 0x7FFFFFF0)
    if z64 >= 0:
        count_lie = patch(count_lie, z64 + 32, "<Q", 60000)
        beyond = patch(beyond, z64 + 48, "<Q", 0x7FFFFFF0)
    case("torch/eocd-count-lie.bin", count_lie, "invalidHeader", "claims 60000 entries")
    case("torch/directory-beyond-file.bin", beyond, "truncated", "lies beyond the end of the file")
    c = central_entry(good, "state_dict/data/0")
    lie = patch(patch(good, c + 20, "<I", 0x7FFFFFF0), c + 24, "<I", 0x7FFFFFF0)
    case("torch/entry-size-lie.bin", lie, "truncated", "lies beyond the end of the file")
    case("torch/local-offset-lie.bin", patch(good, c + 42, "<I", 0x7FFFFFF0), "truncated", "lies beyond the end of the file")
    # A deflated storage declaring 2 GiB from a few hundred compressed bytes: refused unread.
    bomb = rezip(ents, zipfile.ZIP_DEFLATED)
    cb = central_entry(bomb, "state_dict/data/0")
    case("torch/zip-bomb.bin", patch(bomb, cb + 24, "<I", 0x7FFFFFF0), "compression", "more than deflate can produce")
    # The classic: os.system called by REDUCE (never executed, named).
    evil = b"\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03."
    case("torch/pickle-os-system.bin", with_pickle(evil), "disallowedGlobal", "'os.system'")
    case("torch/pickle-builtins-eval.bin", with_pickle(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93)R."), "disallowedGlobal", "'builtins.eval'")
    case("torch/pickle-model-class.bin", with_pickle(b"\x80\x02cmymodels\nNet\n)\x81."), "disallowedGlobal", "'mymodels.Net'")
    case("torch/pickle-inst.bin", with_pickle(b"(ios\nsystem\nS'ls'\n."), "invalidHeader", "INST")
    case("torch/pickle-ext1.bin", with_pickle(b"\x80\x02\x82\x01."), "invalidHeader", "EXT1")
    case("torch/pickle-unknown-opcode.bin", with_pickle(b"\x80\x02\xff."), "invalidHeader", "opcode 0xFF")
    case("torch/pickle-no-stop.bin", with_pickle(pkl[:-1]), "invalidHeader", "without STOP")
    case("torch/pickle-string-2e63.bin", with_pickle(b"\x80\x04\x8d" + struct.pack("<Q", 1 << 63) + b"."), "invalidHeader", "runs past the end")
    case("torch/pickle-deep-tuples.bin", with_pickle(b")" + b"\x85" * 5000 + b"."), "invalidHeader", "nest deeper")
    case("torch/pickle-memo-missing.bin", with_pickle(b"\x80\x02h\x07."), "invalidHeader", "never stored")
    # A storage shorter than its pickle says, a missing storage, a view beyond its storage.
    short = [(n, d[:8] if n == "state_dict/data/0" else d) for n, d in ents]
    case("torch/storage-short.bin", rezip(short), "shapeMismatch", "holds 8 bytes")
    case("torch/storage-missing.bin", rezip([(n, d) for n, d in ents if n != "state_dict/data/3"]), "invalidHeader", "missing from the archive")
    view = pkl.replace(b"K\x10K\x0c\x86", b"K\x10K\x7f\x86", 1)          # size (16, 12) -> (16, 127)
    assert view != pkl
    case("torch/view-outside-storage.bin", with_pickle(view), "shapeMismatch", "reaches element")
    c2 = central_entry(good, "state_dict/data.pkl")
    case("torch/pickle-crc.bin", patch(good, c2 + 16, "<I", 0x12345678), "invalidHeader", "CRC-32")
    dup = rezip(ents + [("state_dict/data/1", b"\0" * 64)])
    case("torch/duplicate-entry.bin", dup, "invalidHeader", "appears twice")
    case("torch/legacy.pt", (ROOT / "torch/legacy.pt").read_bytes(), "notACheckpoint", "legacy PyTorch file")
    case("torch/shard-is-index/pytorch_model.bin.index.json",
         json.dumps({"weight_map": {"a": "pytorch_model.bin.index.json"}}).encode(), "invalidHeader", "where a safetensors or PyTorch file was expected")


def gguf_layout(data):
    """Offsets of the header counts, the kv section and each tensor info's fields."""
    pos = 24
    def string(p):
        n = struct.unpack_from("<Q", data, p)[0]
        return p + 8 + n
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    def value(p, t):
        if t in sizes:
            return p + sizes[t]
        if t == 8:
            return string(p)
        et, n = struct.unpack_from("<IQ", data, p)
        p += 12
        for _ in range(n):
            p = value(p, et)
        return p
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    kvs = []
    for _ in range(n_kv):
        key_at = pos
        pos = string(pos)
        t = struct.unpack_from("<I", data, pos)[0]
        kvs.append((data[key_at + 8:pos].decode(), key_at, pos))
        pos = value(pos + 4, t)
    tensors = []
    for _ in range(n_tensors):
        start = pos
        pos = string(pos)
        dims = struct.unpack_from("<I", data, pos)[0]
        info = {"name_at": start, "dims_at": pos, "ne_at": pos + 4, "type_at": pos + 4 + 8 * dims, "offset_at": pos + 8 + 8 * dims}
        tensors.append(info)
        pos += 4 + 8 * dims + 4 + 8
    return kvs, tensors


def gguf_cases():
    good = (ROOT / "gguf/types.gguf").read_bytes()
    kvs, tensors = gguf_layout(good)
    t0, t1 = tensors[0], tensors[1]
    case("gguf/truncated-header.gguf", good[:20], "truncated", "ends inside its header")
    case("gguf/truncated-infos.gguf", good[:700], "truncated", "beyond the end of the file")
    case("gguf/truncated-data.gguf", good[:len(good) - 2000], "truncated", "beyond the end of the file")
    case("gguf/version-1.gguf", patch(good, 4, "<I", 1), "unsupported", "version 1")
    case("gguf/version-99.gguf", patch(good, 4, "<I", 99), "invalidHeader", "unknown GGUF version 99")
    case("gguf/big-endian.gguf", patch(good, 4, ">I", 3), "unsupported", "big-endian")
    case("gguf/tensor-count-2e62.gguf", patch(good, 8, "<Q", 1 << 62), "invalidHeader", "tensor count")
    case("gguf/kv-count-2e62.gguf", patch(good, 16, "<Q", 1 << 62), "invalidHeader", "metadata count")
    case("gguf/key-length-2e63.gguf", patch(good, 24, "<Q", 1 << 63), "truncated", "metadata key")
    name, key_at, type_at = next(k for k in kvs if k[0] == "general.architecture")
    case("gguf/string-length-2e63.gguf", patch(good, type_at + 4, "<Q", 1 << 63), "truncated", "a metadata string")
    case("gguf/unknown-value-type.gguf", patch(good, type_at, "<I", 77), "invalidHeader", "unknown metadata value type 77")
    _, _, tok_type_at = next(k for k in kvs if k[0] == "tokenizer.ggml.tokens")
    case("gguf/array-count-2e60.gguf", patch(good, tok_type_at + 8, "<Q", 1 << 60), "invalidHeader", "array's length")
    case("gguf/array-element-type.gguf", patch(good, tok_type_at + 4, "<I", 55), "invalidHeader", "array element type 55")
    case("gguf/tensor-name-2e63.gguf", patch(good, t0["name_at"], "<Q", 1 << 63), "truncated", "tensor name")
    case("gguf/unknown-type-id.gguf", patch(good, t0["type_at"], "<I", 250), "invalidHeader", "unknown type id 250")
    case("gguf/dims-9.gguf", patch(good, t0["dims_at"], "<I", 9), "invalidHeader", "9 dimensions")
    case("gguf/huge-dimension.gguf", patch(good, t0["ne_at"] + 8, "<Q", 1 << 40), "invalidHeader", "dimension of")
    case("gguf/lying-dimensions.gguf", patch(good, t0["ne_at"] + 8, "<Q", 1 << 30), "shapeMismatch", "more values than the file could")
    case("gguf/row-not-whole-blocks.gguf", patch(good, t0["ne_at"], "<Q", 100), "shapeMismatch", "not a multiple of the Q8_0 block size")
    case("gguf/offset-beyond-file.gguf", patch(good, t0["offset_at"], "<Q", 1 << 40), "truncated", "beyond the end of the file")
    case("gguf/offset-near-end.gguf", patch(good, t0["offset_at"], "<Q", len(good) // 32 * 32), "truncated", "runs past the end of the file")
    case("gguf/offset-misaligned.gguf", patch(good, t0["offset_at"], "<Q", 4), "invalidOffsets", "not a multiple of the alignment")
    o1 = struct.unpack_from("<Q", good, t0["offset_at"])[0]
    case("gguf/overlapping-tensors.gguf", patch(good, t1["offset_at"], "<Q", o1), "overlappingTensors", "overlap")
    name1 = good[t1["name_at"] + 8:t1["dims_at"]]
    name0 = good[t0["name_at"] + 8:t0["dims_at"]]
    assert len(name0) == len(name1)
    dup = bytearray(good)
    dup[t1["name_at"] + 8:t1["dims_at"]] = name0
    case("gguf/duplicate-tensor.gguf", bytes(dup), "duplicateTensor", "appears twice")
    _, _, align_type_at = None, None, None
    case("gguf/empty.gguf", b"GGUF", "truncated", "ends inside its header")


def keras_cases():
    good = (ROOT / "keras/model.keras").read_bytes()
    ents = entries_of(good)
    case("keras/no-weights.keras", rezip([(n, d) for n, d in ents if n != "model.weights.h5"]), "notACheckpoint", "neither a PyTorch checkpoint")
    case("keras/config-not-json.keras", rezip([(n, b"{not json" if n == "config.json" else d) for n, d in ents]), "invalidHeader", "config.json is not valid JSON")
    case("keras/weights-not-hdf5.keras", rezip([(n, b"\0" * 4096 if n == "model.weights.h5" else d) for n, d in ents]), "hdf5", "libhdf5 cannot open")
    deflated = rezip(ents, zipfile.ZIP_DEFLATED)
    c = central_entry(deflated, "model.weights.h5")
    case("keras/zip-bomb.keras", patch(deflated, c + 24, "<I", 0x7FFFFFF0), "compression", "more than deflate can produce")
    # Corrupt deflate data inside the weights entry (its header is intact).
    local = struct.unpack_from("<I", deflated, c + 42)[0]
    n, e = struct.unpack_from("<HH", deflated, local + 26)
    start = local + 30 + n + e
    corrupt = bytearray(deflated)
    for k in range(start + 10, start + 60):
        corrupt[k] ^= 0xA5
    case("keras/corrupt-deflate.keras", bytes(corrupt), "compression", "model.weights.h5")
    case("keras/truncated.keras", good[:len(good) // 3], "notACheckpoint", "no end-of-central-directory")


def quantized_cases():
    import numpy as np
    sys_path = pathlib.Path(__file__).resolve().parent
    import importlib.util
    spec = importlib.util.spec_from_file_location("mq", sys_path / "make-quantized-fixtures.py")
    mq = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mq)
    for name, tensors, kind, fragment in [
        ("gptq-qzeros-shape.safetensors", {"l.qweight": np.zeros((8, 16), np.int32), "l.scales": np.zeros((2, 16), np.float16),
                                           "l.qzeros": np.zeros((3, 2), np.int32)}, "shapeMismatch", "disagree"),
        ("int8-scale-shape.safetensors", {"l.qweight": np.zeros((16, 8), np.int8), "l.scales": np.ones(7, np.float32)},
         "shapeMismatch", "neither one scale per row"),
        ("gptq-g-idx-range.safetensors", {"l.qweight": np.zeros((8, 16), np.int32), "l.scales": np.ones((2, 16), np.float16),
                                          "l.qzeros": np.zeros((2, 2), np.int32), "l.g_idx": np.full(64, 9, np.int32)},
         "shapeMismatch", "in group 9 of 2"),
    ]:
        (BAD / "quantized").mkdir(parents=True, exist_ok=True)
        mq.write_safetensors(BAD / "quantized" / name, tensors)
        expected["quantized/" + name] = {"kind": kind, "message": fragment}


def main():
    if BAD.exists():
        shutil.rmtree(BAD)
    BAD.mkdir(parents=True)
    torch_cases()
    gguf_cases()
    keras_cases()
    quantized_cases()
    (BAD / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(expected)} cases to {BAD}")


if __name__ == "__main__":
    main()

"""`torch.save({name: torch.from_numpy(array)}, path)` without torch: standard library and numpy only.

    from torchsave import save_state_dict
    save_state_dict([("layer.weight", array), ...], "pytorch_model.bin")

The file is laid out as torch 2.x's `torch.save(dict, path)` lays it out (PyTorchStreamWriter on
miniz), byte for byte — Scripts/check-torchsave.py compares the two where torch is installed:

  <stem>/data.pkl                 pickle protocol 2 of {name: tensor}; each tensor is
                                  torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False,
                                  OrderedDict()) (stride: row-major, all zero for an empty array, as
                                  torch.from_numpy gives), its storage the persistent id
                                  ('storage', torch.<T>Storage, key, 'cpu', numel)
  <stem>/.format_version          b"1"
  <stem>/.storage_alignment       b"64"
  <stem>/byteorder                b"little"
  <stem>/data/<key>               each storage's bytes, little-endian, keys "0", "1", ... in order
  <stem>/version                  b"3\\n"
  <stem>/.data/serialization_id   40 digits: a hash of the record names, then one of their CRCs
                                  (libstdc++'s std::hash of strings folded with c10::hash_combine)

Every entry is stored (not compressed) with a zero date, general-purpose flags 0x0808 (sizes in a
data descriptor after the data, UTF-8 names; an empty entry 0x0800 and no descriptor) and a local "FB" extra field of 'Z' padding that
starts its data at a multiple of 64 bytes; a ZIP64 end-of-central-directory record precedes the
classic one, as miniz writes them. <stem> is the file name up to its last dot, as torch names the
archive after the path it writes. Archives of 4 GiB or more (which would need ZIP64 entries) are
refused.
"""
import collections
import contextlib
import io
import os
import pickle
import struct
import sys
import types
import zlib

import numpy as np

STORAGES = {np.dtype("float32"): "FloatStorage", np.dtype("float64"): "DoubleStorage",
            np.dtype("float16"): "HalfStorage", np.dtype("int64"): "LongStorage", np.dtype("int32"): "IntStorage",
            np.dtype("int16"): "ShortStorage", np.dtype("int8"): "CharStorage", np.dtype("uint8"): "ByteStorage",
            np.dtype("bool"): "BoolStorage"}
ALIGNMENT = 64
LIMIT = 0xFFFFFFFF


@contextlib.contextmanager
def _torch_names():
    """Stand-ins for torch.<T>Storage and torch._utils._rebuild_tensor_v2, under those names while
    pickling (pickle writes a class or function as its module and name, after checking that
    importing them gives the same object); a real torch module, if imported, is put back after."""
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    for name in STORAGES.values():
        setattr(torch, name, type(name, (), {"__module__": "torch"}))

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("a stand-in, never called")
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
    try:
        yield torch, utils
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


class _Storage:
    def __init__(self, key, kind, data, numel):
        self.key, self.kind, self.data, self.numel = key, kind, data, numel


class _Tensor:
    def __init__(self, rebuild, storage, array):
        stride = tuple(s // array.itemsize for s in array.strides)
        self.args = (storage, 0, tuple(array.shape), stride, False, collections.OrderedDict())
        self.rebuild = rebuild

    def __reduce__(self):
        return (self.rebuild, self.args)


def _pickle(tensors):
    """data.pkl and the storages (key, bytes) in the order torch writes them."""
    storages = []
    with _torch_names() as (torch, utils):
        obj = {}
        for name, array in tensors:
            # A fresh C-order copy, whose strides (in elements) torch.from_numpy would take: row-major,
            # all zero for an empty array. (np.ascontiguousarray would make a 0-d array 1-d.)
            a = np.array(array, order="C", copy=True)
            if a.dtype not in STORAGES:
                raise ValueError(f"{name}: dtype {a.dtype} has no torch storage type here")
            s = _Storage(str(len(storages)), getattr(torch, STORAGES[a.dtype]), a.astype(a.dtype.newbyteorder("<")).tobytes(order="C"), a.size)
            storages.append(s)
            obj[name] = _Tensor(utils._rebuild_tensor_v2, s, a)

        class Pickler(pickle.Pickler):
            def persistent_id(self, o):
                if isinstance(o, _Storage):
                    return ("storage", o.kind, o.key, "cpu", o.numel)
                return None
        buf = io.BytesIO()
        Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue(), [(s.key, s.data) for s in storages]


# libstdc++'s std::hash<std::string> (_Hash_bytes, 64-bit, seed 0xc70f6907) and c10::hash_combine.
_M64 = (1 << 64) - 1


def _shift_mix(v):
    return v ^ (v >> 47)


def _std_hash(b, seed=0xC70F6907):
    mul = (0xC6A4A793 << 32) + 0x5BD1E995
    n = len(b)
    h = (seed ^ (n * mul)) & _M64
    for i in range(0, n & ~7, 8):
        h ^= (_shift_mix((int.from_bytes(b[i:i + 8], "little") * mul) & _M64) * mul) & _M64
        h = (h * mul) & _M64
    if n & 7:
        h ^= int.from_bytes(b[n & ~7:], "little")
        h = (h * mul) & _M64
    return _shift_mix((_shift_mix(h) * mul) & _M64)


def _hash_combine(seed, value):
    return (seed ^ ((value + 0x9E3779B9 + ((seed << 6) & _M64) + (seed >> 2)) & _M64)) & _M64


# libstdc++'s prime bucket counts (_Prime_rehash_policy), as far as an archive of ~10^5 records needs.
_PRIMES = [17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 103, 109, 113, 127, 137,
           139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313, 337, 359, 383, 409, 439, 467,
           503, 541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741,
           1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953,
           6427, 6949, 7517, 8123, 8783, 9497, 10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183,
           20753, 22447, 24281, 26267, 28411, 30727, 33223, 35933, 38873, 42043, 45481, 49201, 53201, 57557,
           62233, 67307, 72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271, 136607, 147793, 159871]


def _unordered_set_order(names):
    """The iteration order of a libstdc++ std::unordered_set<std::string> after inserting `names`
    (distinct) in order: nodes in one singly linked list, a node going to the front of its bucket
    or, in an empty bucket, of the list; rehashing (13 buckets, then primes ≥ 2× the count)
    relinks the list in its order the same way."""
    fast = [2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13]

    def next_bucket_count(n):
        if n < len(fast):
            return fast[n], fast[n]
        p = next(p for p in _PRIMES if p >= n)
        return p, p

    order, buckets, count, next_resize = [], 1, 0, 0
    codes = {}

    def place(lst, code, node, nbuckets, heads):
        """Inserts node into the list `lst` (front of its bucket); heads: bucket -> first index."""
        b = code % nbuckets
        if b in heads:
            lst.insert(heads[b], node)
        else:
            lst.insert(0, node)
        # recompute heads (first position of each bucket)
        heads.clear()
        for i, n in enumerate(lst):
            heads.setdefault(codes[n] % nbuckets, i)

    for name in names:
        code = _std_hash(name.encode())
        codes[name] = code
        if count + 1 > next_resize:
            min_buckets = max(count + 1, 11 if next_resize == 0 else 0)
            if min_buckets >= buckets:
                buckets, next_resize = next_bucket_count(max(min_buckets + 1, buckets * 2))
                old, order, heads = order, [], {}
                for n in old:
                    place(order, codes[n], n, buckets, heads)
            else:
                next_resize = buckets
        heads = {}
        for i, n in enumerate(order):
            heads.setdefault(codes[n] % buckets, i)
        place(order, code, name, buckets, heads)
        count += 1
    return order


def _serialization_id(records):
    names = _unordered_set_order([name for name, _ in records])
    h = 0
    for n in names:
        h = _hash_combine(h, _std_hash(n.encode()))
    c = 0
    for _, data in records:
        if data:                                # (an empty record's CRC is not folded in)
            c = _hash_combine(c, zlib.crc32(data))
    return f"{h:020d}{c:020d}".encode()


def archive_bytes(tensors, stem):
    """The whole file, as bytes, for a list of (name, numpy array)."""
    pkl, storages = _pickle(tensors)
    records = [("data.pkl", pkl), (".format_version", b"1"), (".storage_alignment", str(ALIGNMENT).encode()),
               ("byteorder", b"little")] + [("data/" + k, d) for k, d in storages] + [("version", b"3\n")]
    records.append((".data/serialization_id", _serialization_id(records)))
    out, central = bytearray(), []
    for name, data in records:
        full = f"{stem}/{name}".encode()
        start = len(out) + 30 + len(full) + 4
        padding = -start % ALIGNMENT
        if len(out) >= LIMIT or len(data) >= LIMIT:
            raise ValueError("an archive of 4 GiB or more would need ZIP64 entries, which this writer does not make")
        crc = zlib.crc32(data)
        flags = 0x0808 if data else 0x0800      # an empty entry has no data descriptor
        central.append((full, flags, crc, len(data), len(out)))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0, len(full), 4 + padding)
        out += full + b"FB" + struct.pack("<H", padding) + b"Z" * padding
        out += data
        if data:
            out += struct.pack("<IIII", 0x08074B50, crc, len(data), len(data))
    cd_start = len(out)
    for full, flags, crc, size, offset in central:
        out += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, crc, size, size, len(full), 0, 0, 0, 0, 0, offset)
        out += full
    cd_size = len(out) - cd_start
    if len(out) >= LIMIT:
        raise ValueError("an archive of 4 GiB or more would need ZIP64 entries, which this writer does not make")
    zip64_end = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, len(records), len(records), cd_size, cd_start)
    out += struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), cd_size, cd_start, 0)
    return bytes(out)


def save_state_dict(tensors, path, stem=None):
    """Writes `tensors` (list of (name, numpy array)) to `path` as torch.save({name: tensor}, path)
    would; `stem` (the archive's folder name) defaults to the file name up to its last dot, so
    writing a temporary file first and renaming it gives the final name's layout."""
    if stem is None:
        base = os.path.basename(path)
        stem = base[:base.rfind(".")] if "." in base else base
    with open(path, "wb") as f:
        f.write(archive_bytes(tensors, stem))

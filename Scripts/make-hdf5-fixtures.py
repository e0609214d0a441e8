#!/usr/bin/env python3
"""Writes the HDF5 files that lie about their storage (fixtures/hdf5/, with h5py):

  unallocated.h5          'w' (16, 16) float32 never written (contiguous, nothing allocated) and
                          'v' (16, 16) written: 'w' is skipped as "no stored data", 'v' analysed
  unallocated-chunked.h5  the same with 'w' chunked (4, 4) and never written
  partial-chunked.h5      'w' (64, 64) float32, chunked (16, 16), unfiltered, one chunk written:
                          "declares 16384 bytes but stores only 1024"
  external.h5             'w' (8, 8) float32 kept in an external raw file (external.bin, which
                          is not there): refused, external storage would read other files
  contiguous-lie.h5       'w' (16, 16) float32 contiguous, its dataspace patched to (16, 65536):
                          "needs 4194304 bytes at offset …, past the end of the file"

  crash-in-archive.keras  fixtures/formats/keras/model.keras with its model.weights.h5 replaced by
                          crash-keras2-weights-at-1005-ff.h5 (the HDF5 inside a .keras archive)

The files that crash or hang libhdf5 1.10.8 (crash-*.h5, hang-*.h5, lie-*.h5) are byte flips of
small real files found by Scripts/hdf5-flip-sweep; their names say the source, offset and value.

    PY=$(Scripts/python-env h5py numpy); "$PY" Scripts/make-hdf5-fixtures.py
"""
import pathlib
import struct
import zipfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "hdf5"


def values(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def main():
    ROOT.mkdir(parents=True, exist_ok=True)
    kw = dict(track_order=False)
    with h5py.File(ROOT / "unallocated.h5", "w", libver="earliest", **kw) as f:
        f.create_dataset("w", (16, 16), "f4")
        f.create_dataset("v", data=values((16, 16), 1))
    with h5py.File(ROOT / "unallocated-chunked.h5", "w", libver="earliest", **kw) as f:
        f.create_dataset("w", (16, 16), "f4", chunks=(4, 4))
        f.create_dataset("v", data=values((16, 16), 2))
    with h5py.File(ROOT / "partial-chunked.h5", "w", libver="earliest", **kw) as f:
        d = f.create_dataset("w", (64, 64), "f4", chunks=(16, 16))
        d[0:16, 0:16] = values((16, 16), 3)
    with h5py.File(ROOT / "external.h5", "w", libver="earliest", **kw) as f:
        f.create_dataset("w", (8, 8), "f4", external=[("external.bin", 0, 8 * 8 * 4)])
    path = ROOT / "contiguous-lie.h5"
    with h5py.File(path, "w", libver="earliest", **kw) as f:
        f.create_dataset("w", data=values((16, 16), 4))
    # The dataspace message holds the dimensions as little-endian 64-bit sizes, then (when
    # present) the maximum sizes: make the second dimension 65536 in both.
    data = bytearray(path.read_bytes())
    both = struct.pack("<QQQQ", 16, 16, 16, 16)
    at = data.find(both)
    if at > 0:
        data[at:at + 32] = struct.pack("<QQQQ", 16, 65536, 16, 65536)
    else:
        at = data.find(struct.pack("<QQ", 16, 16))
        assert at > 0, "dataspace not found"
        data[at:at + 16] = struct.pack("<QQ", 16, 65536)
    path.write_bytes(bytes(data))
    source = ROOT.parent / "formats" / "keras" / "model.keras"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(ROOT / "crash-in-archive.keras", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "model.weights.h5":
                data = (ROOT / "crash-keras2-weights-at-1005-ff.h5").read_bytes()
            dst.writestr(info, data)


if __name__ == "__main__":
    main()

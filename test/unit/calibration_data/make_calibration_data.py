#!/usr/bin/env python3
"""Writes the .npz fixtures of CalibrationDataTest.cpp exactly as numpy's
np.savez / np.savez_compressed do (zipfile, one '<name>.npy' member per array,
each opened with force_zip64=True), without needing numpy.

  x.npy: '<f4', shape (2, 1, 3): [[[-1, 0.5, 3.25]], [[0.125, -2.5e6, 7]]]
  y.npy: '<f8', shape (2, 2):    [[1.5, -0.25], [1024, 3]]

Run from this folder: python3 make_calibration_data.py
"""
import struct
import zipfile


def npy(descr, shape, data):
    """numpy.lib.format.write_array, format 1.0, 64-byte aligned header."""
    shape_text = "(%s)" % ", ".join(str(d) for d in shape) if len(shape) != 1 \
        else "(%d,)" % shape[0]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, shape_text)
    pad = 64 - (10 + len(header) + 1) % 64
    header = (header + " " * (pad % 64) + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


ARRAYS = {
    "x": npy("<f4", (2, 1, 3), struct.pack("<6f", -1, 0.5, 3.25, 0.125, -2.5e6, 7)),
    "y": npy("<f8", (2, 2), struct.pack("<4d", 1.5, -0.25, 1024, 3)),
}


def savez(path, compression):
    with zipfile.ZipFile(path, mode="w", compression=compression,
                         allowZip64=True) as zipf:
        for key, val in ARRAYS.items():
            with zipf.open(key + ".npy", "w", force_zip64=True) as fid:
                fid.write(val)


savez("stored.npz", zipfile.ZIP_STORED)
savez("compressed.npz", zipfile.ZIP_DEFLATED)

"""Runs tempoc on lppool.onnx and cumsum.onnx with random inputs and compares
with a numpy reference written from the ONNX operator definitions."""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

tempoc, fixtures, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
rng = np.random.default_rng(7)


def run(model, inputs):
    args = [tempoc, "run", os.path.join(fixtures, model), "-o", os.path.join(work, model)]
    for i, (name, a) in enumerate(inputs):
        path = os.path.join(work, "%s_in%d.pb" % (model, i))
        onnx.save_tensor(numpy_helper.from_array(a, name), path)
        args += ["--input", path]
    subprocess.run(args, check=True)
    outs, i = [], 0
    while os.path.exists(os.path.join(work, model, "output_%d.pb" % i)):
        outs.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(work, model, "output_%d.pb" % i))))
        i += 1
    return outs


def lp_pool_ref(x, k, s, pads, p):
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + pads[0] + pads[2], w + pads[1] + pads[3]), np.float64)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + w] = x
    oh = (xp.shape[2] - k[0]) // s[0] + 1
    ow = (xp.shape[3] - k[1]) // s[1] + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            y[:, :, i, j] = (np.abs(win) ** p).sum(axis=(2, 3)) ** (1.0 / p)
    return y


def cumsum_ref(x, axis, exclusive, reverse):
    x = np.flip(x, axis) if reverse else x
    y = np.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        y = y - x
    return np.flip(y, axis) if reverse else y


x = rng.standard_normal((1, 2, 4, 5)).astype(np.float32)
(got,) = run("lppool.onnx", [("x", x)])
want = lp_pool_ref(x, (2, 2), (2, 2), (1, 1, 1, 1), 3)
print("lppool max error", float(np.abs(got - want).max()), "shape", got.shape)
assert got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-6)

x1 = np.array([[[3, -4, 0, 5]]], np.float32)
(got1,) = run("lppool1d_p2.onnx", [("x", x1)])
print("lppool1d", got1.ravel().tolist())
assert got1.ravel().tolist() == [5.0, 5.0]

xc = rng.standard_normal((2, 3, 4)).astype(np.float32)
nc = np.array([1, 2, 3, 4, 2**62], np.int64)
got_y, got_m = run("cumsum.onnx", [("x", xc), ("n", nc)])
want_y = cumsum_ref(xc.astype(np.float64), 1, True, True)
print("cumsum max error", float(np.abs(got_y - want_y).max()), "int", got_m.tolist())
assert np.allclose(got_y, want_y, rtol=1e-5, atol=1e-6)
assert got_m.tolist() == [1, 3, 6, 10, 10 + 2**62]
print("OK")

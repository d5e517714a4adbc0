#!/usr/bin/python3
"""Writes OUT/ops.onnx, a small model with one of each op --int16 covers
(Conv, Relu, Add, Mul, Concat, Transpose, MatMul, Sub, Clip, AveragePool,
MaxPool, Reshape, Gemm; node names c1, r1, a1, m1, cat1, t1, mm1, s1, cl1,
p1, p2, f1, g1), OUT/calibration.npy (64 windows) and two inputs
OUT/x{0,1}.pb with the same data as raw float32 in OUT/x{0,1}.bin."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def c(name, a):
    return nh.from_array(np.asarray(a, np.float32), name)


inits = [c("W", rng.normal(0, .3, (4, 4, 3))), c("B", rng.normal(0, .1, 4)),
         c("S", rng.uniform(.5, 1.5, (1, 4, 1))), c("M", rng.normal(0, .3, (8, 5))),
         c("K", rng.normal(0, .1, (1, 5))), c("G", rng.normal(0, .3, (6, 16))),
         c("GB", rng.normal(0, .1, 6)), nh.from_array(np.array([1, -1], np.int64), "shape")]
nodes = [h.make_node("Conv", ["x", "W", "B"], ["c"], name="c1", pads=[1, 1]),
         h.make_node("Relu", ["c"], ["r"], name="r1"),
         h.make_node("Add", ["r", "x"], ["a"], name="a1"),
         h.make_node("Mul", ["a", "S"], ["m"], name="m1"),
         h.make_node("Concat", ["m", "x"], ["cat"], name="cat1", axis=1),
         h.make_node("Transpose", ["cat"], ["t"], name="t1", perm=[0, 2, 1]),
         h.make_node("MatMul", ["t", "M"], ["mm"], name="mm1"),
         h.make_node("Sub", ["mm", "K"], ["s"], name="s1"),
         h.make_node("Clip", ["s"], ["cl"], name="cl1", min=-1.0, max=1.0),
         h.make_node("AveragePool", ["cl"], ["p"], name="p1", kernel_shape=[2], strides=[1]),
         h.make_node("MaxPool", ["p"], ["p2"], name="p2", kernel_shape=[2], strides=[2]),
         h.make_node("Reshape", ["p2", "shape"], ["f"], name="f1"),
         h.make_node("Gemm", ["f", "G", "GB"], ["y"], name="g1", transB=1)]
g = h.make_graph(nodes, "ops", [h.make_tensor_value_info("x", T.FLOAT, [1, 4, 8])],
                 [h.make_tensor_value_info("y", T.FLOAT, [1, 6])], inits)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 10)])
m.ir_version = 7
onnx.save(m, os.path.join(out, "ops.onnx"))
np.save(os.path.join(out, "calibration.npy"), rng.normal(0, 1, (64, 1, 4, 8)).astype(np.float32))
for i in range(2):
    x = rng.normal(0, 1, (1, 4, 8)).astype(np.float32)
    with open(os.path.join(out, "x%d.pb" % i), "wb") as f:
        f.write(nh.from_array(x, "x").SerializeToString())
    x.tofile(os.path.join(out, "x%d.bin" % i))

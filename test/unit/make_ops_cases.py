#!/usr/bin/python3
"""Extracts ONNX's own node test cases into test/unit/ops_cases.inc.

Reads /usr/share/libonnx-testdata/data/node/test_<op>_*/ (model.onnx and
test_data_set_0/*.pb), resolves each node's attributes the way the compiler
does (axes -> [outer, n, inner], Slice/Pad/Tile/Expand -> strided-copy
start/step, ConvTranspose pads), and prints one OnnxCase initialiser per case:
kernel kind, integer and float kernel parameters, inputs and expected outputs.
OpsTest.cpp runs them. Cases over MAX_ELEMS elements, with several nodes
(the *_expanded ones) or with types the kernels do not take are skipped; the
skipped names are listed at the end of the generated file.

Usage: /usr/bin/python3 test/unit/make_ops_cases.py > test/unit/ops_cases.inc
"""

import glob
import math
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

DATA = "/usr/share/libonnx-testdata/data/node"
MAX_ELEMS = 4000

MATH = ["Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Floor",
        "Ceil", "Sign", "Sin", "Cos", "Elu", "Selu", "Celu", "ThresholdedRelu",
        "HardSigmoid", "HardSwish", "Softplus", "Softsign"]
# Default (alpha, beta) per op, as the compiler fills them in.
MATH_DEFAULTS = {
    "Elu": (1.0, 0.0), "Selu": (1.67326319217681884765625,
                                 1.05070102214813232421875),
    "Celu": (1.0, 0.0), "ThresholdedRelu": (1.0, 0.0),
    "HardSigmoid": (0.2, 0.5)}
BINARY = {"Pow": 0, "Max": 1, "Min": 2, "PRelu": 3}
REDUCE = {"ReduceSum": 0, "ReduceMean": 1, "ReduceMax": 2, "ReduceMin": 3,
          "ReduceProd": 4, "ReduceL1": 5, "ReduceL2": 6,
          "ReduceSumSquare": 7, "ReduceLogSum": 8, "ReduceLogSumExp": 9}
HANDLED = set(MATH) | set(BINARY) | set(REDUCE) | {
    "ArgMax", "ArgMin", "CumSum", "LogSoftmax", "Hardmax",
    "LayerNormalization", "InstanceNormalization", "GlobalMaxPool", "Slice",
    "Tile", "Expand", "Pad", "Gather", "Cast", "ConvTranspose", "DFT", "STFT",
    "HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix"}
DTYPES = {np.float32: "f32", np.float64: "f64", np.int8: "i8",
          np.uint8: "u8", np.int16: "i16", np.uint16: "u16",
          np.int32: "i32", np.uint32: "u32", np.int64: "i64",
          np.uint64: "u64", np.bool_: "bool"}


class Skip(Exception):
  pass


def attrs(node):
  return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def split(shape, axes):
  """[outer, n, inner] for reducing the (adjacent) axes of shape."""
  axes = sorted(a % len(shape) for a in axes)
  if axes != list(range(axes[0], axes[-1] + 1)):
    raise Skip("non-adjacent axes")
  outer = int(np.prod(shape[:axes[0]]))
  n = int(np.prod([shape[a] for a in axes]))
  inner = int(np.prod(shape[axes[-1] + 1:]))
  return [outer, n, inner]


def bcast_strides(out_shape, shape):
  lead = len(out_shape) - len(shape)
  dense = [int(np.prod(shape[d + 1:])) for d in range(len(shape))]
  return [0 if d < lead or shape[d - lead] == 1 else dense[d - lead]
          for d in range(len(out_shape))]


def copy_params(out_shape, in_shape, start, step, border):
  return ([len(out_shape), border] + list(out_shape) + list(in_shape) +
          list(start) + list(step))


def resolve(op, a, ins, outs):
  """(kind, int params, float params, inputs used) for one node."""
  x = ins[0] if ins else None
  if op in MATH:
    alpha, beta = MATH_DEFAULTS.get(op, (0.0, 0.0))
    alpha = a.get("alpha", alpha)
    beta = a.get("gamma", a.get("beta", beta))
    return "math", [MATH.index(op)], [alpha, beta], [x]
  if op in BINARY:
    if len(ins) < 2:
      raise Skip("one input")
    if op == "Pow" and ins[1].dtype != x.dtype:
      # The compiler casts the exponent to the base's type (exact here).
      if not np.all(np.floor(ins[1]) == ins[1]):
        raise Skip("fractional exponent")
      ins = [x, ins[1].astype(x.dtype)]
    out = outs[0].shape
    ip = [BINARY[op], len(out)] + list(out)
    for t in ins:
      ip += bcast_strides(out, t.shape)
    return "binary", ip, [], ins
  if op in REDUCE:
    axes = a.get("axes")
    if op == "ReduceSum" and len(ins) > 1:
      axes = list(ins[1])
      if not axes and a.get("noop_with_empty_axes", 0):
        raise Skip("noop")
    if not axes:
      axes = list(range(x.ndim))
    return "reduce", [REDUCE[op]] + split(x.shape, axes), [], [x]
  if op in ("ArgMax", "ArgMin"):
    ip = [0 if op == "ArgMax" else 1] + split(x.shape, [a.get("axis", 0)])
    return "arg", ip + [a.get("select_last_index", 0)], [], [x]
  if op == "CumSum":
    ip = split(x.shape, [int(ins[1])])
    return "cumsum", ip + [a.get("exclusive", 0), a.get("reverse", 0)], [], [x]
  if op in ("LogSoftmax", "Hardmax"):
    return op.lower(), split(x.shape, [a.get("axis", -1)]), [], [x]
  if op == "LayerNormalization":
    axis = a.get("axis", -1) % x.ndim
    outer = int(np.prod(x.shape[:axis]))
    n = int(np.prod(x.shape[axis:]))
    scale = np.broadcast_to(ins[1], x.shape[axis:])
    bias = (np.broadcast_to(ins[2], x.shape[axis:]) if len(ins) > 2
            else np.zeros(0, x.dtype))
    return ("layer_norm", [outer, n, len(ins) > 2], [a.get("epsilon", 1e-5)],
            [x, scale, bias])
  if op == "InstanceNormalization":
    ip = [x.shape[0], x.shape[1], int(np.prod(x.shape[2:]))]
    return "instance_norm", ip, [a.get("epsilon", 1e-5)], ins
  if op == "GlobalMaxPool":
    ip = [REDUCE["ReduceMax"], x.shape[0] * x.shape[1],
          int(np.prod(x.shape[2:])), 1]
    return "reduce", ip, [], [x]
  if op == "Slice":
    r = x.ndim
    axes = list(ins[3]) if len(ins) > 3 else list(range(len(ins[1])))
    steps = list(ins[4]) if len(ins) > 4 else [1] * len(axes)
    start, step, out = [0] * r, [1] * r, list(x.shape)
    for ax, s, e, st in zip(axes, ins[1], ins[2], steps):
      ax %= r
      s, e, st = slice(int(s), int(e), int(st)).indices(x.shape[ax])
      start[ax], step[ax], out[ax] = s, st, len(range(s, e, st))
    return "copy", copy_params(out, x.shape, start, step, 0), [], [x]
  if op == "Tile":
    out = [d * int(k) for d, k in zip(x.shape, ins[1])]
    return ("copy", copy_params(out, x.shape, [0] * x.ndim, [1] * x.ndim, 3),
            [], [x])
  if op == "Expand":
    out = list(outs[0].shape)
    inshape = [1] * (len(out) - x.ndim) + list(x.shape)
    step = [0 if d == 1 else 1 for d in inshape]
    return ("copy", copy_params(out, inshape, [0] * len(out), step, 0), [],
            [x])
  if op == "Pad":
    pads = list(ins[1])
    r = x.ndim
    mode = a.get("mode", b"constant").decode()
    border = {"constant": 0, "edge": 1, "reflect": 2}[mode]
    out = [x.shape[d] + pads[d] + pads[d + r] for d in range(r)]
    start = [-pads[d] for d in range(r)]
    value = ins[2] if len(ins) > 2 else np.zeros((), x.dtype)
    return ("copy", copy_params(out, x.shape, start, [1] * r, border), [],
            [x, value.reshape(1)])
  if op == "Gather":
    axis = a.get("axis", 0) % x.ndim
    idx = ins[1].reshape(-1) % x.shape[axis]
    ip = [int(np.prod(x.shape[:axis])), x.shape[axis], idx.size,
          int(np.prod(x.shape[axis + 1:]))] + [int(i) for i in idx]
    return "gather", ip, [], [x]
  if op == "Cast":
    if "BFLOAT16" in str(outs) or any(o.dtype == np.uint16 for o in outs + [x]):
      raise Skip("bfloat16")  # stored as uint16 by numpy_helper
    if x.dtype.type not in DTYPES or outs[0].dtype.type not in DTYPES:
      raise Skip("type")
    return "cast:" + DTYPES[outs[0].dtype.type], [], [], [x]
  if op == "ConvTranspose":
    w = ins[1]
    nd = x.ndim - 2
    if nd > 2:
      raise Skip("3-D")
    strides = list(a.get("strides", [1] * nd))
    dil = list(a.get("dilations", [1] * nd))
    opad = list(a.get("output_padding", [0] * nd))
    pads = list(a.get("pads", [0] * 2 * nd))
    outshape = outs[0].shape
    if nd == 1:  # 1-D is 2-D with h == 1
      x, w = x[:, :, None, :], w[:, :, None, :]
      outshape = (outshape[0], outshape[1], 1, outshape[2])
      strides, dil, opad = [1] + strides, [1] + dil, [0] + opad
      pads = [0, pads[0], 0, pads[1]]
    k = w.shape[2:]
    auto = a.get("auto_pad", b"NOTSET").decode()
    if "output_shape" in a or auto in ("SAME_UPPER", "SAME_LOWER"):
      begin = []
      for d in range(2):
        full = strides[d] * (x.shape[2 + d] - 1) + opad[d] + (
            (k[d] - 1) * dil[d] + 1)
        total = full - outshape[2 + d]
        # ONNX: SAME_UPPER puts the extra pad at the end.
        begin.append(total // 2 if auto == "SAME_UPPER" else
                     total - total // 2)
      pads = begin + [0, 0]
    group = a.get("group", 1)
    ip = [x.shape[0], x.shape[1], x.shape[2], x.shape[3], outshape[1],
          outshape[2], outshape[3], k[0], k[1], strides[0], strides[1],
          dil[0], dil[1], pads[0], pads[1], group, len(ins) > 2]
    return "conv_transpose", ip, [], [x, w] + ins[2:]
  if op == "DFT":
    axis = a.get("axis", 1) % x.ndim
    n_in = x.shape[axis]
    length = int(ins[1]) if len(ins) > 1 else n_in
    onesided = a.get("onesided", 0)
    ip = [int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis + 1:-1])),
          n_in, length, length // 2 + 1 if onesided else length,
          x.shape[-1] == 2, a.get("inverse", 0)]
    return "dft", ip, [], [x]
  if op == "STFT":
    step = int(ins[1])
    window = ins[2] if len(ins) > 2 and ins[2] is not None else None
    length = int(ins[3]) if len(ins) > 3 else window.shape[0]
    frames = (x.shape[1] - length) // step + 1
    n_out = length // 2 + 1 if a.get("onesided", 1) else length
    ip = [x.shape[0], x.shape[1], x.shape[2] == 2, step, length, frames, n_out,
          window is not None]
    return "stft", ip, [], [x] + ([window] if window is not None else [])
  if op in ("HannWindow", "HammingWindow", "BlackmanWindow"):
    kind = ["HannWindow", "HammingWindow", "BlackmanWindow"].index(op)
    return "window", [int(x), kind, a.get("periodic", 1)], [], []
  if op == "MelWeightMatrix":
    ip = [int(ins[0]), int(ins[1]), int(ins[2])]
    return "mel", ip, [float(ins[3]), float(ins[4])], []
  raise Skip("op " + op)


def num(v):
  v = float(v)
  if math.isnan(v):
    return "NAN"
  if math.isinf(v):
    return "INFINITY" if v > 0 else "-INFINITY"
  return repr(v) if v == int(v) and abs(v) < 2**53 else "%.17g" % v


def num32(v):
  """The shortest decimal that reads back as the same float32."""
  if not np.isfinite(v):
    return num(v)
  s = np.format_float_positional(v, unique=True, trim="-")
  return s if len(s) < 12 else np.format_float_scientific(v, unique=True,
                                                          trim="-")


def arr(t):
  t = np.asarray(t)
  if t.dtype == np.bool_:
    t = t.astype(np.uint8)
  f = num32 if t.dtype == np.float32 else num
  return "{" + ",".join(f(v) for v in t.reshape(-1)) + "}"


def load(d, prefix):
  files = sorted(glob.glob(os.path.join(d, "test_data_set_0", prefix + "_*.pb")),
                 key=lambda f: int(f.rsplit("_", 1)[1].split(".")[0]))
  out = []
  for f in files:
    t = onnx.TensorProto()
    with open(f, "rb") as fh:
      t.ParseFromString(fh.read())
    out.append(numpy_helper.to_array(t))
  return out


def main():
  cases, skipped = [], []
  for d in sorted(glob.glob(os.path.join(DATA, "test_*"))):
    name = os.path.basename(d)
    try:
      model = onnx.load(os.path.join(d, "model.onnx"))
    except Exception:  # pylint: disable=broad-except
      continue
    if len(model.graph.node) != 1:
      continue
    node = model.graph.node[0]
    if node.domain not in ("", "ai.onnx"):
      continue
    if node.op_type not in HANDLED:
      continue
    ins, outs = load(d, "input"), load(d, "output")
    # Optional inputs left empty ("") keep their position.
    full, it = [], iter(ins)
    for i in node.input:
      full.append(next(it) if i else None)
    try:
      kind, ip, fp, used = resolve(node.op_type, attrs(node), full, outs)
    except Skip as e:
      skipped.append("%s (%s)" % (name, e))
      continue
    tensors = [t for t in used if t is not None] + outs
    if sum(np.asarray(t).size for t in tensors) > MAX_ELEMS:
      skipped.append("%s (too large)" % name)
      continue
    dt = used[0].dtype.type if used and used[0] is not None else np.float32
    if dt not in DTYPES:
      skipped.append("%s (type %s)" % (name, np.dtype(dt).name))
      continue
    cases.append('{"%s", "%s", "%s", {%s}, {%s},\n {%s},\n {%s}},' % (
        name, kind, DTYPES[dt], ",".join(str(int(v)) for v in ip),
        ",".join(num(v) for v in fp),
        ",".join(arr(t) for t in used if t is not None),
        ",".join(arr(t) for t in outs)))
  w = sys.stdout.write
  w("// Generated by test/unit/make_ops_cases.py from ONNX %s's node test data\n"
    "// (%s). Do not edit; rerun the script.\n" % (onnx.__version__, DATA))
  for c in cases:
    w(c + "\n")
  w("// %d cases. Skipped:\n" % len(cases))
  for s in skipped:
    w("//   %s\n" % s)


if __name__ == "__main__":
  main()

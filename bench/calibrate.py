#!/usr/bin/python3
"""Fit the report's cost model to QEMU instruction counts, per target.

  bench/calibrate.py [--tempoc PATH] [--targets T ...] [--opt Os|O2]
                     [--weighting relative|absolute]
                     [--json bench/calibration.json] [--dry-run]
                     [--keep-models DIR]

Builds a fixed set of small single-op ONNX models here (onnx.helper, seeded
weights: the same onnx/numpy give the same bytes), measures each with
`tempoc measure --target T --opt Os` on every target that has a QEMU board,
and fits the six coefficients of the target description's `cost` object,

  instructions ~= macs * cycles_per_mac + elementwise_ops * cycles_per_element
                + transcendentals * cycles_per_transcendental
                + compares * cycles_per_compare
                + bytes_moved * cycles_per_byte_moved
                + kernel_calls * cycles_per_kernel_call

by non-negative least squares on the relative error (each model's row divided
by its measured count, so a 2 000-instruction softmax weighs as much as a
2 000 000-instruction conv; --weighting absolute fits raw instruction counts
instead, which lets the biggest convs decide). The work counts are the report's own
("estimate"), the same figures tempoc multiplies by the coefficients.

The coefficients are rounded to 2 significant digits and written into
targets/descriptions/T.json (every other field and the key order kept) unless
--dry-run. Targets without a QEMU board (cortex-m0plus) keep their values.
The per-model fit quality is printed and written to --json.

The fit is against instructions, not cycles (QEMU counts instructions and
models no timing): see bench/README.md for what that assumes.
"""

import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

OPSET = 17
SEED = 1234


# ---- Models ----------------------------------------------------------------------


class ModelBuilder:
    """One single-graph model: inputs, initializers, nodes, one output."""

    def __init__(self, name, rng):
        self.name, self.rng = name, rng
        self.inputs, self.inits, self.nodes = [], [], []
        self.count = 0

    def input(self, shape):
        name = "x%d" % len(self.inputs)
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        return name

    def weight(self, shape, scale=0.1, positive=False):
        v = self.rng.standard_normal(shape).astype(np.float32) * np.float32(scale)
        if positive:
            v = np.abs(v) + np.float32(0.5)
        name = "w%d" % len(self.inits)
        self.inits.append(numpy_helper.from_array(v, name))
        return name

    def const_i64(self, values):
        name = "c%d" % len(self.inits)
        self.inits.append(numpy_helper.from_array(np.array(values, np.int64), name))
        return name

    def node(self, op, inputs, **attrs):
        self.count += 1
        out = "t%d" % self.count
        self.nodes.append(helper.make_node(op, inputs, [out], name="%s_%d" % (op.lower(), self.count), **attrs))
        return out

    def finish(self, out):
        # The output's shape comes from ONNX's shape inference.
        y = helper.make_tensor_value_info(out, TensorProto.FLOAT, None)
        graph = helper.make_graph(self.nodes, self.name, self.inputs, [y], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="tempo-bench-calibrate")
        model.ir_version = 8
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        onnx.checker.check_model(model)
        return model


def conv(b, in_shape, out_c, kernel, group=1, stride=1, pad=0, bias=True):
    x = b.input(in_shape)
    in_c = in_shape[1]
    w = b.weight([out_c, in_c // group] + list(kernel))
    ins = [x, w] + ([b.weight([out_c])] if bias else [])
    nd = len(kernel)
    return b.node("Conv", ins, kernel_shape=list(kernel), group=group,
                  strides=[stride] * nd, pads=[pad] * (2 * nd))


def gemm(b, m, k, n):
    return b.node("Gemm", [b.input([m, k]), b.weight([n, k]), b.weight([n])], transB=1)


def matmul(b, a_shape, b_shape):
    return b.node("MatMul", [b.input(a_shape), b.weight(b_shape)])


def binary(b, op, shape, other_shape=None):
    x = b.input(shape)
    other = b.input(shape) if other_shape is None else b.weight(other_shape)
    return b.node(op, [x, other])


def unary(b, op, shape, **attrs):
    return b.node(op, [b.input(shape)], **attrs)


def pool(b, op, shape, kernel, stride, pad=0):
    nd = len(kernel)
    return b.node(op, [b.input(shape)], kernel_shape=list(kernel),
                  strides=[stride] * nd, pads=[pad] * (2 * nd))


def concat(b, shapes, axis):
    return b.node("Concat", [b.input(s) for s in shapes], axis=axis)


def batchnorm(b, shape):
    c = shape[1]
    return b.node("BatchNormalization", [b.input(shape), b.weight([c]), b.weight([c]),
                                         b.weight([c]), b.weight([c], positive=True)])


def relu_chain(b, shape, n):
    t = b.input(shape)
    for _ in range(n):
        t = b.node("Relu", [t])
    return t


# name -> function(builder) returning the output's name. Shapes differ from
# examples/ on purpose: the examples check the fit, they are not part of it.
MODELS = [
    ("conv1d_6x12_k3_l96", lambda b: conv(b, [1, 6, 96], 12, [3], pad=1)),
    ("conv1d_12x24_k7_l48", lambda b: conv(b, [1, 12, 48], 24, [7], pad=3)),
    ("conv1d_24x48_k3_s2_l40", lambda b: conv(b, [1, 24, 40], 48, [3], stride=2, pad=1)),
    ("conv1d_pw_16x32_l64", lambda b: conv(b, [1, 16, 64], 32, [1])),
    ("conv1d_dw_32_k5_l64", lambda b: conv(b, [1, 32, 64], 32, [5], group=32, pad=2)),
    ("conv2d_1x8_3x3_20x20", lambda b: conv(b, [1, 1, 20, 20], 8, [3, 3], pad=1)),
    ("conv2d_8x16_3x3_10x10", lambda b: conv(b, [1, 8, 10, 10], 16, [3, 3])),
    ("conv2d_8x8_5x5_s2_16x16", lambda b: conv(b, [1, 8, 16, 16], 8, [5, 5], stride=2, pad=2)),
    ("conv2d_pw_16x32_8x8", lambda b: conv(b, [1, 16, 8, 8], 32, [1, 1])),
    ("conv2d_dw_16_3x3_12x12", lambda b: conv(b, [1, 16, 12, 12], 16, [3, 3], group=16, pad=1)),
    ("gemm_1x64x32", lambda b: gemm(b, 1, 64, 32)),
    ("gemm_1x200x10", lambda b: gemm(b, 1, 200, 10)),
    ("gemm_4x48x24", lambda b: gemm(b, 4, 48, 24)),
    ("matmul_16x24x20", lambda b: matmul(b, [16, 24], [24, 20])),
    ("matmul_1x96x48", lambda b: matmul(b, [1, 96], [96, 48])),
    ("matmul_b4_8x16x8", lambda b: matmul(b, [4, 8, 16], [16, 8])),
    ("add_1x16x128", lambda b: binary(b, "Add", [1, 16, 128])),
    ("add_bias_1x16x128", lambda b: binary(b, "Add", [1, 16, 128], [1, 16, 1])),
    ("mul_1x32x40", lambda b: binary(b, "Mul", [1, 32, 40])),
    ("relu_1x16x128", lambda b: unary(b, "Relu", [1, 16, 128])),
    ("relu_1x8x16x16", lambda b: unary(b, "Relu", [1, 8, 16, 16])),
    ("relu_chain8_1x16x16", lambda b: relu_chain(b, [1, 16, 16], 8)),
    ("sigmoid_1x16x64", lambda b: unary(b, "Sigmoid", [1, 16, 64])),
    ("sigmoid_1x300", lambda b: unary(b, "Sigmoid", [1, 300])),
    ("tanh_1x16x64", lambda b: unary(b, "Tanh", [1, 16, 64])),
    ("softmax_1x10", lambda b: unary(b, "Softmax", [1, 10], axis=-1)),
    ("softmax_8x64", lambda b: unary(b, "Softmax", [8, 64], axis=-1)),
    ("softmax_1x1000", lambda b: unary(b, "Softmax", [1, 1000], axis=-1)),
    ("maxpool1d_k2s2_1x16x128", lambda b: pool(b, "MaxPool", [1, 16, 128], [2], 2)),
    ("maxpool1d_k3s1p1_1x8x100", lambda b: pool(b, "MaxPool", [1, 8, 100], [3], 1, pad=1)),
    ("maxpool2d_2x2s2_1x8x24x24", lambda b: pool(b, "MaxPool", [1, 8, 24, 24], [2, 2], 2)),
    ("avgpool1d_k4s4_1x16x128", lambda b: pool(b, "AveragePool", [1, 16, 128], [4], 4)),
    ("avgpool2d_3x3s1p1_1x4x16x16", lambda b: pool(b, "AveragePool", [1, 4, 16, 16], [3, 3], 1, pad=1)),
    ("gap_1x32x64", lambda b: unary(b, "GlobalAveragePool", [1, 32, 64])),
    ("gap_1x16x12x12", lambda b: unary(b, "GlobalAveragePool", [1, 16, 12, 12])),
    ("transpose_1x16x64", lambda b: unary(b, "Transpose", [1, 16, 64], perm=[0, 2, 1])),
    ("transpose_1x8x10x12", lambda b: unary(b, "Transpose", [1, 8, 10, 12], perm=[0, 2, 3, 1])),
    ("concat_c_2x1x16x64", lambda b: concat(b, [[1, 16, 64], [1, 16, 64]], 1)),
    ("concat_l_3x1x8x32", lambda b: concat(b, [[1, 8, 32]] * 3, 2)),
    ("batchnorm_1x16x128", lambda b: batchnorm(b, [1, 16, 128])),
    ("batchnorm_1x8x12x12", lambda b: batchnorm(b, [1, 8, 12, 12])),
]


def build_models(outdir):
    """Writes every model to outdir; returns [(name, path)] in MODELS order."""
    paths = []
    for i, (name, make) in enumerate(MODELS):
        b = ModelBuilder(name, np.random.default_rng(SEED + i))
        model = b.finish(make(b))
        path = os.path.join(outdir, name + ".onnx")
        onnx.save(model, path)
        paths.append((name, path))
    return paths


# ---- Fit -------------------------------------------------------------------------


def nnls(a, y, tol=1e-12, max_outer=100):
    """min ||a x - y|| subject to x >= 0 (Lawson and Hanson's active set
    method). Columns are scaled to unit norm first for conditioning."""
    norms = np.linalg.norm(a, axis=0)
    norms[norms == 0] = 1.0
    a = a / norms
    n = a.shape[1]
    x = np.zeros(n)
    passive = np.zeros(n, dtype=bool)
    for _ in range(max_outer):
        grad = a.T @ (y - a @ x)
        if passive.all() or grad[~passive].max() <= tol:
            break
        j = int(np.argmax(np.where(passive, -np.inf, grad)))
        passive[j] = True
        while True:
            z = np.zeros(n)
            z[passive] = np.linalg.lstsq(a[:, passive], y, rcond=None)[0]
            if (z[passive] > tol).all():
                x = z
                break
            # Step from x towards z until the first passive variable hits 0.
            neg = passive & (z <= tol)
            alpha = np.min(x[neg] / np.maximum(x[neg] - z[neg], 1e-300))
            x = x + alpha * (z - x)
            passive &= x > tol
            x[~passive] = 0.0
    return x / norms


def round_sig(v, digits=2):
    """v to `digits` significant digits; an int when that is whole."""
    if v == 0:
        return 0
    r = round(v, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return int(r) if float(r).is_integer() else r


def relative_errors(work, measured, cost):
    est = np.array([benchlib.estimate_cycles(w, cost) for w in work])
    return est, est / measured - 1.0


def calibrate_target(tempoc, target, opt, weighting, models):
    desc = benchlib.load_description(target)
    previous = dict(desc["cost"])
    work, measured = [], []
    for name, path in models:
        report = benchlib.measure(tempoc, path, target, opt, name=name)
        work.append(benchlib.work_vector(report))
        measured.append(report["measured"]["instructions"])
        sys.stderr.write("  %s %-30s %10d instructions\n" % (target, name, measured[-1]))
    a = np.array(work, dtype=float)
    y = np.array(measured, dtype=float)
    scale = y if weighting == "relative" else np.ones(len(y))
    x = nnls(a / scale[:, None], y / scale)
    fitted = {k: round_sig(v) for k, v in zip(benchlib.COST_KEYS, x)}
    est, err = relative_errors(work, y, fitted)
    _, err_before = relative_errors(work, y, previous)

    print("\n%s (-%s): %d models, %s least squares" % (target, opt, len(models), weighting))
    print("  %-30s %12s %12s %8s %8s %12s" % ("model", "measured", "estimate", "error",
                                              "before", "insns/unit"))
    rows = {}
    for (name, _), w, m, e, r, rb in zip(models, work, y, est, err, err_before):
        count, unit = benchlib.main_unit(w)
        print("  %-30s %12d %12d %+7.1f%% %+7.0f%% %7.2f per %s" % (
            name, m, round(e), 100 * r, 100 * rb, m / count, unit))
        rows[name] = {"work": dict(zip(benchlib.WORK_KEYS, w)), "instructions": int(m),
                      "estimate": int(round(e)), "relative_error": round(float(r), 4),
                      "relative_error_before": round(float(rb), 4)}
    rms = float(np.sqrt(np.mean(err ** 2)))
    worst = float(np.max(np.abs(err)))
    rms_before = float(np.sqrt(np.mean(err_before ** 2)))
    print("  fitted:   " + ", ".join("%s %s" % (k, fitted[k]) for k in benchlib.COST_KEYS))
    print("  before:   " + ", ".join("%s %s" % (k, previous[k]) for k in benchlib.COST_KEYS))
    print("  relative error: rms %.1f%%, worst %.1f%% (before: rms %.1f%%)" % (
        100 * rms, 100 * worst, 100 * rms_before))
    return {"coefficients": fitted, "coefficients_before": previous,
            "unrounded": {k: round(float(v), 6) for k, v in zip(benchlib.COST_KEYS, x)},
            "models": rows, "rms_relative_error": round(rms, 4),
            "worst_relative_error": round(worst, 4),
            "rms_relative_error_before": round(rms_before, 4)}


def write_cost(target, cost):
    """Replaces the values of the description's cost object, nothing else."""
    path = os.path.join(benchlib.DESCRIPTIONS, target + ".json")
    with open(path) as f:
        desc = json.load(f)
    for k in desc["cost"]:
        desc["cost"][k] = cost[k]
    text = json.dumps(desc, indent=2) + "\n"
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tempoc", default=benchlib.DEFAULT_TEMPOC)
    parser.add_argument("--targets", nargs="+", default=benchlib.qemu_targets(),
                        help="default: every target with a QEMU board (%(default)s)")
    parser.add_argument("--opt", default="Os", choices=["Os", "O2"],
                        help="optimisation level to calibrate at (default Os, the default build)")
    parser.add_argument("--weighting", default="relative", choices=["relative", "absolute"],
                        help="minimise squared relative errors (every model weighs the same; "
                        "default) or squared instruction differences (the biggest models decide)")
    parser.add_argument("--json", default=os.path.join(benchlib.REPO, "bench", "calibration.json"),
                        help="where to write the fit data (default %(default)s)")
    parser.add_argument("--dry-run", action="store_true",
                        help="fit and print, but leave the target descriptions alone")
    parser.add_argument("--keep-models", metavar="DIR",
                        help="write the calibration models here instead of a temporary folder")
    args = parser.parse_args()

    boards = set(benchlib.qemu_targets())
    for t in args.targets:
        if t not in boards:
            parser.error("target '%s' has no QEMU board; it cannot be calibrated here" % t)
    tempoc = os.path.abspath(args.tempoc)
    try:
        version = benchlib.tempoc_version(tempoc)
    except benchlib.BenchError as e:
        sys.stderr.write("calibrate: error: %s\n" % e)
        return 1
    digest = benchlib.tempoc_digest(tempoc)
    result = {"opt": args.opt, "tempoc_version": version, "tempoc_sha256": digest,
              "source": benchlib.source_state(),
              "fit": "non-negative least squares, %s error, instructions vs the report's work counts"
                     % args.weighting,
              "targets": {}}
    with tempfile.TemporaryDirectory(prefix="tempo-calib-") as tmp:
        outdir = args.keep_models or tmp
        os.makedirs(outdir, exist_ok=True)
        models = build_models(outdir)
        for t in args.targets:
            try:
                result["targets"][t] = calibrate_target(tempoc, t, args.opt, args.weighting, models)
            except benchlib.BenchError as e:
                sys.stderr.write("calibrate: error: %s\n" % e)
                return 1

    if benchlib.tempoc_digest(tempoc) != digest:
        sys.stderr.write("calibrate: error: %s changed during the run (rebuilt?); run again\n"
                         % tempoc)
        return 1
    for t in sorted(set(f[:-5] for f in os.listdir(benchlib.DESCRIPTIONS)
                        if f.endswith(".json")) - boards - {"host"}):
        print("\n%s: no QEMU board, cost model left as it is: %s" % (
            t, benchlib.load_description(t)["cost"]))
    if not args.dry_run:
        for t, r in result["targets"].items():
            write_cost(t, r["coefficients"])
            print("wrote %s cost -> targets/descriptions/%s.json" % (t, t))
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print("fit data -> %s" % os.path.relpath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())

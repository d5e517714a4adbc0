#!/usr/bin/python3
"""Run tempoc-generated models on an emulated Cortex-M core and compare them.

  check_qemu_e2e.py --tempoc PATH --target cortex-m4f --work DIR
      [--opt Os|O2] [--jobs N] [--summary FILE.json] [MODEL_SPEC ...]

For each model and each of its test_data_set_* folders:
  1. tempoc compile --target TARGET (graph inputs that only carry a shape,
     axes or Clip bounds are frozen from test_data_set_0, as
     test/e2e/run_node_tests.py does);
  2. tempoc run on the host: the reference evaluator, same kernel source;
  3. run_on_qemu.py: build the generated code plus test/e2e/harness.cpp for
     the target with -ffp-contract=off, run it under qemu-system-arm, count
     the instructions of NAME_run;
  4. compare every output the core wrote:
       with `tempoc run`: integers bit for bit; floats within rtol 1e-5,
         atol 1e-6, and bit for bit when the model has no op that calls libm
         (Sigmoid, Tanh and Softmax call expf/tanhf, where newlib and glibc
         may differ in the last bit; everything else is plain IEEE
         arithmetic in a fixed order, so it must agree exactly);
       with the data set's output_*.pb (ONNX's expected values): integers
         exactly, floats within rtol 1e-3, atol 1e-5.
Each float comparison reports whether it was bit-exact and the largest
difference (absolute and in units in the last place).

MODEL_SPEC is one of
  NAME        an ONNX backend node test in --node-data (test_conv, ...); it
              must be listed as `pass` in test/e2e/node_tests.txt
  DIR         a folder holding model.onnx and test_data_set_*
  FILE.onnx   a model whose test_data_set_* folders sit next to it or in
              a data/ folder next to it (examples/har/har.onnx)
Without MODEL_SPEC the default set runs: the HAR example and node tests
covering every kernel family (DEFAULT_MODELS).

Prints one line per check, then `N passed, M failed`; exit code 1 if any
check failed, 2 on a usage error. Needs /usr/bin/python3 with python3-onnx
and numpy, and what run_on_qemu.py needs.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(REPO, "test", "e2e"))
import run_node_tests as nt  # noqa: E402  (exits with a hint if onnx is missing)
import onnx  # noqa: E402

RUN_ON_QEMU = os.path.join(HERE, "run_on_qemu.py")
DEFAULT_NODE_DATA = nt.DEFAULT_DATA_DIR
DEFAULT_NODE_LIST = os.path.join(REPO, "test", "e2e", "node_tests.txt")

# The HAR example, then one or two node tests per kernel family.
DEFAULT_MODELS = [
    os.path.join(REPO, "examples", "har", "har.onnx"),
    "test_conv_with_strides_padding",              # conv
    "test_maxpool_2d_pads",                        # max_pool
    "test_averagepool_2d_pads_count_include_pad",  # average_pool
    "test_gemm_all_attributes",                    # gemm
    "test_matmul_4d",                              # matmul (batched)
    "test_softmax_axis_1",                         # softmax (expf)
    "test_transpose_all_permutations_3",           # transpose
    "test_concat_3d_axis_1",                       # concat
    "test_batchnorm_example",                      # batch_norm (sqrtf)
    "test_sigmoid",                                # sigmoid (expf)
    "test_tanh",                                   # tanh (tanhf)
    "test_add_bcast",                              # add, broadcasting path
    "test_mul_uint8",                              # mul, uint8 wrap-around
    "test_clip_default_int8_min",                  # clip, int8
    # tempo/ops.h and tempo/recurrent.h (issue 3)
    "test_erf",                                    # math (erff)
    "test_pow_types_int32_int32",                  # binary_math, integer pow
    "test_reduce_l2_keep_dims_random",             # reduce
    "test_globalmaxpool",                          # reduce max over H*W
    "test_argmax_keepdims_random_select_last_index",  # arg_reduce -> int64
    "test_logsoftmax_axis_1",                      # log_softmax
    "test_hardmax_axis_1",                         # hardmax
    "test_layer_normalization_4d_axis1",           # layer_norm, packed outputs
    "test_instancenorm_example",                   # instance_norm
    "test_slice_neg_steps",                        # strided_copy, negative step
    "test_reflect_pad",                            # strided_copy, reflect border
    "test_gather_negative_indices",                # gather
    "test_convtranspose_pads",                     # conv_transpose
    "test_lstm_with_peepholes",                    # lstm, scratch buffer
    "test_gru_with_initial_bias",                  # gru
    "test_simple_rnn_with_initial_bias",           # rnn
    "test_stft_with_window",                       # stft (twiddles, no libm)
    # issue 3: 3-D, indices, training mode, exact twiddles
    "test_averagepool_3d_default",                 # average_pool, depth axis
    "test_maxpool_with_argmax_2d_precomputed_strides",  # max_pool_with_indices
    "test_batchnorm_example_training_mode",        # batch_norm_training (sqrtf)
    "test_convtranspose_3d",                       # conv_transpose, depth axis
    "test_dft",                                    # dft, direct O(L^2) path
]

# ONNX ops whose kernels call libm's transcendental functions (expf, tanhf):
# newlib and glibc may round these differently in the last bit.
LIBM_OPS = {"Sigmoid", "Tanh", "Softmax",
            # tempo/ops.h and tempo/recurrent.h
            "Celu", "Cos", "Elu", "Erf", "Exp", "GRU", "LSTM", "Log",
            "LogSoftmax", "Pow", "ReduceLogSum", "ReduceLogSumExp", "RNN",
            "Selu", "Sin", "Softplus"}

HOST_RTOL, HOST_ATOL = 1e-5, 1e-6   # against `tempoc run`
ONNX_RTOL, ONNX_ATOL = 1e-3, 1e-5   # against the data set's expected output
TOOL_TIMEOUT = 600                  # seconds for tempoc and a whole run_on_qemu.py


class Model:
    """One model to check: where it is and what to call it."""

    def __init__(self, spec, name, onnx_path, data_dir, node_test):
        self.spec = spec
        self.name = name
        self.onnx_path = onnx_path
        self.data_dir = data_dir
        self.node_test = node_test


def c_name(stem):
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not re.match(r"[A-Za-z_]", name):
        name = "m_" + name
    # harness.o and startup.o are taken (run_on_qemu.py).
    return name + "_model" if name in ("harness", "startup") else name


def resolve(spec, node_data):
    """MODEL_SPEC -> Model, or a string saying why it cannot be used."""
    if spec.endswith(".onnx"):
        if not os.path.isfile(spec):
            return "%s: no such file" % spec
        here = os.path.dirname(os.path.abspath(spec))
        data = here
        if not nt.data_sets(Path(here)) and os.path.isdir(os.path.join(here, "data")):
            data = os.path.join(here, "data")
        stem = os.path.splitext(os.path.basename(spec))[0]
        return Model(spec, c_name(stem), os.path.abspath(spec), data, False)
    if os.sep in spec or os.path.isdir(spec):
        path = os.path.abspath(spec)
        if not os.path.isfile(os.path.join(path, "model.onnx")):
            return "%s: no model.onnx in this folder" % spec
        return Model(spec, c_name(os.path.basename(path)), os.path.join(path, "model.onnx"),
                     path, False)
    path = os.path.join(node_data, spec)
    if not os.path.isfile(os.path.join(path, "model.onnx")):
        return "%s: no such node test in %s" % (spec, node_data)
    return Model(spec, c_name(spec), os.path.join(path, "model.onnx"), path, True)


# ---- One model ----------------------------------------------------------------


class Lines:
    """The check lines of one model, printed together when it is done."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.lines = []
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        self.lines.append(("PASS " if ok else "FAIL ") + self.prefix + what +
                          ("" if ok or not detail else ": " + detail))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run(cmd, cwd=None):
    """Runs cmd; returns (exit code, stdout + stderr). Never raises for the
    command's own failures."""
    try:
        proc = subprocess.run([str(c) for c in cmd], cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True,
                              timeout=TOOL_TIMEOUT, env=nt.ENV)
        return proc.returncode, proc.stdout
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % TOOL_TIMEOUT
    except OSError as e:
        return None, "cannot run %s: %s" % (cmd[0], e.strerror)


def tail(text, lines=12):
    return "\n    ".join([""] + text.strip().splitlines()[-lines:])


def plan_inputs(model_proto, sets):
    """Splits the graph inputs into frozen ones (shape/axes/bounds operands,
    taken from the first data set) and runtime ones; returns
    (frozen [(name, pb)], runtime [index], shapes [(name, dims)], per-set
    input files) or raises ValueError."""
    inputs = nt.graph_inputs(model_proto)
    per_set = []
    for ds in sets:
        files = nt.numbered(ds, "input")
        if len(files) != len(inputs):
            raise ValueError("%s has %d inputs but the graph has %d"
                             % (ds.name, len(files), len(inputs)))
        per_set.append(files)
    freeze = set(nt.parameter_inputs(model_proto))
    frozen, runtime, shapes = [], [], []
    for k, vi in enumerate(inputs):
        if vi.name in freeze:
            first = nt.load_pb(per_set[0][k])
            if any(not nt.same_array(first, nt.load_pb(f[k])) for f in per_set[1:]):
                raise ValueError("input '%s' carries a shape/axes/bounds operand but "
                                 "differs across data sets" % vi.name)
            frozen.append((vi.name, per_set[0][k]))
            continue
        runtime.append(k)
        if nt.static_dims(vi) is None:
            shapes.append((vi.name, list(nt.load_pb(per_set[0][k]).shape)))
    return frozen, runtime, shapes, per_set


def ulps(a, b):
    """Largest distance between a and b in units in the last place (finite
    values of one float dtype)."""
    ints = {4: np.int32, 8: np.int64}[a.dtype.itemsize]
    lowest = np.iinfo(ints).min

    def ordered(x):
        i = np.ascontiguousarray(x).view(ints).astype(np.int64)
        # Sign-magnitude to two's complement order; -0 and +0 both map to 0.
        return np.where(i < 0, np.int64(lowest) - i, i).astype(np.float64)

    return int(np.max(np.abs(ordered(a) - ordered(b)))) if a.size else 0


def diff_summary(got, ref):
    """(bit-exact, max abs diff, max ulps, differing elements) of two arrays
    of the same float dtype and shape."""
    exact = got.tobytes() == ref.tobytes()
    if exact or got.size == 0:
        return True, 0.0, 0, 0
    both_nan = np.isnan(got) & np.isnan(ref)
    finite = np.isfinite(got) & np.isfinite(ref)
    differ = int(np.sum((got != ref) & ~both_nan))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    max_abs = float(np.max(np.where(finite, err, 0.0)))
    return False, max_abs, ulps(got[finite], ref[finite]), differ


def close(got, ref, rtol, atol):
    return got.shape == ref.shape and bool(
        np.all(np.isclose(got, ref, rtol=rtol, atol=atol, equal_nan=True)))


class Checker:
    def __init__(self, args, listed):
        self.args = args
        self.listed = listed  # node test -> expected status in node_tests.txt

    def check_model(self, model):
        a = self.args
        out = Lines("%s -%s %s: " % (a.target, a.opt, model.name))
        result = {"name": model.name, "spec": model.spec, "data_sets": {}}
        try:
            self.check_model_into(model, out, result)
        except Exception as e:  # a script bug: still a reported failure
            out.check(False, "checker error", "%s: %s" % (type(e).__name__, e))
        return out, result

    def check_model_into(self, model, out, result):
        a = self.args
        if model.node_test:
            status = self.listed.get(model.name)
            if not out.check(status == "pass", "listed as pass in node_tests.txt",
                             "listed as %s" % (status or "nothing")):
                return
        work = os.path.join(a.work, model.name)
        gen = os.path.join(work, "gen")
        os.makedirs(work, exist_ok=True)

        proto = onnx.load(model.onnx_path)
        ops = sorted({n.op_type for n in proto.graph.node})
        libm = sorted(LIBM_OPS.intersection(ops))
        result["ops"], result["libm_ops"] = ops, libm
        sets = nt.data_sets(Path(model.data_dir))
        if not sets:
            out.check(False, "data sets", "no test_data_set_* in " + model.data_dir)
            return
        try:
            frozen, runtime, shapes, per_set = plan_inputs(proto, sets)
        except ValueError as e:
            out.check(False, "inputs can be frozen", str(e))
            return

        extra = []
        for name, pb in frozen:
            extra += ["--freeze-input", "%s=%s" % (name, pb)]
        for name, dims in shapes:
            extra += ["--input-shape", "%s=%s" % (name, "x".join(map(str, dims)))]
        rc, text = run([a.tempoc, "compile", model.onnx_path, "-o", gen,
                        "--name", model.name, "--target", a.target] + extra)
        if not out.check(rc == 0, "tempoc compile", tail(text)):
            return

        for ds, files in zip(sets, per_set):
            result["data_sets"][ds.name] = self.check_data_set(
                model, out, libm, gen, work, ds, [files[k] for k in runtime], extra)

    def check_data_set(self, model, out, libm, gen, work, ds, inputs, extra):
        a = self.args
        record = {}
        dsdir = os.path.join(work, ds.name)
        os.makedirs(dsdir, exist_ok=True)
        ref_dir = os.path.join(dsdir, "tempoc-run")
        cmd = [a.tempoc, "run", model.onnx_path, "-o", ref_dir] + extra
        for pb in inputs:
            cmd += ["--input", pb]
        rc, text = run(cmd)
        if not out.check(rc == 0, "%s: tempoc run" % ds.name, tail(text)):
            return record
        golds = nt.numbered(ds, "output")
        refs = [nt.load_pb(Path(ref_dir) / ("output_%d.pb" % i)) for i in range(len(golds))]

        raws = []
        for i, pb in enumerate(inputs):
            raw = os.path.join(dsdir, "in_%d.bin" % i)
            with open(raw, "wb") as f:
                f.write(nt.to_raw(nt.load_pb(pb)))
            raws.append(raw)
        outs = [os.path.join(dsdir, "out_%d.bin" % i) for i in range(len(golds))]
        report = os.path.join(dsdir, "qemu.json")
        if os.path.exists(report):
            os.remove(report)
        cmd = [sys.executable, RUN_ON_QEMU, "--target", a.target, "--opt", a.opt,
               "--gen", gen, "--name", model.name, "--json", report,
               "--timeout", str(a.timeout), "--work", os.path.join(work, "build")]
        if raws:
            cmd += ["--inputs"] + raws
        cmd += ["--outputs"] + outs
        rc, text = run(cmd)
        qemu = {}
        if os.path.isfile(report):
            with open(report) as f:
                qemu = json.load(f)
        record.update({k: qemu.get(k) for k in (
            "insns", "flash_bytes", "ram_bytes", "model_flash_bytes", "model_ram_bytes",
            "inference_stack_bytes")})
        what = "%s: runs on %s (%s)" % (ds.name, a.target, qemu.get("qemu_machine", "?"))
        if rc == 0:
            what += ", %s instructions" % qemu.get("insns")
        if not out.check(rc == 0, what, "run_on_qemu.py exit %s%s" % (rc, tail(text))):
            return record

        record["outputs"] = []
        for i, (gold_pb, ref, path) in enumerate(zip(golds, refs, outs)):
            record["outputs"].append(self.compare_output(
                out, "%s output %d" % (ds.name, i), libm, nt.load_pb(gold_pb), ref, path))
        return record

    def compare_output(self, out, what, libm, gold, ref, path):
        data = open(path, "rb").read() if os.path.isfile(path) else b""
        want = ref.size * ref.dtype.itemsize
        what += " %s%s" % (ref.dtype, list(ref.shape))
        if len(data) != want:
            out.check(False, what, "the core wrote %d bytes, tempoc run %d" % (len(data), want))
            return {}
        got = nt.from_raw(data, ref.dtype, list(ref.shape))
        if ref.dtype.kind not in "fc":
            exact = got.tobytes() == ref.tobytes()
            out.check(exact, what + ": equals tempoc run bit for bit",
                      "%d elements differ" % int(np.sum(got != ref)))
            msg = nt.compare(got, gold, "expected output")
            out.check(msg is None, what + ": equals the ONNX expected output", msg or "")
            return {"dtype": str(ref.dtype), "bit_exact": exact}

        exact, max_abs, max_ulps, differ = diff_summary(got, ref)
        if exact:
            how = "bit-exact"
        else:
            how = "not bit-exact: %d/%d elements differ, max abs diff %.3g (%d ulp)" % (
                differ, ref.size, max_abs, max_ulps)
        if libm:
            out.check(close(got, ref, HOST_RTOL, HOST_ATOL),
                      "%s: within rtol %g atol %g of tempoc run (%s calls libm), %s" % (
                          what, HOST_RTOL, HOST_ATOL, "/".join(libm), how))
        else:
            out.check(exact, what + ": equals tempoc run bit for bit (no libm op)", how)
        msg = nt.compare(got, gold, "expected output")
        gold_diff = float(np.max(np.abs(got.astype(np.float64) - gold))) \
            if got.shape == gold.shape and got.size else 0.0
        out.check(close(got, gold, ONNX_RTOL, ONNX_ATOL),
                  "%s: within rtol %g atol %g of the ONNX expected output "
                  "(max abs diff %.3g)" % (what, ONNX_RTOL, ONNX_ATOL, gold_diff), msg or "")
        return {"dtype": str(ref.dtype), "bit_exact": exact, "max_abs_diff": max_abs,
                "max_ulps": max_ulps, "max_abs_diff_onnx": gold_diff}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tempoc", required=True, help="the tempoc binary")
    parser.add_argument("--target", required=True,
                        help="a target description with a QEMU board (cortex-m4f, "
                             "cortex-m7, cortex-m33, cortex-m55)")
    parser.add_argument("--work", required=True,
                        help="scratch directory; WORK/<model>/ keeps the generated "
                             "code, the build, inputs and outputs")
    parser.add_argument("--opt", default="Os", choices=["Os", "O2"])
    parser.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1),
                        help="models checked in parallel (default 2)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds before a QEMU run is killed (default 60)")
    parser.add_argument("--node-data", default=DEFAULT_NODE_DATA,
                        help="ONNX node test folder (default %s)" % DEFAULT_NODE_DATA)
    parser.add_argument("--node-list", default=DEFAULT_NODE_LIST,
                        help="test/e2e/node_tests.txt")
    parser.add_argument("--summary", help="write per-model results (instruction counts, "
                                          "differences) here as JSON")
    parser.add_argument("models", nargs="*", metavar="MODEL_SPEC")
    args = parser.parse_args()

    args.tempoc = os.path.abspath(args.tempoc)
    if not os.path.isfile(args.tempoc):
        parser.error("--tempoc %s: no such file" % args.tempoc)
    desc = os.path.join(REPO, "targets", "descriptions", args.target + ".json")
    if not os.path.isfile(desc):
        parser.error("--target %s: no targets/descriptions/%s.json" % (args.target, args.target))
    with open(desc) as f:
        if not json.load(f).get("qemu_machine"):
            parser.error("--target %s: no QEMU board (qemu_machine is null in %s)"
                         % (args.target, desc))
    args.work = os.path.abspath(args.work)
    if " " in args.work:
        parser.error("--work %s: QEMU semihosting cannot pass paths with spaces" % args.work)
    os.makedirs(args.work, exist_ok=True)
    listed = {}
    if os.path.isfile(args.node_list):
        listed = {e.name: e.expected for e in nt.read_list(Path(args.node_list)).entries}

    models = []
    for spec in args.models or DEFAULT_MODELS:
        m = resolve(spec, args.node_data)
        if isinstance(m, str):
            parser.error(m)
        if any(o.name == m.name for o in models):
            parser.error("two models are named '%s'" % m.name)
        models.append(m)

    checker = Checker(args, listed)
    passed = failed = 0
    summary = {"target": args.target, "opt": args.opt, "models": []}
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for lines, result in pool.map(checker.check_model, models):
            print("\n".join(lines.lines), flush=True)
            passed += lines.passed
            failed += lines.failed
            summary["models"].append(result)
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

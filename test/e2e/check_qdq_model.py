#!/usr/bin/python3
"""End-to-end check of a model in QDQ form compiled WITHOUT --quantize.

  1. compiles the model twice (no --quantize, no calibration) and requires
     byte-identical outputs, int8 inputs and outputs carrying the model's own
     scale and zero point in the report, and integer kernels only on the
     int8 path of NAME_run;
  2. builds the generated code with the harness under every compiler with
     -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti (and
     arm-none-eabi-g++, compile only, if present);
  3. on WINDOWS (a .npy of model inputs) quantizes each input as
     NAME_set_input_f32 does and compares the build's int8 output with
     `tempoc run` on the same input: identical bytes;
  4. runs the QDQ model in onnxruntime (test/golden: graph optimizations
     off, so every QuantizeLinear / DequantizeLinear / float op runs as ONNX
     defines it), turns its float output back into the int8 steps of the
     output's scale and zero point, and compares with Tempo's int8 output:
     at most --max-lsb LSB apart everywhere, at most --max-mismatch of the
     elements differing at all (the count is printed), and the argmax
     agreeing on at least --min-argmax of the windows.
Prints one line per check and ends with 'N passed, M failed'.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

STRICT = ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-fno-rtti"]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def quantize(x, scale, zp, lo, hi):
    """As tempo::quantize_linear (and ONNX QuantizeLinear): x / scale in
    float32, rounded half to even, plus the zero point, saturated."""
    q = np.rint(np.float32(x) / np.float32(scale)).astype(np.int64) + zp
    return np.clip(q, lo, hi)


def batched(model_path, n, out_path):
    """The model with a batch of n (for one onnxruntime call)."""
    m = onnx.load(model_path)
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_value = n
    onnx.save(m, out_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tempoc", required=True)
    ap.add_argument("--runtime-include", required=True)
    ap.add_argument("--harness", required=True)
    ap.add_argument("--ort", required=True, help="test/golden/ort_golden.py")
    ap.add_argument("--model", required=True)
    ap.add_argument("--make-model", help="a script writing the model into --work first")
    ap.add_argument("--windows", required=True, help=".npy of inputs [N, *input shape]")
    ap.add_argument("--count", type=int, default=48, help="windows compared (evenly spaced)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--max-lsb", type=int, default=1)
    ap.add_argument("--max-mismatch", type=float, default=0.02,
                    help="largest fraction of output elements that may differ (by 1 LSB)")
    ap.add_argument("--min-argmax", type=float, default=0.98)
    ap.add_argument("--cxx", nargs="*", default=["g++", "clang++"])
    a = ap.parse_args()
    c = Checks()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    if a.make_model:
        r = run([sys.executable, a.make_model, a.work])
        if not c.check(r.returncode == 0, "make the QDQ model", r.stderr[-2000:]):
            return 1
    model = a.model if os.path.isabs(a.model) else os.path.join(a.work, a.model)
    windows_path = a.windows if os.path.isabs(a.windows) else os.path.join(a.work, a.windows)

    gen, gen2 = os.path.join(a.work, "gen"), os.path.join(a.work, "gen2")
    r1 = run([a.tempoc, "compile", model, "-o", gen, "--name", a.name, "--report"])
    r2 = run([a.tempoc, "compile", model, "-o", gen2, "--name", a.name, "--report"])
    if not c.check(r1.returncode == 0 and r2.returncode == 0,
                   "compile the QDQ model without --quantize", (r1.stderr + r2.stderr)[-2000:]):
        return 1
    if r1.stderr.strip():
        print("INFO tempoc: " + r1.stderr.strip())
    files = sorted(os.listdir(gen))
    c.check(files == sorted(os.listdir(gen2)) and all(
        filecmp.cmp(os.path.join(gen, f), os.path.join(gen2, f), shallow=False) for f in files),
        "two compiles give byte-identical files")
    report = json.load(open(os.path.join(gen, a.name + ".report.json")))
    io_in, io_out = report["inputs"], report["outputs"]
    c.check(len(io_in) == 1 and len(io_out) == 1 and
            all("scale" in t and "i8:f32" in t["type"] for t in io_in + io_out),
            "the model's input and output are int8 with scale and zero point in the report",
            json.dumps(io_in + io_out)[:500])
    print("INFO arena %d bytes, weights + tables %d bytes"
          % (report["memory"]["arena_bytes"], report["memory"]["weight_bytes"]))
    src = open(os.path.join(gen, a.name + ".cpp")).read()
    body = src[src.index(a.name + "_run("):src.index(a.name + "_input(")]
    calls = [l.strip() for l in body.splitlines() if l.strip().startswith("tempo::")]
    floaty = [l for l in calls if "float" in l or ("_s8" not in l and "int8_t>" not in l)]
    c.check(calls and not floaty, "the int8 path calls integer kernels only",
            "; ".join(floaty)[:300])

    exes = {}
    for cxx in a.cxx:
        if not shutil.which(cxx):
            continue
        exe = os.path.join(a.work, "harness-" + cxx)
        r = run([cxx, *STRICT, "-I", a.runtime_include, "-I", gen, "-DTEMPO_MODEL=" + a.name,
                 "-DTEMPO_MODEL_HEADER=\"%s.h\"" % a.name, a.harness,
                 os.path.join(gen, a.name + ".cpp"), "-o", exe])
        if c.check(r.returncode == 0, "build with %s %s" % (cxx, " ".join(STRICT)), r.stderr[-2000:]):
            exes[cxx] = exe
    if shutil.which("arm-none-eabi-g++"):
        r = run(["arm-none-eabi-g++", *STRICT, "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
                 "-mfpu=fpv4-sp-d16", "-I", a.runtime_include, "-c",
                 os.path.join(gen, a.name + ".cpp"), "-o", os.path.join(a.work, "arm.o")])
        c.check(r.returncode == 0, "build with arm-none-eabi-g++ (Cortex-M4F) " + " ".join(STRICT),
                r.stderr[-2000:])

    all_windows = np.load(windows_path).astype(np.float32)
    idx = np.linspace(0, len(all_windows) - 1, min(a.count, len(all_windows))).astype(int)
    shape = [d.dim_value for d in onnx.load(model).graph.input[0].type.tensor_type.shape.dim]
    windows = all_windows[idx].reshape(len(idx), *shape)
    in_t, out_t = io_in[0], io_out[0]
    in_lo, in_hi = (0, 255) if "u8:" in in_t["type"] else (-128, 127)
    out_u8 = "u8:" in out_t["type"]
    out_dtype = np.uint8 if out_u8 else np.int8
    tempo_out, mismatches = [], []
    for k, x in enumerate(windows):
        pb = os.path.join(a.work, "w%d.pb" % k)
        with open(pb, "wb") as f:
            f.write(numpy_helper.from_array(x, in_t["name"]).SerializeToString())
        raw = os.path.join(a.work, "w%d.bin" % k)
        quantize(x, in_t["scale"], in_t["zero_point"], in_lo, in_hi).astype(
            np.uint8 if in_lo == 0 else np.int8).tofile(raw)
        rdir = os.path.join(a.work, "run%d" % k)
        r = run([a.tempoc, "run", model, "--input", pb, "-o", rdir])
        if r.returncode != 0:
            mismatches.append("tempoc run %d: %s" % (k, r.stderr[-300:]))
            tempo_out.append(None)
            continue
        want = numpy_helper.to_array(onnx.load_tensor(os.path.join(rdir, "output_0.pb")))
        tempo_out.append(want.astype(np.int64))
        for cxx, exe in exes.items():
            out = os.path.join(a.work, "o%d-%s.bin" % (k, cxx))
            r = run([exe, raw, "-o", out])
            got = np.fromfile(out, dtype=out_dtype) if r.returncode == 0 else None
            if got is None or got.tobytes() != want.astype(out_dtype).tobytes():
                mismatches.append("window %d %s: got %s want %s" % (k, cxx, got, want.ravel()))
    c.check(not mismatches and exes,
            "generated int8 code == tempoc run, bit for bit, on %d windows x %d builds"
            % (len(windows), len(exes)), "; ".join(mismatches)[:1500])

    # onnxruntime on the same windows, in one batched call.
    bmodel = os.path.join(a.work, "batched.onnx")
    batched(model, len(windows), bmodel)
    bpb = os.path.join(a.work, "batch.pb")
    with open(bpb, "wb") as f:
        f.write(numpy_helper.from_array(
            windows.reshape(len(windows), *shape[1:]), in_t["name"]).SerializeToString())
    gold = os.path.join(a.work, "ort")
    r = run([sys.executable, a.ort, bmodel, gold, bpb])
    if not c.check(r.returncode == 0, "onnxruntime runs the QDQ model", r.stderr[-2000:]):
        print("%d passed, %d failed" % (c.passed, c.failed))
        return 1
    ort = numpy_helper.to_array(onnx.load_tensor(os.path.join(gold, "output_0.pb")))
    # ORT's output is DequantizeLinear's: (q - zp) * scale, so q comes back exactly.
    s, zp = np.float32(out_t["scale"]), out_t["zero_point"]
    ort_q = np.rint(ort.astype(np.float64) / np.float64(s)).astype(np.int64) + zp
    tempo = np.stack([t.reshape(ort_q.shape[1:]) if t is not None else np.full(ort_q.shape[1:], 10**6)
                      for t in tempo_out])
    diff = np.abs(tempo - ort_q)
    n_diff, n = int((diff != 0).sum()), diff.size
    agree = int((tempo.reshape(len(windows), -1).argmax(1)
                 == ort_q.reshape(len(windows), -1).argmax(1)).sum())
    print("INFO vs onnxruntime: %d of %d output elements differ (%.2f%%), max %d LSB"
          % (n_diff, n, 100.0 * n_diff / n, int(diff.max())))
    c.check(agree >= a.min_argmax * len(windows),
            "argmax agrees with onnxruntime on %d of %d windows (>= %.0f%%)"
            % (agree, len(windows), 100 * a.min_argmax))
    c.check(int(diff.max()) <= a.max_lsb,
            "int8 output within %d LSB of onnxruntime on %d windows" % (a.max_lsb, len(windows)),
            "max %d LSB" % int(diff.max()))
    c.check(n_diff <= a.max_mismatch * n,
            "at most %.1f%% of the output elements differ from onnxruntime (%d of %d)"
            % (100 * a.max_mismatch, n_diff, n))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())

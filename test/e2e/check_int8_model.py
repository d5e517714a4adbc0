#!/usr/bin/python3
"""End-to-end check of one model quantized with tempoc --quantize=int8.

  1. makes calibration and held-out data with the example's own script;
  2. compiles with --quantize=int8 --calibration CAL --validation HELD twice,
     with each calibration method, and requires byte-identical outputs;
  3. reads NAME.accuracy.json: the final output's SQNR against the float
     model must be at least --min-sqnr dB and the argmax must agree on at
     least --min-argmax of the held-out windows;
  4. builds the generated code with the harness under every compiler with
     -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti, and checks
     that no float arithmetic is needed on the int8 path (the kernels of the
     generated NAME_run come from tempo/quant.h);
  5. runs the build on the data sets and on held-out windows (inputs
     quantized with the scale and zero point of the report) and compares its
     int8 outputs with `tempoc run` on the same model: identical bytes;
  6. checks the int8 arena and weights against the float compile (the
     benchmark's figures, printed; --max-arena-ratio is asserted).
Prints one line per check and ends with 'N passed, M failed'.
"""
import argparse
import filecmp
import glob
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tempoc", required=True)
    ap.add_argument("--runtime-include", required=True)
    ap.add_argument("--harness", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="folder of test_data_set_* folders")
    ap.add_argument("--make-data", required=True, help="script writing calibration.npy, heldout.npy")
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--min-sqnr", type=float, default=30.0)
    ap.add_argument("--min-argmax", type=float, default=0.98)
    ap.add_argument("--max-arena-ratio", type=float, default=0.3)
    ap.add_argument("--bitexact-windows", type=int, default=24)
    ap.add_argument("--cxx", nargs="*", default=["g++", "clang++"])
    a = ap.parse_args()
    c = Checks()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    r = run([sys.executable, a.make_data, data])
    if not c.check(r.returncode == 0, "make calibration data", r.stderr[-2000:]):
        return 1
    cal = os.path.join(data, "calibration.npy")
    held = os.path.join(data, "heldout.npy")

    def compile_to(out, method="minmax", extra=()):
        return run([a.tempoc, "compile", a.model, "-o", out, "--name", a.name, "--report",
                    "--quantize=int8", "--calibration", cal, "--validation", held,
                    "--calibration-method", method, *extra])

    gen = os.path.join(a.work, "gen")
    for method in ("minmax", "percentile", "mse"):
        d1, d2 = os.path.join(a.work, method + "1"), os.path.join(a.work, method + "2")
        r1, r2 = compile_to(d1, method), compile_to(d2, method)
        ok = r1.returncode == 0 and r2.returncode == 0
        if not c.check(ok, "compile --quantize=int8 --calibration-method " + method,
                       (r1.stderr + r2.stderr)[-2000:]):
            return 1
        files = sorted(os.listdir(d1))
        same = files == sorted(os.listdir(d2)) and all(
            filecmp.cmp(os.path.join(d1, f), os.path.join(d2, f), shallow=False) for f in files)
        c.check(same, method + ": two compiles give byte-identical files", str(files))
        acc = json.load(open(os.path.join(d1, a.name + ".accuracy.json")))
        out = acc["outputs"][0]
        c.check(out["sqnr_db"] >= a.min_sqnr,
                "%s: output SQNR %.2f dB >= %.1f dB" % (method, out["sqnr_db"], a.min_sqnr))
        agree = out.get("argmax_agreement", 0.0)
        c.check(agree >= a.min_argmax and acc["validation_samples"] >= 100,
                "%s: argmax agrees on %.1f%% of %d held-out windows (>= %.0f%%)"
                % (method, 100 * agree, acc["validation_samples"], 100 * a.min_argmax))
        layers = acc["layers"]
        c.check(all(layers[i]["sqnr_db"] <= layers[i + 1]["sqnr_db"] for i in range(len(layers) - 1)),
                method + ": accuracy report lists the worst layer first")
        if method == "minmax":
            shutil.copytree(d1, gen)

    report = json.load(open(os.path.join(gen, a.name + ".report.json")))
    io_in, io_out = report["inputs"], report["outputs"]
    c.check(all("scale" in t and t["type"].count("i8:f32") for t in io_in + io_out),
            "int8 inputs and outputs carry scale and zero point in the report")

    # Float reference compile for the ratios.
    fdir = os.path.join(a.work, "float")
    r = run([a.tempoc, "compile", a.model, "-o", fdir, "--name", a.name, "--report"])
    if c.check(r.returncode == 0, "float compile", r.stderr[-2000:]):
        frep = json.load(open(os.path.join(fdir, a.name + ".report.json")))
        fa, qa = frep["memory"]["arena_bytes"], report["memory"]["arena_bytes"]
        fw, qw = frep["memory"]["weight_bytes"], report["memory"]["weight_bytes"]
        print("INFO arena %d -> %d bytes (%.3fx), weights + tables %d -> %d bytes (%.3fx)"
              % (fa, qa, qa / fa, fw, qw, qw / fw))
        c.check(qa <= a.max_arena_ratio * fa,
                "int8 arena %d <= %.2fx float arena %d" % (qa, a.max_arena_ratio, fa))

    # No float arithmetic on the int8 path: every kernel NAME_run calls is an
    # integer one (quant.h's *_s8, or data movement on int8_t).
    src = open(os.path.join(gen, a.name + ".cpp")).read()
    body = src[src.index(a.name + "_run("):src.index(a.name + "_input(")]
    calls = [l.strip() for l in body.splitlines() if l.strip().startswith("tempo::")]
    floaty = [l for l in calls if "float" in l or ("_s8" not in l and "<int8_t>" not in l)]
    c.check(calls and not floaty, "the int8 path calls integer kernels only", "; ".join(floaty)[:300])

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

    # Inputs: the data sets, then held-out windows.
    windows = []
    for d in sorted(glob.glob(os.path.join(a.data, "test_data_set_*"))):
        windows.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "input_0.pb"))))
    heldout = np.load(held)
    windows += [heldout[i] for i in range(0, len(heldout), max(1, len(heldout) // a.bitexact_windows))]
    scale, zp = np.float32(io_in[0]["scale"]), io_in[0]["zero_point"]
    mismatches = []
    for k, x in enumerate(windows):
        x = np.asarray(x, dtype=np.float32)
        pb = os.path.join(a.work, "w%d.pb" % k)
        with open(pb, "wb") as f:
            f.write(numpy_helper.from_array(x, io_in[0]["name"]).SerializeToString())
        q = np.clip(np.round(x / scale) + zp, -128, 127).astype(np.int8)
        raw = os.path.join(a.work, "w%d.bin" % k)
        q.tofile(raw)
        rdir = os.path.join(a.work, "run%d" % k)
        r = run([a.tempoc, "run", a.model, "--quantize=int8", "--calibration", cal,
                 "--input", pb, "-o", rdir])
        if r.returncode != 0:
            mismatches.append("tempoc run %d: %s" % (k, r.stderr[-300:]))
            continue
        want = numpy_helper.to_array(onnx.load_tensor(os.path.join(rdir, "output_0.pb")))
        for cxx, exe in exes.items():
            out = os.path.join(a.work, "o%d-%s.bin" % (k, cxx))
            r = run([exe, raw, "-o", out])
            got = np.fromfile(out, dtype=np.int8) if r.returncode == 0 else None
            if got is None or got.tobytes() != want.astype(np.int8).tobytes():
                mismatches.append("window %d %s: got %s want %s" % (k, cxx, got, want.ravel()))
    c.check(not mismatches and exes,
            "generated int8 code == tempoc run, bit for bit, on %d windows x %d builds"
            % (len(windows), len(exes)), "; ".join(mismatches)[:1500])
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())

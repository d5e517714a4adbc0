#!/usr/bin/python3
"""End-to-end check of one model compiled with tempoc's mixed precisions.

For each mode
  int8-weights      --quantize=int8-weights (no calibration; report on the
                    held-out data)
  int8+w8:NODES     --quantize=int8 --int8-weights=NODES
  int8+int16:NODES  --quantize=int8 --int16=NODES
this script
  1. compiles twice and requires byte-identical files;
  2. reads NAME.accuracy.json: the output's SQNR against the float model is
     at least --min-sqnr dB, the argmax agrees on at least --min-argmax of the
     held-out windows, the named layers report the chosen precision, and (per
     layer) a layer in int16 or with int8 weights has a higher SQNR than the
     same layer in the plain int8 compile;
  3. checks flash (weights + tables) and arena against the float and int8
     compiles (printed as INFO lines, the figures of bench/RESULTS.md);
  4. builds the generated code with the harness under g++ and clang++ with
     -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti
     -ffp-contract=off, and for Cortex-M4F with arm-none-eabi-g++ -c;
  5. runs the builds on the data sets and on held-out windows and compares
     their outputs with `tempoc run` on the same model: identical bytes.
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

STRICT = ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-fno-rtti",
          "-ffp-contract=off"]
ARM = ["arm-none-eabi-g++", "-std=c++17", "-Os", "-Wall", "-Wextra", "-Werror", "-fno-exceptions",
       "-fno-rtti", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]


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
    ap.add_argument("--int8-weights", required=True, help="NODE,... for the per-layer int8-weights mode")
    ap.add_argument("--int16", required=True, help="NODE,... for the per-layer int16 mode")
    ap.add_argument("--min-sqnr", type=float, default=30.0)
    ap.add_argument("--min-argmax", type=float, default=0.98)
    ap.add_argument("--max-weight-ratio", type=float, default=0.3,
                    help="int8-weights flash over float flash")
    ap.add_argument("--bitexact-windows", type=int, default=12)
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

    int8 = ["--quantize=int8", "--calibration", cal]
    modes = [
        ("int8-weights", ["--quantize=int8-weights"], {}),
        ("int8+w8:" + a.int8_weights, int8 + ["--int8-weights=" + a.int8_weights],
         {n: "int8-weights" for n in a.int8_weights.split(",")}),
        ("int8+int16:" + a.int16, int8 + ["--int16=" + a.int16],
         {n: "int16" for n in a.int16.split(",")}),
    ]

    def compile_to(out, flags, validation=True):
        return run([a.tempoc, "compile", a.model, "-o", out, "--name", a.name, "--report", *flags,
                    *(["--validation", held] if validation else [])])

    # References: float and plain int8.
    refs = {}
    for label, flags, validation in (("float", [], False), ("int8", int8, True)):
        d = os.path.join(a.work, label)
        r = compile_to(d, flags, validation)
        if not c.check(r.returncode == 0, "compile " + label, r.stderr[-2000:]):
            return 1
        refs[label] = json.load(open(os.path.join(d, a.name + ".report.json")))["memory"]
        if label == "int8":
            acc8 = json.load(open(os.path.join(d, a.name + ".accuracy.json")))
    sqnr8 = {l["name"]: l["sqnr_db"] for l in acc8["layers"]}

    def layer_has(layer_name, node):
        return node in layer_name.split("+")

    for label, flags, precisions in modes:
        d1, d2 = os.path.join(a.work, label.replace(":", "_") + "1"), \
            os.path.join(a.work, label.replace(":", "_") + "2")
        r1, r2 = compile_to(d1, flags), compile_to(d2, flags)
        if not c.check(r1.returncode == 0 and r2.returncode == 0, "compile " + label,
                       (r1.stderr + r2.stderr)[-2000:]):
            continue
        files = sorted(os.listdir(d1))
        same = files == sorted(os.listdir(d2)) and all(
            filecmp.cmp(os.path.join(d1, f), os.path.join(d2, f), shallow=False) for f in files)
        c.check(same, label + ": two compiles give byte-identical files", str(files))

        acc = json.load(open(os.path.join(d1, a.name + ".accuracy.json")))
        out = acc["outputs"][0]
        c.check(out["sqnr_db"] >= a.min_sqnr,
                "%s: output SQNR %.2f dB >= %.1f dB" % (label, out["sqnr_db"], a.min_sqnr))
        agree = out.get("argmax_agreement", 0.0)
        c.check(agree >= a.min_argmax and acc["validation_samples"] >= 100,
                "%s: argmax agrees on %.1f%% of %d held-out windows (>= %.0f%%)"
                % (label, 100 * agree, acc["validation_samples"], 100 * a.min_argmax))
        layers = acc["layers"]
        if label == "int8-weights":
            want = all(l["precision"] in ("int8-weights", "float") for l in layers) and any(
                l["precision"] == "int8-weights" for l in layers)
            c.check(want and acc["quantize"] == "int8-weights" and acc["calibration_samples"] == 0,
                    label + ": every layer float or int8-weights, no calibration",
                    json.dumps(acc["layer_precisions"]))
        for node, precision in precisions.items():
            mine = [l for l in layers if layer_has(l["name"], node)]
            ok = len(mine) == 1 and mine[0]["precision"] == precision
            if not c.check(ok, "%s: layer %s reports precision %s" % (label, node, precision),
                           json.dumps(mine)):
                continue
            before = sqnr8.get(mine[0]["name"])
            c.check(before is not None and mine[0]["sqnr_db"] > before,
                    "%s: layer %s SQNR %.2f dB > %.2f dB in the int8 compile"
                    % (label, mine[0]["name"], mine[0]["sqnr_db"], before or 0))
        c.check(all(layers[i]["sqnr_db"] <= layers[i + 1]["sqnr_db"] for i in range(len(layers) - 1)),
                label + ": accuracy report lists the worst layer first")

        mem = json.load(open(os.path.join(d1, a.name + ".report.json")))["memory"]
        fw, qw = refs["float"]["weight_bytes"], mem["weight_bytes"]
        fa, qa = refs["float"]["arena_bytes"], mem["arena_bytes"]
        print("INFO %s: weights + tables %d bytes (float %d, %.3fx; int8 %d), arena %d bytes "
              "(float %d, int8 %d); output SQNR %.2f dB"
              % (label, qw, fw, qw / fw, refs["int8"]["weight_bytes"], qa, fa,
                 refs["int8"]["arena_bytes"], out["sqnr_db"]))
        if label == "int8-weights":
            c.check(qw <= a.max_weight_ratio * fw,
                    "%s: weights + scale tables %d <= %.2fx float weights %d"
                    % (label, qw, a.max_weight_ratio, fw))
            c.check(qa == fa, "%s: arena %d == float arena %d (float activations)" % (label, qa, fa))
        else:
            c.check(qa <= fa, "%s: arena %d <= float arena %d" % (label, qa, fa))

        src = open(os.path.join(d1, a.name + ".cpp")).read()
        kernel = "_a16(" if "int16" in label else "_w8("
        c.check(kernel in src and '#include "tempo/mixed.h"' in src,
                "%s: the generated code calls the tempo/mixed.h kernels (*%s)" % (label, kernel[:-1]))

        exes = []
        for cxx in a.cxx:
            if not shutil.which(cxx):
                continue
            exe = os.path.join(a.work, "harness-%s-%s" % (label.replace(":", "_"), cxx))
            r = run([cxx, *STRICT, "-I", a.runtime_include, "-I", d1, "-DTEMPO_MODEL=" + a.name,
                     "-DTEMPO_MODEL_HEADER=\"%s.h\"" % a.name, a.harness,
                     os.path.join(d1, a.name + ".cpp"), "-o", exe])
            if c.check(r.returncode == 0, "%s: build with %s %s" % (label, cxx, " ".join(STRICT)),
                       r.stderr[-2000:]):
                exes.append(exe)
        if shutil.which(ARM[0]):
            r = run([*ARM, "-I", a.runtime_include, "-I", d1, "-c",
                     os.path.join(d1, a.name + ".cpp"), "-o", os.path.join(a.work, "arm.o")])
            c.check(r.returncode == 0, "%s: arm-none-eabi-g++ (Cortex-M4F) compiles it warning-free"
                    % label, r.stderr[-2000:])

        report = json.load(open(os.path.join(d1, a.name + ".report.json")))
        io_in = report["inputs"][0]
        windows = []
        for d in sorted(glob.glob(os.path.join(a.data, "test_data_set_*"))):
            windows.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "input_0.pb"))))
        heldout = np.load(held)
        windows += [heldout[i] for i in range(0, len(heldout), max(1, len(heldout) // a.bitexact_windows))]
        mismatches = []
        for k, x in enumerate(windows):
            x = np.asarray(x, dtype=np.float32)
            pb = os.path.join(a.work, "w%d.pb" % k)
            with open(pb, "wb") as f:
                f.write(numpy_helper.from_array(x, io_in["name"]).SerializeToString())
            raw = os.path.join(a.work, "w%d.bin" % k)
            if "i8:f32" in io_in["type"]:
                scale, zp = np.float32(io_in["scale"]), io_in["zero_point"]
                np.clip(np.round(x / scale) + zp, -128, 127).astype(np.int8).tofile(raw)
            else:
                x.tofile(raw)
            rdir = os.path.join(a.work, "run%d" % k)
            shutil.rmtree(rdir, ignore_errors=True)
            r = run([a.tempoc, "run", a.model, *flags, "--input", pb, "-o", rdir])
            if r.returncode != 0:
                mismatches.append("tempoc run %d: %s" % (k, r.stderr[-300:]))
                continue
            want = numpy_helper.to_array(onnx.load_tensor(os.path.join(rdir, "output_0.pb"))).tobytes()
            for exe in exes:
                o = exe + ".out%d" % k
                r = run([exe, raw, "-o", o])
                got = open(o, "rb").read() if r.returncode == 0 else None
                if got != want:
                    mismatches.append("window %d %s" % (k, os.path.basename(exe)))
        c.check(not mismatches and exes,
                "%s: generated code == tempoc run, bit for bit, on %d windows x %d builds"
                % (label, len(windows), len(exes)), "; ".join(mismatches)[:1500])
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())

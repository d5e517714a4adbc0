#!/usr/bin/env python3
"""End-to-end check of one model: tempoc -> generated C++ -> built -> run.

For MODEL and its data sets (ONNX test_data_set_* folders):
  1. compiles it twice with tempoc and requires byte-identical files;
  2. builds the generated code with the harness under every given compiler
     with -std=c++17 -Wall -Wextra -Werror -fno-exceptions -fno-rtti;
  3. optionally compiles it for a Cortex-M4F with arm-none-eabi-g++ -c;
  4. runs each build on every data set and compares the outputs with
     (a) goldens made now by onnxruntime (test/golden/ort_golden.py), or the
         data set's own output_*.pb: rtol 1e-3, atol 1e-5; and
     (b) `tempoc run` on the same inputs: bit for bit, since both run the
         same kernel source.
Prints one line per check and ends with 'N passed, M failed'.
"""
import argparse
import filecmp
import glob
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
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tempoc", required=True)
    ap.add_argument("--runtime-include", required=True)
    ap.add_argument("--harness", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="folder of test_data_set_* folders")
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", default="model")
    ap.add_argument("--cxx", action="append", default=[], help="host compilers (default g++, clang++)")
    ap.add_argument("--arm", action="store_true", help="also compile for Cortex-M4F")
    ap.add_argument("--ort", help="test/golden/ort_golden.py: make goldens with onnxruntime now")
    args = ap.parse_args()
    cxxs = args.cxx or ["g++", "clang++"]
    checks = Checks()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)

    # 1. Determinism: two compilations, byte-identical output.
    gen = [os.path.join(args.work, "gen%d" % i) for i in (1, 2)]
    for g in gen:
        r = run([args.tempoc, "compile", args.model, "-o", g, "--name", args.name])
        if not checks.check(r.returncode == 0, "tempoc compile " + args.model, r.stderr.strip()):
            return report(checks)
    same = all(filecmp.cmp(os.path.join(gen[0], args.name + ext), os.path.join(gen[1], args.name + ext),
                           shallow=False) for ext in (".h", ".cpp"))
    checks.check(same, "two compilations give byte-identical %s.h and %s.cpp" % (args.name, args.name))

    # 2./3. Builds.
    binaries = {}
    for cxx in cxxs:
        exe = os.path.join(args.work, "run-" + os.path.basename(cxx))
        r = run([cxx] + STRICT + ["-I", args.runtime_include, "-I", gen[0],
                                  "-DTEMPO_MODEL=" + args.name,
                                  '-DTEMPO_MODEL_HEADER="%s.h"' % args.name,
                                  args.harness, os.path.join(gen[0], args.name + ".cpp"), "-o", exe])
        if checks.check(r.returncode == 0, "%s builds the generated code warning-free" % cxx, r.stderr[-2000:]):
            binaries[cxx] = exe
    if args.arm:
        obj = os.path.join(args.work, "m4f.o")
        r = run(["arm-none-eabi-g++"] + STRICT[:1] + ["-Os"] + STRICT[2:] +
                ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb",
                 "-I", args.runtime_include, "-I", gen[0], "-c",
                 os.path.join(gen[0], args.name + ".cpp"), "-o", obj])
        checks.check(r.returncode == 0, "arm-none-eabi-g++ (Cortex-M4F) compiles it warning-free", r.stderr[-2000:])

    # 4. Runs.
    sets = sorted(glob.glob(os.path.join(args.data, "test_data_set_*")))
    checks.check(len(sets) > 0, "data sets found in " + args.data)
    for ds in sets:
        tag = os.path.basename(ds)
        inputs = sorted(glob.glob(os.path.join(ds, "input_*.pb")), key=lambda p: int(p.split("_")[-1][:-3]))
        raws = []
        for i, pb in enumerate(inputs):
            raw = os.path.join(args.work, "%s.in%d.bin" % (tag, i))
            load(pb).tofile(raw)
            raws.append(raw)
        if args.ort:
            gold = os.path.join(args.work, tag + ".ort")
            r = run([sys.executable, args.ort, args.model, gold] + inputs)
            if not checks.check(r.returncode == 0, "onnxruntime golden for " + tag, r.stderr.strip()):
                continue
        else:
            gold = ds
        golds = sorted(glob.glob(os.path.join(gold, "output_*.pb")), key=lambda p: int(p.split("_")[-1][:-3]))
        ref_dir = os.path.join(args.work, tag + ".tempoc-run")
        cmd = [args.tempoc, "run", args.model, "-o", ref_dir]
        for pb in inputs:
            cmd += ["--input", pb]
        r = run(cmd)
        if not checks.check(r.returncode == 0, "tempoc run on " + tag, r.stderr.strip()):
            continue
        evals = [load(os.path.join(ref_dir, "output_%d.pb" % i)) for i in range(len(golds))]
        # The optimisations (folding, fusion, in-place buffers) change no
        # result beyond rounding: compare with the unoptimized pipeline.
        raw_dir = os.path.join(args.work, tag + ".tempoc-run-unoptimized")
        r = run(cmd[:4] + [raw_dir, "--no-fusion", "--no-in-place"] + cmd[5:])
        if checks.check(r.returncode == 0, "tempoc run --no-fusion --no-in-place on " + tag, r.stderr.strip()):
            for i in range(len(golds)):
                raw = load(os.path.join(raw_dir, "output_%d.pb" % i))
                checks.check(raw.shape == evals[i].shape and np.allclose(evals[i], raw, rtol=1e-4, atol=1e-6),
                             "%s output %d: optimized equals unoptimized (rtol 1e-4, atol 1e-6)" % (tag, i),
                             "max abs diff %g" % float(np.max(np.abs(evals[i].astype(np.float64) - raw))))
        for i, g in enumerate(golds):
            ref = load(g)
            ok = evals[i].shape == ref.shape and np.allclose(evals[i], ref, rtol=1e-3, atol=1e-5)
            checks.check(ok, "%s output %d: tempoc run matches the golden (rtol 1e-3, atol 1e-5)" % (tag, i),
                         "max abs err %g" % float(np.max(np.abs(evals[i].astype(np.float64) - ref))))
        for cxx, exe in binaries.items():
            outs = [os.path.join(args.work, "%s.%s.out%d.bin" % (tag, os.path.basename(cxx), i))
                    for i in range(len(golds))]
            r = run([exe] + raws + ["-o"] + outs)
            if not checks.check(r.returncode == 0, "%s build runs on %s" % (cxx, tag), r.stderr.strip()):
                continue
            for i, g in enumerate(golds):
                ref = load(g)
                got = np.fromfile(outs[i], dtype=ref.dtype).reshape(ref.shape)
                checks.check(np.allclose(got, ref, rtol=1e-3, atol=1e-5),
                             "%s build, %s output %d matches the golden" % (cxx, tag, i),
                             "max abs err %g" % float(np.max(np.abs(got.astype(np.float64) - ref))))
                checks.check(got.tobytes() == evals[i].tobytes(),
                             "%s build, %s output %d equals tempoc run bit for bit" % (cxx, tag, i),
                             "max abs diff %g" % float(np.max(np.abs(got.astype(np.float64) - evals[i]))))
    return report(checks)


def report(checks):
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())

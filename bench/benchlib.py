"""Shared helpers for bench/run_bench.py and bench/calibrate.py.

Both scripts only drive `tempoc measure` (which builds the generated code,
runs it under QEMU or on the host and writes NAME.report.json) and read the
report; nothing here measures by itself. Standard library only.
"""

import hashlib
import json
import os
import shlex
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESCRIPTIONS = os.path.join(REPO, "targets", "descriptions")
DEFAULT_TEMPOC = os.path.join(REPO, "build", "bin", "tempoc")

# The report's work counts, in the order of the cost model's coefficients
# (compiler/report/Report.cpp: WorkCounts::cycles).
WORK_KEYS = ["macs", "elementwise_ops", "transcendentals", "compares",
             "bytes_moved", "kernel_calls"]
COST_KEYS = ["cycles_per_mac", "cycles_per_element", "cycles_per_transcendental",
             "cycles_per_compare", "cycles_per_byte_moved", "cycles_per_kernel_call"]


class BenchError(Exception):
    """tempoc failed or wrote no readable report."""


def tempoc_digest(tempoc):
    """First 16 hex digits of the binary's SHA-256: identifies the build
    (the version string does not), and shows a rebuild during a run."""
    with open(tempoc, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def source_state():
    """The repository's HEAD and whether tracked files differ from it
    (tempoc --version does not identify a build)."""
    def git(*args):
        return subprocess.run(["git", "-C", REPO] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True).stdout.strip()
    head = git("rev-parse", "--short=12", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    changed = [f for f in git("diff", "--name-only", "HEAD").splitlines()
               if not f.startswith(("bench/", "targets/descriptions/"))]
    return head + (" + uncommitted changes to %d tracked files" % len(changed) if changed else "")


def load_description(target):
    with open(os.path.join(DESCRIPTIONS, target + ".json")) as f:
        return json.load(f)


def qemu_targets():
    """Targets whose description names a QEMU board, sorted by name."""
    names = []
    for f in sorted(os.listdir(DESCRIPTIONS)):
        if f.endswith(".json") and load_description(f[:-5]).get("qemu_machine"):
            names.append(f[:-5])
    return names


def tempoc_version(tempoc):
    if not os.access(tempoc, os.X_OK):
        raise BenchError("%s is missing or not executable (build it: ninja -C build tempoc)"
                         % tempoc)
    out = subprocess.run([tempoc, "--version"], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    return out.strip()


def measure(tempoc, model, target, opt, name=None, runs=None):
    """Runs `tempoc measure MODEL --target T --opt O -o TMP` and returns the
    report (NAME.report.json, with its "measured" object) as a dict."""
    name = name or os.path.splitext(os.path.basename(model))[0]
    with tempfile.TemporaryDirectory(prefix="tempo-bench-") as out:
        cmd = [tempoc, "measure", model, "--target", target, "--opt", opt,
               "--name", name, "-o", out]
        if runs is not None:
            cmd += ["--runs", str(runs)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode != 0:
            raise BenchError("%s\nexit %d:\n%s%s" % (
                " ".join(shlex.quote(c) for c in cmd), proc.returncode,
                proc.stdout, proc.stderr))
        path = os.path.join(out, name + ".report.json")
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            raise BenchError("%s: no readable report %s (%s)" % (
                " ".join(cmd), path, e))
    if "measured" not in report:
        raise BenchError("%s: the report has no 'measured' object" % " ".join(cmd))
    return report


def work_vector(report):
    """The report's whole-model work counts, in WORK_KEYS order."""
    est = report["estimate"]
    return [est.get(k, 0) for k in WORK_KEYS]


def estimate_cycles(work, cost):
    """WorkCounts::cycles, in Python: the same sum tempoc reports (unrounded)."""
    return sum(w * cost[k] for w, k in zip(work, COST_KEYS))


def main_unit(work):
    """(count, unit) of the work that dominates a single-op model (work in
    WORK_KEYS order), for an instructions-per-unit figure."""
    for i, unit in ((0, "MAC"), (2, "transcendental"), (3, "compare"), (4, "byte"),
                    (1, "element")):
        if work[i]:
            return work[i], unit
    return 1, "call"

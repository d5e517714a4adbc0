#!/usr/bin/python3
"""Benchmark every example model on Cortex-M targets under QEMU and on the host.

  bench/run_bench.py [--tempoc PATH] [--out bench/results.json]
                     [--md bench/RESULTS.md] [--targets T ...] [--opts Os O2]
                     [--host-runs 501] [--no-host]

Every examples/*/*.onnx is measured with `tempoc measure` on each target
(default cortex-m4f and cortex-m55; cortex-m7 and cortex-m33 on request) at
each optimisation level (-Os and -O2), and on the host (-O2 and -Os, median
of --host-runs timed runs). From each run's report (NAME.report.json) it
records:

  instructions            executed between the markers around NAME_run (QEMU
                          icount plugin): exact, the same every run
  instructions_per_mac    instructions / the report's MACs
  flash_bytes, model_flash_bytes   the linked image, and NAME.o's part of it
  ram_bytes, model_ram_bytes       .data + .bss, and NAME.o's part plus the arena
  stack_bytes, inference_stack_bytes   whole run (painted stack), and the
                          deepest store between the markers
  estimated_cycles        the report's estimate with the target's cost model
  estimate_over_measured  estimated_cycles / instructions
  arena_bytes, weight_bytes, macs  from the report (and, per model, "work":
                          the report's whole-model work counts)
  median_ms               host only: wall time, NOT repeatable run to run

and writes --out (JSON, sorted keys; no date, so re-running with the same
tools gives the same file except for host times) and --md (a markdown table
with the date, the tempoc version and the command). See bench/README.md.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

DEFAULT_TARGETS = ["cortex-m4f", "cortex-m55"]
OPTS = ["Os", "O2"]


def discover_models():
    """Every examples/<dir>/*.onnx, sorted by path."""
    return sorted(glob.glob(os.path.join(benchlib.REPO, "examples", "*", "*.onnx")))


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True).stdout
    except OSError:
        return None
    return out.splitlines()[0].strip() if out else None


def qemu_entry(report):
    m, est, mem = report["measured"], report["estimate"], report["memory"]
    insns, macs, cycles = m["instructions"], est["macs"], est["cycles"]
    return {
        "instructions": insns,
        "instructions_per_mac": round(insns / macs, 2) if macs else None,
        "flash_bytes": m.get("flash_bytes"),
        "model_flash_bytes": m.get("model_flash_bytes"),
        "ram_bytes": m.get("ram_bytes"),
        "model_ram_bytes": m.get("model_ram_bytes"),
        "stack_bytes": m.get("stack_bytes"),
        "inference_stack_bytes": m.get("inference_stack_bytes"),
        "estimated_cycles": cycles,
        "estimate_over_measured": round(cycles / insns, 3),
        "arena_bytes": mem["arena_bytes"],
        "weight_bytes": mem["weight_bytes"],
        "macs": macs,
    }


def host_entry(report):
    m, est, mem = report["measured"], report["estimate"], report["memory"]
    return {
        "median_ms": round(m["median_ns"] / 1e6, 4),
        "runs": m["runs"],
        "estimated_cycles": est["cycles"],
        "arena_bytes": mem["arena_bytes"],
        "weight_bytes": mem["weight_bytes"],
        "macs": est["macs"],
    }


def run(args, command):
    tempoc = os.path.abspath(args.tempoc)
    models = discover_models()
    if not models:
        raise benchlib.BenchError("no examples/*/*.onnx found under %s" % benchlib.REPO)
    result = {
        "schema": "tempo.bench/1",
        "command": command,
        "tempoc_version": benchlib.tempoc_version(tempoc),
        "tempoc_sha256": benchlib.tempoc_digest(tempoc),
        "source": benchlib.source_state(),
        "tools": {
            "arm-none-eabi-gcc": tool_version(["arm-none-eabi-gcc", "--version"]),
            "qemu-system-arm": tool_version(["qemu-system-arm", "--version"]),
            "host c++": tool_version(["c++", "--version"]),
        },
        "cost_models": {t: benchlib.load_description(t)["cost"]
                        for t in args.targets + ([] if args.no_host else ["host"])},
        "models": {},
    }
    for path in models:
        name = os.path.splitext(os.path.basename(path))[0]
        entry = {"file": os.path.relpath(path, benchlib.REPO), "targets": {}}
        for target in args.targets:
            for opt in args.opts:
                sys.stderr.write("%s: %s -%s\n" % (name, target, opt))
                report = benchlib.measure(tempoc, path, target, opt)
                entry["digest"] = report["model"]["digest"]
                entry["work"] = dict(zip(benchlib.WORK_KEYS, benchlib.work_vector(report)))
                entry["targets"].setdefault(target, {})[opt] = qemu_entry(report)
        if not args.no_host:
            for opt in ["O2", "Os"]:
                sys.stderr.write("%s: host -%s (%d runs)\n" % (name, opt, args.host_runs))
                report = benchlib.measure(tempoc, path, "host", opt, runs=args.host_runs)
                entry["digest"] = report["model"]["digest"]
                entry["targets"].setdefault("host", {})[opt] = host_entry(report)
        result["models"][name] = entry
    if benchlib.tempoc_digest(tempoc) != result["tempoc_sha256"]:
        raise benchlib.BenchError("%s changed during the run (rebuilt?); run again" % tempoc)
    return result


def fmt_int(v):
    return "-" if v is None else "{:,}".format(v)


def markdown(result, date):
    lines = [
        "# Tempo benchmark results",
        "",
        "Generated by `bench/run_bench.py` (see [README.md](README.md) for what is measured "
        "and the caveats); do not edit by hand.",
        "",
        "- date: %s" % date,
        "- tempoc: `%s`, binary sha256 `%s...`" % (result["tempoc_version"],
                                                  result["tempoc_sha256"]),
        "- source tree when run: %s" % result["source"],
        "- command: `%s`" % result["command"],
    ]
    for tool, version in sorted(result["tools"].items()):
        lines.append("- %s: `%s`" % (tool, version))
    lines.append("- host: %s, %s" % (platform.machine(), host_cpu()))
    lines += [
        "",
        "QEMU instruction counts are exact and repeat run to run (same tools, same "
        "instruction count). They are instructions, not cycles: QEMU models no "
        "pipeline, caches or flash wait states. Host times are wall-clock medians on "
        "a shared machine and vary from run to run (expect several percent, more under load).",
        "",
        "`est. cycles` is tempoc's report estimate with the target's `cost` model "
        "(targets/descriptions/TARGET.json, fitted by bench/calibrate.py to "
        "instruction counts of single-op models); `est./meas.` is that estimate "
        "divided by the measured instruction count. The example models are not in "
        "the calibration set, so this is a held-out check of the cost model.",
        "",
    ]
    for name, model in sorted(result["models"].items()):
        qemu = {t: v for t, v in model["targets"].items() if t != "host"}
        any_entry = next(iter(next(iter(model["targets"].values())).values()))
        lines += [
            "## %s (`%s`)" % (name, model["file"]),
            "",
            "%s MACs, weights %s bytes, model digest `%s`." % (
                fmt_int(any_entry["macs"]), fmt_int(any_entry["weight_bytes"]),
                model.get("digest", "?")),
            "",
        ]
        if qemu:
            lines += [
                "| target | opt | instructions | insns/MAC | est. cycles | est./meas. "
                "| flash (model) | RAM (model) | arena | stack (inference) |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for target in sorted(qemu):
                for opt in OPTS:
                    e = qemu[target].get(opt)
                    if not e:
                        continue
                    lines.append("| %s | -%s | %s | %.2f | %s | %.2f | %s (%s) | %s (%s) | %s | %s (%s) |" % (
                        target, opt, fmt_int(e["instructions"]), e["instructions_per_mac"] or 0,
                        fmt_int(e["estimated_cycles"]), e["estimate_over_measured"],
                        fmt_int(e["flash_bytes"]), fmt_int(e["model_flash_bytes"]),
                        fmt_int(e["ram_bytes"]), fmt_int(e["model_ram_bytes"]),
                        fmt_int(e["arena_bytes"]),
                        fmt_int(e["stack_bytes"]), fmt_int(e["inference_stack_bytes"])))
            lines.append("")
        host = model["targets"].get("host")
        if host:
            lines += [
                "| host | opt | median time | runs | arena |",
                "| --- | --- | ---: | ---: | ---: |",
            ]
            for opt in OPTS:
                e = host.get(opt)
                if e:
                    lines.append("| host | -%s | %.3f ms | %d | %s |" % (
                        opt, e["median_ms"], e["runs"], fmt_int(e["arena_bytes"])))
            lines.append("")
    lines += ["## Cost models used", "",
              "| target | per MAC | per element | per transcendental | per compare "
              "| per byte moved | per kernel call |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t, c in sorted(result["cost_models"].items()):
        lines.append("| %s | %s |" % (t, " | ".join(str(c[k]) for k in benchlib.COST_KEYS)))
    lines += ["", "The host's cost model is not calibrated (no instruction counter on the host); "
              "its estimate is not compared with the wall time.", ""]
    lines += calibration_section(result["cost_models"], result["tempoc_sha256"])
    return "\n".join(lines)


def calibration_section(cost_models, tempoc_sha256):
    """The last calibrate.py fit (bench/calibration.json), if there is one."""
    path = os.path.join(benchlib.REPO, "bench", "calibration.json")
    if not os.path.isfile(path):
        return ["No bench/calibration.json: the cost models have not been fitted here.", ""]
    with open(path) as f:
        cal = json.load(f)
    targets = sorted(cal["targets"])
    lines = ["## Calibration fit (bench/calibration.json)", "",
             "Fitted by `bench/calibrate.py` at -%s (%s) with tempoc sha256 `%s...` "
             "(%s). Relative error = estimate / measured - 1 on the calibration models "
             "themselves; the examples above are not among them." % (
                 cal["opt"], cal["fit"], cal.get("tempoc_sha256", "?"),
                 "the binary benchmarked above" if cal.get("tempoc_sha256") == tempoc_sha256
                 else "NOT the binary benchmarked above: re-run calibrate.py"), "",
             "| target | models | rms relative error | worst | rms with the coefficients it replaced | "
             "descriptions match the fit |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for t in targets:
        r = cal["targets"][t]
        same = cost_models.get(t) == r["coefficients"] if t in cost_models else None
        lines.append("| %s | %d | %.0f%% | %.0f%% | %.0f%% | %s |" % (
            t, len(r["models"]), 100 * r["rms_relative_error"],
            100 * r["worst_relative_error"], 100 * r["rms_relative_error_before"],
            {True: "yes", False: "NO (re-run calibrate.py)", None: "not benchmarked"}[same]))
    lines += ["", "Instructions per unit of work of each calibration model (the unit is the "
              "count that dominates the op: MACs for conv/gemm/matmul, transcendentals for "
              "sigmoid/tanh/softmax, compares for pools, bytes for transpose/concat, "
              "elements otherwise; the whole run, call overhead included), and in brackets "
              "the fitted model's relative error:", "",
              "| model | unit | " + " | ".join(targets) + " |",
              "| --- | --- |" + " ---: |" * len(targets)]
    for name in cal["targets"][targets[0]]["models"]:
        row = cal["targets"][targets[0]]["models"][name]
        count, unit = benchlib.main_unit([row["work"][k] for k in benchlib.WORK_KEYS])
        cells = []
        for t in targets:
            m = cal["targets"][t]["models"][name]
            cells.append("%.1f (%+.0f%%)" % (m["instructions"] / count, 100 * m["relative_error"]))
        lines.append("| %s | %s | %s |" % (name, unit, " | ".join(cells)))
    lines.append("")
    return lines


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tempoc", default=benchlib.DEFAULT_TEMPOC)
    parser.add_argument("--out", default=os.path.join(benchlib.REPO, "bench", "results.json"))
    parser.add_argument("--md", default=os.path.join(benchlib.REPO, "bench", "RESULTS.md"))
    parser.add_argument("--targets", nargs="+", default=DEFAULT_TARGETS,
                        help="QEMU targets (default: %(default)s)")
    parser.add_argument("--opts", nargs="+", default=OPTS, choices=OPTS)
    parser.add_argument("--host-runs", type=int, default=501,
                        help="timed runs per host measurement (default %(default)s)")
    parser.add_argument("--no-host", action="store_true", help="skip the host build")
    args = parser.parse_args()

    boards = set(benchlib.qemu_targets())
    for t in args.targets:
        if t not in boards:
            parser.error("target '%s' has no QEMU board (choose from %s)" % (
                t, ", ".join(sorted(boards))))
    command = " ".join(shlex.quote(a) for a in
                       ["bench/run_bench.py"] + sys.argv[1:])
    try:
        result = run(args, command)
    except benchlib.BenchError as e:
        sys.stderr.write("run_bench: error: %s\n" % e)
        return 1
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(args.md, "w") as f:
        f.write(markdown(result, date))
    print("results -> %s, %s" % (os.path.relpath(args.out), os.path.relpath(args.md)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

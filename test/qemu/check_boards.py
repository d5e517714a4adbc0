#!/usr/bin/python3
"""Checks the Cortex-M QEMU flow on every board that has a target description.

  check_boards.py [--work DIR] [--target T ...]

Per board: semihost_check.c (argv, host file read and write, .data/.bss
set-up, FPU, exit codes 0 and 42, a fault reported as 131), then the
hand-written fake model through run_on_qemu.py twice: exit 0, outputs equal
to 2 * x + 1, and the same instruction count both times. Prints one line per
check and "N passed, N failed"; exits 1 if any check failed.
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep test/qemu free of __pycache__
sys.path.insert(0, HERE)
import run_on_qemu as rq  # noqa: E402


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("ok    " + what)
        else:
            self.failed += 1
            print("FAIL  " + what + (": " + detail if detail else ""))


def check_semihosting(c, target, desc, work, tools):
    elf, _map, _objs = rq.link_image(desc, [os.path.join(HERE, "semihost_check.c")],
                                     "semihost_check", "Os", work, tools)
    data = bytes(range(200))
    src = os.path.join(work, "in.bin")
    with open(src, "wb") as f:
        f.write(data)
    for code in ("0", "42"):
        dst = os.path.join(work, "out-%s.bin" % code)
        if os.path.exists(dst):
            os.remove(dst)
        argv = ["semihost_check", src, dst, code]
        _cmd, rc, out, err, timed_out = rq.run(desc, elf, argv, None, [], 30, tools)
        c.check(rc == int(code) and not timed_out,
                "%s: exit code %s comes back" % (target, code), "got %s" % rc)
        c.check("argc=4 " + " ".join("[%s]" % a for a in argv) in out,
                "%s: argv arrives (exit %s)" % (target, code), out.strip())
        c.check("stderr works" in err and "stack_hwm_bytes=" in err,
                "%s: stderr and the stack report arrive (exit %s)" % (target, code),
                err.strip())
        got = open(dst, "rb").read() if os.path.exists(dst) else None
        c.check(got == data[::-1], "%s: host file read and written (exit %s)" % (target, code))
    argv = ["semihost_check", src, os.path.join(work, "unused.bin"), "0", "fault"]
    _cmd, rc, _out, err, _t = rq.run(desc, elf, argv, None, [], 30, tools)
    c.check(rc == 131 and "tempo-qemu: fault: exception 3" in err,
            "%s: a fault is reported and exits 131" % target, "exit %s, %s" % (rc, err.strip()))


def check_fake_model(c, target, work):
    xs = [0.5 * i - 1.25 for i in range(8)]
    src = os.path.join(work, "x.bin")
    with open(src, "wb") as f:
        f.write(struct.pack("<8f", *xs))
    counts = []
    for run in (1, 2):
        dst = os.path.join(work, "y%d.bin" % run)
        report = os.path.join(work, "fake%d.json" % run)
        proc = subprocess.run(
            [sys.executable, os.path.join(HERE, "run_on_qemu.py"), "--target", target,
             "--gen", os.path.join(HERE, "fake"), "--name", "fake",
             "--inputs", src, "--outputs", dst, "--json", report,
             "--work", os.path.join(work, "fake")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        c.check(proc.returncode == 0, "%s: fake model run %d succeeds" % (target, run),
                proc.stdout.strip())
        if proc.returncode != 0:
            return
        with open(report) as f:
            counts.append(json.load(f)["insns"])
        ys = struct.unpack("<8f", open(dst, "rb").read())
        c.check(list(ys) == [2 * x + 1 for x in xs],
                "%s: fake model output is 2x+1 (run %d)" % (target, run), str(ys))
    c.check(counts[0] == counts[1] and counts[0] > 1000,
            "%s: instruction count repeats (%s)" % (target, counts[0]), str(counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", help="build directory (default: temporary)")
    parser.add_argument("--target", nargs="+", default=rq.qemu_targets())
    args = parser.parse_args()
    try:
        tools = rq.find_tools()
    except rq.ToolError as e:
        sys.stderr.write("check_boards: error: %s\n" % e)
        return 2
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="tempo-boards-")
    c = Checks()
    try:
        for target in args.target:
            desc = rq.load_target(target)
            tdir = os.path.join(work, target)
            os.makedirs(tdir, exist_ok=True)
            try:
                check_semihosting(c, target, desc, tdir, tools)
                check_fake_model(c, target, tdir)
            except rq.ToolError as e:
                c.check(False, "%s: build" % target, str(e))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())

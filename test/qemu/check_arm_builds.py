#!/usr/bin/python3
"""Build the HAR example and every runtime kernel for every Cortex-M target.

  check_arm_builds.py --tempoc PATH --work DIR [--target T ...]
      [--opt Os O2] [--jobs N]

For every target description with the arm-none-eabi toolchain
(targets/descriptions/*.json: cortex-m0plus, -m4f, -m7, -m33, -m55) and
each optimisation level (-Os and -O2), with the target's core flags plus the
flags run_on_qemu.py uses (-std=c++17 -Wall -Wextra -Werror -fno-exceptions
-fno-rtti -ffunction-sections -fdata-sections -ffp-contract=off):

  1. compiles har.cpp (tempoc compile examples/har/har.onnx --target T)
     warning-free;
  2. compiles kernels_all.cpp warning-free: a translation unit this script
     writes from runtime/include/tempo/kernels.h that calls every public
     kernel for every element type it takes (float-only kernels, those with
     a static_assert on Traits<T>::isFloat, for float and double; the rest
     for all twelve arithmetic types the kernels know);
  3. checks both objects reference nothing from the C++ runtime (operator
     new/delete, __cxa_*, __gxx_*, std::, the unwinder);
  4. checks har.o does no double-precision arithmetic (no soft-float double
     helper such as __aeabi_dmul, no .f64 instruction: the model is float32)
     and no fused multiply-add (vfma & co.: -ffp-contract=off keeps the
     results bit-identical to `tempoc run`);
  5. links two images with the bare-metal start-up of targets/arm: the HAR
     model with test/e2e/harness.cpp, and kernels_all.o (every kernel kept
     with -Wl,--undefined). The QEMU targets use their board's linker
     script; the Cortex-M0+ (no QEMU board) a generated 4 MiB + 4 MiB map.
     Each link map and symbol table must show nothing from libstdc++ or
     libsupc++ and no C++ runtime symbol.
Notes (not checks) report the fused multiply-adds GCC emits without
-ffp-contract=off, which functions of the HAR image call soft-float double
helpers, and whether the model fits the part the description names.

Prints one line per check, then `N passed, M failed`; exit code 1 if any
check failed, 2 on a usage or tool error. Needs gcc-arm-none-eabi and
libnewlib-arm-none-eabi; /usr/bin/python3, standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep test/qemu free of __pycache__
sys.path.insert(0, HERE)
import run_on_qemu as rq  # noqa: E402

REPO = rq.REPO
KERNELS_H = os.path.join(rq.RUNTIME_INCLUDE, "tempo", "kernels.h")
HAR_ONNX = os.path.join(REPO, "examples", "har", "har.onnx")

# Every arithmetic type tempo::detail::Traits knows (on arm-none-eabi int32_t
# is `long`, so `int` and `long` are both listed): suffix, C++ type.
ELEMENT_TYPES = [
    ("f32", "float"), ("f64", "double"),
    ("i8", "signed char"), ("u8", "unsigned char"),
    ("i16", "short"), ("u16", "unsigned short"),
    ("int", "int"), ("uint", "unsigned int"),
    ("long", "long"), ("ulong", "unsigned long"),
    ("i64", "long long"), ("u64", "unsigned long long"),
]
FLOAT_TYPES = ("float", "double")

# Mnemonics that fuse a multiply and an add with one rounding (VFPv4/FPv5
# and MVE).
FUSED = re.compile(r"\tv(fn?m[as]s?)\.", re.IGNORECASE)
F64 = re.compile(r"\tv\w+(\.\w+)*\.f64\b", re.IGNORECASE)
CALL = re.compile(r"\t(?:bl|blx|b|b\.w|b\.n)(?:\.w)?\s+[0-9a-f]+ <([^>+]+)")
FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def soft_double_helper(sym):
    """True for libgcc's soft-float double routines (__aeabi_dmul, __aeabi_f2d,
    __adddf3, __extendsfdf2, ...)."""
    return (sym.startswith("__aeabi_d") or re.match(r"__aeabi_\w+2d$", sym) is not None or
            re.match(r"__\w*df\w*$", sym) is not None and not sym.startswith("__aeabi"))


def cxx_runtime(sym, demangled):
    return (sym.startswith(rq.CXX_RUNTIME_PREFIXES) or
            re.match(r"_Z(nw|na|dl|da)", sym) is not None or
            re.search(r"\bstd::|operator new|operator delete|__cxa_|__gxx_|_Unwind_",
                      demangled) is not None)


class Checks:
    """The check lines of one build, printed together when it is done."""

    def __init__(self, prefix=""):
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

    def note(self, text):
        self.lines.append("NOTE " + self.prefix + text)


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return proc.returncode, proc.stdout


def short(text, lines=15):
    return "\n    ".join([""] + text.strip().splitlines()[:lines])


# ---- kernels_all.cpp ------------------------------------------------------------


def public_kernels(source):
    """[(name, [parameter declarations], float_only)] for every function of
    namespace tempo outside tempo::detail."""
    text = re.sub(r"namespace detail \{.*?\} // namespace detail", "", source, flags=re.S)
    kernels = []
    for m in re.finditer(r"(template <typename T>\s*(?:TEMPO_KERNEL )?|inline )void (\w+)\(([^)]*)\)\s*\{",
                         text):
        body = text[m.end():text.find("\n}\n", m.end())]
        params = [" ".join(p.split()) for p in m.group(3).split(",")]
        kernels.append((m.group(2), params, m.group(1).startswith("template"),
                        "Traits<T>::isFloat" in body and "static_assert" in body))
    return kernels


def kernels_source(kernels):
    """The translation unit; raises ValueError on a parameter it cannot fill."""
    structs = set()
    calls = {}  # (name, templated) -> argument list
    for name, params, templated, _float_only in kernels:
        args = []
        for p in params:
            m = re.fullmatch(r"const (tempo_\w+_t) ?& ?\w+", p)
            if m:
                structs.add(m.group(1))
                args.append("g_" + m.group(1))
            elif re.fullmatch(r"const (T|void) ?\* ?\w+", p):
                args.append("x")
            elif re.fullmatch(r"const T ?\*const ?\* ?\w+", p):
                args.append("&x")  # an array of input pointers (one here)
            elif re.fullmatch(r"(T|void) ?\* ?\w+", p):
                args.append("y")
            elif re.fullmatch(r"int64_t ?\* ?\w+", p):
                args.append("g_int64")  # an index output (max_pool_with_indices)
            else:
                raise ValueError("kernel %s: cannot fill parameter '%s'" % (name, p))
        calls[name] = args
    out = ["// Generated by check_arm_builds.py from tempo/kernels.h: calls every",
           "// public kernel for every element type it takes.",
           '#include "tempo/kernels.h"', "",
           "// Not const, so the compiler cannot fold the parameters."]
    out += ["%s g_%s;" % (s, s) for s in sorted(structs)]
    out.append("int64_t g_int64[1];")
    out.append("")
    for suffix, ctype in ELEMENT_TYPES:
        out.append('extern "C" void tempo_kernels_%s(const %s *x, %s *y) {' % (suffix, ctype, ctype))
        for name, _params, templated, float_only in kernels:
            if not templated or (float_only and ctype not in FLOAT_TYPES):
                continue
            out.append("  tempo::%s<%s>(%s);" % (name, ctype, ", ".join(calls[name])))
        out.append("}")
    out.append('extern "C" void tempo_kernels_untyped(const void *x, void *y) {')
    for name, _params, templated, _float_only in kernels:
        if not templated:
            out.append("  tempo::%s(%s);" % (name, ", ".join(calls[name])))
    out += ["}", "", "int main(void) { return 0; }", ""]
    return "\n".join(out)


def kernel_roots():
    return ["tempo_kernels_" + s for s, _t in ELEMENT_TYPES] + ["tempo_kernels_untyped"]


# ---- One target at one level ----------------------------------------------------


class Build:
    def __init__(self, args, tools, target, opt, gen, kernels_cpp, arena):
        self.args, self.tools = args, tools
        self.target, self.opt = target, opt
        self.gen, self.kernels_cpp, self.arena = gen, kernels_cpp, arena
        with open(os.path.join(rq.DESCRIPTIONS, target + ".json")) as f:
            self.desc = json.load(f)
        self.dir = os.path.join(args.work, "%s-%s" % (target, opt))
        os.makedirs(self.dir, exist_ok=True)
        self.cpu = list(self.desc["cflags"])
        self.base = self.cpu + rq.COMMON_FLAGS + ["-" + opt]
        self.c = Checks("%s -%s: " % (target, opt))

    def obj(self, name):
        return os.path.join(self.dir, name)

    def compile(self, src, out, extra=(), base=None):
        ext = os.path.splitext(src)[1]
        cmd = [self.tools["cxx"] if ext == ".cpp" else self.tools["cc"]]
        cmd += list(base if base is not None else self.base)
        cmd += rq.CXX_FLAGS if ext == ".cpp" else (rq.C_FLAGS if ext == ".c" else [])
        return run(cmd + list(extra) + ["-c", src, "-o", out])

    def undefined(self, obj):
        rc, text = run([self.tools["nm"], "-u", obj])
        return [line.split()[-1] for line in text.splitlines() if line.strip()] if rc == 0 else []

    def disassembly(self, path):
        rc, text = run([self.tools["objdump"], "-d", "--no-show-raw-insn", path])
        return text if rc == 0 else ""

    def demangle(self, syms):
        if not syms:
            return []
        proc = subprocess.run([self.tools["cxxfilt"]], input="\n".join(syms),
                              stdout=subprocess.PIPE, universal_newlines=True)
        return proc.stdout.splitlines()

    def cxx_refs(self, syms):
        return [d for s, d in zip(syms, self.demangle(syms)) if cxx_runtime(s, d)]

    def run_all(self):
        try:
            self.check_all()
        except Exception as e:  # a script bug: still a reported failure
            self.c.check(False, "checker error", "%s: %s" % (type(e).__name__, e))
        return self.c

    def check_all(self):
        c = self.c
        inc = ["-I", rq.RUNTIME_INCLUDE, "-I", self.gen]
        har_o, kern_o = self.obj("har.o"), self.obj("kernels_all.o")
        rc, text = self.compile(os.path.join(self.gen, "har.cpp"), har_o, inc)
        har_ok = c.check(rc == 0 and not text.strip(), "har.cpp compiles warning-free",
                         short(text))
        rc, text = self.compile(self.kernels_cpp, kern_o, inc)
        kern_ok = c.check(rc == 0 and not text.strip(),
                          "kernels_all.cpp (every kernel, every element type) compiles "
                          "warning-free", short(text))
        for ok, obj in ((har_ok, har_o), (kern_ok, kern_o)):
            if ok:
                refs = self.cxx_refs(self.undefined(obj))
                c.check(not refs, "%s references nothing from the C++ runtime"
                        % os.path.basename(obj), ", ".join(refs[:8]))
        if har_ok:
            self.check_har_arithmetic(har_o, inc)
        if kern_ok:
            fused = len(FUSED.findall(self.disassembly(kern_o)))
            c.check(fused == 0, "kernels_all.o has no fused multiply-add",
                    "%d found" % fused)

        startup = self.startup_objects()
        if startup is None:
            return
        if har_ok:
            harness_o = self.obj("harness.o")
            rc, text = self.compile(rq.HARNESS, harness_o, inc + [
                "-DTEMPO_MODEL=har", '-DTEMPO_MODEL_HEADER="har.h"'])
            if c.check(rc == 0 and not text.strip(), "harness.cpp compiles warning-free",
                       short(text)):
                elf = self.link("har", startup + [harness_o, har_o])
                if elf:
                    self.notes_har_image(elf, har_o)
        if kern_ok:
            self.link("kernels_all", startup + [kern_o],
                      ["-Wl,--undefined=" + s for s in kernel_roots()])

    def check_har_arithmetic(self, har_o, inc):
        c = self.c
        undefined = self.undefined(har_o)
        dis = self.disassembly(har_o)
        helpers = sorted(s for s in undefined if soft_double_helper(s))
        f64 = sorted(set(m.group(0).strip().split()[0] for m in F64.finditer(dis)))
        c.check(not helpers and not f64, "har.o does no double-precision arithmetic",
                "calls %s; uses %s" % (", ".join(helpers) or "no helper",
                                       ", ".join(f64) or "no .f64 instruction"))
        fused = len(FUSED.findall(dis))
        c.check(fused == 0, "har.o has no fused multiply-add (-ffp-contract=off)",
                "%d found" % fused)
        # How many GCC fuses without the flag (GCC's C++ default is fast).
        loose = self.obj("har-contract.o")
        base = [f for f in self.base if f != "-ffp-contract=off"]
        rc, _text = self.compile(os.path.join(self.gen, "har.cpp"), loose, inc, base)
        if rc == 0:
            n = len(FUSED.findall(self.disassembly(loose)))
            c.note("without -ffp-contract=off har.o has %d fused multiply-add instruction%s"
                   % (n, "" if n == 1 else "s"))
        soft_float = sorted(s for s in undefined if re.match(r"__aeabi_(f|[a-z]+2f$)", s) and
                            not soft_double_helper(s))
        if soft_float:
            c.note("har.o calls soft-float single-precision helpers: " + ", ".join(soft_float))

    def startup_objects(self):
        objs = []
        for src in ("startup.S", "startup.c"):
            out = self.obj(src.replace(".S", "_s.o").replace(".c", ".o"))
            rc, text = self.compile(os.path.join(rq.ARM_DIR, src), out)
            if not self.c.check(rc == 0 and not text.strip(),
                                "targets/arm/%s builds warning-free" % src, short(text)):
                return None
            objs.append(out)
        return objs

    def linker_script(self):
        board = self.desc.get("qemu_machine")
        if board:
            return os.path.join(rq.ARM_DIR, board + ".ld"), board
        path = self.obj("generic.ld")
        with open(path, "w") as f:
            f.write("/* Written by check_arm_builds.py: %s has no QEMU board; a generic\n"
                    " * 4 MiB flash + 4 MiB RAM map, to link and inspect the image. */\n"
                    "MEMORY\n{\n"
                    "  FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = 4M\n"
                    "  RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = 4M\n}\n"
                    'REGION_ALIAS("VECTORS", FLASH);\nINCLUDE sections.ld\n' % self.target)
        return path, "a generic 4 MiB + 4 MiB map"

    def link(self, name, objs, extra=()):
        """Links; checks the map and the symbols; returns the ELF or None."""
        c = self.c
        script, where = self.linker_script()
        elf, map_path = self.obj(name + ".elf"), self.obj(name + ".map")
        # Link with g++ where the multilib has a libstdc++ (so that anything
        # pulling it in would succeed and be caught below); Debian's
        # gcc-arm-none-eabi ships none (libstdc++-arm-none-eabi-newlib does),
        # and then gcc links and any C++ runtime reference is an undefined
        # symbol.
        rc, libstdcxx = run([self.tools["cxx"]] + self.cpu + ["-print-file-name=libstdc++.a"])
        driver = "cxx" if os.path.isabs(libstdcxx.strip()) else "cc"
        rc, text = run([self.tools[driver]] + self.cpu + [
            "--specs=rdimon.specs", "-nostartfiles", "-Wl,--gc-sections",
            "-Wl,-Map=" + map_path, "-L", rq.ARM_DIR, "-T", script] + list(extra) + objs +
            ["-lm", "-o", elf])
        if not c.check(rc == 0, "%s links (%s, arm-none-eabi-%s, %s)" % (
                name, where, "g++" if driver == "cxx" else "gcc",
                "libstdc++ available" if driver == "cxx" else "no libstdc++ installed"),
                short(text)):
            return None
        with open(map_path) as f:
            members = sorted({line.strip() for line in f
                              if re.search(r"libstdc\+\+|libsupc\+\+", line)})
        _sections, symbols = rq.read_elf(elf)
        names = sorted(symbols)
        refs = self.cxx_refs(names)
        c.check(not members and not refs,
                "%s.elf: nothing from libstdc++/libsupc++ in the map, no C++ runtime "
                "symbol (%d symbols)" % (name, len(names)),
                "; ".join(members[:4] + refs[:8]))
        if name == "kernels_all":
            missing = [s for s in kernel_roots() if s not in symbols]
            c.check(not missing, "kernels_all.elf keeps every kernel instantiation",
                    "missing " + ", ".join(missing))
        return elf

    def notes_har_image(self, elf, har_o):
        callers = {}
        func = None
        for line in self.disassembly(elf).splitlines():
            m = FUNC.match(line)
            if m:
                func = m.group(1)
                continue
            m = CALL.search(line)
            if m and soft_double_helper(m.group(1)) and not soft_double_helper(func or ""):
                callers.setdefault(func, set()).add(m.group(1))
        defined = set()
        rc, text = run([self.tools["nm"], "--defined-only", har_o])
        for line in text.splitlines():
            defined.add(line.split()[-1])
        # Model functions among the callers already failed the har.o check.
        from_model = sorted(f for f in callers if f in defined)
        if not callers:
            self.c.note("har.elf calls no soft-float double helper")
        else:
            self.c.note("har.elf: soft-float double helpers are called by %s (%s)" % (
                ", ".join(sorted(callers)),
                "model code: " + ", ".join(from_model) if from_model else
                "none from the model"))
        sections, _symbols = rq.read_elf(elf)
        per = rq.object_sizes(self.obj("har.map"), har_o)
        model_flash = sum(v for k, v in per.items() if k in sections and
                          sections[k][1] & rq.SHF_ALLOC and sections[k][0] != rq.SHT_NOBITS)
        sram, flash = self.desc.get("sram_bytes"), self.desc.get("flash_bytes")
        part = self.desc.get("part", "").split(" (")[0]
        fits = (sram is None or self.arena <= sram) and (flash is None or model_flash <= flash)
        self.c.note("the model needs %d B flash (har.o) and a %d B arena; %s has %s B flash "
                    "and %s B SRAM: %s" % (model_flash, self.arena, part or self.target, flash,
                                           sram, "fits" if fits else "DOES NOT FIT"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tempoc", required=True, help="the tempoc binary")
    parser.add_argument("--work", required=True, help="scratch directory (kept)")
    parser.add_argument("--target", nargs="+", help="default: every arm-none-eabi description")
    parser.add_argument("--opt", nargs="+", default=["Os", "O2"], choices=["Os", "O2"])
    parser.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)

    targets = args.target
    if not targets:
        targets = []
        for f in sorted(os.listdir(rq.DESCRIPTIONS)):
            if f.endswith(".json"):
                with open(os.path.join(rq.DESCRIPTIONS, f)) as fh:
                    if json.load(fh).get("toolchain") == "arm-none-eabi":
                        targets.append(f[:-5])
    for t in targets:
        if not os.path.isfile(os.path.join(rq.DESCRIPTIONS, t + ".json")):
            parser.error("--target %s: no targets/descriptions/%s.json" % (t, t))
    tools = {
        "cc": rq.find_tool("arm-none-eabi-gcc", "Debian: apt-get install gcc-arm-none-eabi "
                           "libnewlib-arm-none-eabi"),
        "cxx": rq.find_tool("arm-none-eabi-g++", "Debian: apt-get install gcc-arm-none-eabi"),
    }
    tools["nm"] = rq.find_tool("arm-none-eabi-nm", "Debian: apt-get install binutils-arm-none-eabi")
    tools["objdump"] = rq.find_tool("arm-none-eabi-objdump",
                                    "Debian: apt-get install binutils-arm-none-eabi")
    tools["cxxfilt"] = rq.find_tool("arm-none-eabi-c++filt",
                                    "Debian: apt-get install binutils-arm-none-eabi")

    top = Checks()
    gens, arenas = {}, {}
    for t in targets:
        gen = os.path.join(args.work, "gen-" + t)
        rc, text = run([args.tempoc, "compile", HAR_ONNX, "-o", gen, "--name", "har",
                        "--target", t])
        if top.check(rc == 0, "tempoc compile examples/har/har.onnx --target " + t,
                     short(text)):
            gens[t] = gen
            with open(os.path.join(gen, "har.h")) as f:
                m = re.search(r"#define har_ARENA_SIZE (\d+)u", f.read())
            arenas[t] = int(m.group(1)) if m else 0
            for line in text.splitlines():
                if "warning" in line:
                    top.note(line.strip())
    with open(KERNELS_H) as f:
        kernels = public_kernels(f.read())
    kernels_cpp = os.path.join(args.work, "kernels_all.cpp")
    try:
        with open(kernels_cpp, "w") as f:
            f.write(kernels_source(kernels))
        names = [k[0] for k in kernels]
        # A parse that finds (almost) nothing would make the builds vacuous.
        top.check(len(kernels) >= 15 and "conv" in names and "copy" in names,
                  "kernels_all.cpp calls the %d public kernels of tempo/kernels.h "
                  "(%d float-only)" % (len(kernels), sum(k[3] for k in kernels)),
                  "found " + ", ".join(names))
    except ValueError as e:
        top.check(False, "kernels_all.cpp written", str(e))
        kernels_cpp = None
    print("\n".join(top.lines), flush=True)
    if not kernels_cpp:
        print("%d passed, %d failed" % (top.passed, top.failed))
        return 1

    builds = [Build(args, tools, t, o, gens[t], kernels_cpp, arenas[t])
              for t in targets if t in gens for o in args.opt]
    passed, failed = top.passed, top.failed
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for c in pool.map(Build.run_all, builds):
            print("\n".join(c.lines), flush=True)
            passed += c.passed
            failed += c.failed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except rq.ToolError as e:
        sys.stderr.write("check_arm_builds: error: %s\n" % e)
        sys.exit(2)

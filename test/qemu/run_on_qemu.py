#!/usr/bin/python3
"""Build a tempoc-generated model for a Cortex-M target and run it under QEMU.

  run_on_qemu.py --target cortex-m4f --gen DIR --name NAME \\
      --inputs in0.bin ... --outputs out0.bin ... [--opt Os|O2] \\
      [--json RESULT.json] [--timeout 60] [--work BUILD_DIR]

Compiles test/e2e/harness.cpp and DIR/NAME.cpp with the target's flags
(targets/descriptions/TARGET.json) plus the bare-metal start-up in
targets/arm/, links for the target's QEMU board (targets/arm/BOARD.ld), runs
the image under qemu-system-arm with semihosting (the harness reads the
inputs and writes the outputs as host files) and the icount plugin
(tools/qemu-plugin/icount.c, built on demand), and reports:

  exit_status        the program's exit code (128 + N after CPU exception N)
  insns              instructions from tempo_bench_begin's entry to
                     tempo_bench_end's entry (NAME_run plus a few call insns)
  flash_bytes        whole image: vectors, text, rodata, init arrays, .data
  ram_bytes          whole image: .data + .bss (the harness's static arena
                     included)
  model_flash_bytes  the part of flash_bytes that comes from NAME.o
  model_ram_bytes    NAME.o's .data + .bss plus the harness's arena
  stack_bytes        stack high-water mark of the whole run (startup code
                     paints the stack; newlib's stdio included)
  inference_stack_bytes  stack depth at the deepest store between the markers,
                     measured from the top of the stack (so it includes the
                     startup and main frames above NAME_run)

The run is deterministic: the same inputs give the same instruction count.
Exit code: 0 when the program exited 0 and the markers were seen once,
1 when the run failed (non-zero exit, fault, timeout, no markers), 2 on a
usage or tool error. Needs /usr/bin/python3 (standard library only).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCRIPTIONS = os.path.join(REPO, "targets", "descriptions")
ARM_DIR = os.path.join(REPO, "targets", "arm")
HARNESS = os.path.join(REPO, "test", "e2e", "harness.cpp")
PLUGIN_SRC = os.path.join(REPO, "tools", "qemu-plugin", "icount.c")
RUNTIME_INCLUDE = os.path.join(REPO, "runtime", "include")

# Flags every target gets; the core-specific ones come from the description.
COMMON_FLAGS = [
    "-Wall", "-Wextra", "-Werror", "-ffunction-sections", "-fdata-sections",
    "-ffp-contract=off",
]
CXX_FLAGS = ["-std=c++17", "-fno-exceptions", "-fno-rtti"]
# startup.c uses GNU range designators in the vector table.
C_FLAGS = ["-std=gnu11"]

# Symbols that only libstdc++/libsupc++ or the C++ unwinder define.
CXX_RUNTIME_PREFIXES = ("_ZSt", "_ZNSt", "_ZNKSt",
                        "__cxa_", "__gxx_", "_Unwind_", "__aeabi_unwind_cpp_")

# TEMPO_CMDLINE_BYTES in targets/arm/startup.c.
CMDLINE_BYTES = 4096

STACK_LINE = re.compile(r"^tempo-qemu: stack_hwm_bytes=(\d+)( \(overflow\))?$")
FAULT_LINE = re.compile(r"^tempo-qemu: fault: .*$")


class ToolError(Exception):
    """A usage, tool or build problem (exit code 2)."""


def fail(msg):
    raise ToolError(msg)


def load_target(name):
    """A built-in target by name, or a description file (--target-file)."""
    path = name if name.endswith(".json") else os.path.join(DESCRIPTIONS, name + ".json")
    if not os.path.isfile(path):
        known = sorted(f[:-5] for f in os.listdir(DESCRIPTIONS) if f.endswith(".json"))
        fail("unknown target '%s' (known: %s)" % (name, ", ".join(known)))
    with open(path) as f:
        desc = json.load(f)
    if not desc.get("qemu_machine"):
        fail("target '%s' has no QEMU board (qemu_machine is null in %s)" % (name, path))
    return desc


def qemu_targets():
    names = []
    for f in sorted(os.listdir(DESCRIPTIONS)):
        if f.endswith(".json"):
            with open(os.path.join(DESCRIPTIONS, f)) as fh:
                if json.load(fh).get("qemu_machine"):
                    names.append(f[:-5])
    return names


def find_tool(name, why):
    path = shutil.which(name)
    if not path:
        fail("'%s' not found on PATH (%s)" % (name, why))
    return path


def run_checked(cmd, what, cwd=None):
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    if proc.returncode != 0:
        fail("%s failed (exit %d):\n  %s\n%s" % (what, proc.returncode,
                                                 " ".join(cmd), proc.stdout))
    return proc.stdout


# ---- ELF reading (ELF32 little-endian, all these targets) --------------------

SHT_SYMTAB, SHT_NOBITS = 2, 8
SHF_WRITE, SHF_ALLOC = 0x1, 0x2


def read_elf(path):
    """Returns ({section: (type, flags, addr, size)}, {symbol: (value, size)})."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        fail("%s is not a 32-bit little-endian ELF file" % path)
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    headers = [struct.unpack_from("<10I", data, shoff + i * shentsize) for i in range(shnum)]

    def cstr(table_off, off):
        end = data.index(b"\0", table_off + off)
        return data[table_off + off:end].decode()

    strtab_off = headers[shstrndx][4]
    sections, symbols = {}, {}
    for h in headers:
        name = cstr(strtab_off, h[0])
        sections[name] = (h[1], h[2], h[3], h[5])
        if h[1] == SHT_SYMTAB:
            names_off = headers[h[6]][4]
            for i in range(h[5] // 16):
                st_name, value, size, info, other, shndx = struct.unpack_from(
                    "<IIIBBH", data, h[4] + i * 16)
                if st_name:
                    symbols[cstr(names_off, st_name)] = (value, size)
    return sections, symbols


def image_sizes(sections):
    flash = ram = 0
    for name, (stype, flags, _addr, size) in sections.items():
        if not flags & SHF_ALLOC:
            continue
        if name in (".data", ".bss"):
            ram += size
        if stype != SHT_NOBITS:  # loaded from flash (.data's image included)
            flash += size
    return flash, ram


def object_sizes(map_path, obj_path):
    """Bytes that obj_path contributes to each output section (from the map)."""
    per_section = {}
    out_section = None
    pending = None  # an input-section name whose address/size wrap to the next line
    in_map = False
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map or not line:
                continue
            if not line[0].isspace():
                out_section = line.split()[0]
                pending = None
                continue
            fields = line.split()
            if pending is not None and fields and fields[0].startswith("0x"):
                fields = [pending] + fields
            pending = None
            if len(fields) == 1 and fields[0].startswith((".", "COMMON")):
                pending = fields[0]
                continue
            if (len(fields) >= 4 and fields[1].startswith("0x") and
                    fields[2].startswith("0x") and
                    os.path.abspath(" ".join(fields[3:])) == obj_path):
                size = int(fields[2], 16)
                per_section[out_section] = per_section.get(out_section, 0) + size
    return per_section


# ---- Build ----------------------------------------------------------------------


def plugin_path(work, host_cc):
    """Builds icount.so into work, keyed by the source's hash."""
    with open(PLUGIN_SRC, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    so = os.path.join(work, "icount-%s.so" % digest)
    if not os.path.isfile(so):
        tmp = so + ".tmp"
        run_checked([host_cc, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                     "-fPIC", "-shared", "-fvisibility=hidden", PLUGIN_SRC,
                     "-o", tmp], "building the QEMU plugin")
        os.replace(tmp, so)
    return so


def link_image(desc, sources, elf_name, opt, work, tools, cxx_defs=()):
    """Compiles sources (.c, .S, .cpp) with the target's flags plus the
    start-up code, links them for the target's QEMU board and returns
    (elf, map, [objects in the order of sources])."""
    board = desc["qemu_machine"]
    ldscript = os.path.join(ARM_DIR, board + ".ld")
    if not os.path.isfile(ldscript):
        fail("no linker script for board %s (%s)" % (board, ldscript))
    cpu = list(desc["cflags"])
    rdimon = run_checked([tools["cc"]] + cpu + ["-print-file-name=librdimon.a"],
                         "asking the compiler for newlib").strip()
    if not os.path.isabs(rdimon):
        fail("newlib's librdimon.a is missing for %s (Debian: apt-get install "
             "libnewlib-arm-none-eabi)" % " ".join(cpu))
    base = cpu + COMMON_FLAGS + ["-" + opt]
    objs = os.path.join(work, "obj")
    os.makedirs(objs, exist_ok=True)
    startup = [os.path.join(ARM_DIR, "startup.S"), os.path.join(ARM_DIR, "startup.c")]
    obj_files = []
    for src in startup + list(sources):
        stem, ext = os.path.splitext(os.path.basename(src))
        out = os.path.join(objs, "%s%s.o" % (stem, "_s" if ext == ".S" else ""))
        if ext == ".cpp":
            cmd = [tools["cxx"]] + base + CXX_FLAGS + list(cxx_defs)
        elif ext == ".c":
            cmd = [tools["cc"]] + base + C_FLAGS
        else:
            cmd = [tools["cc"]] + base
        run_checked(cmd + ["-c", src, "-o", out], "compiling " + src)
        obj_files.append(out)
    elf = os.path.join(work, elf_name + ".elf")
    map_path = os.path.join(work, elf_name + ".map")
    # Link with gcc, not g++: libstdc++ is never on the link line, so any use
    # of it fails here instead of being pulled in quietly.
    run_checked([tools["cc"]] + cpu + [
        "--specs=rdimon.specs", "-nostartfiles", "-Wl,--gc-sections",
        "-Wl,-Map=" + map_path, "-L", ARM_DIR, "-T", ldscript] + obj_files +
        ["-lm", "-o", elf], "linking " + elf)
    with open(map_path) as f:
        for line in f:
            if "libstdc++" in line or "libsupc++" in line:
                fail("libstdc++/libsupc++ got linked (see %s): %s" % (map_path, line.strip()))
    return elf, map_path, obj_files[len(startup):]


def build(desc, gen, name, opt, work, tools):
    model_cpp = os.path.join(gen, name + ".cpp")
    for path in (model_cpp, os.path.join(gen, name + ".h")):
        if not os.path.isfile(path):
            fail("missing generated file %s" % path)
    if name in ("harness", "startup"):
        fail("a model cannot be named '%s' (its object would clash)" % name)
    model_defs = ["-I", RUNTIME_INCLUDE, "-I", gen, "-DTEMPO_MODEL=" + name,
                  '-DTEMPO_MODEL_HEADER="%s.h"' % name]
    elf, map_path, objs = link_image(desc, [HARNESS, model_cpp], name, opt,
                                     work, tools, model_defs)
    return elf, map_path, objs[1]


def find_tools():
    return {
        "cc": find_tool("arm-none-eabi-gcc", "Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"),
        "cxx": find_tool("arm-none-eabi-g++", "Debian: apt-get install gcc-arm-none-eabi"),
        "qemu": find_tool("qemu-system-arm", "Debian: apt-get install qemu-system-arm"),
        "host_cc": find_tool("gcc", "the host C compiler builds the QEMU plugin; Debian: apt-get install gcc"),
    }


# ---- Run ------------------------------------------------------------------------


def qemu_opt(value):
    """Escapes a value for QEMU's comma-separated option syntax."""
    return value.replace(",", ",,")


def run(desc, elf, args_for_program, plugin, plugin_args, timeout, tools):
    """Runs elf on the target's board; returns (cmd, exit code or None on
    timeout, stdout, stderr, timed_out). plugin may be None."""
    for a in args_for_program:
        if " " in a or not a:
            fail("QEMU semihosting joins arguments with spaces, so '%s' cannot be passed" % a)
    if len(" ".join(args_for_program)) >= CMDLINE_BYTES:
        fail("the program's command line is longer than the %d bytes startup.c "
             "reads (use shorter paths)" % (CMDLINE_BYTES - 1))
    semi = "enable=on,target=native," + ",".join("arg=" + qemu_opt(a) for a in args_for_program)
    cmd = [tools["qemu"], "-M", desc["qemu_machine"], "-nographic",
           "-monitor", "none", "-serial", "null", "-semihosting-config", semi]
    if plugin:
        cmd += ["-plugin", ",".join([qemu_opt(plugin)] + [
            "%s=%s" % (k, qemu_opt(v)) for k, v in plugin_args])]
    cmd += ["-kernel", elf]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout)
        return cmd, proc.returncode, proc.stdout.decode(errors="replace"), \
            proc.stderr.decode(errors="replace"), False
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        return cmd, None, out, err, True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", required=True, help="one of: " + ", ".join(qemu_targets()) + ", or a description file PATH.json")
    parser.add_argument("--gen", required=True, help="directory holding NAME.h and NAME.cpp")
    parser.add_argument("--name", required=True, help="the model's name (tempoc --name)")
    parser.add_argument("--opt", default="Os", choices=["Os", "O2"], help="optimisation level (default Os)")
    parser.add_argument("--inputs", nargs="+", default=[], help="raw input tensors, in model order")
    parser.add_argument("--outputs", nargs="+", default=[], help="files to write the outputs to")
    parser.add_argument("--json", help="write the report here as JSON")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before QEMU is killed (default 60)")
    parser.add_argument("--work", help="build directory (default: a temporary one, removed afterwards)")
    parser.add_argument("--verbose", action="store_true", help="print the commands and the program's output")
    args = parser.parse_args()

    tools = find_tools()
    desc = load_target(args.target)
    gen = os.path.abspath(args.gen)
    inputs = [os.path.abspath(p) for p in args.inputs]
    outputs = [os.path.abspath(p) for p in args.outputs]
    for p in inputs:
        if not os.path.isfile(p):
            fail("input file %s does not exist" % p)

    temp = None
    if args.work:
        work = os.path.abspath(args.work)
        os.makedirs(work, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="tempo-qemu-")
        work = temp
    try:
        return build_and_run(args, desc, gen, inputs, outputs, work, tools)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def build_and_run(args, desc, gen, inputs, outputs, work, tools):
    plugin = plugin_path(work, tools["host_cc"])
    elf, map_path, model_obj = build(desc, gen, args.name, args.opt, work, tools)
    sections, symbols = read_elf(elf)
    cxx_runtime = sorted(sym for sym in symbols
                         if sym.startswith(CXX_RUNTIME_PREFIXES))
    if cxx_runtime:
        fail("C++ runtime symbols linked into %s: %s" % (elf, ", ".join(cxx_runtime[:8])))
    for sym in ("tempo_bench_begin", "tempo_bench_end", "__stack_limit", "__stack_top", "end"):
        if sym not in symbols:
            fail("symbol %s missing from %s" % (sym, elf))
    begin = symbols["tempo_bench_begin"][0] & ~1
    end = symbols["tempo_bench_end"][0] & ~1
    if begin == end:
        fail("tempo_bench_begin and tempo_bench_end were merged into one address")
    stack_lo = symbols["__stack_limit"][0]
    stack_hi = symbols["__stack_top"][0]
    # NAME_run allocates nothing, so between the markers every store from the
    # end of .bss (where the heap starts) up is a stack store: watching that
    # whole range also catches frames that overflow below __stack_limit.
    free_lo = symbols["end"][0]

    report_path = os.path.join(work, "icount.txt")
    if os.path.exists(report_path):
        os.remove(report_path)
    for p in outputs:
        if os.path.exists(p):
            os.remove(p)
    program_args = [args.name] + inputs + ["-o"] + outputs
    plugin_args = [("begin", hex(begin)), ("end", hex(end)), ("out", report_path),
                   ("stack_lo", hex(free_lo)), ("stack_hi", hex(stack_hi))]
    cmd, rc, out, err, timed_out = run(desc, elf, program_args, plugin, plugin_args,
                                       args.timeout, tools)

    stack_bytes, stack_overflow, fault = None, False, None
    program_err = []
    for line in err.splitlines():
        m = STACK_LINE.match(line)
        if m:
            stack_bytes = int(m.group(1))
            stack_overflow = bool(m.group(2))
        elif FAULT_LINE.match(line):
            fault = line[len("tempo-qemu: "):]
        else:
            program_err.append(line)

    counts = {}
    if os.path.isfile(report_path):
        with open(report_path) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                counts[key] = int(value, 0)

    flash, ram = image_sizes(sections)
    per_section = object_sizes(map_path, model_obj)
    model_flash = sum(v for k, v in per_section.items()
                      if k in sections and sections[k][1] & SHF_ALLOC and
                      sections[k][0] != SHT_NOBITS)
    model_ram = per_section.get(".data", 0) + per_section.get(".bss", 0)
    one_window = counts.get("windows") == 1
    inference_stack = (stack_hi - counts["stack_min_write"]
                       if one_window and "stack_min_write" in counts else None)
    if inference_stack is not None and inference_stack > stack_hi - stack_lo:
        stack_overflow = True
    arena = next((size for sym, (_v, size) in symbols.items() if sym.endswith("gArena")), 0)

    result = {
        "target": desc["name"],
        "qemu_machine": desc["qemu_machine"],
        "name": args.name,
        "opt": args.opt,
        "exit_status": rc,
        "timed_out": timed_out,
        "fault": fault,
        "insns": counts.get("insns") if one_window else None,
        "windows": counts.get("windows"),
        "total_insns": counts.get("total_insns"),
        "flash_bytes": flash,
        "ram_bytes": ram,
        "model_flash_bytes": model_flash,
        "model_ram_bytes": model_ram + arena,
        "stack_bytes": stack_bytes,
        "stack_overflow": stack_overflow,
        "inference_stack_bytes": inference_stack,
        "stack_limit_bytes": stack_hi - stack_lo,
        "elf": elf if args.work else None,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")

    if args.verbose:
        print("$ " + " ".join(cmd))
        sys.stdout.write(out)
        sys.stdout.write("\n".join(program_err) + ("\n" if program_err else ""))
    problems = []
    if timed_out:
        problems.append("QEMU did not finish within %g s (killed)" % args.timeout)
    elif rc is not None and rc < 0:
        problems.append("QEMU died with signal %d (a CPU lockup, e.g. a fault "
                        "inside the fault handler, aborts QEMU)" % -rc)
    elif rc != 0:
        problems.append("the program exited with status %s" % rc)
    if fault:
        problems.append(fault)
    if not timed_out and rc == 0 and counts.get("windows") != 1:
        problems.append("expected one tempo_bench_begin/end window, saw %s" % counts.get("windows"))
    if inference_stack is not None and inference_stack > stack_hi - stack_lo:
        problems.append(
            "a store between the markers went %d bytes below the top of the "
            "%d-byte stack: a stack overflow, or NAME_run used the heap "
            "(generated code must not)" % (inference_stack, stack_hi - stack_lo))
    elif stack_overflow:
        problems.append("the stack overflowed its %d bytes" % (stack_hi - stack_lo))
    for key in ("target", "exit_status", "insns", "flash_bytes", "ram_bytes",
                "model_flash_bytes", "model_ram_bytes", "stack_bytes",
                "inference_stack_bytes"):
        print("%-22s %s" % (key, result[key]))
    if problems:
        if not args.verbose:
            tail = (out + "\n".join(program_err)).strip().splitlines()[-20:]
            if tail:
                sys.stderr.write("program output (last lines):\n  " + "\n  ".join(tail) + "\n")
        for p in problems:
            sys.stderr.write("run_on_qemu: error: %s\n" % p)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ToolError as e:
        sys.stderr.write("run_on_qemu: error: %s\n" % e)
        sys.exit(2)

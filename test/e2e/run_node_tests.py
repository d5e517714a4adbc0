#!/usr/bin/python3
"""Run the ONNX backend node tests end to end through tempoc.

For every test named in the list (node_tests.txt):

  1. find the graph inputs that only carry shapes, axes or bounds (Reshape's
     shape, Squeeze/Unsqueeze axes, Clip's min/max, ...) and freeze them from
     test_data_set_0 with `--freeze-input` (all data sets must agree on them);
  2. `tempoc compile model.onnx -o GEN --name NAME`;
  3. build NAME.cpp with harness.cpp (and a tiny program printing the
     generated input/output tables) warning-free as embedded C++17;
  4. for every test_data_set_*: write the remaining inputs as raw bytes, run
     the harness, read the raw outputs and compare them with output_*.pb
     (floats: np.allclose(rtol=1e-3, atol=1e-5) with NaN == NaN; everything
     else exactly; dtypes and shapes must match).

Each test ends as `pass`, `fail` (with a reason) or `unsupported` (tempoc
exit 1 naming an unsupported op). A test whose outcome differs from the list's
expectation fails the suite, including an `xfail` test that now passes. The
last line printed is `N passed, M failed`; the exit code is 1 if M > 0.

Needs Debian's python3-onnx (run it with /usr/bin/python3).
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

try:
    import onnx
    from onnx import numpy_helper
except ImportError:  # pragma: no cover - environment problem, not a test result
    sys.exit("run_node_tests.py: needs the onnx Python package "
             "(Debian: python3-onnx; run with /usr/bin/python3)")

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
RTOL = 1e-3
ATOL = 1e-5
MAX_REASON = 300
# ASCII compiler messages (no locale quotes) in reasons and the list.
ENV = dict(os.environ, LC_ALL="C")

# ---------------------------------------------------------------------------
# The test list
# ---------------------------------------------------------------------------

LIST_STATUSES = ("pass", "xfail")


@dataclass
class ListEntry:
    name: str
    expected: str
    reason: str = ""


@dataclass
class TestList:
    """node_tests.txt: leading comment lines, then `name expected [# reason]`."""
    header: List[str] = field(default_factory=list)
    entries: List[ListEntry] = field(default_factory=list)

    def by_name(self) -> Dict[str, ListEntry]:
        return {e.name: e for e in self.entries}


def read_list(path: Path) -> TestList:
    tl = TestList()
    seen = set()
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not tl.entries:
                tl.header.append(raw.rstrip())
            continue
        body, _, reason = line.partition("#")
        fields = body.split()
        if len(fields) != 2 or fields[1] not in LIST_STATUSES:
            raise ValueError(f"{path}:{lineno}: expected "
                             f"'<test_name> pass|xfail [# reason]', got '{line}'")
        if fields[0] in seen:
            raise ValueError(f"{path}:{lineno}: '{fields[0]}' listed twice")
        seen.add(fields[0])
        tl.entries.append(ListEntry(fields[0], fields[1], reason.strip()))
    return tl


def format_entry(e: ListEntry, width: int) -> str:
    line = f"{e.name:<{width}} {e.expected}"
    if e.expected == "xfail":
        line += f"  # {e.reason or 'no reason given'}"
    return line


def write_list(path: Path, tl: TestList) -> None:
    width = max((len(e.name) for e in tl.entries), default=0)
    lines = list(tl.header)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines.append("")
    lines += [format_entry(e, width) for e in tl.entries]
    path.write_text("\n".join(lines) + "\n")


def one_line(text: str, limit: int = MAX_REASON) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ---------------------------------------------------------------------------
# Models and data sets
# ---------------------------------------------------------------------------

# Operand positions that carry shapes, axes, bounds or other attribute-like
# values. A graph input used only in these positions is frozen into the model
# (`tempoc --freeze-input`) instead of being a runtime input.
PARAMETER_OPERANDS: Dict[str, Tuple[int, ...]] = {
    "BlackmanWindow": (0,),
    "Clip": (1, 2),
    "ConstantOfShape": (0,),
    # Quantization: scales and zero points are compile-time constants, and
    # so are conv weights (the int8 conv takes them symmetric int8, made at
    # compile time). A real quantized model has all of them as initializers;
    # the conformance tests pass them as inputs only because their format
    # has no initializers.
    "ConvInteger": (1, 2, 3),
    "CumSum": (1,),
    "DFT": (1,),
    "DequantizeLinear": (1, 2),
    "Expand": (1,),
    "GRU": (4,),
    "Gather": (1,),
    "HammingWindow": (0,),
    "HannWindow": (0,),
    "LSTM": (4,),
    "MatMulInteger": (2, 3),
    "MelWeightMatrix": (0, 1, 2, 3, 4),
    "OneHot": (1, 2),
    "Pad": (1, 2, 3),
    "QLinearConv": (1, 2, 3, 4, 5, 6, 7),
    "QLinearMatMul": (1, 2, 4, 5, 6, 7),
    "QuantizeLinear": (1, 2),
    "Range": (0, 1, 2),
    "ReduceL1": (1,),
    "ReduceL2": (1,),
    "ReduceLogSum": (1,),
    "ReduceLogSumExp": (1,),
    "ReduceMax": (1,),
    "ReduceMean": (1,),
    "ReduceMin": (1,),
    "ReduceProd": (1,),
    "ReduceSum": (1,),
    "ReduceSumSquare": (1,),
    "Reshape": (1,),
    "RNN": (4,),
    "Resize": (1, 2, 3),
    "STFT": (1, 3),
    "Slice": (1, 2, 3, 4),
    "Split": (1,),
    "Squeeze": (1,),
    "Tile": (1,),
    "TopK": (1,),
    "Unsqueeze": (1,),
    "Upsample": (1,),
}


def graph_inputs(model: onnx.ModelProto) -> List[onnx.ValueInfoProto]:
    """The graph inputs that are not initializers, in model order."""
    inits = {t.name for t in model.graph.initializer}
    return [vi for vi in model.graph.input if vi.name not in inits]


# Ops whose output depends on their input's shape, not its values.
SHAPE_ONLY_OPS = {"Shape", "Size"}


def parameter_inputs(model: onnx.ModelProto) -> List[str]:
    """Graph inputs whose value sets a shape, axes or bounds: every use is
    such an operand, or the value flows (through any nodes but Shape/Size)
    into one, e.g. x -> Cast -> Range's limit. A static compiler needs them
    as constants."""
    uses: Dict[str, List[bool]] = {}
    carries = set()  # names whose value reaches a parameter operand
    for node in model.graph.node:
        params = PARAMETER_OPERANDS.get(node.op_type, ()) \
            if node.domain in ("", "ai.onnx") else ()
        for i, name in enumerate(node.input):
            if name:
                uses.setdefault(name, []).append(i in params)
                if i in params:
                    carries.add(name)
    changed = True
    while changed:  # backwards to a fixed point (graphs are small)
        changed = False
        for node in model.graph.node:
            if node.op_type in SHAPE_ONLY_OPS or \
                    not any(o in carries for o in node.output):
                continue
            for name in node.input:
                if name and name not in carries:
                    carries.add(name)
                    changed = True
    graph_outputs = {o.name for o in model.graph.output}
    return [vi.name for vi in graph_inputs(model)
            if uses.get(vi.name) and (all(uses[vi.name]) or vi.name in carries)
            and vi.name not in graph_outputs]


def static_dims(vi: onnx.ValueInfoProto) -> Optional[List[int]]:
    """The input's dims if all are known, else None."""
    if not vi.type.HasField("tensor_type"):
        return None
    tt = vi.type.tensor_type
    if not tt.HasField("shape"):
        return None
    dims = []
    for d in tt.shape.dim:
        if not d.HasField("dim_value"):
            return None
        dims.append(d.dim_value)
    return dims


def numbered(directory: Path, prefix: str) -> List[Path]:
    """prefix_0.pb, prefix_1.pb, ... in numeric order."""
    found = []
    for p in directory.glob(f"{prefix}_*.pb"):
        m = re.fullmatch(rf"{prefix}_(\d+)\.pb", p.name)
        if m:
            found.append((int(m.group(1)), p))
    found.sort()
    return [p for _, p in found]


def data_sets(test_dir: Path) -> List[Path]:
    sets = []
    for p in test_dir.glob("test_data_set_*"):
        m = re.fullmatch(r"test_data_set_(\d+)", p.name)
        if m and p.is_dir():
            sets.append((int(m.group(1)), p))
    sets.sort()
    return [p for _, p in sets]


def load_pb(path: Path) -> np.ndarray:
    t = onnx.TensorProto()
    t.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(t)


def to_raw(a: np.ndarray) -> bytes:
    """The little-endian row-major bytes the harness reads."""
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.tobytes()


def from_raw(data: bytes, dtype: np.dtype, shape: List[int]) -> np.ndarray:
    dtype = np.dtype(dtype).newbyteorder("<")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and \
        np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def fmt(v) -> str:
    v = v.item() if isinstance(v, np.generic) else v
    return f"{v:.8g}" if isinstance(v, float) else repr(v)


def compare(out: np.ndarray, ref: np.ndarray, what: str) -> Optional[str]:
    """None if `out` matches `ref`, else a one-line description."""
    if out.dtype != ref.dtype:
        return f"{what}: dtype {out.dtype} but the reference is {ref.dtype}"
    if out.shape != ref.shape:
        return (f"{what}: shape {list(out.shape)} but the reference is "
                f"{list(ref.shape)}")
    if ref.size == 0:
        return None
    if ref.dtype.kind in "fc":
        close = np.isclose(out, ref, rtol=RTOL, atol=ATOL, equal_nan=True)
        if close.all():
            return None
        bad = int((~close).sum())
        finite = np.isfinite(out) & np.isfinite(ref)
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.where(finite, np.abs(out.astype(np.float64) -
                                          ref.astype(np.float64)), 0.0)
        nonfinite = int((~close & ~finite).sum())
        # Point at the worst finite mismatch, else at the first NaN/Inf one.
        idx = np.unravel_index(int(np.argmax(np.where(close, -1.0, err))),
                               ref.shape)
        msg = (f"{what}: {bad}/{ref.size} elements differ "
               f"(rtol={RTOL:g}, atol={ATOL:g}); "
               f"max abs error {float(err.max()):.6g}")
        if nonfinite:
            msg += f" over finite values, {nonfinite} NaN/Inf mismatches"
        msg += (f"; at {list(map(int, idx))} got {fmt(out[idx])} "
                f"want {fmt(ref[idx])}")
        return msg
    if np.array_equal(out, ref):
        return None
    bad = out != ref
    idx = np.unravel_index(int(np.argmax(bad)), ref.shape)
    msg = (f"{what}: {int(bad.sum())}/{ref.size} elements differ; "
           f"at {list(map(int, idx))} got {fmt(out[idx])} "
           f"want {fmt(ref[idx])}")
    if ref.dtype.kind in "iu":
        diff = np.abs(out.astype(np.int64) - ref.astype(np.int64))
        msg += f"; max abs error {int(diff.max())}"
    return msg


# ---------------------------------------------------------------------------
# The generated model's input/output tables
# ---------------------------------------------------------------------------

# tempo_dtype_t (runtime/include/tempo/status.h) -> numpy.
TEMPO_DTYPES = {
    1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
    6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64,
}

# Prints NAME_input_info / NAME_output_info, one tensor a line:
#   input|output INDEX DTYPE BYTES RANK DIM... NAME
INFO_SOURCE = r"""// Generated by run_node_tests.py: prints a generated model's I/O tables.
#include TEMPO_MODEL_HEADER

#include <stdio.h>

#define TEMPO_CAT2(a, b) a##b
#define TEMPO_CAT(a, b) TEMPO_CAT2(a, b)
#define TEMPO_FN(suffix) TEMPO_CAT(TEMPO_MODEL, suffix)

static void print(const char *kind, int index, const tempo_tensor_info_t *t) {
  if (!t) {
    printf("%s %d null\n", kind, index);
    return;
  }
  printf("%s %d %d %u %d", kind, index, (int)t->dtype, (unsigned)t->bytes,
         (int)t->rank);
  for (int d = 0; d < t->rank && d < TEMPO_MAX_RANK; ++d)
    printf(" %d", (int)t->dims[d]);
  printf(" %s\n", t->name ? t->name : "");
}

int main(void) {
  for (int i = 0; i < TEMPO_FN(_NUM_INPUTS); ++i)
    print("input", i, TEMPO_FN(_input_info)(i));
  for (int i = 0; i < TEMPO_FN(_NUM_OUTPUTS); ++i)
    print("output", i, TEMPO_FN(_output_info)(i));
  return 0;
}
"""


@dataclass
class TensorInfo:
    name: str
    dtype: Optional[np.dtype]
    dtype_code: int
    bytes: int
    dims: List[int]


def parse_info(text: str) -> Tuple[List[TensorInfo], List[TensorInfo]]:
    tables: Dict[str, List[TensorInfo]] = {"input": [], "output": []}
    for line in text.splitlines():
        parts = line.split(" ")
        kind = parts[0]
        if kind not in tables or len(parts) < 3:
            raise ValueError(f"unexpected info line '{line}'")
        if parts[2] == "null":
            raise ValueError(f"NAME_{kind}_info({parts[1]}) returned NULL")
        code, nbytes, rank = int(parts[2]), int(parts[3]), int(parts[4])
        dims = [int(x) for x in parts[5:5 + rank]]
        name = " ".join(parts[5 + rank:])
        dt = TEMPO_DTYPES.get(code)
        tables[kind].append(TensorInfo(name, np.dtype(dt) if dt else None,
                                       code, nbytes, dims))
    return tables["input"], tables["output"]


# ---------------------------------------------------------------------------
# Running one test
# ---------------------------------------------------------------------------


@dataclass
class Config:
    tempoc: Path
    runtime_include: Path
    harness: Path
    info_source: Path
    data_dir: Path
    work: Path
    cxx: str
    timeout: float


@dataclass
class Result:
    name: str
    expected: str
    status: str = "fail"  # pass | fail | unsupported
    reason: str = ""
    seconds: float = 0.0
    listed_reason: str = ""  # the list's reason for an xfail entry

    @property
    def outcome(self) -> str:
        """pass / fail / xfail (expected failure) / xpass (unexpected pass)."""
        if self.expected == "pass":
            return "pass" if self.status == "pass" else "fail"
        return "xpass" if self.status == "pass" else "xfail"

    @property
    def counts_as_passed(self) -> bool:
        return self.outcome in ("pass", "xfail")


class TestFailure(Exception):
    def __init__(self, reason: str, status: str = "fail"):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def first_error_line(text: str) -> str:
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if re.search(r"\berror\b|undefined reference", l, re.IGNORECASE):
            return l
    return lines[0] if lines else "(no message)"


class TestRun:
    """Everything for one test, in WORK/<test>/."""

    CXXFLAGS = ["-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror",
                "-fno-exceptions", "-fno-rtti"]

    def __init__(self, cfg: Config, name: str):
        self.cfg = cfg
        self.name = name
        self.test_dir = cfg.data_dir / name
        self.dir = cfg.work / name
        self.gen = self.dir / "gen"
        self.commands: List[List[str]] = []

    def clean(self, text: str) -> str:
        """Drops this test's absolute directories from a message."""
        for d in (self.dir, self.test_dir, self.cfg.work):
            text = text.replace(str(d) + os.sep, "")
        return text

    def run(self, argv: List[str], log: str,
            cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
        argv = [str(a) for a in argv]
        self.commands.append(argv)
        try:
            proc = subprocess.run(argv, cwd=cwd, capture_output=True,
                                  timeout=self.cfg.timeout, env=ENV)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"{Path(argv[0]).name} timed out after "
                              f"{self.cfg.timeout:g} s")
        except OSError as e:
            raise TestFailure(f"cannot run {argv[0]}: {e.strerror}")
        with open(self.dir / log, "ab") as f:
            f.write(b"$ " + shlex.join(argv).encode() + b"\n")
            f.write(proc.stdout + proc.stderr)
            f.write(f"[exit {proc.returncode}]\n".encode())
        return proc

    def write_commands(self) -> None:
        text = "#!/bin/sh\n# Commands run_node_tests.py ran for this test.\nset -e\n"
        text += "".join(shlex.join(c) + "\n" for c in self.commands)
        (self.dir / "commands.sh").write_text(text)

    # -- 1. freeze -----------------------------------------------------------

    def plan_inputs(self, model: onnx.ModelProto, sets: List[Path]):
        """Splits the graph inputs into frozen and runtime ones."""
        inputs = graph_inputs(model)
        names = [vi.name for vi in inputs]
        per_set = []
        for ds in sets:
            files = numbered(ds, "input")
            if len(files) != len(inputs):
                raise TestFailure(f"{ds.name} has {len(files)} inputs but the "
                                  f"graph has {len(inputs)}")
            per_set.append(files)
        freeze = set(parameter_inputs(model))
        frozen: List[Tuple[str, Path]] = []
        runtime: List[int] = []
        for k, vi in enumerate(inputs):
            if vi.name not in freeze:
                runtime.append(k)
                continue
            first = load_pb(per_set[0][k])
            for files in per_set[1:]:
                if not same_array(first, load_pb(files[k])):
                    raise TestFailure(
                        f"input '{vi.name}' carries a shape/axes/bounds "
                        f"operand but differs across data sets, so it cannot "
                        f"be frozen")
            frozen.append((vi.name, per_set[0][k]))
        shapes: List[Tuple[str, List[int]]] = []
        for k in runtime:
            vi = inputs[k]
            if static_dims(vi) is not None:
                continue
            shape = list(load_pb(per_set[0][k]).shape)
            for files in per_set[1:]:
                if list(load_pb(files[k]).shape) != shape:
                    raise TestFailure(f"input '{vi.name}' has a dynamic shape "
                                      f"that differs across data sets")
            shapes.append((vi.name, shape))
        return names, frozen, runtime, shapes, per_set

    # -- 2. compile ------------------------------------------------------------

    def compile_model(self, frozen, shapes) -> None:
        argv = [self.cfg.tempoc, "compile", self.test_dir / "model.onnx",
                "-o", self.gen, "--name", self.name]
        for name, path in frozen:
            argv += ["--freeze-input", f"{name}={path}"]
        for name, shape in shapes:
            argv += ["--input-shape", f"{name}={'x'.join(map(str, shape))}"]
        proc = self.run(argv, "tempoc.log")
        err = proc.stderr.decode(errors="replace")
        if proc.returncode == 0:
            for ext in (".h", ".cpp"):
                if not (self.gen / (self.name + ext)).is_file():
                    raise TestFailure(f"tempoc exited 0 but wrote no "
                                      f"{self.name}{ext}")
            return
        msg = self.clean(first_error_line(err))
        if proc.returncode == 1:
            if re.search(r"unsupported|not supported", err, re.IGNORECASE):
                raise TestFailure(f"unsupported: {msg}", "unsupported")
            raise TestFailure(f"compile error: {msg}")
        if proc.returncode < 0:
            raise TestFailure(f"tempoc crashed (signal {-proc.returncode}): "
                              f"{msg}")
        raise TestFailure(f"tempoc exit {proc.returncode}: {msg}")

    # -- 3. build --------------------------------------------------------------

    def build(self) -> Tuple[Path, Path]:
        build = self.dir / "build"
        build.mkdir()
        flags = [self.cfg.cxx] + self.CXXFLAGS + [
            "-I", self.cfg.runtime_include, "-I", self.gen,
            f"-DTEMPO_MODEL={self.name}",
            f'-DTEMPO_MODEL_HEADER="{self.name}.h"']
        obj = build / f"{self.name}.o"
        harness = build / "harness"
        info = build / "info"
        for argv, what in (
                (flags + ["-c", self.gen / f"{self.name}.cpp", "-o", obj],
                 f"{self.name}.cpp"),
                (flags + [self.cfg.harness, obj, "-o", harness], "harness"),
                (flags + [self.cfg.info_source, obj, "-o", info], "info")):
            proc = self.run(argv, "build.log")
            if proc.returncode != 0:
                out = proc.stderr.decode(errors="replace")
                raise TestFailure(f"build error ({what}): "
                                  f"{self.clean(first_error_line(out))}")
        return harness, info

    # -- 4. run and compare ----------------------------------------------------

    def check_tables(self, model, names, runtime, info_in, info_out) -> None:
        want_in = [names[k] for k in runtime]
        got_in = [t.name for t in info_in]
        if got_in != want_in:
            raise TestFailure(f"generated inputs {got_in} but the graph's "
                              f"non-frozen inputs are {want_in}")
        want_out = [o.name for o in model.graph.output]
        got_out = [t.name for t in info_out]
        if got_out != want_out:
            raise TestFailure(f"generated outputs {got_out} but the graph's "
                              f"outputs are {want_out}")
        for t in info_in + info_out:
            if t.dtype is None:
                raise TestFailure(f"'{t.name}' has unknown tempo dtype "
                                  f"{t.dtype_code}")
            want = int(np.prod(t.dims, dtype=np.int64)) * t.dtype.itemsize
            if t.bytes != want:
                raise TestFailure(f"'{t.name}' info says {t.bytes} bytes but "
                                  f"{t.dtype}{t.dims} is {want}")

    def run_data_set(self, harness: Path, ds: Path, files: List[Path],
                     runtime: List[int], info_in, info_out) -> None:
        out_dir = self.dir / ds.name
        out_dir.mkdir()
        argv: List = [harness]
        for t, k in zip(info_in, runtime):
            a = load_pb(files[k])
            if a.dtype != t.dtype or list(a.shape) != t.dims:
                raise TestFailure(
                    f"{ds.name}: input '{t.name}' is {a.dtype}{list(a.shape)}"
                    f" but the generated model takes {t.dtype}{t.dims}")
            path = out_dir / f"in_{len(argv) - 1}.bin"
            path.write_bytes(to_raw(a))
            argv.append(path)
        argv.append("-o")
        outs = [out_dir / f"out_{i}.bin" for i in range(len(info_out))]
        argv += outs
        proc = self.run(argv, "run.log", cwd=out_dir)
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()
            how = (f"signal {-proc.returncode}" if proc.returncode < 0
                   else f"exit {proc.returncode}")
            msg = self.clean(first_error_line(err)) if err else "no message"
            raise TestFailure(f"run error ({ds.name}, {how}): {msg}")
        refs = numbered(ds, "output")
        if len(refs) != len(info_out):
            raise TestFailure(f"{ds.name} has {len(refs)} reference outputs "
                              f"but the model has {len(info_out)}")
        problems = []
        for i, (t, ref_path, out_path) in enumerate(zip(info_out, refs, outs)):
            ref = load_pb(ref_path)
            what = f"{ds.name} output {i} '{t.name}'"
            if t.dtype != ref.dtype or t.dims != list(ref.shape):
                problems.append(f"{what}: generated {t.dtype}{t.dims} but the "
                                f"reference is {ref.dtype}{list(ref.shape)}")
                continue
            data = out_path.read_bytes()
            if len(data) != t.bytes:
                problems.append(f"{what}: harness wrote {len(data)} bytes, "
                                f"expected {t.bytes}")
                continue
            msg = compare(from_raw(data, t.dtype, t.dims), ref, what)
            if msg:
                problems.append(msg)
        if problems:
            raise TestFailure("mismatch: " + "; ".join(problems))

    def execute(self) -> None:
        if not (self.test_dir / "model.onnx").is_file():
            raise TestFailure(f"no such test in {self.cfg.data_dir}")
        model = onnx.load(str(self.test_dir / "model.onnx"))
        sets = data_sets(self.test_dir)
        if not sets:
            raise TestFailure("the test has no test_data_set_*")
        names, frozen, runtime, shapes, per_set = self.plan_inputs(model, sets)
        self.compile_model(frozen, shapes)
        harness, info = self.build()
        proc = self.run([info], "build.log")
        if proc.returncode != 0:
            raise TestFailure(f"info program failed (exit {proc.returncode})")
        try:
            info_in, info_out = parse_info(proc.stdout.decode(errors="replace"))
        except ValueError as e:
            raise TestFailure(f"bad I/O tables: {e}")
        self.check_tables(model, names, runtime, info_in, info_out)
        for ds, files in zip(sets, per_set):
            self.run_data_set(harness, ds, files, runtime, info_in, info_out)


def run_test(cfg: Config, entry: ListEntry) -> Result:
    start = time.monotonic()
    result = Result(entry.name, entry.expected, listed_reason=entry.reason)
    t = TestRun(cfg, entry.name)
    shutil.rmtree(t.dir, ignore_errors=True)
    t.dir.mkdir(parents=True)
    try:
        t.execute()
        result.status = "pass"
    except TestFailure as e:
        result.status = e.status
        result.reason = one_line(e.reason)
    except Exception as e:  # a runner bug or unreadable data: still a result
        result.status = "fail"
        result.reason = one_line(f"runner error: {type(e).__name__}: {e}")
    finally:
        t.write_commands()
    result.seconds = round(time.monotonic() - start, 3)
    return result


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def describe(r: Result) -> str:
    if r.outcome == "xpass":
        return (f"XPASS {r.name}: unexpectedly passes, update the list"
                f" (listed xfail: {r.listed_reason or 'no reason'})")
    tag = {"fail": "FAIL", "xfail": "XFAIL"}[r.outcome]
    return f"{tag} {r.name} ({r.status}): {r.reason}"


def summary(results: List[Result], args) -> dict:
    statuses = {s: sum(r.status == s for r in results)
                for s in ("pass", "fail", "unsupported")}
    outcomes = {o: sum(r.outcome == o for r in results)
                for o in ("pass", "fail", "xfail", "xpass")}
    total = len(results)
    return {
        "tempoc": str(args.tempoc),
        "data_dir": str(args.data),
        "tolerance": {"rtol": RTOL, "atol": ATOL},
        "tests": {r.name: {"status": r.status, "expected": r.expected,
                           "outcome": r.outcome, "reason": r.reason,
                           "seconds": r.seconds} for r in results},
        "totals": {"tests": total,
                   "passed": sum(r.counts_as_passed for r in results),
                   "failed": sum(not r.counts_as_passed for r in results),
                   "status": statuses, "outcome": outcomes},
        "pass_rate": round(statuses["pass"] / total, 4) if total else 0.0,
    }


def update_list(path: Path, tl: TestList, results: List[Result]) -> int:
    by_name = {r.name: r for r in results}
    changed = 0
    for e in tl.entries:
        r = by_name.get(e.name)
        if r is None:
            continue
        new = ("pass", "") if r.status == "pass" else ("xfail", r.reason)
        if (e.expected, e.reason) != new:
            changed += 1
            e.expected, e.reason = new
    write_list(path, tl)
    return changed


def main(argv: Optional[List[str]] = None) -> int:
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tempoc", type=Path, required=True)
    p.add_argument("--runtime-include", type=Path, required=True,
                   help="the runtime's include directory (runtime/include)")
    p.add_argument("--harness", type=Path, default=here / "harness.cpp")
    p.add_argument("--list", type=Path, default=here / "node_tests.txt")
    p.add_argument("--work", type=Path, required=True,
                   help="scratch directory; WORK/<test>/ keeps each test's "
                        "generated code, logs and commands.sh")
    p.add_argument("--data", type=Path, default=Path(DEFAULT_DATA_DIR),
                   help=f"ONNX node test directory (default {DEFAULT_DATA_DIR})")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cxx", default="g++")
    p.add_argument("--filter", help="run only tests whose name matches this "
                                    "regular expression (re.search)")
    p.add_argument("--summary", type=Path, help="write a JSON summary here")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds allowed for each tempoc/compiler/harness run")
    p.add_argument("--update", action="store_true",
                   help="rewrite the list's statuses from this run's results")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print every result as it completes")
    args = p.parse_args(argv)

    for what, path in (("tempoc", args.tempoc), ("harness", args.harness),
                       ("list", args.list)):
        if not path.is_file():
            p.error(f"--{what} {path}: no such file")
    if not args.runtime_include.is_dir():
        p.error(f"--runtime-include {args.runtime_include}: no such directory")
    if not args.data.is_dir():
        p.error(f"--data {args.data}: no such directory")
    if shutil.which(args.cxx) is None:
        p.error(f"--cxx {args.cxx}: not found")
    try:
        tl = read_list(args.list)
    except ValueError as e:
        p.error(str(e))
    entries = tl.entries
    if args.filter:
        rx = re.compile(args.filter)
        entries = [e for e in entries if rx.search(e.name)]
    if not entries:
        p.error("no tests selected")

    args.work.mkdir(parents=True, exist_ok=True)
    info_source = args.work / "io_tables.cpp"
    info_source.write_text(INFO_SOURCE)
    cfg = Config(tempoc=args.tempoc.resolve(),
                 runtime_include=args.runtime_include.resolve(),
                 harness=args.harness.resolve(), info_source=info_source.resolve(),
                 data_dir=args.data.resolve(), work=args.work.resolve(),
                 cxx=args.cxx, timeout=args.timeout)

    lock = threading.Lock()
    results: Dict[str, Result] = {}
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(run_test, cfg, e): e for e in entries}
        for f in concurrent.futures.as_completed(futures):
            r = f.result()
            results[r.name] = r
            if args.verbose:
                with lock:
                    print(f"[{len(results)}/{len(entries)}] {r.name}: "
                          f"{r.status} ({r.seconds:.1f} s)"
                          + (f" {r.reason}" if r.reason else ""),
                          file=sys.stderr, flush=True)
    ordered = [results[e.name] for e in entries]

    for r in ordered:
        if r.status != "pass" or r.outcome == "xpass":
            print(describe(r))
    if args.summary:
        s = summary(ordered, args)
        s["seconds"] = round(time.monotonic() - start, 1)
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(json.dumps(s, indent=2) + "\n")
    if args.update:
        n = update_list(args.list, tl, ordered)
        print(f"updated {args.list}: {n} entries changed")
    passed = sum(r.counts_as_passed for r in ordered)
    failed = len(ordered) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Generate or refresh node_tests.txt from the ONNX node test directory.

Every test the selection rule picks (SELECTED_OPS only, static shapes,
INPUT_TYPES inputs; see below), or that matches an extra --pattern, is
listed. Entries already in the list keep their expected status and reason;
a new entry starts as `pass`, unless its model needs an op outside
SUPPORTED_OPS or a mode Tempo does not compile (BatchNormalization in
training mode), which makes it `xfail` with that reason. Entries no longer
selected are kept (with a warning) unless --prune is given.

  /usr/bin/python3 select_node_tests.py            # refresh node_tests.txt
  /usr/bin/python3 select_node_tests.py --check    # exit 1 if it is stale
  /usr/bin/python3 select_node_tests.py --pattern 'test_pow*'   # widen

To widen the suite for good, add ops to SELECTED_OPS (and to SUPPORTED_OPS
once tempoc compiles them), then run this script.
"""

import argparse
import fnmatch
import sys
from pathlib import Path
from typing import List, Optional

import onnx

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from run_node_tests import (DEFAULT_DATA_DIR, ListEntry, TestList, read_list,
                            write_list)

# The selection rule (issue 3): every test whose nodes all use ops from
# SELECTED_OPS, whose graph inputs have static shapes, and whose input element
# types are in INPUT_TYPES. Sequence- and optional-typed inputs are out.
SELECTED_OPS = {
    # Issue 2's set.
    "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant",
    "Conv", "Div", "Dropout", "Flatten", "Gemm", "GlobalAveragePool",
    "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Relu", "Reshape",
    "Sigmoid", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
    # Conv family.
    "ConvTranspose", "GlobalMaxPool", "LpPool", "InstanceNormalization",
    "LayerNormalization",
    # Recurrent.
    "LSTM", "GRU", "RNN",
    # Elementwise.
    "Pow", "Sum", "Mean", "Max", "Min", "Abs", "Neg", "Exp", "Log", "Sqrt",
    "Reciprocal", "Erf", "Floor", "Ceil", "Sign", "Sin", "Cos", "PRelu",
    "Elu", "Selu", "Celu", "ThresholdedRelu", "HardSigmoid", "HardSwish",
    "Softplus", "Softsign", "LogSoftmax", "Hardmax",
    # Reductions.
    "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
    "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum",
    "ReduceLogSumExp", "ArgMax", "ArgMin", "CumSum",
    # Shape and data movement.
    "Slice", "Split", "Pad", "Tile", "Expand", "Gather", "Cast",
    "ConstantOfShape", "Range", "Shape", "Size",
    # Signal.
    "DFT", "STFT", "HannWindow", "HammingWindow", "BlackmanWindow",
    "MelWeightMatrix",
} | {
    # Quantization: selected, but they only need to import (xfail for now).
    "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
    "ConvInteger", "MatMulInteger",
}
QUANTIZATION_OPS = {"QuantizeLinear", "DequantizeLinear", "QLinearConv",
                    "QLinearMatMul", "ConvInteger", "MatMulInteger"}
INPUT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.INT32,
               onnx.TensorProto.INT64, onnx.TensorProto.INT8,
               onnx.TensorProto.UINT8}

# The ONNX ops (default domain) Tempo's importer compiles.
SUPPORTED_OPS = SELECTED_OPS - QUANTIZATION_OPS - {"CumSum", "LpPool"}

HEADER = """\
# ONNX backend node tests run end to end by run_node_tests.py (see README.md).
# One test a line: <test_name> pass|xfail [# reason]. An xfail needs a reason.
# Refresh with select_node_tests.py; rewrite statuses from a run with
# run_node_tests.py --update."""


def all_nodes(graph: onnx.GraphProto):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from all_nodes(attr.g)
            for g in attr.graphs:
                yield from all_nodes(g)


def default_entry(test_dir: Path) -> ListEntry:
    """A new entry's expectation from what its model needs."""
    name = test_dir.name
    try:
        model = onnx.load(str(test_dir / "model.onnx"))
    except Exception as e:  # unreadable model: let the runner report it
        return ListEntry(name, "xfail", f"model does not load: {e}")
    unsupported = set()
    for node in all_nodes(model.graph):
        if node.domain not in ("", "ai.onnx"):
            unsupported.add(f"{node.domain}.{node.op_type}")
        elif node.op_type not in SUPPORTED_OPS:
            unsupported.add(node.op_type)
        elif node.op_type == "BatchNormalization":
            for attr in node.attribute:
                if attr.name == "training_mode" and attr.i:
                    return ListEntry(name, "xfail",
                                     "BatchNormalization training_mode=1 "
                                     "(training only: updates running "
                                     "mean/var)")
    if unsupported:
        return ListEntry(name, "xfail", "needs ops outside the supported set: "
                         + ", ".join(sorted(unsupported)))
    return ListEntry(name, "pass")


def follows_rule(model: onnx.ModelProto) -> bool:
    """The issue's rule: selected ops only, static typed tensor inputs."""
    for node in all_nodes(model.graph):
        if node.domain not in ("", "ai.onnx") or \
                node.op_type not in SELECTED_OPS:
            return False
    inits = {t.name for t in model.graph.initializer}
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        if not vi.type.HasField("tensor_type"):
            return False  # sequence, optional, map ...
        tt = vi.type.tensor_type
        if tt.elem_type not in INPUT_TYPES or not tt.HasField("shape"):
            return False
        if any(not d.HasField("dim_value") for d in tt.shape.dim):
            return False
    return True


def select(data_dir: Path, patterns: List[str]) -> List[Path]:
    """Tests the rule selects, plus those matching an extra pattern."""
    out = []
    for p in sorted(data_dir.iterdir()):
        if not (p.is_dir() and (p / "model.onnx").is_file()):
            continue
        if any(fnmatch.fnmatchcase(p.name, pat) for pat in patterns):
            out.append(p)
            continue
        try:
            model = onnx.load(str(p / "model.onnx"))
        except Exception:
            continue
        if follows_rule(model):
            out.append(p)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=Path(DEFAULT_DATA_DIR))
    p.add_argument("--list", type=Path, default=here / "node_tests.txt")
    p.add_argument("--pattern", action="append", default=[],
                   help="an extra shell pattern of test names (repeatable)")
    p.add_argument("--prune", action="store_true",
                   help="drop entries that no pattern selects")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the list would change")
    args = p.parse_args(argv)

    patterns = args.pattern
    old = read_list(args.list) if args.list.is_file() else TestList()
    known = old.by_name()
    new = TestList(header=old.header or HEADER.splitlines())
    selected = select(args.data, patterns)
    added = 0
    for d in selected:
        if d.name in known:
            new.entries.append(known[d.name])
        else:
            new.entries.append(default_entry(d))
            added += 1
    chosen = {d.name for d in selected}
    dropped = [e for e in old.entries if e.name not in chosen]
    for e in dropped:
        why = ("no longer in " + str(args.data)
               if not (args.data / e.name).is_dir() else "matches no pattern")
        print(f"{'dropping' if args.prune else 'keeping'} {e.name}: {why}",
              file=sys.stderr)
        if not args.prune:
            new.entries.append(e)
    new.entries.sort(key=lambda e: e.name)

    xfail = sum(e.expected == "xfail" for e in new.entries)
    print(f"{len(new.entries)} tests ({xfail} xfail), {added} new, "
          f"{len(dropped)} {'dropped' if args.prune else 'unselected'}")
    if args.check:
        changed = [(e.name, e.expected, e.reason) for e in new.entries] != \
                  [(e.name, e.expected, e.reason) for e in old.entries]
        if changed:
            print(f"{args.list} is out of date; run {Path(__file__).name}",
                  file=sys.stderr)
        return 1 if changed else 0
    write_list(args.list, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes test/unit/recurrent_cases.inc: ONNX's own LSTM/GRU/RNN test cases as
C++ arrays, for RecurrentTest.cpp to run tempo's recurrent kernels on.

Two sources, both ONNX's:
  - the backend node tests shipped by Debian's libonnx-testdata (model.onnx
    plus test_data_set_0/*.pb): weights, inputs and expected outputs as ONNX
    publishes them;
  - ONNX's numpy helpers that produced those tests (onnx.backend.test.case.node
    .{lstm,gru,rnn}.*_Helper), run here on seeded random weights with every
    optional input given. The helpers only do one forward direction, so the
    reverse and bidirectional cases run them on the time-flipped input per
    direction (as ONNX's reference implementation does), and the layout-1
    cases transpose inputs and outputs. The published node tests mostly use
    constant weights, which cannot tell gates apart; these cases can.

The output is deterministic (fixed seed, fixed case order, floats printed with
9 significant digits, which round-trip float32 exactly). Regenerate with

    /usr/bin/python3 test/unit/make_recurrent_cases.py

and check the result in. Needs python3-onnx, python3-numpy, libonnx-testdata.
"""

import argparse
import hashlib
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.backend.test.case.node.gru import GRU_Helper
from onnx.backend.test.case.node.lstm import LSTM_Helper
from onnx.backend.test.case.node.rnn import RNN_Helper

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))

# The published node tests to embed (all of them that exist for these ops).
NODE_TESTS = [
    "test_lstm_defaults",
    "test_lstm_with_initial_bias",
    "test_lstm_with_peepholes",
    "test_lstm_batchwise",
    "test_gru_defaults",
    "test_gru_seq_length",
    "test_gru_with_initial_bias",
    "test_gru_batchwise",
    "test_rnn_seq_length",
    "test_simple_rnn_defaults",
    "test_simple_rnn_with_initial_bias",
    "test_simple_rnn_batchwise",
]

OPS = {"LSTM": (0, 4), "GRU": (1, 3), "RNN": (2, 1)}  # enum value, gates
DIRECTIONS = {"forward": 0, "reverse": 1, "bidirectional": 2}
# Canonical input positions of the three ops.
INPUT_SLOTS = ["x", "w", "r", "b", "sequence_lens", "initial_h", "initial_c",
               "p"]
OUTPUT_SLOTS = ["y", "y_h", "y_c"]
ARRAY_FIELDS = ["x", "w", "r", "b", "initial_h", "initial_c", "p", "y", "y_h",
                "y_c"]


class Case:
    def __init__(self, name, op, seq_len, batch, input_size, hidden_size,
                 direction, layout, linear_before_reset, arrays, source):
        self.name = name
        self.op = op
        self.seq_len = seq_len
        self.batch = batch
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.direction = direction
        self.layout = layout
        self.linear_before_reset = linear_before_reset
        self.arrays = arrays  # field -> np.float32 array (absent: missing)
        self.source = source


def load_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def sha256_of(paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def node_case(data_dir, name):
    root = os.path.join(data_dir, name)
    model = onnx.load(os.path.join(root, "model.onnx"))
    (node,) = model.graph.node
    op, _ = OPS[node.op_type]
    attrs = {a.name: onnx.helper.get_attribute_value(a)
             for a in node.attribute}
    handled = {"hidden_size", "layout", "direction", "linear_before_reset"}
    for key in attrs:
        if key not in handled:
            raise NotImplementedError(f"{name}: attribute {key} not handled")
    direction = attrs.get("direction", b"forward")
    direction = DIRECTIONS[direction.decode()
                           if isinstance(direction, bytes) else direction]
    layout = int(attrs.get("layout", 0))

    data = os.path.join(root, "test_data_set_0")
    inputs = {}
    files = [os.path.join(root, "model.onnx")]
    for i, gi in enumerate(model.graph.input):
        path = os.path.join(data, f"input_{i}.pb")
        files.append(path)
        inputs[gi.name] = load_tensor(path)
    outputs = {}
    for i, go in enumerate(model.graph.output):
        path = os.path.join(data, f"output_{i}.pb")
        files.append(path)
        outputs[go.name] = load_tensor(path)

    arrays = {}
    for slot, iname in zip(INPUT_SLOTS, node.input):
        if iname:
            arrays[slot] = inputs[iname]
    for slot, oname in zip(OUTPUT_SLOTS, node.output):
        if oname:
            arrays[slot] = outputs[oname]

    x = arrays["x"]
    seq_len, batch = (x.shape[1], x.shape[0]) if layout else x.shape[:2]
    lens = arrays.pop("sequence_lens", None)
    if lens is not None and not np.all(lens == seq_len):
        raise NotImplementedError(f"{name}: partial sequence_lens")
    return Case(name, op, int(seq_len), int(batch), int(x.shape[2]),
                int(attrs["hidden_size"]), direction, layout,
                int(attrs.get("linear_before_reset", 0)),
                {k: v.astype(np.float32) for k, v in arrays.items()},
                f"{name} (sha256 {sha256_of(files)[:16]})")


def run_direction(helper, one_dir_inputs, x, reverse, **extra):
    """Runs an ONNX helper for one direction on x [S, B, I] (float64); returns
    Y [S, B, H] indexed by the original t, and Y_h [B, H]."""
    xs = x[::-1] if reverse else x
    params = dict(one_dir_inputs)
    params.update(extra)
    y, _ = helper(X=xs.copy(), **params).step()
    y = y[:, 0]  # [S, B, H] in processing order
    y_h = y[-1]
    return (y[::-1] if reverse else y), y_h


def helper_case(name, op_name, rng, seq_len, batch, input_size, hidden_size,
                direction, layout, lbr=0):
    op, gates = OPS[op_name]
    dirs = 2 if direction == 2 else 1
    f32 = np.float32

    def rand(*shape, scale=1.0):
        return (scale * rng.uniform(-1.0, 1.0, size=shape)).astype(f32)

    arrays = {
        "x": rand(seq_len, batch, input_size, scale=2.0),
        "w": rand(dirs, gates * hidden_size, input_size),
        "r": rand(dirs, gates * hidden_size, hidden_size),
        "b": rand(dirs, 2 * gates * hidden_size, scale=0.5),
        "initial_h": rand(dirs, batch, hidden_size),
    }
    if op_name == "LSTM":
        arrays["initial_c"] = rand(dirs, batch, hidden_size, scale=2.0)
        arrays["p"] = rand(dirs, 3 * hidden_size)
    helper = {"LSTM": LSTM_Helper, "GRU": GRU_Helper, "RNN": RNN_Helper}[
        op_name]
    x64 = arrays["x"].astype(np.float64)
    ys, yhs = [], []
    for d in range(dirs):
        one = {"W": arrays["w"][d:d + 1], "R": arrays["r"][d:d + 1],
               "B": arrays["b"][d:d + 1],
               "initial_h": arrays["initial_h"][d:d + 1]}
        if op_name == "LSTM":
            one["initial_c"] = arrays["initial_c"][d:d + 1]
            one["P"] = arrays["p"][d:d + 1]
        one = {k: v.astype(np.float64) for k, v in one.items()}
        extra = {"linear_before_reset": lbr} if op_name == "GRU" else {}
        reverse = direction == 1 or (direction == 2 and d == 1)
        y, y_h = run_direction(helper, one, x64, reverse, **extra)
        ys.append(y)
        yhs.append(y_h)
    arrays["y"] = np.stack(ys, axis=1).astype(f32)  # [S, D, B, H]
    arrays["y_h"] = np.stack(yhs, axis=0).astype(f32)  # [D, B, H]
    if layout:
        arrays["x"] = np.ascontiguousarray(arrays["x"].transpose(1, 0, 2))
        arrays["y"] = np.ascontiguousarray(arrays["y"].transpose(2, 0, 1, 3))
        for k in ("initial_h", "initial_c", "y_h"):
            if k in arrays:
                arrays[k] = np.ascontiguousarray(arrays[k].transpose(1, 0, 2))
    return Case(name, op, seq_len, batch, input_size, hidden_size, direction,
                layout, lbr, arrays,
                f"{name} ({helper.__name__} of onnx {onnx.__version__}, "
                "seeded random weights)")


def helper_cases():
    rng = np.random.RandomState(20240611)
    return [
        helper_case("helper_lstm_forward_all_inputs", "LSTM", rng, 5, 2, 3, 4,
                    0, 0),
        helper_case("helper_lstm_bidirectional_layout1", "LSTM", rng, 4, 3, 2,
                    3, 2, 1),
        helper_case("helper_lstm_reverse", "LSTM", rng, 3, 2, 4, 2, 1, 0),
        helper_case("helper_gru_bidirectional_linear_before_reset", "GRU", rng,
                    4, 2, 3, 5, 2, 0, lbr=1),
        helper_case("helper_gru_reverse_layout1", "GRU", rng, 5, 3, 2, 4, 1,
                    1),
        helper_case("helper_gru_forward_linear_before_reset_layout1", "GRU",
                    rng, 3, 2, 3, 3, 0, 1, lbr=1),
        helper_case("helper_rnn_bidirectional", "RNN", rng, 4, 2, 3, 4, 2, 0),
        helper_case("helper_rnn_reverse_layout1", "RNN", rng, 5, 3, 2, 3, 1,
                    1),
    ]


def c_float(v):
    s = "%.9g" % float(v)
    if np.float32(s) != np.float32(v):
        raise ValueError(f"{v!r} does not round-trip through {s}")
    if not any(c in s for c in ".en"):
        s += ".0"
    return s + "f"


def c_ident(name):
    return "k" + "".join(p.capitalize() for p in name.split("_"))


def emit(cases, out, data_dir):
    lines = [
        "// recurrent_cases.inc - ONNX LSTM/GRU/RNN cases for RecurrentTest.cpp",
        "//",
        "// GENERATED by test/unit/make_recurrent_cases.py; do not edit.",
        f"// onnx {onnx.__version__}, node tests from {data_dir}.",
        "// Sources:",
    ]
    lines += [f"//   {c.source}" for c in cases]
    lines.append("")
    rows = []
    for c in cases:
        ident = c_ident(c.name)
        fields = {}
        for field in ARRAY_FIELDS:
            if field not in c.arrays:
                fields[field] = "nullptr"
                continue
            vals = np.ascontiguousarray(c.arrays[field]).ravel()
            arr = f"{ident}_{field}"
            fields[field] = arr
            lines.append(f"static const float {arr}[{vals.size}] = {{")
            for i in range(0, vals.size, 6):
                lines.append(
                    "    " + ", ".join(c_float(v) for v in vals[i:i + 6]) + ",")
            lines.append("};")
        rows.append(
            f'    {{"{c.name}", {c.op}, {c.seq_len}, {c.batch}, '
            f"{c.input_size}, {c.hidden_size}, {c.direction}, {c.layout}, "
            f"{c.linear_before_reset},\n     "
            + ", ".join(fields[f] for f in ARRAY_FIELDS) + "},")
    lines.append("")
    lines.append("static const RecurrentCase kRecurrentCases[] = {")
    lines += rows
    lines.append("};")
    with open(out, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="ONNX node test folder (default: %(default)s)")
    ap.add_argument("-o", "--output",
                    default=os.path.join(HERE, "recurrent_cases.inc"))
    args = ap.parse_args()
    cases = [node_case(args.data, n) for n in NODE_TESTS
             if os.path.isdir(os.path.join(args.data, n))]
    if not cases:
        sys.exit(f"no ONNX node tests under {args.data}")
    cases += helper_cases()
    emit(cases, args.output, args.data)
    print(f"wrote {len(cases)} cases to {args.output}")


if __name__ == "__main__":
    main()

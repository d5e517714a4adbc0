#!/usr/bin/python3
"""Reference outputs from onnxruntime, as ONNX TensorProto files.

TEST-ONLY: onnxruntime (through its Node.js package, installed under
test/golden/node_modules) is the reference the end-to-end tests compare
tempoc's generated code with; tempoc never depends on it.

Usage: ort_golden.py MODEL.onnx OUTDIR INPUT_0.pb [INPUT_1.pb ...]

The i-th INPUT.pb feeds the model's i-th graph input (initializers excluded),
as in ONNX's test_data_set_N layout. Writes OUTDIR/output_<i>.pb, one
TensorProto per model output, named after it. Needs `node` on PATH and, once:
  cd test/golden && npm ci --ignore-scripts
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))

# TensorProto data type -> (onnxruntime type name, numpy dtype of the raw bytes).
TYPES = {
    TensorProto.FLOAT: ("float32", "<f4"),
    TensorProto.DOUBLE: ("float64", "<f8"),
    TensorProto.FLOAT16: ("float16", "<f2"),
    TensorProto.INT8: ("int8", "i1"),
    TensorProto.UINT8: ("uint8", "u1"),
    TensorProto.INT16: ("int16", "<i2"),
    TensorProto.UINT16: ("uint16", "<u2"),
    TensorProto.INT32: ("int32", "<i4"),
    TensorProto.UINT32: ("uint32", "<u4"),
    TensorProto.INT64: ("int64", "<i8"),
    TensorProto.UINT64: ("uint64", "<u8"),
    TensorProto.BOOL: ("bool", "u1"),
}
RAW_DTYPE = {ort_name: dtype for ort_name, dtype in TYPES.values()}
NUMPY_DTYPE = dict(RAW_DTYPE, bool="bool")


def die(message):
    sys.stderr.write("ort_golden: %s\n" % message)
    sys.exit(1)


def read_tensor(path):
    tensor = TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return tensor


def graph_inputs(model):
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def main(argv):
    if len(argv) < 3:
        die("usage: ort_golden.py MODEL.onnx OUTDIR INPUT.pb...")
    model_path, outdir, input_paths = argv[0], argv[1], argv[2:]
    node = shutil.which("node")
    if node is None:
        die("'node' is not on PATH")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        die("onnxruntime-node is not installed: cd %s && npm ci --ignore-scripts" % HERE)

    model = onnx.load(model_path, load_external_data=False)
    names = graph_inputs(model)
    if len(input_paths) != len(names):
        die("the model has %d inputs (%s), %d given"
            % (len(names), ", ".join(names), len(input_paths)))
    os.makedirs(outdir, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="ort_golden.") as tmp:
        inputs = []
        for i, (name, path) in enumerate(zip(names, input_paths)):
            tensor = read_tensor(path)
            if tensor.data_type not in TYPES:
                die("%s: unsupported data type %s"
                    % (path, TensorProto.DataType.Name(tensor.data_type)))
            ort_type, raw = TYPES[tensor.data_type]
            array = numpy_helper.to_array(tensor)
            raw_path = os.path.join(tmp, "input_%d.bin" % i)
            with open(raw_path, "wb") as f:
                f.write(np.ascontiguousarray(array).astype(raw).tobytes())
            inputs.append({"name": name, "type": ort_type,
                           "dims": [int(d) for d in array.shape], "file": raw_path})
        spec_path = os.path.join(tmp, "spec.json")
        with open(spec_path, "w") as f:
            json.dump({"model": os.path.abspath(model_path), "inputs": inputs,
                       "outdir": tmp}, f)
        run = subprocess.run([node, os.path.join(HERE, "ort_run.mjs"), spec_path])
        if run.returncode != 0:
            die("onnxruntime failed on %s" % model_path)
        with open(os.path.join(tmp, "outputs.json")) as f:
            outputs = json.load(f)
        for i, out in enumerate(outputs):
            array = np.fromfile(out["file"], dtype=RAW_DTYPE[out["type"]])
            array = array.astype(NUMPY_DTYPE[out["type"]]).reshape(out["dims"])
            tensor = numpy_helper.from_array(array, out["name"])
            with open(os.path.join(outdir, "output_%d.pb" % i), "wb") as f:
                f.write(tensor.SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""QDQ versions of the HAR example (examples/har/har.onnx), as ONNX Runtime's
quantize_static writes them (test/fixtures/qdq.py): calibrated with MinMax on
the example's own calibration windows (examples/har/make_quant_data.py),
per-channel int8 weights, int32 biases.

Usage: /usr/bin/python3 test/e2e/make_qdq_har.py OUTDIR

Writes OUTDIR/data/{calibration,heldout,heldout_labels}.npy and
  har_qdq_s8.onnx      int8 activations, Relus removed (ORT's default)
  har_qdq_u8.onnx      uint8 activations, Relus kept between their own QDQ
                       pairs (QDQKeepRemovableActivations)
  har_qdq_logits.onnx  as har_qdq_s8 without the Softmax: the logits are the
                       output (rounding differences are not hidden by the
                       softmax's coarse 1/256 steps)
Deterministic: the same inputs give the same bytes.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))
import qdq  # noqa: E402


def without_softmax(m):
    g = onnx.ModelProto()
    g.CopyFrom(m)
    sm = [n for n in g.graph.node if n.op_type == "Softmax"][0]
    g.graph.node.remove(sm)
    out = helper.make_tensor_value_info(sm.input[0], onnx.TensorProto.FLOAT, [1, 6])
    del g.graph.output[:]
    g.graph.output.extend([out])
    return g


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_qdq_har.py OUTDIR")
    out = sys.argv[1]
    data = os.path.join(out, "data")
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "har", "make_quant_data.py"),
                    data], check=True, stdout=subprocess.DEVNULL)
    cal = np.load(os.path.join(data, "calibration.npy"))
    samples = [{"accel": cal[i]} for i in range(len(cal))]
    har = onnx.load(os.path.join(ROOT, "examples", "har", "har.onnx"))
    for name, model, act, keep in (("har_qdq_s8", har, "int8", False),
                                   ("har_qdq_u8", har, "uint8", True),
                                   ("har_qdq_logits", without_softmax(har), "int8", False)):
        q = qdq.quantize_qdq(model, samples, act=act, keep_relu=keep)
        onnx.save(q, os.path.join(out, name + ".onnx"))
    print("har_qdq_{s8,u8,logits}.onnx -> %s" % out)


if __name__ == "__main__":
    main()

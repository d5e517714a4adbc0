#!/usr/bin/python3
"""The small QDQ classifier fixtures (conv1d + relu + max pool + gemm +
softmax, test/fixtures/make_fixtures.py) and inputs for them, for
check_qdq_model.py.

Usage: /usr/bin/python3 test/e2e/make_qdq_classifier.py OUTDIR

Writes OUTDIR/qdq_classifier.onnx (uint8 activations, Relu kept),
OUTDIR/qdq_classifier_s8.onnx (int8 activations, Relu removed), the same
two without the Softmax (qdq_classifier{,_s8}_logits.onnx: the logits are
the output, calibrated alike), OUTDIR/qdq_matmul_per_channel.onnx (a MatMul
[1, 32] x [32, 3] with int8 weights per channel along axis 1, as ORT's
per-channel MatMul writes them; the same 32 inputs flattened) and
OUTDIR/windows.npy: 200 inputs [1, 2, 16] drawn like the calibration data
(standard normal; seed 65, not the calibration's 64). Deterministic.
"""
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures"))
import make_fixtures  # noqa: E402
import qdq  # noqa: E402
from onnx import helper  # noqa: E402


def logits_model(act, keep_relu):
    """_classifier_float without its Softmax, in QDQ form."""
    m = make_fixtures._classifier_float()
    sm = [n for n in m.graph.node if n.op_type == "Softmax"][0]
    m.graph.node.remove(sm)
    del m.graph.output[:]
    m.graph.output.extend([helper.make_tensor_value_info(sm.input[0], onnx.TensorProto.FLOAT, [1, 3])])
    rng = np.random.default_rng(64)
    samples = [{"x": rng.standard_normal((1, 2, 16)).astype(np.float32)} for _ in range(32)]
    return qdq.quantize_qdq(m, samples, act=act, keep_relu=keep_relu)


def matmul_per_channel():
    """x [1, 32] -> QDQ (int8) -> MatMul(DQ(W int8, per axis 1)) -> QDQ."""
    w = make_fixtures.weights(66, 32, 3) * 0.3
    ws = (np.abs(w).max(axis=0) / np.float32(127)).astype(np.float32)
    wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
    node = helper.make_node
    return make_fixtures.model("qdq_matmul_per_channel", [
        node("QuantizeLinear", ["x", "x_s", "x_z"], ["xq"], name="quant_x"),
        node("DequantizeLinear", ["xq", "x_s", "x_z"], ["xd"], name="dequant_x"),
        node("DequantizeLinear", ["wq", "w_s", "w_z"], ["wd"], name="dequant_w", axis=1),
        node("MatMul", ["xd", "wd"], ["m"], name="matmul"),
        node("QuantizeLinear", ["m", "y_s", "y_z"], ["mq"], name="quant_y"),
        node("DequantizeLinear", ["mq", "y_s", "y_z"], ["y"], name="dequant_y"),
    ], [make_fixtures.value("x", [1, 32])], [make_fixtures.value("y", [1, 3])],
        [make_fixtures.const("x_s", np.array(4.0 / 255, np.float32)),
         make_fixtures.const("x_z", np.array(0, np.int8)), make_fixtures.const("wq", wq),
         make_fixtures.const("w_s", ws), make_fixtures.const("w_z", np.zeros(3, np.int8)),
         make_fixtures.const("y_s", np.array(0.05, np.float32)),
         make_fixtures.const("y_z", np.array(3, np.int8))])


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_qdq_classifier.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    onnx.save(make_fixtures.make_qdq_classifier(), os.path.join(out, "qdq_classifier.onnx"))
    onnx.save(make_fixtures.make_qdq_classifier_s8(), os.path.join(out, "qdq_classifier_s8.onnx"))
    onnx.save(logits_model("uint8", True), os.path.join(out, "qdq_classifier_logits.onnx"))
    onnx.save(logits_model("int8", False), os.path.join(out, "qdq_classifier_s8_logits.onnx"))
    onnx.save(matmul_per_channel(), os.path.join(out, "qdq_matmul_per_channel.onnx"))
    rng = np.random.default_rng(65)
    np.save(os.path.join(out, "windows.npy"), rng.standard_normal((200, 1, 2, 16)).astype(np.float32))


if __name__ == "__main__":
    main()

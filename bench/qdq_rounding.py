#!/usr/bin/python3
"""How often Tempo's int8 results differ from onnxruntime on a QDQ model,
layer by layer (docs/quantization.md, "Rounding: Tempo vs ONNX").

Usage: /usr/bin/python3 bench/qdq_rounding.py [--windows N] WORKDIR

Writes the QDQ HAR models with test/e2e/make_qdq_har.py into WORKDIR, then for
har_qdq_logits.onnx cuts the model after each quantized layer (its output
becomes that layer's DequantizeLinear), runs onnxruntime (test/golden, batched,
graph optimizations off) and `tempoc run` on N held-out windows, and prints
per layer how many int8 elements differ and by how much. For the first conv
it also computes the exact result (int32 sums, real rescale in float64,
round half to even) and says which side departs from it and how close to a
rounding tie those elements were. A benchmark: it reports, it asserts
nothing.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEMPOC = os.path.join(ROOT, "build", "bin", "tempoc")
ORT = os.path.join(ROOT, "test", "golden", "ort_golden.py")


def cut(model, tensor):
    """`model` ending at tensor's DequantizeLinear output."""
    if tensor in {o.name for o in model.graph.output}:
        return model
    out = tensor + "_DequantizeLinear_Output"
    g = onnx.ModelProto()
    g.CopyFrom(model)
    keep = []
    for n in g.graph.node:
        keep.append(n)
        if out in n.output:
            break
    used = {i for n in keep for i in n.input}
    inits = [i for i in g.graph.initializer if i.name in used]
    del g.graph.node[:]
    g.graph.node.extend(keep)
    del g.graph.initializer[:]
    g.graph.initializer.extend(inits)
    del g.graph.output[:]
    g.graph.output.extend([helper.make_tensor_value_info(out, onnx.TensorProto.FLOAT, None)])
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: v for v in inferred.graph.value_info}
    if out in shapes:
        del g.graph.output[:]
        g.graph.output.extend([shapes[out]])
    return g


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("work")
    ap.add_argument("--windows", type=int, default=40)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "test", "e2e", "make_qdq_har.py"), a.work],
                   check=True, stdout=subprocess.DEVNULL)
    model = onnx.load(os.path.join(a.work, "har_qdq_logits.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    held = np.load(os.path.join(a.work, "data", "heldout.npy")).astype(np.float32)
    idx = np.linspace(0, len(held) - 1, a.windows).astype(int)
    x = held[idx].reshape(len(idx), 1, 3, 128)
    layers = [n.output[0] for n in model.graph.node if n.op_type == "QuantizeLinear"
              and n.input[0] != "accel"]
    layers = [t[:-len("_QuantizeLinear_Output")] for t in layers]
    batch = os.path.join(a.work, "batch.pb")
    with open(batch, "wb") as f:
        f.write(numpy_helper.from_array(x.reshape(len(idx), 3, 128), "accel").SerializeToString())
    print("%-22s %9s %8s %8s %4s" % ("layer", "elements", "differ", "share", "max"))
    first = None
    for t in layers:
        g = cut(model, t)
        path = os.path.join(a.work, "cut_%s.onnx" % t)
        onnx.save(g, path)
        b = onnx.ModelProto()
        b.CopyFrom(g)
        for v in list(b.graph.input) + list(b.graph.output):
            v.type.tensor_type.shape.dim[0].dim_value = len(idx)
        bpath = os.path.join(a.work, "cut_%s.batch.onnx" % t)
        onnx.save(b, bpath)
        gold = os.path.join(a.work, "ort_" + t)
        subprocess.run([sys.executable, ORT, bpath, gold, batch], check=True)
        ort = numpy_helper.to_array(onnx.load_tensor(os.path.join(gold, "output_0.pb")))
        s, zp = inits[t + "_scale"], int(inits[t + "_zero_point"])
        ort_q = np.rint(ort.astype(np.float64) / np.float64(s)).astype(np.int64) + zp
        tempo = []
        for k in range(len(idx)):
            pb = os.path.join(a.work, "w.pb")
            with open(pb, "wb") as f:
                f.write(numpy_helper.from_array(x[k], "accel").SerializeToString())
            run = os.path.join(a.work, "run")
            subprocess.run([TEMPOC, "run", path, "--input", pb, "-o", run], check=True,
                           capture_output=True)
            tempo.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(run, "output_0.pb"))))
        tempo = np.stack(tempo).astype(np.int64).reshape(ort_q.shape)
        d = np.abs(tempo - ort_q)
        print("%-22s %9d %8d %7.2f%% %4d" % (t, d.size, (d != 0).sum(), 100.0 * (d != 0).mean(),
                                             d.max()))
        if first is None:
            first = (t, tempo, ort_q)

    # The first conv exactly: its input is quantized the same way on both sides.
    t, tempo, ort_q = first
    conv = [n for n in model.graph.node if n.op_type == "Conv"][0]
    a_ = {at.name: helper.get_attribute_value(at) for at in conv.attribute}
    wname, bname = conv.input[1][:-len("_DequantizeLinear_Output")], conv.input[2][:-len(
        "_DequantizeLinear_Output")]
    w = inits[wname + "_quantized"].astype(np.int64)
    sw = inits[wname + "_scale"].astype(np.float64)
    bq = inits[bname + "_quantized"].astype(np.int64)
    sb = inits[bname + "_quantized_scale"].astype(np.float64)
    sx, zx = np.float32(inits["accel_scale"]), int(inits["accel_zero_point"])
    sy, zy = np.float64(inits[t + "_scale"]), int(inits[t + "_zero_point"])
    pad, k = a_["pads"][0], w.shape[2]
    exact, dist = [], []
    for xi in x:
        xq = np.clip(np.rint(xi[0] / sx) + zx, -128, 127).astype(np.int64) - zx
        xp = np.pad(xq, ((0, 0), (pad, pad)))
        acc = np.array([[(w[o] * xp[:, j:j + k]).sum() for j in range(xp.shape[1] - k + 1)]
                        for o in range(w.shape[0])])
        v = (acc * np.float64(sx) * sw[:, None] + (bq * sb)[:, None]) / sy
        exact.append(np.clip(np.rint(v) + zy, -128, 127))
        dist.append(np.abs(np.abs(v - np.floor(v)) - 0.5))
    exact, dist = np.stack(exact).reshape(tempo.shape), np.stack(dist).reshape(tempo.shape)
    off = tempo != exact
    print("%s, exact (float64, half to even): onnxruntime differs in %d, Tempo in %d elements; "
          "Tempo's lie at most %.4f LSB from a tie (%d on an exact tie)"
          % (t, (ort_q != exact).sum(), off.sum(), dist[off].max() if off.any() else 0.0,
             (off & (dist < 1e-9)).sum()))


if __name__ == "__main__":
    main()

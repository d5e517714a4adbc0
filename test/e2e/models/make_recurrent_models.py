#!/usr/bin/python3
"""Two small recurrent time-series classifiers for the int8 recurrent tests.

(Layout 0 in both: onnxruntime, the float reference of the tests, has no
layout = 1; the unit and lit tests cover layout 1.) Both read one window of a 4-channel sensor, input "x" [1, 48, 4] float32
(48 steps, values around unit scale), and return "probs", the softmax over
six synthetic classes (each class per-channel tones and levels, with
random phase, amplitude, drift and noise):

  gru.onnx   Transpose -> GRU (layout 0, hidden 32, linear_before_reset = 1,
             initial_h given as a constant) -> Y_h [1, 1, 32] -> Reshape ->
             Gemm -> Softmax
  lstm.onnx  Transpose -> LSTM (layout 0, bidirectional, hidden 16) -> Y_h
             [2, 1, 16] -> Transpose -> Reshape [1, 32] -> Gemm -> Softmax

The recurrent weights are drawn like a trained layer's (Glorot-scaled W, R an
orthogonal matrix scaled to spectral radius ~0.9, small biases with the forget
/ update gates biased open), so that gates stay off saturation on the data;
the dense head is then fitted (ridge regression of one-hot targets on the
recurrent features of a training set, numpy reference of ONNX's equations)
and scaled so the softmax is confident. Everything is seeded: the same numpy
gives the same bytes.

Usage:
  make_recurrent_models.py models OUTDIR   writes OUTDIR/{gru,lstm}.onnx and
      OUTDIR/{gru,lstm}_data/test_data_set_{0..2}/input_0.pb (held-out windows)
  make_recurrent_models.py data OUTDIR     (or make_quant_data.py OUTDIR)
      writes OUTDIR/calibration.npy
      [96, 1, 48, 4] (training windows) and OUTDIR/heldout.npy [240, 1, 48, 4]
      (windows the head never saw), for --calibration / --validation
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SEED = 20250301
STEPS = 48
CHANNELS = 4
CLASSES = 6
TRAIN_PER_CLASS = 96
HELDOUT_PER_CLASS = 40


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def class_templates(rng):
    """Per class and channel: frequency (cycles per window), amplitude and
    level (as the gravity component of an accelerometer axis)."""
    freq = rng.uniform(1.0, 9.0, size=(CLASSES, CHANNELS))
    amp = rng.uniform(0.3, 1.2, size=(CLASSES, CHANNELS))
    level = rng.uniform(-1.0, 1.0, size=(CLASSES, CHANNELS))
    return freq, amp, level


def synth_set(rng, per_class):
    freq, amp, level = class_templates(np.random.default_rng(SEED + 1))
    t = np.arange(STEPS) / STEPS
    xs, ys = [], []
    for c in range(CLASSES):
        for _ in range(per_class):
            phase = rng.uniform(0, 2 * np.pi, size=CHANNELS)
            a = amp[c] * rng.uniform(0.7, 1.3, size=CHANNELS)
            f = freq[c] * rng.uniform(0.9, 1.1, size=CHANNELS)
            sig = a[:, None] * np.sin(2 * np.pi * f[:, None] * t[None, :] + phase[:, None])
            drift = rng.normal(0, 0.2, size=(CHANNELS, 1)) * t[None, :]
            noise = rng.normal(0, 0.2, size=(CHANNELS, STEPS))
            lvl = level[c][:, None] + rng.normal(0, 0.15, size=(CHANNELS, 1))
            xs.append((sig + lvl + drift + noise).T)  # [STEPS, CHANNELS]
            ys.append(c)
    return np.asarray(xs, dtype=np.float32), np.asarray(ys)


def datasets():
    rng = np.random.default_rng(SEED)
    x_train, y_train = synth_set(rng, TRAIN_PER_CLASS)
    x_held, y_held = synth_set(rng, HELDOUT_PER_CLASS)
    return x_train, y_train, x_held, y_held


# ---------------------------------------------------------------------------
# Weights and the numpy reference (ONNX's equations)
# ---------------------------------------------------------------------------

def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def recurrent_weights(rng, gates, hidden, inputs, open_gate):
    """W [gates*H, I], R [gates*H, H], B [2*gates*H] like a trained layer's."""
    w = rng.normal(0, np.sqrt(2.0 / (inputs + hidden)), size=(gates * hidden, inputs))
    r = []
    for _ in range(gates):
        q, _ = np.linalg.qr(rng.normal(size=(hidden, hidden)))
        r.append(0.9 * q)
    r = np.concatenate(r, axis=0)
    b = rng.normal(0, 0.1, size=2 * gates * hidden)
    b[open_gate * hidden:(open_gate + 1) * hidden] += 1.0
    return w.astype(np.float32), r.astype(np.float32), b.astype(np.float32)


def gru_features(x, w, r, b, h0):
    """Y_h of ONNX GRU, linear_before_reset = 1; x [N, S, I]."""
    hidden = r.shape[1]
    wz, wr, wh = np.split(w, 3)
    rz, rr, rh = np.split(r, 3)
    wbz, wbr, wbh, rbz, rbr, rbh = np.split(b, 6)
    h = np.repeat(h0[None, :], x.shape[0], axis=0).astype(np.float64)
    for t in range(x.shape[1]):
        xt = x[:, t]
        z = sigmoid(xt @ wz.T + h @ rz.T + wbz + rbz)
        rg = sigmoid(xt @ wr.T + h @ rr.T + wbr + rbr)
        n = np.tanh(xt @ wh.T + wbh + rg * (h @ rh.T + rbh))
        h = (1 - z) * n + z * h
    assert h.shape[1] == hidden
    return h


def lstm_direction(x, w, r, b):
    """Final h of one ONNX LSTM direction (gates i, o, f, c); x [N, S, I]."""
    hidden = r.shape[1]
    h = np.zeros((x.shape[0], hidden))
    c = np.zeros((x.shape[0], hidden))
    bias = b[:4 * hidden] + b[4 * hidden:]
    for t in range(x.shape[1]):
        g = x[:, t] @ w.T + h @ r.T + bias
        i, o, f, cc = np.split(g, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
        h = sigmoid(o) * np.tanh(c)
    return h


def fit_head(features, labels, temperature):
    """Ridge regression of one-hot targets, scaled to a confident softmax."""
    n, k = features.shape
    a = np.concatenate([features, np.ones((n, 1))], axis=1)
    target = np.eye(CLASSES)[labels]
    coef = np.linalg.solve(a.T @ a + 1.0 * np.eye(k + 1), a.T @ target)
    coef *= temperature
    return coef[:k].astype(np.float32), coef[k].astype(np.float32)


def accuracy(features, labels, wd, bd):
    return float(np.mean(np.argmax(features @ wd + bd, axis=1) == labels))


# ---------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------

def init(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype=dtype), name)


def head_nodes(feature, width, wd, bd):
    nodes = [
        helper.make_node("Reshape", [feature, "flat_shape"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "Wd", "Bd"], ["logits"], name="dense"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    inits = [init("flat_shape", [1, width], np.int64), init("Wd", wd), init("Bd", bd)]
    return nodes, inits


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="tempo-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def make_gru(rng, x_train, y_train):
    hidden = 32
    w, r, b = recurrent_weights(rng, 3, hidden, CHANNELS, open_gate=0)
    h0 = rng.uniform(-0.2, 0.2, size=hidden).astype(np.float32)
    feats = gru_features(x_train, w, r, b, h0)
    wd, bd = fit_head(feats, y_train, temperature=6.0)
    nodes = [
        helper.make_node("Transpose", ["x"], ["x_sbi"], name="to_seq_major", perm=[1, 0, 2]),
        helper.make_node("GRU", ["x_sbi", "W", "R", "B", "", "h0"], ["", "Y_h"], name="gru",
                         hidden_size=hidden, linear_before_reset=1)]
    hn, hi = head_nodes("Y_h", hidden, wd, bd)
    graph = helper.make_graph(
        nodes + hn, "gru_classifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, STEPS, CHANNELS])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, CLASSES])],
        [init("W", w[None]), init("R", r[None]), init("B", b[None]),
         init("h0", h0.reshape(1, 1, hidden))] + hi)
    return graph, (w, r, b, h0, wd, bd)


def make_lstm(rng, x_train, y_train):
    hidden = 16
    fw = recurrent_weights(rng, 4, hidden, CHANNELS, open_gate=2)
    bw = recurrent_weights(rng, 4, hidden, CHANNELS, open_gate=2)
    feats = np.concatenate([lstm_direction(x_train, *fw),
                            lstm_direction(x_train[:, ::-1], *bw)], axis=1)
    wd, bd = fit_head(feats, y_train, temperature=6.0)
    nodes = [
        helper.make_node("Transpose", ["x"], ["x_sbi"], name="to_seq_major", perm=[1, 0, 2]),
        helper.make_node("LSTM", ["x_sbi", "W", "R", "B"], ["", "Y_h"], name="lstm",
                         hidden_size=hidden, direction="bidirectional"),
        helper.make_node("Transpose", ["Y_h"], ["Y_h_b"], name="to_batch_major", perm=[1, 0, 2]),
    ]
    hn, hi = head_nodes("Y_h_b", 2 * hidden, wd, bd)
    graph = helper.make_graph(
        nodes + hn, "lstm_classifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, STEPS, CHANNELS])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, CLASSES])],
        [init("W", np.stack([fw[0], bw[0]])), init("R", np.stack([fw[1], bw[1]])),
         init("B", np.stack([fw[2], bw[2]]))] + hi)
    return graph, (fw, bw, wd, bd)


def write_quant_data(outdir, x_train=None, x_held=None):
    """calibration.npy (every 6th training window) and heldout.npy."""
    if x_train is None:
        x_train, _, x_held, _ = datasets()
    os.makedirs(outdir, exist_ok=True)
    np.save(os.path.join(outdir, "calibration.npy"), x_train[::6][:, None])
    np.save(os.path.join(outdir, "heldout.npy"), x_held[:, None])
    print("calibration %s, held-out %s -> %s"
          % ((len(x_train[::6]), 1, STEPS, CHANNELS), (len(x_held), 1, STEPS, CHANNELS), outdir))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("models", "data"):
        sys.exit(__doc__)
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    x_train, y_train, x_held, y_held = datasets()
    if sys.argv[1] == "data":
        write_quant_data(outdir, x_train, x_held)
        return
    rng = np.random.default_rng(SEED + 2)
    gru_graph, (w, r, b, h0, wd, bd) = make_gru(rng, x_train, y_train)
    gru_acc = accuracy(gru_features(x_held, w, r, b, h0), y_held, wd, bd)
    lstm_graph, (fw, bw, wd2, bd2) = make_lstm(rng, x_train, y_train)
    feats = np.concatenate([lstm_direction(x_held, *fw), lstm_direction(x_held[:, ::-1], *bw)], 1)
    lstm_acc = accuracy(feats, y_held, wd2, bd2)
    for name, graph, acc in (("gru", gru_graph, gru_acc), ("lstm", lstm_graph, lstm_acc)):
        save(graph, os.path.join(outdir, name + ".onnx"))
        for k, i in enumerate((0, 3 * HELDOUT_PER_CLASS + 5, 5 * HELDOUT_PER_CLASS + 9)):
            d = os.path.join(outdir, name + "_data", "test_data_set_%d" % k)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "input_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x_held[i][None], "x").SerializeToString())
        print("%s.onnx: held-out accuracy %.1f%% (numpy float reference)" % (name, 100 * acc))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Build examples/har/har.onnx: a small 1-D CNN for human-activity recognition.

The model reads one window of a 3-axis accelerometer (50 Hz, 128 samples =
2.56 s, values in g), input "accel" [1, 3, 128] float32, and returns "probs"
[1, 6], the softmax over the classes in CLASSES.

The weights are trained here, in plain numpy (Adam, batch statistics for the
BatchNormalization layers, then population statistics recomputed over the
training set), on synthetic labelled windows whose classes differ in cadence,
amplitude, impact sharpness and orientation. Everything is seeded: the same
numpy gives the same bytes. BLAS runs single-threaded for that reason (and to
stay light on shared build machines).

Writes, next to this script:
  har.onnx                          the model (opset 13, ir_version 7)
  sample_window.pb / .f32           one realistic "walk" window, as a TensorProto
                                    named "accel" and as raw little-endian float32
  data/test_data_set_{0..4}/input_0.pb   five held-out windows (ONNX test layout)

Usage: /usr/bin/python3 examples/har/make_model.py [OUTDIR]
"""

import os

# Set before numpy loads its BLAS: deterministic sums, and one core only.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

SEED = 20240611
RATE_HZ = 50.0
WINDOW = 128
CLASSES = ["still", "walk", "run", "stairs_up", "stairs_down", "fall"]
BN_EPS = 1e-5

TRAIN_PER_CLASS = 160
HELDOUT_PER_CLASS = 40
STEPS = 400
BATCH = 48
LEARNING_RATE = 3e-3

# Held-out windows written as test_data_set_{0..4}: one per class below.
TEST_SET_CLASSES = ["still", "walk", "run", "stairs_down", "fall"]


# ---------------------------------------------------------------------------
# Synthetic accelerometer windows
# ---------------------------------------------------------------------------


def _orientation(rng, tilt):
    """A random sensor frame, near 'upright' (gravity mostly on z)."""
    ax, ay = rng.normal(0.0, tilt, size=2)
    cx, sx, cy, sy = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay)
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    return rot_y @ rot_x


def _gait(rng, t, cadence, amp, sharpness, forward, lateral, asym):
    """Body-frame (forward, lateral, vertical) acceleration of a gait."""
    phase = rng.uniform(0, 2 * np.pi)
    w = 2 * np.pi * cadence * (1 + rng.normal(0, 0.02)) * t + phase
    # Sharper impacts put more energy into harmonics.
    vert = np.sin(w) + sharpness * np.sin(2 * w + 0.3) + 0.5 * sharpness**2 * np.sin(3 * w)
    vert = vert + asym * np.maximum(np.sin(w), 0) ** 4
    vert = amp * vert / np.max(np.abs(vert))
    fwd = forward * amp * np.sin(w + np.pi / 2)
    lat = lateral * amp * np.sin(0.5 * w)  # one sway per stride (two steps)
    return np.stack([fwd, lat, vert])


def synth_window(rng, label):
    """One [3, WINDOW] window (in g) of activity CLASSES[label]."""
    t = np.arange(WINDOW) / RATE_HZ
    name = CLASSES[label]
    if name == "still":
        body = np.zeros((3, WINDOW))
        body += 0.01 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t)  # slow sway
        rot, noise = _orientation(rng, 0.35), 0.015
    elif name == "walk":
        body = _gait(rng, t, rng.uniform(1.7, 2.1), rng.uniform(0.25, 0.4),
                     0.3, 0.5, 0.25, 0.0)
        rot, noise = _orientation(rng, 0.15), 0.03
    elif name == "run":
        body = _gait(rng, t, rng.uniform(2.6, 3.1), rng.uniform(0.9, 1.4),
                     0.6, 0.6, 0.3, 0.8)
        rot, noise = _orientation(rng, 0.2), 0.05
    elif name == "stairs_up":
        # Slow cadence, strong forward push, body pitched forward.
        body = _gait(rng, t, rng.uniform(1.3, 1.6), rng.uniform(0.3, 0.45),
                     0.15, 1.1, 0.15, 0.0)
        body[0] += 0.12
        rot, noise = _orientation(rng, 0.15), 0.03
    elif name == "stairs_down":
        # Quick cadence, hard landings (sharp, asymmetric vertical peaks).
        body = _gait(rng, t, rng.uniform(2.0, 2.4), rng.uniform(0.45, 0.65),
                     0.5, 0.3, 0.2, 1.5)
        rot, noise = _orientation(rng, 0.15), 0.04
    elif name == "fall":
        # Standing, a short free-fall dip, an impact spike, then lying still
        # with gravity on another axis.
        impact = int(rng.integers(30, 90))
        body = np.zeros((3, WINDOW))
        body[:, :impact] += 0.05 * rng.normal(size=(3, impact))
        body[2, impact - 8:impact] -= np.linspace(0.2, 0.8, 8)
        spike = rng.uniform(2.0, 3.5) * np.exp(-0.5 * ((np.arange(WINDOW) - impact) / 1.5) ** 2)
        body += spike * rng.dirichlet([2, 2, 2])[:, None] * 1.7
        lying = np.zeros((3, WINDOW))
        lying[:, impact + 3:] = -np.array([0, 0, 1.0])[:, None]  # cancel upright gravity
        lying[int(rng.integers(0, 2)), impact + 3:] += rng.choice([-1.0, 1.0])
        body += lying
        rot, noise = _orientation(rng, 0.15), 0.03
    else:
        raise ValueError(name)
    gravity = np.array([0.0, 0.0, 1.0])[:, None]
    x = rot @ (body + gravity) + noise * rng.normal(size=(3, WINDOW))
    return x.astype(np.float32)


def synth_set(rng, per_class):
    labels = np.repeat(np.arange(len(CLASSES)), per_class)
    rng.shuffle(labels)
    windows = np.stack([synth_window(rng, int(c)) for c in labels])
    return windows, labels


# ---------------------------------------------------------------------------
# A numpy CNN with the same layers as the ONNX graph
# ---------------------------------------------------------------------------


def he_init(rng, shape, fan_in):
    return (rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def init_params(rng):
    p = {}
    p["conv1.weight"] = he_init(rng, (16, 3, 5), 3 * 5)
    # Conv biases ahead of a BatchNormalization get no gradient (the batch mean
    # absorbs them); small random values keep them from being all zeros.
    p["conv1.bias"] = (0.05 * rng.normal(size=16)).astype(np.float32)
    p["bn1.scale"] = np.ones(16, np.float32)
    p["bn1.bias"] = np.zeros(16, np.float32)
    p["conv2.weight"] = he_init(rng, (32, 16, 5), 16 * 5)
    p["conv2.bias"] = (0.05 * rng.normal(size=32)).astype(np.float32)
    p["bn2.scale"] = np.ones(32, np.float32)
    p["bn2.bias"] = np.zeros(32, np.float32)
    p["conv3.weight"] = he_init(rng, (32, 32, 3), 32 * 3)
    p["conv3.bias"] = np.zeros(32, np.float32)
    p["fc.weight"] = he_init(rng, (6, 32), 32) * 0.5  # [out, in]: Gemm transB=1
    p["fc.bias"] = np.zeros(6, np.float32)
    return p


def conv1d(x, w, b, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2], axis=2)  # [B,C,L,K]
    y = np.tensordot(cols, w, axes=([1, 3], [1, 2])).transpose(0, 2, 1)  # [B,O,L]
    return y + b[None, :, None], cols


def conv1d_backward(dy, cols, w, pad):
    dw = np.tensordot(dy, cols, axes=([0, 2], [0, 2]))  # [O,C,K]
    db = dy.sum(axis=(0, 2))
    dcols = np.tensordot(dy, w, axes=([1], [0]))  # [B,L,C,K]
    n, length, c, k = dcols.shape
    dxp = np.zeros((n, c, length + 2 * pad), dy.dtype)
    for j in range(k):
        dxp[:, :, j:j + length] += dcols[:, :, :, j].transpose(0, 2, 1)
    return dxp[:, :, pad:pad + length], dw, db


def bn_train(x, scale, bias):
    mu = x.mean(axis=(0, 2), keepdims=True)
    var = x.var(axis=(0, 2), keepdims=True)
    inv = 1.0 / np.sqrt(var + BN_EPS)
    xhat = (x - mu) * inv
    return scale[None, :, None] * xhat + bias[None, :, None], (xhat, inv)


def bn_backward(dy, cache, scale):
    xhat, inv = cache
    n = dy.shape[0] * dy.shape[2]
    dscale = (dy * xhat).sum(axis=(0, 2))
    dbias = dy.sum(axis=(0, 2))
    dxhat = dy * scale[None, :, None]
    dx = inv / n * (n * dxhat - dxhat.sum(axis=(0, 2), keepdims=True)
                    - xhat * (dxhat * xhat).sum(axis=(0, 2), keepdims=True))
    return dx, dscale, dbias


def bn_eval(x, scale, bias, mean, var):
    inv = 1.0 / np.sqrt(var + BN_EPS)
    return (x - mean[None, :, None]) * (scale * inv)[None, :, None] + bias[None, :, None]


def maxpool2(x):
    n, c, length = x.shape
    r = x.reshape(n, c, length // 2, 2)
    y = r.max(axis=3)
    mask = r == y[..., None]
    mask &= np.cumsum(mask, axis=3) == 1  # route the gradient to one winner
    return y, mask


def maxpool2_backward(dy, mask):
    n, c, half, _ = mask.shape
    return (mask * dy[..., None]).reshape(n, c, half * 2)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward_train(p, x):
    """Training forward (batch statistics); returns logits and caches."""
    c = {}
    h, c["cols1"] = conv1d(x, p["conv1.weight"], p["conv1.bias"], 2)
    h, c["bn1"] = bn_train(h, p["bn1.scale"], p["bn1.bias"])
    c["relu1"] = h > 0
    h, c["pool1"] = maxpool2(h * c["relu1"])
    h, c["cols2"] = conv1d(h, p["conv2.weight"], p["conv2.bias"], 2)
    h, c["bn2"] = bn_train(h, p["bn2.scale"], p["bn2.bias"])
    c["relu2"] = h > 0
    h, c["pool2"] = maxpool2(h * c["relu2"])
    h, c["cols3"] = conv1d(h, p["conv3.weight"], p["conv3.bias"], 1)
    c["relu3"] = h > 0
    h = h * c["relu3"]
    c["gap_len"] = h.shape[2]
    feat = h.mean(axis=2)
    c["feat"] = feat
    return feat @ p["fc.weight"].T + p["fc.bias"], c


def backward(p, c, dlogits):
    g = {}
    g["fc.weight"] = dlogits.T @ c["feat"]
    g["fc.bias"] = dlogits.sum(axis=0)
    dfeat = dlogits @ p["fc.weight"]
    dh = np.repeat(dfeat[:, :, None] / c["gap_len"], c["gap_len"], axis=2)
    dh = dh * c["relu3"]
    dh, g["conv3.weight"], g["conv3.bias"] = conv1d_backward(dh, c["cols3"], p["conv3.weight"], 1)
    dh = maxpool2_backward(dh, c["pool2"]) * c["relu2"]
    dh, g["bn2.scale"], g["bn2.bias"] = bn_backward(dh, c["bn2"], p["bn2.scale"])
    dh, g["conv2.weight"], g["conv2.bias"] = conv1d_backward(dh, c["cols2"], p["conv2.weight"], 2)
    dh = maxpool2_backward(dh, c["pool1"]) * c["relu1"]
    dh, g["bn1.scale"], g["bn1.bias"] = bn_backward(dh, c["bn1"], p["bn1.scale"])
    _, g["conv1.weight"], g["conv1.bias"] = conv1d_backward(dh, c["cols1"], p["conv1.weight"], 2)
    return g


def forward_eval(p, x, stats=None):
    """Inference forward, exactly the ONNX graph. With stats=None, computes the
    BatchNormalization population statistics over x on the way and stores them
    in p (each layer's statistics are taken with the layers before it in
    inference mode)."""
    h, _ = conv1d(x, p["conv1.weight"], p["conv1.bias"], 2)
    if stats is None:
        p["bn1.mean"], p["bn1.var"] = h.mean(axis=(0, 2)), h.var(axis=(0, 2))
    h = bn_eval(h, p["bn1.scale"], p["bn1.bias"], p["bn1.mean"], p["bn1.var"])
    h, _ = maxpool2(np.maximum(h, 0))
    h, _ = conv1d(h, p["conv2.weight"], p["conv2.bias"], 2)
    if stats is None:
        p["bn2.mean"], p["bn2.var"] = h.mean(axis=(0, 2)), h.var(axis=(0, 2))
    h = bn_eval(h, p["bn2.scale"], p["bn2.bias"], p["bn2.mean"], p["bn2.var"])
    h, _ = maxpool2(np.maximum(h, 0))
    h, _ = conv1d(h, p["conv3.weight"], p["conv3.bias"], 1)
    feat = np.maximum(h, 0).mean(axis=2)
    return softmax(feat @ p["fc.weight"].T + p["fc.bias"])


def train(rng, x, y):
    p = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    onehot = np.eye(len(CLASSES), dtype=np.float32)
    for step in range(1, STEPS + 1):
        idx = rng.choice(len(x), size=BATCH, replace=False)
        logits, cache = forward_train(p, x[idx])
        dlogits = (softmax(logits) - onehot[y[idx]]) / BATCH
        grads = backward(p, cache, dlogits)
        lr = LEARNING_RATE * (0.5 * (1 + np.cos(np.pi * step / STEPS)))  # cosine decay
        for k, gk in grads.items():
            m[k] = b1 * m[k] + (1 - b1) * gk
            v[k] = b2 * v[k] + (1 - b2) * gk * gk
            mhat, vhat = m[k] / (1 - b1**step), v[k] / (1 - b2**step)
            p[k] = (p[k] - lr * mhat / (np.sqrt(vhat) + eps)).astype(np.float32)
    return p


# ---------------------------------------------------------------------------
# The ONNX graph
# ---------------------------------------------------------------------------


def build_model(p):
    f32 = {k: np.asarray(v, np.float32) for k, v in p.items()}
    inits = [numpy_helper.from_array(f32[k], k) for k in (
        "conv1.weight", "conv1.bias", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var",
        "conv2.weight", "conv2.bias", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var",
        "conv3.weight", "conv3.bias", "fc.weight", "fc.bias")]
    node = helper.make_node
    nodes = [
        node("Conv", ["accel", "conv1.weight", "conv1.bias"], ["conv1_out"], name="conv1",
             kernel_shape=[5], pads=[2, 2], strides=[1]),
        node("BatchNormalization", ["conv1_out", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"],
             ["bn1_out"], name="bn1", epsilon=BN_EPS),
        node("Relu", ["bn1_out"], ["relu1_out"], name="relu1"),
        node("MaxPool", ["relu1_out"], ["pool1_out"], name="pool1", kernel_shape=[2], strides=[2]),
        node("Conv", ["pool1_out", "conv2.weight", "conv2.bias"], ["conv2_out"], name="conv2",
             kernel_shape=[5], pads=[2, 2], strides=[1]),
        node("BatchNormalization", ["conv2_out", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var"],
             ["bn2_out"], name="bn2", epsilon=BN_EPS),
        node("Relu", ["bn2_out"], ["relu2_out"], name="relu2"),
        node("MaxPool", ["relu2_out"], ["pool2_out"], name="pool2", kernel_shape=[2], strides=[2]),
        node("Conv", ["pool2_out", "conv3.weight", "conv3.bias"], ["conv3_out"], name="conv3",
             kernel_shape=[3], pads=[1, 1], strides=[1]),
        node("Relu", ["conv3_out"], ["relu3_out"], name="relu3"),
        node("GlobalAveragePool", ["relu3_out"], ["gap_out"], name="gap"),
        node("Flatten", ["gap_out"], ["features"], name="flatten", axis=1),
        node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], name="fc",
             alpha=1.0, beta=1.0, transB=1),
        node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "har_cnn",
        [helper.make_tensor_value_info("accel", TensorProto.FLOAT, [1, 3, WINDOW])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, len(CLASSES)])],
        initializer=inits,
        doc_string="Human-activity recognition from one 2.56 s, 50 Hz, 3-axis accelerometer "
                   "window (g). Classes: " + ", ".join(CLASSES) + ".")
    model = helper.make_model(graph, producer_name="tempo-examples-har",
                              producer_version="1",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    model.model_version = 1
    helper.set_model_props(model, {"classes": ",".join(CLASSES),
                                   "sample_rate_hz": str(int(RATE_HZ)),
                                   "units": "g"})
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    dims = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    assert dims == [1, len(CLASSES)], dims
    return model


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name)
                .SerializeToString())


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(SEED)
    x_train, y_train = synth_set(rng, TRAIN_PER_CLASS)
    x_held, y_held = synth_set(rng, HELDOUT_PER_CLASS)

    p = train(rng, x_train, y_train)
    train_acc = (forward_eval(p, x_train).argmax(1) == y_train).mean()
    held_probs = forward_eval(p, x_held, stats=p)
    held_acc = (held_probs.argmax(1) == y_held).mean()

    model = build_model(p)
    onnx.save(model, os.path.join(outdir, "har.onnx"))

    # The sample: a held-out walk window the model gets right, not one of the
    # test data sets below (those take the first window of their class).
    walk = CLASSES.index("walk")
    pick = max(i for i in range(len(y_held))
               if y_held[i] == walk and held_probs[i].argmax() == walk)
    sample = x_held[pick][None]
    write_tensor(os.path.join(outdir, "sample_window.pb"), sample, "accel")
    sample.astype("<f4").tofile(os.path.join(outdir, "sample_window.f32"))

    for i, name in enumerate(TEST_SET_CLASSES):
        c = CLASSES.index(name)
        k = next(j for j in range(len(y_held)) if y_held[j] == c)
        d = os.path.join(outdir, "data", "test_data_set_%d" % i)
        os.makedirs(d, exist_ok=True)
        write_tensor(os.path.join(d, "input_0.pb"), x_held[k][None], "accel")

    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print("har.onnx: %d parameters, %d bytes of float32 weights" % (params, 4 * params))
    print("train accuracy %.3f (%d windows), held-out accuracy %.3f (%d windows)"
          % (train_acc, len(y_train), held_acc, len(y_held)))


if __name__ == "__main__":
    main()

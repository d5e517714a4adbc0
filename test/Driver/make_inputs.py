"""Writes the TensorProto inputs run.test feeds to tempoc run."""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
shape = [1, 4, 8]
x = np.zeros(shape, dtype=np.float32)
x.ravel()[:4] = [-1.0, 1.5, -2.0, 3.0]
onnx.save_tensor(numpy_helper.from_array(x, "x"), os.path.join(out, "relu_in.pb"))
onnx.save_tensor(numpy_helper.from_array(np.ones(5, np.float32), "x"), os.path.join(out, "wrong_shape.pb"))

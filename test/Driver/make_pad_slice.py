"""Writes pad_slice.onnx (Conv -> Pad -> Slice -> Reshape -> Relu), calibration
data and one input, for quantize-data-movement.test. Deterministic."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
init = [
    numpy_helper.from_array(
        np.array([[[0.5, -1.0]], [[1.0, 0.25]]], np.float32), 'w'),
    numpy_helper.from_array(np.array([0, 0, 2, 0, 0, 1], np.int64), 'pads'),
    numpy_helper.from_array(np.array([1], np.int64), 'starts'),
    numpy_helper.from_array(np.array([8], np.int64), 'ends'),
    numpy_helper.from_array(np.array([2], np.int64), 'axes'),
    numpy_helper.from_array(np.array([1, 14], np.int64), 'shape'),
]
nodes = [
    helper.make_node('Conv', ['x', 'w'], ['c'], group=2, kernel_shape=[2],
                     name='conv'),
    helper.make_node('Pad', ['c', 'pads'], ['p'], mode='constant', name='pad'),
    helper.make_node('Slice', ['p', 'starts', 'ends', 'axes'], ['s'],
                     name='slice'),
    helper.make_node('Reshape', ['s', 'shape'], ['r'], name='flat'),
    helper.make_node('Relu', ['r'], ['y'], name='relu'),
]
graph = helper.make_graph(
    nodes, 'pad_slice',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 2, 6])],
    [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 14])], init)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, 'pad_slice.onnx'))
rng = np.random.default_rng(0)
np.save(os.path.join(out, 'calibration.npy'),
        rng.uniform(-2, 2, (16, 1, 2, 6)).astype(np.float32))
x = rng.uniform(-2, 2, (1, 2, 6)).astype(np.float32)
with open(os.path.join(out, 'input.pb'), 'wb') as f:
    f.write(numpy_helper.from_array(x, 'x').SerializeToString())

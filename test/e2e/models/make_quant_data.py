#!/usr/bin/python3
"""Calibration and held-out data for the recurrent test models (gru.onnx,
lstm.onnx): make_recurrent_models.py's own windows, the same seed.

Usage: /usr/bin/python3 test/e2e/models/make_quant_data.py OUTDIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_recurrent_models  # noqa: E402  (sets single-threaded BLAS)

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    make_recurrent_models.write_quant_data(sys.argv[1])

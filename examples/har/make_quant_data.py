#!/usr/bin/python3
"""Calibration and held-out data for the int8 HAR model, from make_model.py's
own synthesis (the same seed, so the same windows the model was trained and
evaluated on).

Writes into OUTDIR (default: this folder's data_int8/):
  calibration.npy   [96, 1, 3, 128] float32: every 10th training window
  heldout.npy       [240, 1, 3, 128] float32: the held-out windows (the
                    model never saw them; make_model.py reports its accuracy
                    on them)
  heldout_labels.npy [240] int64

Usage: /usr/bin/python3 examples/har/make_quant_data.py [OUTDIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model  # noqa: E402  (sets single-threaded BLAS before numpy)

import numpy as np  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data_int8")
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(make_model.SEED)
    # The same draws, in the same order, as make_model.main().
    x_train, _ = make_model.synth_set(rng, make_model.TRAIN_PER_CLASS)
    x_held, y_held = make_model.synth_set(rng, make_model.HELDOUT_PER_CLASS)
    calib = np.asarray(x_train[::10], dtype=np.float32)[:, None]
    held = np.asarray(x_held, dtype=np.float32)[:, None]
    np.save(os.path.join(outdir, "calibration.npy"), calib)
    np.save(os.path.join(outdir, "heldout.npy"), held)
    np.save(os.path.join(outdir, "heldout_labels.npy"), np.asarray(y_held, dtype=np.int64))
    print("calibration %s, held-out %s -> %s" % (calib.shape, held.shape, outdir))


if __name__ == "__main__":
    main()

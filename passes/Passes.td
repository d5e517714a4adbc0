//===- Passes.td - Tempo passes ----------------------------*- tablegen -*-===//

#ifndef TEMPO_PASSES_TD
#define TEMPO_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Transforms
//===----------------------------------------------------------------------===//

def FoldBatchNormPass : Pass<"tempo-fold-batch-norm", "func::FuncOp"> {
  let summary = "fold inference batch normalisation into the producer's weights";
  let description = [{
    A `tempo.batch_norm` whose input is a conv, or a 2-D gemm or matmul, used only by
    it, with constant weights, is folded into that producer's weights and
    bias: `W' = W * s`, `b' = (b - mean) * s + beta`, `s = scale /
    sqrt(var + eps)` per output channel. A batch norm that cannot fold
    becomes a `tempo.channel_affine` with `s` and `(beta - mean * s)`
    computed at compile time.

    Before:
    ```mlir
    %c = tempo.conv %x, %w, %b {...} : (...) -> tensor<1x16x128xf32>
    %y = tempo.batch_norm %c, %s, %beta, %m, %v {epsilon = 1.0e-05 : f32} : (...) -> tensor<1x16x128xf32>
    ```
    After:
    ```mlir
    %y = tempo.conv %x, %w2, %b2 {...} : (...) -> tensor<1x16x128xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FoldConstantsPass : Pass<"tempo-fold-constants", "func::FuncOp"> {
  let summary = "evaluate ops whose operands are all constant";
  let description = [{
    Runs the runtime kernels on constant operands at compile time and
    replaces the op with a `tempo.constant`, so the generated code neither
    stores nor computes it.

    Before:
    ```mlir
    %w = tempo.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    %t = tempo.transpose %w {perm = array<i64: 1, 0>} : (tensor<1x2xf32>) -> tensor<2x1xf32>
    ```
    After:
    ```mlir
    %t = tempo.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
    ```
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"1048576",
           "largest folded result in bytes (bigger results stay computed)">
  ];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FoldMatMulAddPass : Pass<"tempo-fold-matmul-add", "func::FuncOp"> {
  let summary = "fold a 2-D matmul and the add of a bias into one gemm";
  let description = [{
    `add(matmul(A, B), C)` with 2-D A and B, the matmul used only by the
    add, and C broadcasting to the result as a gemm bias ([N], [1, N],
    [M, 1], [M, N] or a scalar) becomes `gemm(A, B, C)`: one kernel, and no
    intermediate tensor. PyTorch's Linear often exports this way.

    Before:
    ```mlir
    %m = tempo.matmul %a, %w : (tensor<1x32xf32>, tensor<32x6xf32>) -> tensor<1x6xf32>
    %y = tempo.add %m, %b : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
    ```
    After:
    ```mlir
    %y = tempo.gemm %a, %w, %b : (tensor<1x32xf32>, tensor<32x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FoldPadPass : Pass<"tempo-fold-pad", "func::FuncOp"> {
  let summary = "fold a zero constant Pad into the following conv or average pool";
  let description = [{
    A Pad (a `tempo.strided_copy` with constant border and value 0) of only
    the spatial dims, read by nothing but a conv or an average pool, becomes
    its own padding: the padded tensor is never stored and the padded taps
    are skipped rather than multiplied by zero. An average pool then counts
    the padding in its divisor (count_include_pad), as it counted Pad's
    zeros; it folds only if that was already so or it had no pads, and in
    floor mode. Max pool is left alone: its padding never wins, while Pad's
    zeros can.

    Before:
    ```mlir
    %p = tempo.strided_copy %x {border = "constant", start = array<i64: 0, 0, -2>,
        step = array<i64: 1, 1, 1>} : (tensor<1x3x128xf32>) -> tensor<1x3x132xf32>
    %y = tempo.conv %p, %w {pads = array<i64: 0, 0>, ...} : (...) -> tensor<1x16x128xf32>
    ```
    After:
    ```mlir
    %y = tempo.conv %x, %w {pads = array<i64: 2, 2>, ...} : (...) -> tensor<1x16x128xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FoldRecurrentLastStepPass : Pass<"tempo-fold-recurrent-last-step", "func::FuncOp"> {
  let summary = "read a recurrent layer's last step from its final state";
  let description = [{
    A classifier on top of an LSTM, GRU or RNN often keeps only the last
    time step of the full sequence Y (a Gather or Slice on axis 0, maybe
    after a reshape that keeps the time axis). For a
    one-direction layer in layout 0 that step is exactly the final state
    Y_h (Y[seq-1] forward, Y[0] reverse), so the layer computes Y_h instead
    and Y is neither computed nor stored: no full-sequence buffer.

    Before:
    ```mlir
    %y = tempo.recurrent ... {results = array<i1: true, false>, ...} -> tensor<50x1x1x32xf32>
    %last = tempo.gather %y, %c49 {axis = 0 : i64} : (...) -> tensor<1x1x32xf32>
    ```
    After:
    ```mlir
    %last = tempo.recurrent ... {results = array<i1: false, true>, ...} -> tensor<1x1x32xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FuseActivationsPass : Pass<"tempo-fuse-activations", "func::FuncOp"> {
  let summary = "fuse activations into the op that produces their input";
  let description = [{
    A relu, clip, leaky_relu, sigmoid, tanh, hard_sigmoid or hard_swish whose
    float input comes from a
    conv, gemm, matmul, add, sub, mul or div used only by it (and with no
    activation yet) becomes that op's `act` attribute: applied as each value
    is stored, so the intermediate tensor is never written.

    Before:
    ```mlir
    %c = tempo.conv %x, %w, %b {...} : (...) -> tensor<1x16x128xf32>
    %r = tempo.relu %c : tensor<1x16x128xf32>
    ```
    After:
    ```mlir
    %r = tempo.conv %x, %w, %b {act = "relu", ...} : (...) -> tensor<1x16x128xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FuseElementwisePass : Pass<"tempo-fuse-elementwise", "func::FuncOp"> {
  let summary = "fuse chains of elementwise ops into one loop";
  let description = [{
    An add, sub, mul or div over same-shape float operands whose result is
    read only by another such op (or chain) joins it in a
    `tempo.elementwise_chain`: one pass over memory, no intermediate
    tensor. Up to 4 distinct inputs and 8 steps per chain; the last op's
    fused activation stays on the chain. Same bits as the separate ops.

    Before:
    ```mlir
    %s = tempo.add %a, %b : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    %y = tempo.mul %s, %c : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    ```
    After:
    ```mlir
    %y = tempo.elementwise_chain %a, %b, %c {code = array<i32: 0, 0, 1, 2, 3, 2>} : (...) -> tensor<64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def FusePoolingPass : Pass<"tempo-fuse-pooling", "func::FuncOp"> {
  let summary = "fuse pooling into the convolution that produces its input";
  let description = [{
    A max_pool or average_pool whose windows tile the conv output (kernel =
    stride, no padding, no dilation, no partial window) or a
    global_average_pool, reading a conv used only by it, becomes the conv's
    `pool` / `pool_window`: the conv computes each window, reduces it and
    stores only the pooled value.

    Before:
    ```mlir
    %c = tempo.conv %x, %w, %b {act = "relu", ...} : (...) -> tensor<1x16x128xf32>
    %p = tempo.max_pool %c {kernel_shape = array<i64: 2>, strides = array<i64: 2>, ...} : (...) -> tensor<1x16x64xf32>
    ```
    After:
    ```mlir
    %p = tempo.conv %x, %w, %b {act = "relu", pool = "max", pool_window = array<i64: 2>, ...} : (...) -> tensor<1x16x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def QuantizePass : Pass<"tempo-quantize", "func::FuncOp"> {
  let summary = "int8 types on calibrated ops, int8 weights, quantized edges";
  let description = [{
    Turns float ops into the same ops on the quant dialect's uniform types,
    following docs/quantization.md: activations int8 asymmetric per tensor,
    conv / dense weights int8 symmetric per output channel (per-axis type),
    biases int32 at scale input x weight[c].

    An activation's type comes from its calibrated range: the attribute
    `tempo.calib = array<f32: lo, hi>` on the op that produces it (or on the
    function argument), which tempoc writes after running the float model
    over the calibration data; or from a `tempo.qtype` type attribute (the
    scale and zero point a QDQ model gave). Ops that keep the scale (max /
    average pool, reshape, transpose, relu, clip) take their input's type;
    sigmoid writes 1/256 with zero point -128, tanh 1/128 with 0, softmax
    1/256 with -128.

    In a QDQ model the weights are the model's: a conv / gemm weight that is
    the `tempo.dequantize` of a quantized constant keeps its integers and
    scales (zero points are subtracted, exactly, when the result fits int8;
    otherwise an error at the op). A bias carrying the model's scale
    (`tempo.qtype`) that is not input scale x weight scale[c] is requantized
    with a warning. uint8 activations become int8 with the zero point moved
    by -128 (exact); a uint8 value the model returns is requantized back. A
    2-D matmul whose constant weights are quantized per channel (axis 1)
    becomes the int8 gemm.

    A `tempo.quantize` goes where a float value enters int8 code and a
    `tempo.dequantize` where an int8 value leaves it; an op that has no int8
    form, lacks a calibrated range or is named in `keep-float` stays float.
    Function arguments only quantized, and results only dequantized, take
    the int8 type: the model's API is then int8, with scale and zero point
    in the tensor info.

    Mixed precision (docs/quantization.md, "Mixed precision"):
    `int8-weights` ops (and, with `weights-only`, every conv, gemm and
    matmul with a constant operand, nothing else) keep float activations
    and bias and take an int8 weight constant, symmetric per output channel;
    the `*_w8` kernels of tempo/mixed.h multiply by the channel's scale.
    `int16` ops take int16 symmetric types (zero point 0, scale
    max(|lo|, |hi|) / 32767 of the calibrated range), int8 per-channel
    weights and an int32 bias (TFLite's 16x8 scheme); a `tempo.requantize`
    joins them to their int8 neighbours. An `int16` op that has no int16
    kernel, or an `int8-weights` op without constant weights, is an error
    at the op.

    ```mlir
    // int8-weights: float in and out, int8 weights
    %y = tempo.conv %x, %wq, %b {...}
        : (tensor<1x3x128xf32>, tensor<16x3x5x!quant.uniform<i8:f32:0, {...}>>,
           tensor<16xf32>) -> tensor<1x16x128xf32>
    // int16 between int8 neighbours
    %x16 = tempo.requantize %x8 : ... -> tensor<1x16x128x!quant.uniform<i16:f32, 1.8e-4>>
    %y16 = tempo.conv %x16, %wq, %bq {...} : ... -> tensor<1x16x128x!quant.uniform<i16:f32, 2.1e-4>>
    ```

    Before:
    ```mlir
    %y = tempo.conv %x, %w, %b {act = "relu", tempo.calib = array<f32: 0.0, 6.0>, ...}
        : (tensor<1x3x128xf32>, tensor<16x3x5xf32>, tensor<16xf32>) -> tensor<1x16x128xf32>
    ```
    After:
    ```mlir
    %y = tempo.conv %x, %wq, %bq {act = "relu", ...}
        : (tensor<1x3x128x!quant.uniform<i8:f32, 0.0157:-1>>,
           tensor<16x3x5x!quant.uniform<i8:f32:0, {...}>>,
           tensor<16x!quant.uniform<i32:f32:0, {...}>>)
        -> tensor<1x16x128x!quant.uniform<i8:f32, 0.0235:-128>>
    ```
  }];
  let options = [
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names whose ops stay float">,
    ListOption<"int8Weights", "int8-weights", "std::string",
               "ONNX node names whose ops compute in float with int8 "
               "weights">,
    ListOption<"int16", "int16", "std::string",
               "ONNX node names whose ops run with int16 activations (16x8)">,
    Option<"weightsOnly", "weights-only", "bool", /*default=*/"false",
           "int8 weights on every conv / gemm / matmul with a constant "
           "operand, float compute everywhere, no calibration needed">,
  ];
  let dependentDialects = ["::mlir::tempo::TempoDialect",
                           "::mlir::quant::QuantizationDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def PlanMemoryPass : Pass<"tempo-plan-memory", "func::FuncOp"> {
  let summary = "assign every activation a byte offset in one arena";
  let description = [{
    Marks views (reshape) and in-place ops with `tempo.reuses = N`: their
    result lives in operand N's buffer (an in-place op only where that
    buffer is read for the last time). Computes each buffer's lifetime over
    the op order (model inputs live from the start, outputs to the end),
    then places buffers greedily by size at the lowest offset that does not
    collide with any buffer alive at the same time. Writes `tempo.offset` on each op (and function argument) and
    `tempo.arena_size` / `tempo.arena_align` on the function. Outputs that
    are inputs, constants or repeated get a `tempo.copy` so each owns a slot.

    After:
    ```mlir
    func.func @m(%x: tensor<4xf32> {tempo.offset = 0 : i64})
        -> tensor<4xf32> attributes {tempo.arena_align = 16 : i64, tempo.arena_size = 32 : i64} {
      %y = tempo.relu %x {tempo.offset = 16 : i64} : tensor<4xf32>
      return %y : tensor<4xf32>
    }
    ```
  }];
  let options = [
    Option<"align", "align", "int64_t", /*default=*/"16",
           "alignment of every buffer and of the arena, in bytes">,
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "let views share their operand's buffer, and elementwise ops "
           "write over an operand that dies there (tempo.reuses)">
  ];
  let dependentDialects = ["::mlir::tempo::TempoDialect"];
}

def ScheduleForMemoryPass : Pass<"tempo-schedule-for-memory", "func::FuncOp"> {
  let summary = "reorder a branching graph to lower its peak live memory";
  let description = [{
    List scheduling: among the ops whose operands are ready, run the one
    that frees the most bytes net of what it allocates (ties: the original
    order). The new order is kept only if its live-set bound is lower than
    the original's, so chains and graphs already in a good order are left
    alone. Records the bound of the order kept in `tempo.schedule_bound`.

    Example: two branches `x -> a (big) -> a2 (small)` and `x -> b (big) ->
    b2 (small)` joined by an add. ONNX order a, b, a2, b2 holds both big
    tensors at once; the schedule a, a2, b, b2 holds one.
  }];
}

def VerifyPlanPass : Pass<"tempo-verify-plan", "func::FuncOp"> {
  let summary = "check that no two buffers alive at once share a byte";
  let description = [{
    Recomputes lifetimes from the IR and fails, naming both ops, if two
    buffers alive at the same step overlap, or if a buffer is misaligned or
    reaches past `tempo.arena_size`.
  }];
}

#endif // TEMPO_PASSES_TD

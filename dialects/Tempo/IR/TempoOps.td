//===- TempoOps.td - Tempo dialect ops ---------------------*- tablegen -*-===//

#ifndef TEMPO_OPS_TD
#define TEMPO_OPS_TD

include "dialects/Tempo/IR/TempoBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Tempo_ConstantOp : Tempo_Op<"constant", [ConstantLike, Pure]> {
  let summary = "constant tensor (weights, biases, folded values)";
  let description = [{
    A constant placed in flash by the code generator. A quantized constant
    holds its stored integers and names the quantized type after `as`; the
    attribute's element type is then the quantized type's storage type.

    ```mlir
    %w = tempo.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    %q = tempo.constant dense<[[12, -127]]> : tensor<1x2xi8>
        as tensor<1x2x!quant.uniform<i8:f32:0, {0.0157}>>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tempo_Tensor:$result);
  let assemblyFormat = "attr-dict $value `` custom<QuantizedAs>(type($result), ref($value))";
  let builders = [
    OpBuilder<(ins "ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>];
  let hasFolder = 1;
  let hasVerifier = 1;
}

/// An activation fused into the op by tempo-fuse-activations: `act` is one of
/// none, relu, clip (act_min, act_max), leaky_relu (act_alpha), sigmoid,
/// tanh, hard_sigmoid (act_alpha, act_beta), hard_swish.
defvar Tempo_FusedActivationAttrs = (ins
    DefaultValuedStrAttr<StrAttr, "none">:$act,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_beta,
    OptionalAttr<F32Attr>:$act_min,
    OptionalAttr<F32Attr>:$act_max);

//===----------------------------------------------------------------------===//
// Convolution, dense and normalisation
//===----------------------------------------------------------------------===//

def Tempo_ConvOp : Tempo_Op<"conv", [Pure]> {
  let summary = "1-D or 2-D convolution (NCW / NCHW), grouped and depthwise";
  let description = [{
    ONNX Conv with explicit pads. The input is `[N, C, W]` or `[N, C, H, W]`,
    the weight `[M, C / group, kW]` or `[M, C / group, kH, kW]`, the optional
    bias `[M]`. `pads` is `[begin..., end...]` per spatial axis, as in ONNX.
    A fused activation (`act`) applies to every output; a fused pooling
    (`pool` = max or average over non-overlapping `pool_window` windows,
    set by tempo-fuse-pooling) then reduces the activated outputs, and the
    result has the pooled shape: the unpooled tensor is never stored.

    ```mlir
    %y = tempo.conv %x, %w, %b {dilations = array<i64: 1>, group = 1 : i64,
        pads = array<i64: 2, 2>, strides = array<i64: 1>}
        : (tensor<1x3x128xf32>, tensor<16x3x5xf32>, tensor<16xf32>) -> tensor<1x16x128xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$input, Tempo_Tensor:$weight,
                   Optional<Tempo_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads, I64Attr:$group),
                   Tempo_FusedActivationAttrs,
                   (ins DefaultValuedStrAttr<StrAttr, "none">:$pool,
                        OptionalAttr<DenseI64ArrayAttr>:$pool_window));
  let builders = [
    OpBuilder<(ins "Type":$output, "Value":$input, "Value":$weight,
                   "Value":$bias, "DenseI64ArrayAttr":$strides,
                   "DenseI64ArrayAttr":$dilations, "DenseI64ArrayAttr":$pads,
                   "IntegerAttr":$group), [{
      build($_builder, $_state, output, input, weight, bias, strides,
            dilations, pads, group, nullptr, nullptr, nullptr, nullptr,
            nullptr, nullptr, nullptr);
    }]>];
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_GemmOp : Tempo_Op<"gemm", [Pure]> {
  let summary = "general matrix multiply: alpha * op(A) * op(B) + beta * C";
  let description = [{
    ONNX Gemm. A and B are 2-D; C, if present, broadcasts to the `[M, N]`
    result.

    ```mlir
    %y = tempo.gemm %a, %w, %b {transB = true}
        : (tensor<1x32xf32>, tensor<6x32xf32>, tensor<6xf32>) -> tensor<1x6xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$a, Tempo_Tensor:$b, Optional<Tempo_Tensor>:$c,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$transA,
                   DefaultValuedAttr<BoolAttr, "false">:$transB),
                   Tempo_FusedActivationAttrs);
  let builders = [
    OpBuilder<(ins "Type":$output, "Value":$a, "Value":$b, "Value":$c,
                   "FloatAttr":$alpha, "FloatAttr":$beta, "BoolAttr":$transA,
                   "BoolAttr":$transB), [{
      build($_builder, $_state, output, a, b, c, alpha, beta, transA, transB,
            nullptr, nullptr, nullptr, nullptr, nullptr);
    }]>];
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_MatMulOp : Tempo_Op<"matmul", [Pure]> {
  let summary = "batched matrix multiply with broadcast batch dimensions";
  let description = [{
    ONNX MatMul on operands of rank 2 or more (the importer reshapes 1-D
    operands).

    ```mlir
    %y = tempo.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$a, Tempo_Tensor:$b),
                       Tempo_FusedActivationAttrs);
  let builders = [
    OpBuilder<(ins "Type":$output, "Value":$a, "Value":$b), [{
      build($_builder, $_state, output, a, b, nullptr, nullptr, nullptr,
            nullptr, nullptr);
    }]>];
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$a `,` $b attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_BatchNormOp : Tempo_Op<"batch_norm", [Pure]> {
  let summary = "inference batch normalisation over the channel axis";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, per channel (axis 1).

    ```mlir
    %y = tempo.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x16x128xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>,
           tensor<16xf32>) -> tensor<1x16x128xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scale, Tempo_Tensor:$bias,
                   Tempo_Tensor:$mean, Tempo_Tensor:$variance, F32Attr:$epsilon);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_BatchNormTrainingOp : Tempo_Op<"batch_norm_training", [Pure]> {
  let summary = "training-mode batch normalisation over the channel axis";
  let description = [{
    ONNX BatchNormalization with training_mode=1. Per channel (axis 1) the
    batch statistics over every other axis are the mean `m` and the
    population variance `v`; `Y = (x - m) / sqrt(v + epsilon) * scale +
    bias`, `running_mean = mean * momentum + m * (1 - momentum)` and
    `running_var = variance * momentum + v * (1 - momentum)`. `results`
    says which of Y, running_mean, running_var the op computes; one is the
    result itself, several are packed one after the other into a 1-D result
    the importer slices (see `tempo.layer_norm`).

    ```mlir
    %r = tempo.batch_norm_training %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32,
        momentum = 0.9 : f32, results = array<i1: true, true, true>}
        : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
           tensor<3xf32>) -> tensor<30xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scale, Tempo_Tensor:$bias,
                   Tempo_Tensor:$mean, Tempo_Tensor:$variance, F32Attr:$epsilon,
                   F32Attr:$momentum, DenseBoolArrayAttr:$results);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_ChannelAffineOp : Tempo_Op<"channel_affine", [Pure]> {
  let summary = "per-channel scale and shift: a folded batch normalisation";
  let description = [{
    `y = x * scale[c] + shift[c]` over channel axis 1. tempo-fold-batch-norm
    turns a BatchNormalization it cannot fold into a producer into this,
    with the statistics folded at compile time.

    ```mlir
    %y = tempo.channel_affine %x, %s, %t
        : (tensor<1x16x128xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x16x128xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scale,
                   Tempo_Tensor:$shift);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Tempo_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Tempo_Op<mnemonic, !listconcat([Pure], traits)> {
  let summary = "elementwise " # mnemonic # " with numpy broadcasting";
  let description = [{
    Elementwise on operands whose shapes broadcast (numpy rules) to the
    result's shape.

    ```mlir
    %y = tempo.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$lhs, Tempo_Tensor:$rhs),
                       Tempo_FusedActivationAttrs);
  let builders = [
    OpBuilder<(ins "Type":$output, "Value":$lhs, "Value":$rhs), [{
      build($_builder, $_state, output, lhs, rhs, nullptr, nullptr, nullptr,
            nullptr, nullptr);
    }]>];
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_ElementwiseChainOp : Tempo_Op<"elementwise_chain", [Pure]> {
  let summary = "a chain of elementwise float ops run in one loop";
  let description = [{
    Made by tempo-fuse-elementwise from add/sub/mul/div ops over
    same-shape float operands. Register r < #inputs is input r; step s
    writes register #inputs + s = `code[3s]` (0 add, 1 sub, 2 mul, 3 div) of
    registers `code[3s+1]` and `code[3s+2]`; the last register, with the
    fused activation, is the result. One pass over memory instead of one
    per op, and no intermediate tensors.

    ```mlir
    // (a + b) * c
    %y = tempo.elementwise_chain %a, %b, %c {code = array<i32: 0, 0, 1, 2, 3, 2>}
        : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    ```
  }];
  let arguments = !con((ins Variadic<Tempo_Tensor>:$inputs, DenseI32ArrayAttr:$code),
                       Tempo_FusedActivationAttrs);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_AddOp : Tempo_BinaryOp<"add", [Commutative]>;
def Tempo_SubOp : Tempo_BinaryOp<"sub">;
def Tempo_MulOp : Tempo_BinaryOp<"mul", [Commutative]>;
def Tempo_DivOp : Tempo_BinaryOp<"div">;

/// Unary ops keep their type, except that a quantized op may write another
/// scale (int8 sigmoid writes 1/256): printed `: T_in -> T_out` then.
def Tempo_SameTypeUnlessQuantized : PredOpTrait<
    "result type equals the input type, or both are quantized with one shape",
    CPred<"::mlir::tempo::sameTypeUnlessQuantized($_op.getOperand(0).getType(), $_op.getResult(0).getType())">>;
defvar Tempo_UnaryTypes = "$input attr-dict `:` type($input) `` custom<ResultTypeIfDifferent>(type($output), ref(type($input)))";

class Tempo_UnaryOp<string mnemonic, dag attrs = (ins)>
    : Tempo_Op<mnemonic, [Pure, Tempo_SameTypeUnlessQuantized]> {
  let summary = "elementwise " # mnemonic;
  let description = [{
    ```mlir
    %y = tempo.}] # mnemonic # [{ %x : tensor<1x16x128xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$input), attrs);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = Tempo_UnaryTypes;
}

def Tempo_ReluOp : Tempo_UnaryOp<"relu">;
def Tempo_SigmoidOp : Tempo_UnaryOp<"sigmoid">;
def Tempo_TanhOp : Tempo_UnaryOp<"tanh">;
def Tempo_LeakyReluOp : Tempo_UnaryOp<"leaky_relu", (ins F32Attr:$alpha)>;
def Tempo_ClipOp : Tempo_UnaryOp<"clip", (ins F64Attr:$min, F64Attr:$max)> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and normalisation over an axis
//===----------------------------------------------------------------------===//

class Tempo_PoolOp<string mnemonic, dag extra = (ins)>
    : Tempo_Op<mnemonic, [Pure]> {
  let arguments = !con((ins Tempo_Tensor:$input,
                        DenseI64ArrayAttr:$kernel_shape,
                        DenseI64ArrayAttr:$strides,
                        DenseI64ArrayAttr:$dilations,
                        DenseI64ArrayAttr:$pads), extra);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_MaxPoolOp : Tempo_PoolOp<"max_pool",
    (ins DefaultValuedAttr<DenseBoolArrayAttr, "{true, false}">:$results,
         DefaultValuedAttr<I64Attr, "0">:$storage_order)> {
  let summary = "1-D, 2-D or 3-D max pooling, or the indices of the maxima";
  let description = [{
    The input is `[N, C, W]`, `[N, C, H, W]` or `[N, C, D, H, W]`. The
    result's spatial extent is either the floor or the ceil of the ONNX
    formula (ceil_mode is resolved by the importer into the result type).
    Padded positions never win.

    `results` says which ONNX output (Y, Indices) the op computes: exactly
    one, since their element types differ and so cannot be packed as
    `tempo.layer_norm` packs its outputs. Indices is an i64 result of Y's
    shape holding ONNX's flattened index of each maximum (over the whole
    input, batch and channel included), row-major or, with
    `storage_order = 1`, column-major over the spatial dims. The importer
    adds an indices op only when a model reads Indices, so a plain MaxPool
    costs nothing more.

    ```mlir
    %y = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
        pads = array<i64: 0, 0>, strides = array<i64: 2>}
        : (tensor<1x16x128xf32>) -> tensor<1x16x64xf32>
    %i = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
        pads = array<i64: 0, 0>, strides = array<i64: 2>,
        results = array<i1: false, true>}
        : (tensor<1x16x128xf32>) -> tensor<1x16x64xi64>
    ```
  }];
}

def Tempo_LpPoolOp : Tempo_PoolOp<"lp_pool", (ins DefaultValuedAttr<I64Attr, "2">:$p)> {
  let summary = "1-D or 2-D Lp pooling (ONNX LpPool)";
  let description = [{
    `(sum |x|^p)^(1/p)` over each window's taps inside the input (zero
    padding adds nothing); float only. Windows as `tempo.max_pool`.

    ```mlir
    %y = tempo.lp_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
        p = 2 : i64, pads = array<i64: 0, 0>, strides = array<i64: 2>}
        : (tensor<1x1x4xf32>) -> tensor<1x1x2xf32>
    ```
  }];
}

def Tempo_AveragePoolOp : Tempo_PoolOp<"average_pool",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let summary = "1-D, 2-D or 3-D average pooling";
  let description = [{
    As `tempo.max_pool`; `count_include_pad` says whether padded positions
    count in the divisor.

    ```mlir
    %y = tempo.average_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>,
        pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
        : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
}

def Tempo_GlobalAveragePoolOp : Tempo_Op<"global_average_pool", [Pure]> {
  let summary = "mean over every spatial position, per batch and channel";
  let description = [{
    ```mlir
    %y = tempo.global_average_pool %x : (tensor<1x32x32xf32>) -> tensor<1x32x1xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_SoftmaxOp : Tempo_Op<"softmax", [Pure, Tempo_SameTypeUnlessQuantized]> {
  let summary = "softmax along one axis (ONNX opset 13 semantics)";
  let description = [{
    ```mlir
    %y = tempo.softmax %x {axis = 1 : i64} : tensor<1x6xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, I64Attr:$axis);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = Tempo_UnaryTypes;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Tempo_ReshapeOp : Tempo_Op<"reshape", [Pure]> {
  let summary = "same elements, new static shape";
  let description = [{
    ONNX Reshape, Flatten, Squeeze and Unsqueeze all import as this op; the
    result type is the new shape.

    ```mlir
    %y = tempo.reshape %x : (tensor<1x32x1xf32>) -> tensor<1x32xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tempo_CopyOp : Tempo_Op<"copy", [SameOperandsAndResultType]> {
  let summary = "explicit copy into a buffer of its own";
  let description = [{
    The memory planner inserts copies where a model output is a graph input,
    a constant, or the same value as another output, so every output owns
    its arena slot. Never folded.

    ```mlir
    %y = tempo.copy %x : tensor<1x6xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tempo_TransposeOp : Tempo_Op<"transpose", [Pure]> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    ```mlir
    %y = tempo.transpose %x {perm = array<i64: 0, 2, 1>}
        : (tensor<1x3x128xf32>) -> tensor<1x128x3xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tempo_ConcatOp : Tempo_Op<"concat", [Pure]> {
  let summary = "concatenate along one axis";
  let description = [{
    ```mlir
    %y = tempo.concat %a, %b {axis = 1 : i64}
        : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Tempo_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Wider ONNX op set: one op per kernel family of tempo/ops.h
//===----------------------------------------------------------------------===//

def Tempo_MathOp : Tempo_Op<"math", [Pure, Tempo_SameTypeUnlessQuantized]> {
  let summary = "elementwise unary math and activations, selected by `fn`";
  let description = [{
    One op for every unary ONNX math op and activation without a dedicated
    op: `fn` is one of abs, neg, exp, log, sqrt, reciprocal, erf, floor,
    ceil, sign, sin, cos, elu (alpha), selu (alpha, beta = gamma), celu
    (alpha), thresholded_relu (alpha), hard_sigmoid (alpha, beta),
    hard_swish, softplus, softsign. The importer fills in ONNX's default
    alpha/beta. Integer tensors take abs, neg and sign only.

    ```mlir
    %y = tempo.math %x {fn = "elu", alpha = 1.0 : f32} : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, StrAttr:$fn,
                   DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.0f">:$beta);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = Tempo_UnaryTypes;
  let hasVerifier = 1;
}

def Tempo_BinaryMathOp : Tempo_Op<"binary_math", [Pure]> {
  let summary = "elementwise pow, max, min or prelu with numpy broadcasting";
  let description = [{
    `fn` is pow (lhs ^ rhs), max, min (a NaN operand wins) or prelu (lhs is
    X, rhs the slope). Both operands have the result's element type: the
    importer casts a Pow exponent of another type first. Variadic ONNX
    Max / Min are chains of this op.

    ```mlir
    %y = tempo.binary_math %a, %b {fn = "pow"}
        : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$lhs, Tempo_Tensor:$rhs, StrAttr:$fn);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_ReduceOp : Tempo_Op<"reduce", [Pure]> {
  let summary = "reduction over a run of adjacent axes";
  let description = [{
    `kind` is sum, mean, max, min, prod, l1, l2, sum_square, log_sum or
    log_sum_exp. `axes` are adjacent and ascending; the result keeps them
    as 1s (the importer reshapes for keepdims = 0 and transposes
    non-adjacent axes together first). ONNX GlobalMaxPool is a max over
    the spatial axes.

    ```mlir
    %y = tempo.reduce %x {kind = "mean", axes = array<i64: 1, 2>}
        : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, StrAttr:$kind,
                   DenseI64ArrayAttr:$axes);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_ArgReduceOp : Tempo_Op<"arg_reduce", [Pure]> {
  let summary = "index (i64) of the maximum or minimum along one axis";
  let description = [{
    ONNX ArgMax / ArgMin (`kind` = max or min). The result keeps `axis` as
    a 1 (the importer reshapes for keepdims = 0).

    ```mlir
    %y = tempo.arg_reduce %x {kind = "max", axis = 1 : i64}
        : (tensor<2x3xf32>) -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, StrAttr:$kind, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Tempo_AxisOp<string mnemonic, string what>
    : Tempo_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what # " along one axis";
  let description = [{
    ```mlir
    %y = tempo.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<1x6xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, I64Attr:$axis);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tempo_CumSumOp : Tempo_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "cumulative sum along an axis (ONNX CumSum)";
  let description = [{
    `y_j = sum of x_k` for `k <= j` (`k < j` if `exclusive`; from the end if
    `reverse`), in the scan direction from 0. Integers wrap.

    ```mlir
    %y = tempo.cumsum %x {axis = 0 : i64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tempo_LogSoftmaxOp : Tempo_AxisOp<"log_softmax", "log of the softmax">;
def Tempo_HardmaxOp : Tempo_AxisOp<"hardmax", "1 at the first maximum, 0 elsewhere,">;

def Tempo_LayerNormOp : Tempo_Op<"layer_norm", [Pure]> {
  let summary = "layer normalisation over the dims from `axis` on";
  let description = [{
    ONNX LayerNormalization. `scale` and `bias` have the shape of the
    input's dims from `axis` on (the importer expands broadcasting ones).
    `results` says which ONNX outputs (Y, Mean, InvStdDev) the op computes;
    one output is the result itself, several are packed one after the
    other into a 1-D result the importer slices (see `tempo.recurrent`).

    ```mlir
    %y = tempo.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f32,
        results = array<i1: true, false, false>}
        : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scale,
                   Optional<Tempo_Tensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon, DenseBoolArrayAttr:$results);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_InstanceNormOp : Tempo_Op<"instance_norm", [Pure]> {
  let summary = "instance normalisation per batch and channel";
  let description = [{
    ```mlir
    %y = tempo.instance_norm %x, %s, %b {epsilon = 1.0e-05 : f32}
        : (tensor<1x2x8xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x8xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scale,
                   Tempo_Tensor:$bias, F32Attr:$epsilon);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_StridedCopyOp : Tempo_Op<"strided_copy", [Pure]> {
  let summary = "N-d strided copy: Slice, Pad, Tile and Expand";
  let description = [{
    Result element (i_0, ...) reads input index `start[d] + i_d * step[d]`
    in every dim d; an index outside the input is mapped by `border`:
    constant (the `pad_value` operand, 0 without it), edge, reflect or wrap.
    Input and result have the same rank (Expand reshapes its input first).

    ```mlir
    %y = tempo.strided_copy %x {border = "constant", start = array<i64: -1>,
        step = array<i64: 1>} : (tensor<4xf32>) -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Optional<Tempo_Tensor>:$pad_value,
                   DenseI64ArrayAttr:$start, DenseI64ArrayAttr:$step,
                   DefaultValuedStrAttr<StrAttr, "constant">:$border);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $pad_value^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_GatherOp : Tempo_Op<"gather", [Pure]> {
  let summary = "gather along one axis with constant indices";
  let description = [{
    ONNX Gather whose indices are known at compile time: `indices` is a
    constant i32 tensor of in-range (non-negative) indices, and the result
    is `input[:axis] + indices.shape + input[axis + 1:]`.

    ```mlir
    %y = tempo.gather %x, %idx {axis = 0 : i64}
        : (tensor<5x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$indices, I64Attr:$axis);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_CastOp : Tempo_Op<"cast", [Pure]> {
  let summary = "element type conversion (ONNX Cast)";
  let description = [{
    Float to integer truncates toward zero and saturates; integer to
    integer wraps; to i1 is `x != 0`. To or from a quantized type it only
    reinterprets the stored integers (as `quant.scast`): the other side is
    the storage type, as where a quantized model's plain `ui8` input or
    output meets its `!quant.uniform<u8:...>` value.

    ```mlir
    %y = tempo.cast %x : (tensor<3xf32>) -> tensor<3xi64>
    %q = tempo.cast %u : (tensor<3xui8>) -> tensor<3x!quant.uniform<u8:f32, 0.1:128>>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_ConvTransposeOp : Tempo_Op<"conv_transpose", [Pure]> {
  let summary = "1-D, 2-D or 3-D transposed convolution (NCW / NCHW / NCDHW)";
  let description = [{
    ONNX ConvTranspose. The weight is `[C, M / group, k...]`; `pads` holds
    the begin pad of each spatial dim, the result type the final extents
    (the importer resolves output_shape, output_padding and auto_pad).

    ```mlir
    %y = tempo.conv_transpose %x, %w {dilations = array<i64: 1>, group = 1 : i64,
        pads = array<i64: 0>, strides = array<i64: 2>}
        : (tensor<1x1x3xf32>, tensor<1x2x3xf32>) -> tensor<1x2x7xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$weight,
                   Optional<Tempo_Tensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
                   I64Attr:$group);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tempo_ScratchOp : Tempo_Op<"scratch"> {
  let summary = "uninitialised arena bytes for one kernel's temporaries";
  let description = [{
    A buffer the memory planner places like any other value; the kernel
    that takes it as its `scratch` operand overwrites it, nothing reads it
    afterwards, and no code is generated for the op itself. Not `Pure`, so
    CSE does not merge the scratch of two kernels.

    ```mlir
    %s = tempo.scratch : tensor<80xf32>
    ```
  }];
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "attr-dict `:` type($output)";
}

def Tempo_RecurrentOp : Tempo_Op<"recurrent", [AttrSizedOperandSegments]> {
  let summary = "ONNX LSTM, GRU or RNN (`cell`), outputs packed in one result";
  let description = [{
    The operands are ONNX's (sequence_lens aside, which must be all
    seq_len) plus a `tempo.scratch` buffer of the kernel's scratch size.
    `activations` are ONNX names per direction, `activation_alpha` /
    `activation_beta` their resolved parameters (one per activation).
    `results` says which ONNX outputs (Y, Y_h and, for lstm, Y_c) are
    computed: unused ones are not. One computed output is the result
    itself (in its ONNX shape); several are packed in order into a 1-D
    result that the importer slices with `tempo.strided_copy`, because the
    memory planner gives an op one buffer.

    ```mlir
    %y = tempo.recurrent %x, %w, %r, %s {cell = "rnn", direction = "forward",
        hidden_size = 4 : i64, layout = 0 : i64, activations = ["Tanh"],
        activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>,
        results = array<i1: false, true>,
        operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>}
        : (tensor<2x1x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<8xf32>)
        -> tensor<1x1x4xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$x, Tempo_Tensor:$w, Tempo_Tensor:$r,
                   Optional<Tempo_Tensor>:$b, Optional<Tempo_Tensor>:$initial_h,
                   Optional<Tempo_Tensor>:$initial_c,
                   Optional<Tempo_Tensor>:$peephole, Tempo_Tensor:$scratch,
                   StrAttr:$cell, StrAttr:$direction, I64Attr:$hidden_size,
                   I64Attr:$layout, StrArrayAttr:$activations,
                   DenseF32ArrayAttr:$activation_alpha,
                   DenseF32ArrayAttr:$activation_beta, OptionalAttr<F32Attr>:$clip,
                   DefaultValuedAttr<BoolAttr, "false">:$input_forget,
                   DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset,
                   DenseBoolArrayAttr:$results);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_DftOp : Tempo_Op<"dft"> {
  let summary = "discrete Fourier transform along one axis (ONNX DFT)";
  let description = [{
    The input is `[..., n_in, ..., 1 or 2]` (real or complex), the result
    `[..., n_out, ..., 2]` with the transform along `axis`, of `length`
    points (truncating or zero-padding), n_out = length / 2 + 1 if
    `onesided`. `scratch` is a `tempo.scratch` of the kernel's size.

    ```mlir
    %y = tempo.dft %x, %s {axis = 1 : i64, length = 8 : i64}
        : (tensor<1x8x1xf32>, tensor<32xf32>) -> tensor<1x8x2xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, Tempo_Tensor:$scratch, I64Attr:$axis,
                   I64Attr:$length,
                   DefaultValuedAttr<BoolAttr, "false">:$inverse,
                   DefaultValuedAttr<BoolAttr, "false">:$onesided);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input `,` $scratch attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_StftOp : Tempo_Op<"stft"> {
  let summary = "short-time Fourier transform (ONNX STFT)";
  let description = [{
    The signal is `[batch, length, 1 or 2]`, the optional window
    `[frame_length]`, the result `[batch, frames, n_out, 2]`.

    ```mlir
    %y = tempo.stft %x, %s {frame_length = 16 : i64, frame_step = 8 : i64,
        onesided = true} : (tensor<1x64x1xf32>, tensor<64xf32>) -> tensor<1x7x9x2xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$signal, Optional<Tempo_Tensor>:$window,
                   Tempo_Tensor:$scratch, I64Attr:$frame_step,
                   I64Attr:$frame_length,
                   DefaultValuedAttr<BoolAttr, "true">:$onesided);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Tempo_QuantizeOp : Tempo_Op<"quantize", [Pure]> {
  let summary = "float to quantized integers (ONNX QuantizeLinear)";
  let description = [{
    `q = clamp(round_half_even(x / scale) + zero_point)` with the scale and
    zero point of the result's `!quant.uniform` type (per tensor, or per axis
    for QuantizeLinear with `axis`).

    ```mlir
    %q = tempo.quantize %x : (tensor<1x8xf32>) -> tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_DequantizeOp : Tempo_Op<"dequantize", [Pure]> {
  let summary = "quantized integers to float (ONNX DequantizeLinear)";
  let description = [{
    `x = (q - zero_point) * scale` with the operand's `!quant.uniform` type.

    ```mlir
    %x = tempo.dequantize %q : (tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Tempo_RequantizeOp : Tempo_Op<"requantize", [Pure]> {
  let summary = "quantized to quantized: a new scale, zero point or storage type";
  let description = [{
    `q' = clamp(zp' + round((q - zp) * scale / scale'))` in fixed point
    (int32 multiplier and shift); with equal scales it only moves the zero
    point, e.g. from `u8` to `i8` storage (zero point - 128), exactly.

    ```mlir
    %y = tempo.requantize %x : (tensor<8x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<8x!quant.uniform<i8:f32, 0.1>>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // TEMPO_OPS_TD

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

def Tempo_ConstantOp : Tempo_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "constant tensor (weights, biases, folded values)";
  let description = [{
    A constant placed in flash by the code generator.

    ```mlir
    %w = tempo.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tempo_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
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

def Tempo_AddOp : Tempo_BinaryOp<"add", [Commutative]>;
def Tempo_SubOp : Tempo_BinaryOp<"sub">;
def Tempo_MulOp : Tempo_BinaryOp<"mul", [Commutative]>;
def Tempo_DivOp : Tempo_BinaryOp<"div">;

class Tempo_UnaryOp<string mnemonic, dag attrs = (ins)>
    : Tempo_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise " # mnemonic;
  let description = [{
    ```mlir
    %y = tempo.}] # mnemonic # [{ %x : tensor<1x16x128xf32>
    ```
  }];
  let arguments = !con((ins Tempo_Tensor:$input), attrs);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
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

def Tempo_MaxPoolOp : Tempo_PoolOp<"max_pool"> {
  let summary = "1-D or 2-D max pooling";
  let description = [{
    The result's spatial extent is either the floor or the ceil of the ONNX
    formula (ceil_mode is resolved by the importer into the result type).
    Padded positions never win.

    ```mlir
    %y = tempo.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>,
        pads = array<i64: 0, 0>, strides = array<i64: 2>}
        : (tensor<1x16x128xf32>) -> tensor<1x16x64xf32>
    ```
  }];
}

def Tempo_AveragePoolOp : Tempo_PoolOp<"average_pool",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let summary = "1-D or 2-D average pooling";
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

def Tempo_SoftmaxOp : Tempo_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis (ONNX opset 13 semantics)";
  let description = [{
    ```mlir
    %y = tempo.softmax %x {axis = 1 : i64} : tensor<1x6xf32>
    ```
  }];
  let arguments = (ins Tempo_Tensor:$input, I64Attr:$axis);
  let results = (outs Tempo_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
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

#endif // TEMPO_OPS_TD

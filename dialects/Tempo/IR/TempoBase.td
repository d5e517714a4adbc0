//===- TempoBase.td - Tempo dialect definition -------------*- tablegen -*-===//
//
// The tempo dialect: the ops of time-series models for microcontrollers, on
// ranked, statically shaped tensors. Element types are f32, the integer types
// ONNX uses, or the quant dialect's uniform quantized types, so the same ops
// carry float and int8 models.
//
//===----------------------------------------------------------------------===//

#ifndef TEMPO_BASE_TD
#define TEMPO_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Tempo_Dialect : Dialect {
  let name = "tempo";
  let summary = "Time-series model ops for microcontroller code generation";
  let description = [{
    Every op works on ranked tensors with a static shape. An op's location is
    the name of the ONNX node it came from, so diagnostics point at the model.
    After memory planning, each op result carries a `tempo.offset` attribute
    (its byte offset in the arena) and the function a `tempo.arena_size`.
  }];
  let cppNamespace = "::mlir::tempo";
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::quant::QuantizationDialect"];
}

class Tempo_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tempo_Dialect, mnemonic, traits>;

/// A tensor value of any element type with a static shape.
def Tempo_Tensor : Type<AnyStaticShapeTensor.predicate,
    "statically shaped tensor", "::mlir::RankedTensorType">;

#endif // TEMPO_BASE_TD

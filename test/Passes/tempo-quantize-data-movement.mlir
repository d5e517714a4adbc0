// RUN: tempo-opt %s -split-input-file --tempo-quantize | FileCheck %s

// Slice / Pad (tempo.strided_copy) and Gather move int8 elements and keep
// their input's type (calibrated [-1, 1]: scale 2/255, zero point -1). A
// constant border pads with the real pad value at that scale: no pad value
// is real 0, i.e. the zero point -1 (not the raw byte 0); 0.5 is
// round(0.5 * 255 / 2) - 1 = 63. An edge border needs no pad value.
// CHECK-LABEL: func.func @moves
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>)
// CHECK-DAG: %[[Z:.+]] = tempo.constant dense<-1> : tensor<1xi8> as tensor<1x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[H:.+]] = tempo.constant dense<63> : tensor<1xi8> as tensor<1x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[P:.+]] = tempo.strided_copy %[[X]], %[[Z]] {{.*}} -> tensor<1x6x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[Q:.+]] = tempo.strided_copy %[[P]], %[[H]] {{.*}} -> tensor<1x8x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[E:.+]] = tempo.strided_copy %[[Q]] {border = "edge", {{.*}}} : (tensor<1x8x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>) -> tensor<1x10x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-DAG: %[[G:.+]] = tempo.gather %[[E]], %{{.+}} {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 0.0078431372549019607:-1>>
// CHECK-NOT: tempo.quantize
// CHECK-NOT: tempo.dequantize
// CHECK: return %[[G]]
func.func @moves(%x: tensor<1x4xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %p = tempo.strided_copy %x {start = array<i64: 0, -1>, step = array<i64: 1, 1>} : (tensor<1x4xf32>) -> tensor<1x6xf32>
  %h = tempo.constant dense<0.5> : tensor<1xf32>
  %q = tempo.strided_copy %p, %h {start = array<i64: 0, -1>, step = array<i64: 1, 1>} : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x8xf32>
  %e = tempo.strided_copy %q {border = "edge", start = array<i64: 0, -1>, step = array<i64: 1, 1>} : (tensor<1x8xf32>) -> tensor<1x10xf32>
  %i = tempo.constant dense<[0, 9]> : tensor<2xi32>
  %g = tempo.gather %e, %i {axis = 1 : i64} : (tensor<1x10xf32>, tensor<2xi32>) -> tensor<1x2xf32>
  return %g : tensor<1x2xf32>
}

// RUN: tempo-opt %s --tempo-quantize --mlir-print-debuginfo -o %t.mlir
// RUN: not tempoc compile %t.mlir -o %t --name q 2>&1 | FileCheck %s

// A dense layer of 40000 inputs would overflow the int8 kernels' int32
// accumulator (at most 32768 products of |x - zp| <= 255 and |w| <= 128):
// refused at the node, nothing written.
// CHECK: error: big: 'tempo.gemm' op int8 kernel sums 40000 products per output, more than the 32768 its int32 accumulator holds
func.func @m(%x: tensor<1x40000xf32> {tempo.calib = array<f32: -1.0, 1.0>}) -> tensor<1x1xf32> {
  %w = tempo.constant dense<0.5> : tensor<40000x1xf32>
  %g = tempo.gemm %x, %w {tempo.calib = array<f32: -4.0, 4.0>} : (tensor<1x40000xf32>, tensor<40000x1xf32>) -> tensor<1x1xf32> loc("big")
  return %g : tensor<1x1xf32>
}

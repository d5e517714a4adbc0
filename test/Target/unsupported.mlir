// An element type without kernels is reported at the op; nothing written.
// RUN: rm -rf %t && sh -c 'tempoc compile %s -o %t; echo "exit=$?"' 2>&1 | FileCheck %s
// RUN: not test -e %t
// CHECK: tempoc: error: sig: 'tempo.sigmoid' op needs a float input
// CHECK: exit=1
func.func @m(%x: tensor<4xi32>) -> tensor<4xi32> {
  %r = tempo.sigmoid %x : tensor<4xi32> loc("sig")
  return %r : tensor<4xi32>
}

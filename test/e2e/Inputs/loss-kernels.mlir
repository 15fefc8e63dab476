// The training kernels on their own: cross-entropy over logits that a fused
// elementwise loop scales into the hundreds (max subtraction matters), the
// same logits with every label ignored, and scatter_add with repeated and
// negative indices along the leading and a middle dim.
// python/check_loss_kernels.py feeds and checks it.
func.func @main(%logits: tensor<4x6x11xf32> {pp.name = "logits"},
                %labels: tensor<4x6xi64> {pp.name = "labels"},
                %ignored: tensor<4x6xi64> {pp.name = "ignored"},
                %dy: tensor<4x6x8xf32> {pp.name = "dy"},
                %ids: tensor<4x6xi64> {pp.name = "ids"},
                %u: tensor<2x5x3xf32> {pp.name = "u"},
                %idx: tensor<5xi64> {pp.name = "idx"})
    -> (tensor<f32> {pp.name = "loss"}, tensor<f32> {pp.name = "loss_all_ignored"},
        tensor<10x8xf32> {pp.name = "dwte"}, tensor<2x4x3xf32> {pp.name = "du"}) {
  %scale = pp.constant dense<50.0> : tensor<f32>
  %big = pp.mul %logits, %scale : (tensor<4x6x11xf32>, tensor<f32>) -> tensor<4x6x11xf32>
  %loss = pp.cross_entropy %big, %labels ignore_index -100 : (tensor<4x6x11xf32>, tensor<4x6xi64>) -> tensor<f32>
  %none = pp.cross_entropy %big, %ignored ignore_index -100 : (tensor<4x6x11xf32>, tensor<4x6xi64>) -> tensor<f32>
  %dwte = pp.scatter_add %dy[%ids] dim 0 : (tensor<4x6x8xf32>, tensor<4x6xi64>) -> tensor<10x8xf32>
  %du = pp.scatter_add %u[%idx] dim 1 : (tensor<2x5x3xf32>, tensor<5xi64>) -> tensor<2x4x3xf32>
  return %loss, %none, %dwte, %du : tensor<f32>, tensor<f32>, tensor<10x8xf32>, tensor<2x4x3xf32>
}

// pp-apply-optimizer appends one optimizer step to the gradient program:
// `step` and the optimizer state become arguments; the updated weights and
// the new state are returned after the loss and the gradients.
// RUN: pp-opt %s --split-input-file --pp-apply-optimizer="optimizer=sgd lr=0.5 momentum=0.9 weight-decay=0.1" | FileCheck %s --check-prefix=SGD
// RUN: pp-opt %s --split-input-file --pp-apply-optimizer="optimizer=adamw lr=0.01 grad-clip=1.0" | FileCheck %s --check-prefix=ADAMW
// RUN: pp-opt %s --split-input-file --pp-apply-optimizer | FileCheck %s --check-prefix=PLAIN

// SGD with momentum: the buffer is the gradient at step 1, then
// momentum * buf + g; L2 decay is added to the gradient first.
// SGD-LABEL: func.func @main
// SGD-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4xf32> {pp.name = "x"}, %[[STEP:[a-z0-9]+]]: tensor<f32> {pp.name = "step", pp.step}, %[[BUF:[a-z0-9]+]]: tensor<4x4xf32> {pp.name = "w.momentum_buffer", pp.optimizer_state = "w.momentum_buffer"})
// SGD-SAME: -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}, tensor<4x4xf32> {pp.name = "w.updated", pp.weight_update = "w"}, tensor<4x4xf32> {pp.name = "w.momentum_buffer.next", pp.optimizer_state = "w.momentum_buffer"})
// SGD: %[[W:.*]] = pp.weight "w"
// SGD: %[[WD:.*]] = pp.mul %[[W]], %{{.*}}
// SGD: %[[G:.*]] = pp.add %[[GRAD:.*]], %[[WD]]
// SGD: %[[FIRST:.*]] = pp.equal %[[STEP]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<i1>
// SGD: %[[MB:.*]] = pp.mul %[[BUF]], %{{.*}}
// SGD: %[[NEXT:.*]] = pp.add %[[MB]], %[[G]]
// SGD: %[[NEWBUF:.*]] = pp.select %[[FIRST]], %[[G]], %[[NEXT]]
// SGD: %[[STEPPED:.*]] = pp.mul %[[NEWBUF]], %{{.*}}
// SGD: %[[NEWW:.*]] = pp.sub %[[W]], %[[STEPPED]]
// SGD: return %{{.*}}, %[[GRAD]], %[[NEWW]], %[[NEWBUF]]

// AdamW: two moments per weight, bias correction from `step`, clipping by
// the global norm (one reduce per gradient).
// ADAMW-LABEL: func.func @main
// ADAMW-SAME: %{{[a-z0-9]+}}: tensor<4x4xf32> {pp.name = "w.exp_avg", pp.optimizer_state = "w.exp_avg"}, %{{[a-z0-9]+}}: tensor<4x4xf32> {pp.name = "w.exp_avg_sq", pp.optimizer_state = "w.exp_avg_sq"}
// ADAMW-SAME: tensor<4x4xf32> {pp.name = "w.updated", pp.weight_update = "w"}, tensor<4x4xf32> {pp.name = "w.exp_avg.next", pp.optimizer_state = "w.exp_avg"}, tensor<4x4xf32> {pp.name = "w.exp_avg_sq.next", pp.optimizer_state = "w.exp_avg_sq"}
// ADAMW: pp.reduce sum %{{.*}} dims [0, 1] : tensor<4x4xf32> -> tensor<f32>
// ADAMW: pp.sqrt
// ADAMW: pp.min
// ADAMW: pp.pow %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>

// Plain SGD (the defaults: no momentum, no decay) needs no state.
// PLAIN-LABEL: func.func @main
// PLAIN-SAME: %{{[a-z0-9]+}}: tensor<f32> {pp.name = "step", pp.step})
// PLAIN-SAME: -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}, tensor<4x4xf32> {pp.name = "w.updated", pp.weight_update = "w"})
func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}) -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %h = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %xt = pp.transpose %x perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %g = pp.matmul %xt, %h : (tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %l = pp.reduce sum %h dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %l, %g : tensor<f32>, tensor<4x4xf32>
}

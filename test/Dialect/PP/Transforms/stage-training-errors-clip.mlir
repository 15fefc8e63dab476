// Clipping spans every stage's gradients: not built yet over several.
// RUN: pp-opt %s --pp-stage-training="grad-clip=1" --verify-diagnostics

// expected-error @+1 {{--grad-clip over several pipeline stages is not built yet (the global norm spans the stages)}}
module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0() attributes {pp.stage = #pp.stage<0>} {
  return
}
func.func @stage1() attributes {pp.stage = #pp.stage<1>} {
  return
}
}

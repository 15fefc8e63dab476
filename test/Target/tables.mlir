// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// Every runtime table of a multi-rank program, field by field: the graph
// inputs and outputs (whole shapes; the batch dim split over "dp" = axis 0
// and cut into micro-batches), the weights (one entry for a weight two
// stages read; whole shapes, the "tp" split as shard axis 2, a region of
// an f16 file tensor), the stages (the activation each sends and
// receives), each pipeline rank's actions, the mesh and the program.

// CHECK-DAG:   const int [[$W_AXES:kShardAxes[0-9]+]][] = {-1, 2};
// CHECK-DAG:   const int64_t [[$STARTS:kDims[0-9]+]][] = {0, 8};
// CHECK-DAG:   const int64_t [[$SIZES:kDims[0-9]+]][] = {2, 4};
// CHECK-DAG:   const int [[$QKV_AXES:kShardAxes[0-9]+]][] = {-1, 2};
// CHECK-DAG:   const int [[$X_AXES:kShardAxes[0-9]+]][] = {0, -1};
// CHECK-DAG:   const int [[$Y_AXES:kShardAxes[0-9]+]][] = {0, -1};
// CHECK-DAG:   const int [[$S0_WEIGHTS:kIndices[0-9]+]][] = {0, 1};
// CHECK-DAG:   const int [[$S0_INPUTS:kIndices[0-9]+]][] = {0, 1};
// CHECK-DAG:   const int [[$S0_OUTPUTS:kIndices[0-9]+]][] = {1};
// CHECK-DAG:   const int [[$S1_WEIGHTS:kIndices[0-9]+]][] = {1};
// CHECK-DAG:   const int [[$S1_OUTPUTS:kIndices[0-9]+]][] = {0};

// The activation leaves through ctx.stageOutput and arrives in
// ctx.stageInput; the runtime moves it as the schedule says.
// CHECK-LABEL: void runStage0(
// CHECK:         pprt::cpu::matmul(ctx, (float *)(arena + 256), (const float *)(arena + 0), (const float *)weights[1], 1, 2, 2, 2, 0, 0, 4, false, false);
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {4};
// CHECK-NEXT:    static const int64_t strides[] = {1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)ctx.stageOutput, strides, (const char *)(arena + 256), strides, shape, 1, 4);
// CHECK-NEXT:  }
// CHECK-LABEL: void runStage1(
// CHECK:         pprt::cpu::matmul(ctx, (float *)outputs[0], (const float *)((void *)ctx.stageInput), (const float *)weights[1], 1, 2, 2, 2, 0, 0, 4, false, false);

// CHECK-LABEL: const pprt::TensorSpec kInputs[] = {
// CHECK-NEXT:  {.name = "x", .dtype = pprt::DType::F32, .rank = 2, .shape = {8, 4}, .shardAxes = [[$X_AXES]], .batchDim = 0, .role = pprt::TensorRole::Data, .of = nullptr},
// CHECK-NEXT:  {.name = "bias", .dtype = pprt::DType::F32, .rank = 1, .shape = {4}, .shardAxes = nullptr, .batchDim = -1, .role = pprt::TensorRole::Data, .of = nullptr},
// CHECK-NEXT:  {}};
// CHECK-NEXT:  const pprt::TensorSpec kOutputs[] = {
// CHECK-NEXT:  {.name = "y", .dtype = pprt::DType::F32, .rank = 2, .shape = {8, 2}, .shardAxes = [[$Y_AXES]], .batchDim = 0, .role = pprt::TensorRole::Data, .of = nullptr},
// CHECK-NEXT:  {.name = "b2", .dtype = pprt::DType::F32, .rank = 1, .shape = {4}, .shardAxes = nullptr, .batchDim = -1, .role = pprt::TensorRole::Data, .of = nullptr},
// CHECK-NEXT:  {}};
// CHECK-NEXT:  const pprt::WeightSpec kWeights[] = {
// CHECK-NEXT:  {.name = "w", .file = "model.onnx", .offset = 64, .length = 64, .fileDtype = pprt::DType::F32, .dtype = pprt::DType::F32, .rank = 2, .shape = {4, 4}, .shardAxes = [[$W_AXES]], .regionStarts = nullptr, .regionSizes = nullptr, .numTiedCopies = 0, .tiedCopies = nullptr, .tensorName = nullptr},
// CHECK-NEXT:  {.name = "qkv", .file = "weights.bin", .offset = 128, .length = 48, .fileDtype = pprt::DType::F16, .dtype = pprt::DType::F32, .rank = 2, .shape = {2, 12}, .shardAxes = [[$QKV_AXES]], .regionStarts = [[$STARTS]], .regionSizes = [[$SIZES]], .numTiedCopies = 0, .tiedCopies = nullptr, .tensorName = "qkv"},
// CHECK-NEXT:  {}};
// CHECK-NEXT:  const pprt::StageSpec kStages[] = {
// CHECK-NEXT:  {.run = runStage0, .arenaBytes = 512, .numWeights = 2, .weights = [[$S0_WEIGHTS]], .numInputs = 2, .inputs = [[$S0_INPUTS]], .numOutputs = 1, .outputs = [[$S0_OUTPUTS]], .recvBytes = 0, .sendBytes = 16, .backwardInput = nullptr, .backwardWeight = nullptr, .update = nullptr, .stashBytes = 0, .decode = nullptr, .decodeRecvBytes = 0, .decodeSendBytes = 0},
// CHECK-NEXT:  {.run = runStage1, .arenaBytes = 0, .numWeights = 1, .weights = [[$S1_WEIGHTS]], .numInputs = 0, .inputs = nullptr, .numOutputs = 1, .outputs = [[$S1_OUTPUTS]], .recvBytes = 16, .sendBytes = 0, .backwardInput = nullptr, .backwardWeight = nullptr, .update = nullptr, .stashBytes = 0, .decode = nullptr, .decodeRecvBytes = 0, .decodeSendBytes = 0},
// CHECK-NEXT:  };
// CHECK-NEXT:  const pprt::Action [[RANK0:kActions[0-9]+]][] = {
// CHECK-NEXT:  {.kind = pprt::ActionKind::Forward, .stage = 0, .microbatch = 0},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Send, .stage = 0, .microbatch = 0},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Forward, .stage = 0, .microbatch = 1},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Send, .stage = 0, .microbatch = 1},
// CHECK-NEXT:  };
// CHECK-NEXT:  const pprt::Action [[RANK1:kActions[0-9]+]][] = {
// CHECK-NEXT:  {.kind = pprt::ActionKind::Recv, .stage = 1, .microbatch = 0},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Forward, .stage = 1, .microbatch = 0},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Recv, .stage = 1, .microbatch = 1},
// CHECK-NEXT:  {.kind = pprt::ActionKind::Forward, .stage = 1, .microbatch = 1},
// CHECK-NEXT:  };
// CHECK-NEXT:  const pprt::RankSchedule kSchedule[] = {
// CHECK-NEXT:  {.numActions = 4, .actions = [[RANK0]]},
// CHECK-NEXT:  {.numActions = 4, .actions = [[RANK1]]},
// CHECK-NEXT:  };

// CHECK-LABEL: const pprt::Program &pprt::program() {
// CHECK-NEXT:  static const Program program = {
// CHECK-NEXT:    .modelName = "<mlir input>",
// CHECK-NEXT:    .target = "cpu",
// CHECK-NEXT:    .weightsDir = ".",
// CHECK-NEXT:    .numInputs = 2,
// CHECK-NEXT:    .inputs = kInputs,
// CHECK-NEXT:    .numOutputs = 2,
// CHECK-NEXT:    .outputs = kOutputs,
// CHECK-NEXT:    .numWeights = 2,
// CHECK-NEXT:    .weights = kWeights,
// CHECK-NEXT:    .arenaBytes = 0,
// CHECK-NEXT:    .run = nullptr,
// CHECK-NEXT:    .mesh = {.numAxes = 3, .axisNames = {"dp", "pp", "tp"}, .axisSizes = {2, 2, 2}},
// CHECK-NEXT:    .stageAxis = 1,
// CHECK-NEXT:    .numStages = 2,
// CHECK-NEXT:    .stages = kStages,
// CHECK-NEXT:    .placement = ::pp::schedule::Placement::Loop,
// CHECK-NEXT:    .numMicrobatches = 2,
// CHECK-NEXT:    .schedule = kSchedule,
// CHECK-NEXT:    .maxSeq = 0
// CHECK-NEXT:  };

module attributes {pp.batch = {factor = 4 : i64, size = 8 : i64}, pp.microbatches = 2 : i64, pp.inputs = [tensor<2x4xf32>, tensor<4xf32>], pp.input_attrs = [{pp.batch_dim = 0 : i64, pp.name = "x"}, {pp.name = "bias"}]} {
  pp.mesh @world ["dp" = 2, "pp" = 2, "tp" = 2]
  pp.schedule "gpipe" microbatches 2 chunks 1 placement "loop" ranks [["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1"], ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "F1.0"]]
  func.func @stage0(%x: tensor<2x4xf32> {pp.input_index = 0 : i64}, %b: tensor<4xf32> {pp.input_index = 1 : i64}) -> (tensor<4xf32> {pp.output_index = 1 : i64, pp.name = "b2"}) attributes {pp.stage = #pp.stage<0>} {
    %w = pp.weight "w" from "model.onnx" offset 64 {sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<4x2xf32>
    %v = pp.weight "qkv" from "weights.bin" offset 128 {file_shape = array<i64: 2, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, [[], ["tp"]]>, file_element_type = f16} : tensor<2x2xf32>
    %0 = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
    %1 = pp.matmul %0, %v : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    pp.send %1 to @world["pp"] peer 1 tag 0 : tensor<2x2xf32>
    %2 = pp.add %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %2 : tensor<4xf32>
  }
  func.func @stage1() -> (tensor<2x2xf32> {pp.output_index = 0 : i64, pp.batch_dim = 0 : i64, pp.name = "y"}) attributes {pp.stage = #pp.stage<1>} {
    %h = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x2xf32>
    %v = pp.weight "qkv" from "weights.bin" offset 128 {file_shape = array<i64: 2, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, [[], ["tp"]]>, file_element_type = f16} : tensor<2x2xf32>
    %0 = pp.matmul %h, %v : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
}

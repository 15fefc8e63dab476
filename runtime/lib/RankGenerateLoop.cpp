//===- RankGenerateLoop.cpp - token generation on one rank ----------------===//
//
// The prompt runs through the prefill step in chunks of the program's
// prefill length, each at its position: [0, P), [P, 2P), ..., and the last
// one ends at the prompt's end (it may start inside the one before, whose
// keys and values it writes again, identically), or, for a prompt shorter
// than P, one chunk padded with token 0 (the padding's keys and values land
// at positions that decode overwrites before any query can see them). Then
// each decode step runs one token per sequence at the next position.
// Sequences past the caller's batch are padding too.
//
// Every rank runs the same loop. Over pipeline stages, each call receives
// the previous stage's activation and sends its own on. The last stage's
// ranks hold the logits, each its block of the vocabulary under a
// vocabulary-parallel head (TokenChoice.h): each finds its block's best
// candidate, and a maximum of the scores over the group, then a minimum of
// the tokens that reach it, gives every one of them the token, with no
// gather of the logits (top-k, top-p and --dump-logits gather the rows they
// need). A maximum over the world (the other ranks add -1) then hands the
// tokens to every rank, the first stage's included.
//
//===----------------------------------------------------------------------===//

#include "RankGenerateLoop.h"

#include "RunIO.h"
#include "Shard.h"
#include "TokenChoice.h"
#include "pprt/DType.h"
#include "pprt/Npy.h"
#include "pprt/Timer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

namespace pprt {

namespace {

int find(const TensorSpec *specs, int n, TensorRole role) {
  for (int i = 0; i < n; ++i)
    if (specs[i].role == role)
      return i;
  return -1;
}

/// The token ids' layout: the dim that holds the positions and the one that
/// holds the sequences (-1: none, a batch of one).
struct IdsLayout {
  int seqDim = 0, batchDim = -1;
  int64_t batch = 1;
  /// Sequences per micro-batch (each call runs one micro-batch).
  int64_t rows = 1;

  /// Element index of (sequence b of a micro-batch, position t) in ids of
  /// `len` positions.
  int64_t at(int64_t b, int64_t t, int64_t len) const {
    if (batchDim < 0)
      return t;
    return seqDim == 1 ? b * len + t : t * rows + b;
  }
};

} // namespace

/// Every stage has a decode step.
static bool everyStageDecodes(const Program &program) {
  for (int s = 0; s < program.numStages; ++s)
    if (!program.stages[s].decode)
      return false;
  return program.numStages > 0;
}

bool isGenerationProgram(const Program &program) {
  return program.maxSeq > 0;
}

int generateRank(const Job &job, const std::vector<int64_t> &coords,
                 const std::vector<int> &stages, RankState &state,
                 RankBuffers &buffers, Comm &comm) {
  const Program &program = job.program;
  const RunOptions &options = job.options;
  Device &device = job.device;
  Context &ctx = state.ctx;
  int st = stages.empty() ? 0 : stages.front();
  bool holdsLogits = st == program.numStages - 1;
  // The last stage's rank at coordinate 0 of every other axis reports.
  bool reports = holdsLogits;
  for (size_t a = 0; a < coords.size(); ++a)
    if (int(a) != program.stageAxis && coords[a] != 0)
      reports = false;
  auto fail = [&](const std::string &message) {
    if (reports)
      std::fprintf(stderr, "error: %s\n", message.c_str());
    return 1;
  };
  int prefillIds = find(program.inputs, program.numInputs,
                        TensorRole::PrefillIds);
  int decodeIds = find(program.inputs, program.numInputs,
                       TensorRole::DecodeIds);
  int prefillLogits = find(program.outputs, program.numOutputs,
                           TensorRole::PrefillLogits);
  int decodeLogits = find(program.outputs, program.numOutputs,
                          TensorRole::DecodeLogits);
  if (prefillIds < 0 || decodeIds < 0 || prefillLogits < 0 ||
      decodeLogits < 0 || stages.size() != 1 || !everyStageDecodes(program))
    return fail("invalid program: a generation program needs prefill and "
                "decode ids and logits, and one stage per rank");
  const TensorSpec &ids = program.inputs[prefillIds];
  const TensorSpec &oneIds = program.inputs[decodeIds];
  const TensorSpec &logits = program.outputs[prefillLogits];
  // The positions are where the prefill and decode ids differ, else (a
  // prefill of one position) the dim of 1.
  IdsLayout layout;
  if (ids.rank < 1 || ids.rank > 2 || oneIds.rank != ids.rank ||
      logits.rank != ids.rank + 1 ||
      (logits.dtype != DType::F32 && logits.dtype != DType::F16 &&
       logits.dtype != DType::BF16))
    return fail("invalid program: token ids must be [batch, positions] or "
                "[positions, batch] and the logits floats with one more dim");
  layout.seqDim = -1;
  for (int d = 0; d < ids.rank; ++d)
    if (ids.shape[d] != oneIds.shape[d])
      layout.seqDim = d;
  for (int d = 0; layout.seqDim < 0 && d < ids.rank; ++d)
    if (ids.shape[d] == 1)
      layout.seqDim = d;
  if (layout.seqDim < 0)
    return fail("invalid program: the decode step's token ids are not one "
                "position of the prefill's");
  int m = program.numMicrobatches;
  if (ids.rank == 2) {
    layout.batchDim = 1 - layout.seqDim;
    layout.batch = ids.shape[layout.batchDim];
  }
  layout.rows = layout.batch / m;
  int64_t chunk = ids.shape[layout.seqDim];
  int64_t vocab = logits.shape[logits.rank - 1];
  // This rank's block of the vocabulary, and the group that holds the rest.
  Block block = shardBlock(logits.shape, logits.rank, logits.shardAxes, coords,
                           job.axisSizes);
  int64_t first = block.starts[logits.rank - 1];
  int64_t localVocab = block.sizes[logits.rank - 1];
  int vocabAxis = logits.shardAxes ? logits.shardAxes[logits.rank - 1] : -1;
  AxisMask vocabGroup = vocabAxis >= 0 ? AxisMask(1) << vocabAxis : 0;
  int64_t maxSeq = program.maxSeq;

  // The prompts.
  HostArray prompt;
  std::string error;
  if (options.prompt.empty())
    return fail("a generation program needs --prompt FILE.npy (int64 "
                "[batch, length] token ids)");
  if (options.maxNewTokens < 1)
    return fail("a generation program needs --max-new-tokens K");
  if (!readNpy(options.prompt, prompt, error))
    return fail(error);
  if (prompt.dtype != DType::I64 || prompt.shape.size() != 2)
    return fail("--prompt " + options.prompt +
                ": expected int64 [batch, length] token ids, got " +
                dtypeName(prompt.dtype) + " of rank " +
                std::to_string(prompt.shape.size()));
  int64_t b = prompt.shape[0], len = prompt.shape[1];
  int64_t k = options.maxNewTokens;
  if (b < 1 || len < 1)
    return fail("--prompt " + options.prompt + " is empty");
  if (b > layout.batch)
    return fail("--prompt has " + std::to_string(b) +
                " sequences; the program generates at most " +
                std::to_string(layout.batch) + " at once (max-batch)");
  if (len + k > maxSeq)
    return fail("a prompt of " + std::to_string(len) + " tokens and " +
                std::to_string(k) + " new ones need " +
                std::to_string(len + k) + " positions; the program holds " +
                std::to_string(maxSeq) + " (max-seq)");
  const int64_t *given = reinterpret_cast<const int64_t *>(prompt.data.data());
  for (int64_t i = 0; i < b * len; ++i)
    if (given[i] < 0 || given[i] >= vocab)
      return fail("--prompt: token id " + std::to_string(given[i]) +
                  " of sequence " + std::to_string(i / len) +
                  " is outside the vocabulary [0, " + std::to_string(vocab) +
                  ")");

  // Every sequence's tokens so far (padding rows repeat token 0).
  std::vector<std::vector<int64_t>> tokens(layout.batch);
  for (int64_t r = 0; r < layout.batch; ++r)
    for (int64_t t = 0; t < len; ++t)
      tokens[r].push_back(r < b ? given[r * len + t] : 0);

  // Each micro-batch's caches, at zero (the masked keys must not be NaN).
  for (int i = 0; i < program.numInputs; ++i)
    if (program.inputs[i].role == TensorRole::KvCache &&
        buffers.inputs[0][i]) {
      std::vector<char> zeros(byteSize(program.inputs[i]), 0);
      for (int mb = 0; mb < m; ++mb) {
        if (mb > 0)
          buffers.inputs[mb][i] = state.alloc(zeros.size());
        device.upload(buffers.inputs[mb][i], zeros.data(), zeros.size());
      }
    }

  const StageSpec &stage = program.stages[st];
  AxisMask stageGroup =
      program.stageAxis < 0 ? 0 : AxisMask(1) << program.stageAxis;
  std::string recvName = "runtime: generation, the activation of stage " +
                         std::to_string(st - 1);
  std::string sendName = "runtime: generation, the activation of stage " +
                         std::to_string(st);
  std::vector<char> raw;
  // One step over every micro-batch in turn: the stages overlap, each
  // working on the micro-batch after the one it handed on.
  auto call = [&](bool decode, int64_t position, int64_t positions,
                  std::vector<float> &out) {
    int input = decode ? decodeIds : prefillIds;
    int output = decode ? decodeLogits : prefillLogits;
    uint64_t recvBytes = decode ? stage.decodeRecvBytes : stage.recvBytes;
    uint64_t sendBytes = decode ? stage.decodeSendBytes : stage.sendBytes;
    int64_t perCall = layout.rows * positions * localVocab;
    if (holdsLogits)
      out.resize(size_t(m * perCall));
    for (int mb = 0; mb < m; ++mb) {
      if (buffers.inputs[mb][input]) {
        std::vector<int64_t> host(size_t(layout.rows * positions));
        for (int64_t r = 0; r < layout.rows; ++r)
          for (int64_t t = 0; t < positions; ++t) {
            const std::vector<int64_t> &seq = tokens[mb * layout.rows + r];
            int64_t p = position + t;
            host[layout.at(r, t, positions)] =
                p < int64_t(seq.size()) ? seq[p] : 0;
          }
        device.upload(buffers.inputs[mb][input], host.data(),
                      host.size() * sizeof(int64_t));
      }
      if (recvBytes)
        comm.recv(buffers.received[st][mb], recvBytes, stageGroup,
                  job.stages.rankOf(st - 1), st - 1, recvName.c_str());
      ctx.position = position;
      ctx.microbatch = mb;
      ctx.stash = nullptr;
      ctx.stageInput = buffers.received[st][mb];
      ctx.stageOutput = buffers.sent[st][mb];
      (decode ? stage.decode : stage.run)(
          ctx, buffers.inputs[mb].data(), buffers.outputs[mb].data(),
          buffers.weights.data(), buffers.arenas[st]);
      device.synchronize(ctx);
      if (sendBytes)
        comm.send(buffers.sent[st][mb], sendBytes, stageGroup,
                  job.stages.rankOf(st + 1), st, sendName.c_str());
      if (!holdsLogits)
        continue;
      // A 16-bit model's logits are read as f32.
      raw.resize(size_t(perCall) * dtypeSize(logits.dtype));
      device.download(raw.data(), buffers.outputs[mb][output], raw.size());
      convertElements(out.data() + mb * perCall, DType::F32, raw.data(),
                      logits.dtype, perCall);
    }
  };
  // Sequence r's logits (this rank's block) at position t of a call over
  // `positions`.
  auto row = [&](const std::vector<float> &out, int64_t r, int64_t t,
                 int64_t positions) {
    int64_t mb = r / layout.rows;
    return out.data() +
           (mb * layout.rows * positions +
            layout.at(r % layout.rows, t, positions)) *
               localVocab;
  };
  // Position t's whole rows, [batch][vocab]: the group's blocks gathered.
  int64_t groupSize = vocab / localVocab;
  void *partBuf = nullptr, *rowsBuf = nullptr;
  if (holdsLogits && vocabGroup) {
    partBuf = state.alloc(size_t(layout.batch * localVocab) * sizeof(float));
    rowsBuf = state.alloc(size_t(layout.batch * vocab) * sizeof(float));
  }
  std::vector<float> part, gathered, whole;
  auto wholeRows = [&](const std::vector<float> &out, int64_t t,
                       int64_t positions) {
    whole.resize(size_t(layout.batch * vocab));
    part.resize(size_t(layout.batch * localVocab));
    for (int64_t r = 0; r < layout.batch; ++r)
      std::copy_n(row(out, r, t, positions), localVocab,
                  part.data() + r * localVocab);
    if (!vocabGroup) {
      whole = part;
      return;
    }
    device.upload(partBuf, part.data(), part.size() * sizeof(float));
    comm.allGather(rowsBuf, partBuf, part.size() * sizeof(float), vocabGroup,
                   "runtime: generation, the logits' rows");
    device.synchronize(ctx);
    gathered.resize(whole.size());
    device.download(gathered.data(), rowsBuf, gathered.size() * sizeof(float));
    // Block g of row r sits at g * (batch * localVocab) + r * localVocab.
    for (int64_t g = 0; g < groupSize; ++g)
      for (int64_t r = 0; r < layout.batch; ++r)
        std::copy_n(gathered.data() + (g * layout.batch + r) * localVocab,
                    localVocab, whole.data() + r * vocab + g * localVocab);
  };

  Sampling sampling{options.temperature, options.topK, options.topP,
                    options.seed};
  std::vector<float> out, stepLogits;
  std::vector<bool> done(layout.batch, false);
  std::vector<int64_t> next(layout.batch);
  std::vector<double> scores(layout.batch);
  void *nextBuf = program.numStages > 1 || vocabGroup
                      ? state.alloc(next.size() * sizeof(int64_t))
                      : nullptr;
  void *scoreBuf = vocabGroup
                       ? state.alloc(scores.size() * sizeof(double))
                       : nullptr;
  auto choose = [&](const std::vector<float> &from, int64_t t,
                    int64_t positions, int64_t step) {
    bool needsRows = sampling.filters() || options.dumpLogits;
    if (holdsLogits && needsRows)
      wholeRows(from, t, positions);
    for (int64_t r = 0; r < layout.batch; ++r) {
      next[r] = -1;
      if (!holdsLogits)
        continue;
      Candidate best;
      if (needsRows) {
        const float *l = whole.data() + r * vocab;
        if (r < b && options.dumpLogits)
          stepLogits.insert(stepLogits.end(), l, l + vocab);
        std::vector<bool> keep;
        if (sampling.filters())
          keep = keptTokens(l, vocab, sampling);
        best = bestCandidate(l, 0, vocab, sampling, uint64_t(step),
                             uint64_t(r), sampling.filters() ? &keep : nullptr);
      } else {
        best = bestCandidate(row(from, r, t, positions), first, localVocab,
                             sampling, uint64_t(step), uint64_t(r));
      }
      scores[r] = best.score;
      next[r] = done[r] ? options.eos : best.token;
    }
    // A vocabulary split: the best score over the group, then the first
    // token that reaches it.
    if (holdsLogits && vocabGroup && !needsRows) {
      device.upload(scoreBuf, scores.data(), scores.size() * sizeof(double));
      comm.allReduce(scoreBuf, int64_t(scores.size()), DType::F64,
                     CollectiveOp::Max, vocabGroup,
                     "runtime: generation, the best score");
      device.synchronize(ctx);
      std::vector<double> top(scores.size());
      device.download(top.data(), scoreBuf, top.size() * sizeof(double));
      for (int64_t r = 0; r < layout.batch; ++r)
        if (!done[r] && scores[r] < top[r])
          next[r] = std::numeric_limits<int64_t>::max();
      device.upload(nextBuf, next.data(), next.size() * sizeof(int64_t));
      comm.allReduce(nextBuf, int64_t(next.size()), DType::I64,
                     CollectiveOp::Min, vocabGroup,
                     "runtime: generation, the first best token");
      device.synchronize(ctx);
      device.download(next.data(), nextBuf, next.size() * sizeof(int64_t));
    }
    if (program.numStages > 1) {
      device.upload(nextBuf, next.data(), next.size() * sizeof(int64_t));
      comm.allReduce(nextBuf, int64_t(next.size()), DType::I64,
                     CollectiveOp::Max, job.world,
                     "runtime: generation, the chosen tokens");
      device.synchronize(ctx);
      device.download(next.data(), nextBuf, next.size() * sizeof(int64_t));
    }
    for (int64_t r = 0; r < layout.batch; ++r) {
      done[r] = done[r] || (options.eos >= 0 && next[r] == options.eos);
      tokens[r].push_back(next[r]);
    }
  };

  Timer timer;
  int64_t start = 0;
  while (true) {
    int64_t at = std::min(start, std::max<int64_t>(0, len - chunk));
    call(false, at, chunk, out);
    if (at + chunk >= len)
      break;
    start += chunk;
  }
  int64_t lastAt = std::max<int64_t>(0, len - chunk);
  choose(out, len - 1 - lastAt, chunk, 0);
  double prefillMs = timer.elapsedMs();
  timer.reset();
  int64_t steps = 1;
  for (; steps < k; ++steps) {
    if (std::all_of(done.begin(), done.begin() + b, [](bool d) { return d; }))
      break;
    call(true, len + steps - 1, 1, out);
    choose(out, 0, 1, steps);
  }
  double decodeMs = timer.elapsedMs();
  // Sequences that stopped early end in --eos.
  for (int64_t r = 0; r < layout.batch; ++r)
    tokens[r].resize(size_t(len + k), options.eos);
  if (options.dumpLogits)
    stepLogits.resize(size_t(b * k * vocab), 0.0f);

  if (!reports)
    return 0;
  int64_t decoded = steps - 1;
  std::fprintf(stderr,
               "generate: %lld sequences, prefill %lld tokens in %.2f ms, "
               "decode %.3f ms per token (%lld steps), %.1f tokens/s\n",
               static_cast<long long>(b), static_cast<long long>(len),
               prefillMs,
               decoded ? decodeMs / double(decoded) : 0.0,
               static_cast<long long>(decoded),
               decoded ? double(b * decoded) * 1000.0 / decodeMs : 0.0);
  if (options.outputDir.empty())
    return 0;
  if (!prepareDir(options.outputDir, error))
    return fail(error);
  HostArray result;
  result.dtype = DType::I64;
  result.shape = {b, len + k};
  result.data.resize(size_t(b * (len + k)) * sizeof(int64_t));
  for (int64_t r = 0; r < b; ++r)
    std::memcpy(result.data.data() + size_t(r * (len + k)) * sizeof(int64_t),
                tokens[r].data(), size_t(len + k) * sizeof(int64_t));
  if (!writeArrayNpy(options.outputDir + "/tokens.npy", result, error))
    return fail(error);
  if (options.dumpLogits) {
    // Collected step by step ([K][B][V]); written [B][K][V].
    HostArray dump;
    dump.dtype = DType::F32;
    dump.shape = {b, k, vocab};
    dump.data.resize(size_t(b * k * vocab) * sizeof(float));
    float *to = reinterpret_cast<float *>(dump.data.data());
    for (int64_t s = 0; s < k; ++s)
      for (int64_t r = 0; r < b; ++r)
        std::memcpy(to + (r * k + s) * vocab,
                    stepLogits.data() + (s * b + r) * vocab,
                    size_t(vocab) * sizeof(float));
    if (!writeArrayNpy(options.outputDir + "/step_logits.npy", dump, error))
      return fail(error);
  }
  return 0;
}

} // namespace pprt

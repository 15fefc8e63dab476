//===- CommChecks.cpp - one rank's share of a Comm conformance run --------===//
//
// Contributions are small integers stored in f32/f64/i64/f16 so that sums
// are exact whatever the order, and each value encodes (sender, slot,
// element) so that a misplaced chunk is caught, not just a wrong sum.
//
//===----------------------------------------------------------------------===//

#include "CommChecks.h"
#include "pp/Support/MeshShape.h"
#include "pprt/CommGroups.h"
#include "pprt/Half.h"

#include <algorithm>
#include <cstdint>

namespace pprt::test {

namespace {

constexpr int kCount = 3;

/// Rank r's value for element i of slot s.
double value(int64_t r, int64_t s, int i) {
  return double(r * 100 + s * 10 + i);
}

class Checker {
public:
  Checker(Context &ctx, const MeshSpec &mesh)
      : ctx(ctx), groups(mesh, ctx.rank), allAxes(allAxesMask(mesh)) {}

  void run(AxisMask axes) {
    group = &groups.get(axes, "check", nullptr);
    label = "mask " + std::to_string(axes) + " (" + group->describe() + ")";
    checkAllReduce();
    checkAllGather();
    checkReduceScatter();
    checkSendRecv();
    checkStartedReductions();
  }

  std::vector<std::string> failures;

private:
  int64_t n() const { return group->size(); }

  void expect(bool ok, const std::string &what) {
    if (!ok)
      failures.push_back("rank " + std::to_string(ctx.rank) + ", " + label +
                         ": " + what);
  }

  void checkAllReduce() {
    for (CollectiveOp op : {CollectiveOp::Sum, CollectiveOp::Max,
                            CollectiveOp::Min, CollectiveOp::Avg}) {
      float f[kCount];
      double d[kCount];
      int64_t l[kCount];
      uint16_t h[kCount];
      for (int i = 0; i < kCount; ++i) {
        f[i] = float(value(ctx.rank, 0, i));
        d[i] = value(ctx.rank, 0, i);
        l[i] = int64_t(value(ctx.rank, 0, i));
        h[i] = floatToHalf(float(ctx.rank + i));
      }
      allReduce(ctx, f, kCount, DType::F32, op, group->axes, "check f32");
      allReduce(ctx, d, kCount, DType::F64, op, group->axes, "check f64");
      allReduce(ctx, l, kCount, DType::I64, op, group->axes, "check i64");
      allReduce(ctx, h, kCount, DType::F16, op, group->axes, "check f16");
      for (int i = 0; i < kCount; ++i) {
        double sum = 0, hi = -1e30, lo = 1e30, hsum = 0, hhi = -1e30,
               hlo = 1e30;
        for (int64_t r : group->ranks) {
          double v = value(r, 0, i);
          sum += v;
          hi = std::max(hi, v);
          lo = std::min(lo, v);
          hsum += double(r + i);
          hhi = std::max(hhi, double(r + i));
          hlo = std::min(hlo, double(r + i));
        }
        double want = op == CollectiveOp::Sum   ? sum
                      : op == CollectiveOp::Max ? hi
                      : op == CollectiveOp::Min ? lo
                                                : sum / double(n());
        double hwant = op == CollectiveOp::Sum   ? hsum
                       : op == CollectiveOp::Max ? hhi
                       : op == CollectiveOp::Min ? hlo
                                                 : hsum / double(n());
        std::string what = "all_reduce op " + std::to_string(int(op)) +
                           " element " + std::to_string(i);
        expect(f[i] == float(want), what + " f32 " + std::to_string(f[i]) +
                                        " != " + std::to_string(want));
        expect(d[i] == want, what + " f64");
        int64_t lwant =
            op == CollectiveOp::Avg ? int64_t(sum) / n() : int64_t(want);
        expect(l[i] == lwant, what + " i64 " + std::to_string(l[i]) +
                                  " != " + std::to_string(lwant));
        expect(halfToFloat(h[i]) == halfToFloat(floatToHalf(float(hwant))),
               what + " f16");
      }
    }
  }

  void checkAllGather() {
    float src[kCount], dst[kCount * 8];
    for (int i = 0; i < kCount; ++i)
      src[i] = float(value(ctx.rank, 0, i));
    allGather(ctx, dst, src, sizeof(src), group->axes, "check all_gather");
    for (int64_t j = 0; j < n(); ++j)
      for (int i = 0; i < kCount; ++i)
        expect(dst[j * kCount + i] == float(value(group->ranks[j], 0, i)),
               "all_gather slot " + std::to_string(j));
  }

  void checkReduceScatter() {
    // Chunk j is for member j; it holds (this rank, slot j) values.
    double src[kCount * 8], dst[kCount];
    for (int64_t j = 0; j < n(); ++j)
      for (int i = 0; i < kCount; ++i)
        src[j * kCount + i] = value(ctx.rank, j, i);
    reduceScatter(ctx, dst, src, kCount, DType::F64, CollectiveOp::Sum,
                  group->axes, "check reduce_scatter");
    for (int i = 0; i < kCount; ++i) {
      double want = 0;
      for (int64_t r : group->ranks)
        want += value(r, group->index, i);
      expect(dst[i] == want, "reduce_scatter element " + std::to_string(i));
    }
  }

  /// A ring over `g`: member i sends to i+1 and receives from i-1. Even
  /// members send first and odd ones receive first, so rendezvous sends
  /// cannot all wait.
  void checkSendRecv() { checkSendRecv(*group); }
  void checkSendRecv(const CommGroup &g) {
    int64_t size = g.size();
    if (size < 2)
      return;
    int64_t next = (g.index + 1) % size;
    int64_t prev = (g.index + size - 1) % size;
    float out[kCount], in[kCount] = {};
    for (int i = 0; i < kCount; ++i)
      out[i] = float(value(ctx.rank, 7, i));
    int64_t tag = 5 + g.axes;
    if (g.index % 2 == 0) {
      send(ctx, out, sizeof(out), g.axes, next, tag, "check send");
      recv(ctx, in, sizeof(in), g.axes, prev, tag, "check recv");
    } else {
      recv(ctx, in, sizeof(in), g.axes, prev, tag, "check recv");
      send(ctx, out, sizeof(out), g.axes, next, tag, "check send");
    }
    for (int i = 0; i < kCount; ++i)
      expect(in[i] == float(value(g.ranks[prev], 7, i)),
             "recv element " + std::to_string(i));
  }

  /// A bucket of two gradients started, messages passed over the other
  /// axes while it is in flight (as the schedule's over the stage axis),
  /// then drained: the sums are in place.
  void checkStartedReductions() {
    float a[kCount], b[2 * kCount];
    for (int i = 0; i < kCount; ++i) {
      a[i] = float(value(ctx.rank, 3, i));
      b[i] = b[kCount + i] = float(value(ctx.rank, 4, i));
    }
    ctx.comm->startAllReduces({{a, kCount, DType::F32, "check bucket a"},
                               {b, 2 * kCount, DType::F32, "check bucket b"}},
                              CollectiveOp::Sum, group->axes);
    checkSendRecv(groups.get(allAxes ^ group->axes, "check", nullptr));
    ctx.comm->drainReductions("check drain");
    for (int i = 0; i < kCount; ++i) {
      double wantA = 0, wantB = 0;
      for (int64_t r : group->ranks) {
        wantA += value(r, 3, i);
        wantB += value(r, 4, i);
      }
      expect(a[i] == float(wantA), "started all_reduce a element " +
                                       std::to_string(i));
      expect(b[i] == float(wantB) && b[kCount + i] == float(wantB),
             "started all_reduce b element " + std::to_string(i));
    }
  }

  Context &ctx;
  CommGroups groups;
  AxisMask allAxes;
  const CommGroup *group = nullptr;
  std::string label;
};

} // namespace

std::vector<std::string> checkComm(Context &ctx, Comm &comm,
                                   const MeshSpec &mesh) {
  // The free functions the generated code calls go through ctx.comm.
  ctx.comm = &comm;
  Checker checker(ctx, mesh);
  for (AxisMask axes = 0; axes <= allAxesMask(mesh); ++axes) {
    checker.run(axes);
    // Every index agrees with MeshShape.
    if (indexInGroup(ctx, axes) !=
        CommGroups(mesh, ctx.rank).get(axes, "check", nullptr).index)
      checker.failures.push_back("indexInGroup for mask " +
                                 std::to_string(axes));
  }
  return checker.failures;
}

} // namespace pprt::test

//===- LocalCommTest.cpp - ranks as threads: LocalComm --------------------===//
//
// The conformance checks (CommChecks.h) over several mesh shapes, the
// rendezvous semantics of send, mismatched calls, and the watchdog turning
// an unmatched recv or a missing collective member into an error.
//
//===----------------------------------------------------------------------===//

#include "pprt/LocalComm.h"
#include "CommChecks.h"
#include "pprt/Device.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

using namespace pprt;

namespace {

MeshSpec meshOf(std::vector<int64_t> sizes) {
  static const char *const kNames[] = {"a", "b", "c", "d"};
  MeshSpec mesh = {};
  mesh.numAxes = int(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    mesh.axisNames[i] = kNames[i];
    mesh.axisSizes[i] = sizes[i];
  }
  return mesh;
}

/// Runs body(ctx) on one thread per rank of `mesh`, each with its Comm.
void onRanks(const MeshSpec &mesh, double timeout,
             const std::function<void(Context &)> &body) {
  LocalWorld world(mesh, cpuDevice(), timeout);
  std::vector<std::thread> threads;
  for (int r = 0; r < world.numRanks(); ++r)
    threads.emplace_back([&, r] {
      Context ctx = cpuDevice().makeContext(r, world.numRanks());
      ctx.mesh = &mesh;
      std::unique_ptr<Comm> comm = world.makeComm(r, ctx);
      ctx.comm = comm.get();
      body(ctx);
    });
  for (std::thread &t : threads)
    t.join();
}

class LocalCommShapes : public ::testing::TestWithParam<std::vector<int64_t>> {
};

TEST_P(LocalCommShapes, EveryOpOverEveryAxisMask) {
  MeshSpec mesh = meshOf(GetParam());
  std::vector<std::vector<std::string>> failures(8);
  onRanks(mesh, 30, [&](Context &ctx) {
    failures[ctx.rank] = test::checkComm(ctx, *ctx.comm, mesh);
  });
  for (const auto &list : failures)
    for (const std::string &f : list)
      ADD_FAILURE() << f;
}

// 2 to 8 threads; {2,3} has a group of 3, {2,2,2} masks like 0b101 that
// skip the middle axis.
INSTANTIATE_TEST_SUITE_P(Meshes, LocalCommShapes,
                         ::testing::Values(std::vector<int64_t>{2},
                                           std::vector<int64_t>{4},
                                           std::vector<int64_t>{2, 2},
                                           std::vector<int64_t>{2, 3},
                                           std::vector<int64_t>{1, 2, 2},
                                           std::vector<int64_t>{2, 2, 2}));

TEST(LocalComm, SendReturnsOnlyAfterTheRecvCopied) {
  MeshSpec mesh = meshOf({2});
  std::atomic<bool> recvStarted{false}, sendReturned{false};
  bool sawEarlyReturn = false;
  float got = 0;
  onRanks(mesh, 30, [&](Context &ctx) {
    float value = 42;
    if (ctx.rank == 0) {
      send(ctx, &value, sizeof(value), 1, 1, 0, "rendezvous send");
      sendReturned = true;
      EXPECT_TRUE(recvStarted.load());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      sawEarlyReturn = sendReturned.load();
      recvStarted = true;
      recv(ctx, &got, sizeof(got), 1, 0, 0, "rendezvous recv");
    }
  });
  EXPECT_FALSE(sawEarlyReturn);
  EXPECT_EQ(got, 42);
}

TEST(LocalComm, MessagesMatchByTagAndInOrder) {
  MeshSpec mesh = meshOf({2});
  std::vector<int> got;
  onRanks(mesh, 30, [&](Context &ctx) {
    if (ctx.rank == 0) {
      for (int i = 0; i < 3; ++i)
        send(ctx, &i, sizeof(i), 1, 1, 7, "ordered send");
    } else {
      for (int i = 0; i < 3; ++i) {
        int v = -1;
        recv(ctx, &v, sizeof(v), 1, 0, 7, "ordered recv");
        got.push_back(v);
      }
    }
  });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
}

TEST(LocalComm, IndexInGroupWithoutMeshIsZero) {
  Context ctx;
  EXPECT_EQ(indexInGroup(ctx, 3), 0);
}

using LocalCommDeathTest = ::testing::Test;

TEST(LocalCommDeathTest, UnmatchedRecvTimesOut) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MeshSpec mesh = meshOf({2});
  EXPECT_EXIT(onRanks(mesh, 0.2,
                      [&](Context &ctx) {
                        float v;
                        if (ctx.rank == 1)
                          recv(ctx, &v, sizeof(v), 1, 0, 1,
                               "node Gemm_3 (pp.recv)");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 1: timed out after 0.2 s in recv from rank 0 "
              "\\(tag 1\\): node Gemm_3 \\(pp.recv\\)");
}

TEST(LocalCommDeathTest, UnmatchedSendTimesOut) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MeshSpec mesh = meshOf({2, 2});
  EXPECT_EXIT(onRanks(mesh, 0.2,
                      [&](Context &ctx) {
                        float v = 1;
                        if (ctx.rank == 2) // over "a": peer 0 is rank 0
                          send(ctx, &v, sizeof(v), 1, 0, 4, "lonely send");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 2: timed out after 0.2 s in send to rank 0 "
              "\\(tag 4\\): lonely send");
}

TEST(LocalCommDeathTest, MissingMemberOfACollectiveTimesOut) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MeshSpec mesh = meshOf({2, 2});
  EXPECT_EXIT(onRanks(mesh, 0.2,
                      [&](Context &ctx) {
                        float v = 1;
                        if (ctx.rank == 0) // group over "b": ranks 0, 1
                          allReduce(ctx, &v, 1, DType::F32, CollectiveOp::Sum,
                                    2, "tp all_reduce");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 0: timed out after 0.2 s in all_reduce over "
              "ranks \\[0, 1\\] \\(waiting for rank 1\\): tp all_reduce");
}

TEST(LocalCommDeathTest, MismatchedCallsAreErrors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MeshSpec mesh = meshOf({2});
  EXPECT_EXIT(onRanks(mesh, 5,
                      [&](Context &ctx) {
                        float v[2] = {};
                        if (ctx.rank == 0)
                          send(ctx, v, 8, 1, 1, 0, "send 8");
                        else
                          recv(ctx, v, 4, 1, 0, 0, "recv 4");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 1: recv from rank 0 \\(tag 0\\) expects 4 bytes, "
              "the send has 8: recv 4");
  EXPECT_EXIT(
      onRanks(mesh, 5,
              [&](Context &ctx) {
                float v[2] = {}, all[4];
                if (ctx.rank == 0)
                  allReduce(ctx, v, 2, DType::F32, CollectiveOp::Sum, 1,
                            "reduce");
                else
                  allGather(ctx, all, v, 8, 1, "gather");
              }),
      ::testing::ExitedWithCode(1),
      "error: rank [01]: (all_reduce|all_gather) over ranks \\[0, 1\\]: "
      ".* meets rank [01]'s");
  EXPECT_EXIT(onRanks(mesh, 5,
                      [&](Context &ctx) {
                        float v = 0;
                        if (ctx.rank == 0)
                          send(ctx, &v, 4, 1, 5, 0, "bad peer");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 0: send: peer 5 is outside the group of 2 over a: "
              "bad peer");
  EXPECT_EXIT(onRanks(mesh, 5,
                      [&](Context &ctx) {
                        float v = 0;
                        if (ctx.rank == 0)
                          allReduce(ctx, &v, 1, DType::F32, CollectiveOp::Sum,
                                    4, "bad mask");
                      }),
              ::testing::ExitedWithCode(1),
              "error: rank 0: all_reduce over axis mask 4, but the mesh has 1 "
              "axes: bad mask");
}

} // namespace

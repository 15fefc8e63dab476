//===- LocalComm.cpp - ranks as threads of one process --------------------===//
//
// Point to point: the sender queues a descriptor of its buffer under
// (axes, from, to, tag) and sleeps until the receiver has copied it; FIFO
// per key, as MPI matches messages.
//
// Collectives: each member stages its contribution in host memory, and the
// group's slot hands every member the list of all contributions once the
// last one arrives. Each member computes its own result from that list (in
// group order, so all results are bitwise equal), then waits until every
// member has finished reading before anyone may start the next collective
// on that group and reuse the slot.
//
//===----------------------------------------------------------------------===//

#include "pprt/LocalComm.h"
#include "pprt/CommGroups.h"
#include "pprt/DType.h"
#include "pprt/Device.h"
#include "pprt/HostReduce.h"
#include "pprt/Watchdog.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace pprt {

namespace {

/// A send waiting for its recv.
struct Message {
  const void *buf;
  size_t bytes;
  bool done = false;
};

/// (axes, from, to, tag): like an MPI communicator per mask plus a tag.
using MessageKey = std::tuple<AxisMask, int64_t, int64_t, int64_t>;

/// The meeting point of one group.
struct GroupSlot {
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t generation = 0; ///< completed collectives
  int arrived = 0;
  int finished = 0;
  std::vector<const std::vector<char> *> parts;
  // The first member's call, which every other member must match.
  std::string op;
  size_t bytes = 0;
  int64_t firstRank = -1;
};

} // namespace

struct LocalWorld::Shared {
  Shared(const MeshSpec &mesh, Device &device, double timeout)
      : mesh(mesh), numRanks(meshShapeOf(mesh).numRanks()), device(device),
        timeout(timeout) {}

  GroupSlot &slot(const CommGroup &group) {
    std::lock_guard<std::mutex> lock(slotsMutex);
    std::unique_ptr<GroupSlot> &s = slots[{group.axes, group.ranks[0]}];
    if (!s) {
      s = std::make_unique<GroupSlot>();
      s->parts.assign(group.ranks.size(), nullptr);
    }
    return *s;
  }

  MeshSpec mesh;
  int64_t numRanks;
  Device &device;
  double timeout;

  std::mutex messagesMutex;
  std::condition_variable messagesChanged;
  std::map<MessageKey, std::deque<Message *>> messages;

  std::mutex slotsMutex;
  std::map<std::pair<AxisMask, int64_t>, std::unique_ptr<GroupSlot>> slots;
};

namespace {

std::string withTag(const std::string &op, int64_t tag) {
  return op + " (tag " + std::to_string(tag) + ")";
}

class LocalComm final : public Comm {
public:
  LocalComm(LocalWorld::Shared &world, int rank, Context &ctx)
      : world(world), ctx(ctx), groups(world.mesh, rank) {}

  void send(const void *buf, size_t bytes, AxisMask axes, int64_t peer,
            int64_t tag, const char *what) override {
    const CommGroup &group = groups.get(axes, "send", what);
    int64_t to = groups.peerRank(group, peer, "send", what);
    // The data must exist before the receiver copies it.
    world.device.synchronize(ctx);
    Message message{buf, bytes};
    Deadline deadline(world.timeout);
    std::unique_lock<std::mutex> lock(world.messagesMutex);
    world.messages[{axes, rank(), to, tag}].push_back(&message);
    world.messagesChanged.notify_all();
    if (!world.messagesChanged.wait_until(lock, deadline.when(),
                                          [&] { return message.done; }))
      commTimedOut(rank(), world.timeout,
                   withTag("send to rank " + std::to_string(to), tag), what);
  }

  void recv(void *buf, size_t bytes, AxisMask axes, int64_t peer, int64_t tag,
            const char *what) override {
    const CommGroup &group = groups.get(axes, "recv", what);
    int64_t from = groups.peerRank(group, peer, "recv", what);
    MessageKey key{axes, from, rank(), tag};
    Deadline deadline(world.timeout);
    std::unique_lock<std::mutex> lock(world.messagesMutex);
    auto posted = [&] {
      auto it = world.messages.find(key);
      return it != world.messages.end() && !it->second.empty();
    };
    if (!world.messagesChanged.wait_until(lock, deadline.when(), posted))
      commTimedOut(rank(), world.timeout,
                   withTag("recv from rank " + std::to_string(from), tag),
                   what);
    auto it = world.messages.find(key);
    Message *message = it->second.front();
    it->second.pop_front();
    if (it->second.empty())
      world.messages.erase(it);
    lock.unlock();
    if (message->bytes != bytes)
      fatal(withTag("recv from rank " + std::to_string(from), tag) +
                " expects " + std::to_string(bytes) + " bytes, the send has " +
                std::to_string(message->bytes),
            what);
    world.device.copy(ctx, buf, message->buf, bytes);
    lock.lock();
    message->done = true;
    world.messagesChanged.notify_all();
  }

  void allReduce(void *buf, int64_t count, DType dtype, CollectiveOp op,
                 AxisMask axes, const char *what) override {
    const CommGroup &group = groups.get(axes, "all_reduce", what);
    size_t bytes = size_t(count) * dtypeSize(dtype);
    std::vector<char> result(bytes);
    exchange("all_reduce", group, buf, bytes, what,
             [&](const std::vector<const void *> &parts) {
               reduceHost(result.data(), parts.data(), int(parts.size()), count,
                          dtype, op);
             });
    world.device.upload(buf, result.data(), bytes);
  }

  void allGather(void *dst, const void *src, size_t bytes, AxisMask axes,
                 const char *what) override {
    const CommGroup &group = groups.get(axes, "all_gather", what);
    std::vector<char> result(bytes * group.ranks.size());
    exchange("all_gather", group, src, bytes, what,
             [&](const std::vector<const void *> &parts) {
               for (size_t j = 0; j < parts.size(); ++j)
                 std::memcpy(result.data() + j * bytes, parts[j], bytes);
             });
    world.device.upload(dst, result.data(), result.size());
  }

  void reduceScatter(void *dst, const void *src, int64_t count, DType dtype,
                     CollectiveOp op, AxisMask axes,
                     const char *what) override {
    const CommGroup &group = groups.get(axes, "reduce_scatter", what);
    size_t chunk = size_t(count) * dtypeSize(dtype);
    std::vector<char> result(chunk);
    exchange("reduce_scatter", group, src, chunk * group.ranks.size(), what,
             [&](const std::vector<const void *> &parts) {
               std::vector<const void *> mine;
               for (const void *p : parts)
                 mine.push_back(static_cast<const char *>(p) +
                                group.index * chunk);
               reduceHost(result.data(), mine.data(), int(mine.size()), count,
                          dtype, op);
             });
    world.device.upload(dst, result.data(), chunk);
  }

private:
  int rank() const { return groups.rank(); }

  [[noreturn]] void fatal(const std::string &problem, const char *what) {
    std::string message = "rank " + std::to_string(rank()) + ": " + problem;
    if (what && *what)
      message += std::string(": ") + what;
    commFatal(message);
  }

  /// Stages `bytes` of `src` on the host, meets the other members of
  /// `group`, and calls `consume` with every member's staged bytes in group
  /// order. Staging means a member may overwrite its own buffers (in-place
  /// all_reduce, all_gather into the source) while others still read.
  template <typename Consume>
  void exchange(const char *op, const CommGroup &group, const void *src,
                size_t bytes, const char *what, Consume consume) {
    world.device.synchronize(ctx);
    std::vector<char> staged(bytes);
    world.device.download(staged.data(), src, bytes);
    if (group.ranks.size() == 1) {
      consume(std::vector<const void *>{staged.data()});
      return;
    }

    GroupSlot &slot = world.slot(group);
    size_t n = group.ranks.size();
    std::string where = std::string(op) + " over " + group.describe();
    Deadline deadline(world.timeout);
    std::unique_lock<std::mutex> lock(slot.mutex);
    uint64_t generation = slot.generation;
    if (slot.arrived == 0) {
      slot.op = op;
      slot.bytes = bytes;
      slot.firstRank = rank();
    } else if (slot.op != op || slot.bytes != bytes) {
      fatal(where + ": " + op + " of " + std::to_string(bytes) +
                " bytes meets rank " + std::to_string(slot.firstRank) + "'s " +
                slot.op + " of " + std::to_string(slot.bytes) + " bytes",
            what);
    }
    slot.parts[group.index] = &staged;
    if (++slot.arrived == int(n))
      slot.changed.notify_all();
    else if (!slot.changed.wait_until(lock, deadline.when(),
                                      [&] { return slot.arrived == int(n); })) {
      std::string missing;
      for (size_t j = 0; j < n; ++j)
        if (!slot.parts[j])
          missing +=
              (missing.empty() ? "" : ", ") + std::to_string(group.ranks[j]);
      commTimedOut(rank(), world.timeout,
                   where + " (waiting for rank " + missing + ")", what);
    }
    std::vector<const void *> parts;
    for (const std::vector<char> *p : slot.parts)
      parts.push_back(p->data());
    lock.unlock();

    consume(parts);

    // Nobody leaves before everyone has read `staged` of everyone else.
    lock.lock();
    Deadline leaving(world.timeout);
    if (++slot.finished == int(n)) {
      slot.arrived = 0;
      slot.finished = 0;
      slot.parts.assign(n, nullptr);
      ++slot.generation;
      slot.changed.notify_all();
    } else if (!slot.changed.wait_until(lock, leaving.when(), [&] {
                 return slot.generation != generation;
               })) {
      commTimedOut(rank(), world.timeout, where + " (leaving)", what);
    }
  }

  LocalWorld::Shared &world;
  Context &ctx;
  CommGroups groups;
};

} // namespace

LocalWorld::LocalWorld(const MeshSpec &mesh, Device &device,
                       double timeoutSeconds)
    : shared(std::make_unique<Shared>(mesh, device, timeoutSeconds)) {}

LocalWorld::~LocalWorld() = default;

int LocalWorld::numRanks() const { return int(shared->numRanks); }

std::unique_ptr<Comm> LocalWorld::makeComm(int rank, Context &ctx) {
  return std::make_unique<LocalComm>(*shared, rank, ctx);
}

} // namespace pprt

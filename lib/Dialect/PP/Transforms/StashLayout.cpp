//===- StashLayout.cpp - one stash slot's byte layout ---------------------===//
//
// Saved values (F's results, B's and W's arguments) and carried ones (B's
// results, W's arguments) share one slot per micro-batch, in the order F and
// B produce them.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/StashLayout.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

int64_t bytesOf(Type type) {
  auto t = cast<RankedTensorType>(type);
  int64_t n = t.getNumElements();
  unsigned bits = t.getElementType().getIntOrFloatBitWidth();
  return n * std::max<int64_t>(1, bits / 8);
}

} // namespace

void mlir::pp::layOutStash(func::FuncOp f, func::FuncOp b, func::FuncOp w) {
  Builder builder(f.getContext());
  StringRef savedAttr = PPDialect::SavedAttrHelper::getNameStr();
  StringRef carriedAttr = PPDialect::CarriedAttrHelper::getNameStr();
  StringRef offsetAttr = PPDialect::StashOffsetAttrHelper::getNameStr();
  DenseMap<int64_t, int64_t> saved, carried;
  int64_t bytes = 0;
  auto place = [&](DenseMap<int64_t, int64_t> &offsets, int64_t k,
                   Type type) {
    offsets[k] = bytes;
    bytes += (bytesOf(type) + kStashAlign - 1) / kStashAlign * kStashAlign;
  };
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    if (auto k = f.getResultAttrOfType<IntegerAttr>(i, savedAttr))
      place(saved, k.getInt(), f.getResultTypes()[i]);
  for (unsigned i = 0; i < b.getNumResults(); ++i)
    if (auto j = b.getResultAttrOfType<IntegerAttr>(i, carriedAttr))
      place(carried, j.getInt(), b.getResultTypes()[i]);
  auto mark = [&](func::FuncOp func, bool results) {
    unsigned n = results ? func.getNumResults() : func.getNumArguments();
    for (unsigned i = 0; i < n; ++i) {
      DictionaryAttr dict =
          results ? func.getResultAttrDict(i) : func.getArgAttrDict(i);
      if (!dict)
        continue;
      std::optional<int64_t> offset;
      if (auto k = dict.getAs<IntegerAttr>(savedAttr))
        offset = saved.lookup(k.getInt());
      else if (auto j = dict.getAs<IntegerAttr>(carriedAttr))
        offset = carried.lookup(j.getInt());
      if (!offset)
        continue;
      Attribute value = builder.getI64IntegerAttr(*offset);
      if (results)
        func.setResultAttr(i, offsetAttr, value);
      else
        func.setArgAttr(i, offsetAttr, value);
    }
  };
  mark(f, true);
  mark(b, false);
  mark(b, true);
  mark(w, false);
  f->setAttr(PPDialect::StashBytesAttrHelper::getNameStr(),
             builder.getI64IntegerAttr(bytes));
}

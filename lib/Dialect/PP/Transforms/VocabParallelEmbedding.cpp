//===- VocabParallelEmbedding.cpp - a rank's share of an embedding lookup -===//
//
// Megatron's vocab-parallel embedding: rank r holds rows
// [r * V/T, (r + 1) * V/T) of the table, looks up the ids that fall there
// and writes zeros for the others, so summing the ranks' results (the
// all-reduce the layout rules insert for a partial value) gives the full
// lookup. Built from ordinary graph ops plus pp.group_index, so emitters
// need nothing new beyond that one op.
//
//===----------------------------------------------------------------------===//

#include "TensorParallelRewrites.h"

using namespace mlir;
using namespace mlir::pp;

Value mlir::pp::maskVocabParallelLookup(GatherOp gather, int64_t rows,
                                        int64_t localRows,
                                        FlatSymbolRefAttr mesh,
                                        ArrayAttr axes) {
  OpBuilder b(gather);
  Location loc = gather.getLoc();
  Value ids = gather.getIndices();
  auto idsType = llvm::cast<RankedTensorType>(ids.getType());
  Type i64 = b.getI64Type();
  auto boolsLike = RankedTensorType::get(idsType.getShape(), b.getI1Type());
  auto scalar = [&](int64_t value) {
    auto type = RankedTensorType::get({}, i64);
    return ConstantOp::create(b, loc, DenseIntElementsAttr::get(type, value))
        .getResult();
  };

  Value rank =
      GroupIndexOp::create(b, loc, RankedTensorType::get({}, i64), mesh, axes);
  Value first = MulOp::create(b, loc, rank.getType(), rank, scalar(localRows));
  // pp.gather reads a negative id from the end of the table.
  Value negative = LessOp::create(b, loc, boolsLike, ids, scalar(0));
  Value wrapped = AddOp::create(b, loc, idsType, ids, scalar(rows));
  Value absolute = SelectOp::create(b, loc, idsType, negative, wrapped, ids);
  Value local = SubOp::create(b, loc, idsType, absolute, first);
  Value inBlock = AndOp::create(
      b, loc, boolsLike,
      GreaterOp::create(b, loc, boolsLike, local, scalar(-1)),
      LessOp::create(b, loc, boolsLike, local, scalar(localRows)));
  // Ids of other ranks read row 0, a valid row, and are zeroed below.
  Value safe = SelectOp::create(b, loc, idsType, inBlock, local, scalar(0));
  gather.getIndicesMutable().assign(safe);

  // The mask, with 1s for the looked-up row's dims so that it broadcasts.
  auto resultType = llvm::cast<RankedTensorType>(gather.getType());
  auto inputType = llvm::cast<RankedTensorType>(gather.getInput().getType());
  SmallVector<int64_t> maskShape(idsType.getShape());
  maskShape.append(inputType.getRank() - 1, 1);
  b.setInsertionPointAfter(gather);
  Value mask = inBlock;
  if (maskShape.size() != size_t(idsType.getRank()))
    mask = ReshapeOp::create(
        b, loc, RankedTensorType::get(maskShape, b.getI1Type()), inBlock);
  Type element = resultType.getElementType();
  Value zero = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, element),
                             b.getZeroAttr(element)));
  auto masked =
      SelectOp::create(b, loc, resultType, mask, gather.getResult(), zero);
  gather.getResult().replaceAllUsesExcept(masked.getResult(), masked);
  return masked.getResult();
}

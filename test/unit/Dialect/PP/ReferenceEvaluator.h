//===- ReferenceEvaluator.h - pp graphs on f64 buffers ----------*- C++ -*-===//
//
// A deliberately naive interpreter of a func.func of pp graph ops: every
// value is a row-major buffer of doubles (integers and booleans too), each
// op a loop over result elements written from the op's documented meaning.
// It is the oracle of the gradient tests (finite differences need f64 and
// nothing else in pp computes on the host), so it lives beside them rather
// than in lib/, where nothing would call it; other unit tests can link it.
//
//===----------------------------------------------------------------------===//

#ifndef PP_TEST_UNIT_DIALECT_PP_REFERENCEEVALUATOR_H
#define PP_TEST_UNIT_DIALECT_PP_REFERENCEEVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace mlir::pp::test {

struct RefTensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<double> data;
};

/// Runs `func` on `args`, reading pp.weight values by name from `weights`.
/// Fails on an op it does not know or a missing weight.
llvm::Expected<std::vector<RefTensor>>
evaluate(mlir::func::FuncOp func, llvm::ArrayRef<RefTensor> args,
         const llvm::StringMap<RefTensor> &weights);

} // namespace mlir::pp::test

#endif // PP_TEST_UNIT_DIALECT_PP_REFERENCEEVALUATOR_H

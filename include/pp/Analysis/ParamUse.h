//===- ParamUse.h - the parameters a set of ops needs -----------*- C++ -*-===//
//
// A pipeline stage must hold every parameter its ops read, once, even when
// it reads one through ops that only reshape or transpose parameters (the
// LM head of GPT-2 reads the embedding table through a transpose), and even
// when another stage holds it too (tied weights). Summing per-op
// paramBytes over a range cannot see either, so this walks the def chains.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_PARAMUSE_H
#define PP_ANALYSIS_PARAMUSE_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::pp {

/// The parameter ops (pp.weight, pp.constant of at least
/// kParamConstantMinBytes) that `ops` read directly or through ops that
/// compute from parameters alone, each once, in first-use order.
llvm::SetVector<Operation *> paramsUsedBy(llvm::ArrayRef<Operation *> ops);

/// Their total bytes.
double paramBytesUsedBy(llvm::ArrayRef<Operation *> ops);

} // namespace mlir::pp

#endif // PP_ANALYSIS_PARAMUSE_H

//===- DType.h - element type queries and conversion ------------*- C++ -*-===//
//
// dtypeSize and dtypeName are declared in Program.h (the generated code uses
// them); the rest is for the runtime itself: classifying types and
// converting element arrays between them on the host.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_DTYPE_H
#define PPRT_DTYPE_H

#include "pprt/Program.h"

#include <cstddef>
#include <cstdint>

namespace pprt {

/// True when `value` is one of the DType enumerators.
bool isKnownDType(int32_t value);
/// f16, bf16, f32, f64.
bool isFloatDType(DType type);

/// Converts `count` elements from `srcType` to `dstType`. Floats round to
/// nearest even, float to integer truncates, anything to bool is `!= 0`.
/// `dst` and `src` must not overlap unless the types are equal.
void convertElements(void *dst, DType dstType, const void *src, DType srcType,
                     size_t count);

/// Product of `rank` dims (1 for rank 0).
int64_t numElements(const int64_t *shape, int rank);

} // namespace pprt

#endif // PPRT_DTYPE_H

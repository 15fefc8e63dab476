//===- StageWriter.cpp - one function of pp graph IR -> C++ --------------===//

#include "StageWriter.h"

#include "AttentionFusion.h"
#include "BufferPlan.h"
#include "CTypes.h"
#include "DesignatedInit.h"
#include "ElementwiseFusion.h"
#include "ValueShapes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Index of a function argument in the program's input table.
/// Where a training stage's argument or result lives, when not in the
/// program's input or output table (pp-stage-training's attributes): the
/// runtime's stage buffers, the micro-batch's stash slot, or the output an
/// argument accumulates into. "" for a plain graph input or output.
std::string boundaryPointer(DictionaryAttr attrs) {
  if (!attrs)
    return "";
  if (attrs.get(PPDialect::StageInputAttrHelper::getNameStr()))
    return "((void *)ctx.stageInput)";
  if (attrs.get(PPDialect::StageOutputAttrHelper::getNameStr()))
    return "ctx.stageOutput";
  if (auto offset = attrs.getAs<IntegerAttr>(
          PPDialect::StashOffsetAttrHelper::getNameStr()))
    return "(ctx.stash + " + std::to_string(offset.getInt()) + ")";
  if (auto output = attrs.getAs<IntegerAttr>(
          PPDialect::AccumulatorAttrHelper::getNameStr()))
    return "outputs[" + std::to_string(output.getInt()) + "]";
  return "";
}

int64_t inputIndexOf(BlockArgument arg) {
  auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (auto index = func.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(),
                                                      "pp.input_index"))
    return index.getInt();
  return arg.getArgNumber();
}

/// `static const int64_t name[] = {...};`, or a null pointer for rank 0.
std::string int64Array(StringRef name, ArrayRef<int64_t> values) {
  if (values.empty())
    return "    const int64_t *const " + name.str() + " = nullptr;\n";
  return "    static const int64_t " + name.str() + "[] = {" +
         commaList<int64_t>(values) + "};\n";
}

/// The ONNX node an op came from, for comments.
std::string nodeName(Operation *op) {
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  return "";
}

/// The runtime kernel's reduction (pprt/Kernels.h).
const char *reduceKind(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::sum:
    return "pprt::ReduceKind::Sum";
  case ReduceKind::mean:
    return "pprt::ReduceKind::Mean";
  case ReduceKind::max:
    return "pprt::ReduceKind::Max";
  case ReduceKind::min:
    return "pprt::ReduceKind::Min";
  case ReduceKind::prod:
    return "pprt::ReduceKind::Prod";
  }
  llvm_unreachable("not a pp.reduce kind");
}

/// Splat constants read only by elementwise loops need no memory.
bool isLiteralOnly(Value v) {
  return isInlinedConstant(v) && llvm::all_of(v.getUsers(), isElementwise);
}

/// A matmul that does the adds of the loop it feeds: a root whose ops
/// are adds of the matmul (its only reader, or a constant multiple of it),
/// at most one per-column bias
/// and at most one addend, laid out like the result or one matrix for
/// every batch entry (an attention mask) (matmulAdd).
struct MatmulEpilogue {
  MatMulOp matmul;
  Value bias, addend;
  bool addendPerMatrix = false;
  /// A constant the product is scaled by first (attention's 1/sqrt(d)).
  double alpha = 1;
};

class Writer {
public:
  Writer(func::FuncOp func, ProgramTables &tables, StageSummary &summary)
      : func(func), cuda(tables.cuda), tables(tables), summary(summary) {}

  LogicalResult write(raw_ostream &os);

private:
  LogicalResult checkTypes(Operation *op);
  LogicalResult checkKernelType(Operation *op, StringRef kernel, Value v);
  /// Whether the target's float kernels (matmul, softmax, ...) take `t`.
  bool hasFloatKernels(Type t) const {
    return cuda ? t.isF32() || t.isF16() || t.isBF16()
                : t.isF32() || t.isF64();
  }
  /// Whether the target has a fused attention kernel for `t`.
  bool hasAttentionKernel(Type t) const {
    return cuda ? hasFloatKernels(t) : t.isF32();
  }
  LogicalResult checkInterfaceTypes();
  std::string storage(Type element) const;
  std::string load(Type element, StringRef expr) const;
  std::string store(Type element, StringRef expr) const;
  bool needsStorage(Value v);
  std::string ptr(Value v);
  std::string typed(Value v, bool isConst = true);
  std::string noBias(Value like);
  std::string kernel(StringRef name) const {
    return (cuda ? "pprt::cuda::" : "pprt::cpu::") + name.str();
  }
  LogicalResult emitOp(Operation *op);
  LogicalResult emitTranspose(TransposeOp t);
  LogicalResult emitComm(Operation *op);
  LogicalResult checkStageLink(Operation *op, int64_t tag, int64_t peer,
                               ArrayAttr axes, bool isSend);
  void emitConstant(ConstantOp op);
  void emitFusedLoop(Operation *root);
  void findMatmulEpilogues();
  void emitMatmul(MatMulOp m, Value result, const MatmulEpilogue &adds);
  void findAttentionSites();
  void emitAttention(const AttentionSite &site);
  void emitCopy(Value dst, StringRef dstOffset, ArrayRef<int64_t> dstStrides,
                Value src, StringRef srcOffset, ArrayRef<int64_t> srcStrides,
                ArrayRef<int64_t> shape);
  void findDirectOutputs();
  void emitOutputs(func::ReturnOp ret);

  func::FuncOp func;
  bool cuda;
  ProgramTables &tables;
  StageSummary &summary;
  SmallVector<Operation *> ops;
  llvm::DenseSet<Value> fused;
  llvm::DenseMap<Operation *, MatmulEpilogue> epilogues;
  /// Fused attentions by the op whose result they write.
  llvm::DenseMap<Operation *, AttentionSite> attentions;
  BufferPlan plan;
  /// Results computed straight into their output buffer ("outputs[i]"),
  /// so that they need neither arena memory nor a copy at the end.
  llvm::DenseMap<Value, std::string> directOutputs;
  llvm::DenseMap<Value, int> weightIndex;
  llvm::DenseMap<Value, std::string> constantName;
  std::string body;
  llvm::raw_string_ostream &helpersOs = tables.helpersOs;
  llvm::raw_string_ostream bodyOs{body};
};

/// A transpose of the last two dims that only matmuls read: they read its
/// input in place as a transposed operand (BLAS's trans flags), so it costs
/// neither a copy nor memory. Backward passes are full of these (x^T dy,
/// dy W^T).
static bool foldsIntoMatmul(TransposeOp t) {
  ArrayRef<int64_t> perm = t.getPerm();
  int64_t rank = perm.size();
  if (rank < 2 || perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return false;
  for (int64_t d = 0; d + 2 < rank; ++d)
    if (perm[d] != d)
      return false;
  return !t->use_empty() && llvm::all_of(t->getUsers(), [](Operation *user) {
    return isa<MatMulOp>(user);
  });
}

/// Ops whose result is a view of operand 0, with no memory of its own.
static bool isAliasOp(Operation *op) {
  auto t = dyn_cast<TransposeOp>(op);
  // A cache write's result is the cache it wrote into.
  return isa<ReshapeOp, CacheWriteOp>(op) || (t && foldsIntoMatmul(t));
}

bool Writer::needsStorage(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def || isa<WeightOp, RecvOp>(def) || directOutputs.count(v))
    return false;
  if (isa<ConstantOp>(def))
    return cuda && !isLiteralOnly(v);
  return true;
}

std::string Writer::ptr(Value v) {
  Value owner = plan.storageOf(v);
  if (auto arg = dyn_cast<BlockArgument>(owner)) {
    std::string boundary =
        boundaryPointer(func.getArgAttrDict(arg.getArgNumber()));
    if (!boundary.empty())
      return boundary;
    return "inputs[" + std::to_string(inputIndexOf(arg)) + "]";
  }
  if (auto it = directOutputs.find(owner); it != directOutputs.end())
    return it->second;
  if (owner.getDefiningOp<RecvOp>())
    return "((void *)ctx.stageInput)";
  if (auto it = weightIndex.find(owner); it != weightIndex.end())
    return "weights[" + std::to_string(it->second) + "]";
  if (auto it = plan.offsets.find(owner); it != plan.offsets.end())
    return "(arena + " + std::to_string(it->second) + ")";
  return constantName.lookup(owner);
}

std::string Writer::typed(Value v, bool isConst) {
  return "(" + std::string(isConst ? "const " : "") + storage(elementOf(v)) +
         " *)" + ptr(v);
}

/// A templated kernel deduces its element type from every pointer, so an
/// absent optional operand is a null of the operand's type, not nullptr.
std::string Writer::noBias(Value like) {
  return "(const " + storage(elementOf(like)) + " *)nullptr";
}

/// Host C++ has no 16-bit float type: cpu code keeps f16/bf16 bits in
/// uint16_t and converts at each load and store (pprt/Half.h).
std::string Writer::storage(Type element) const {
  if (!cuda && (element.isF16() || element.isBF16()))
    return "uint16_t";
  return storageCType(element);
}

std::string Writer::load(Type element, StringRef expr) const {
  if (!cuda && element.isF16())
    return "pprt::halfToFloat(" + expr.str() + ")";
  if (!cuda && element.isBF16())
    return "pprt::bf16ToFloat(" + expr.str() + ")";
  return "(" + computeCType(element) + ")" + expr.str();
}

std::string Writer::store(Type element, StringRef expr) const {
  if (!cuda && element.isF16())
    return "pprt::floatToHalf(" + expr.str() + ")";
  if (!cuda && element.isBF16())
    return "pprt::floatToBF16(" + expr.str() + ")";
  return "(" + storage(element) + ")" + expr.str();
}

/// Compute kernels exist for a few element types per target (see
/// docs/runtime.md); anything else would fail to link.
LogicalResult Writer::checkKernelType(Operation *op, StringRef kernel,
                                      Value v) {
  Type t = elementOf(v);
  bool isFloat = hasFloatKernels(t);
  bool isIndex = !cuda && (t.isSignlessInteger(32) || t.isSignlessInteger(64));
  bool takesIndex = kernel == "matmul" || kernel == "reduce";
  if (isFloat || (takesIndex && isIndex))
    return success();
  return op->emitError() << "the " << (cuda ? "cuda" : "cpu")
                         << " target has no " << kernel
                         << " kernel for element type " << t;
}

/// Inputs, outputs and weights cross into the runtime, which reads and
/// writes only its DType list.
LogicalResult Writer::checkInterfaceTypes() {
  auto check = [&](Type type, StringRef what) -> LogicalResult {
    Type element = cast<ShapedType>(type).getElementType();
    if (runtimeDType(element))
      return success();
    return func.emitError() << what << " has element type " << element
                            << ", which the runtime cannot read or write";
  };
  auto name = [&](StringAttr attr, StringRef kind, unsigned i) {
    return kind.str() + " '" + (attr ? attr.str() : std::to_string(i)) + "'";
  };
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
    if (failed(check(type, name(func.getArgAttrOfType<StringAttr>(i, "pp.name"),
                                "graph input", i))))
      return failure();
  for (auto [i, type] : llvm::enumerate(func.getResultTypes()))
    if (failed(
            check(type, name(func.getResultAttrOfType<StringAttr>(i, "pp.name"),
                             "graph output", i))))
      return failure();
  for (Operation *op : ops)
    if (auto w = dyn_cast<WeightOp>(op))
      if (failed(check(w.getType(), "weight '" + w.getName().str() + "'")))
        return failure();
  return success();
}

LogicalResult Writer::checkTypes(Operation *op) {
  for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults())) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type)
      return op->emitError() << "pp cannot emit values of type " << v.getType();
    Type element = type.getElementType();
    if (storageCType(element).empty())
      return op->emitError()
             << "the " << (cuda ? "cuda" : "cpu")
             << " target does not support element type " << element;
    if (type.getRank() > pprt::kMaxRank)
      return op->emitError() << "rank " << type.getRank()
                             << " is above the runtime's limit of "
                             << pprt::kMaxRank;
  }
  return success();
}

void Writer::emitConstant(ConstantOp op) {
  if (isLiteralOnly(op.getResult()))
    return; // spelled as a literal where it is used
  auto value = llvm::cast<DenseElementsAttr>(op.getValue());
  std::string name = tables.freshName("kConst");
  Type element = value.getElementType();
  int64_t count = value.getNumElements();
  summary.constantBytes += count * elementBytes(element);
  helpersOs << "// " << nodeName(op) << "\n";
  if (element.isF16() || element.isBF16()) {
    // Stored as raw bits: no portable literal for 16-bit floats.
    helpersOs << "alignas(64) const uint16_t " << name << "[" << count
              << "] = {";
    for (int64_t i = 0; i < count; ++i) {
      APFloat v = value.getValues<APFloat>()[value.isSplat() ? 0 : i];
      helpersOs << (i ? ", " : "") << v.bitcastToAPInt().getZExtValue();
    }
  } else {
    helpersOs << "alignas(64) const " << storageCType(element) << " " << name
              << "[" << std::max<int64_t>(count, 1) << "] = {";
    for (int64_t i = 0; i < count; ++i)
      helpersOs << (i ? ", " : "") << literal(value, i);
  }
  helpersOs << "};\n\n";
  if (!cuda) {
    constantName[op.getResult()] = "(void *)" + name;
    return;
  }
  bodyOs << "  // " << nodeName(op) << ": constant into the arena\n"
         << "  pprt::cuda::uploadConstant(ctx, " << ptr(op.getResult()) << ", "
         << name << ", sizeof(" << name << "));\n";
}

void Writer::emitFusedLoop(Operation *root) {
  FusedLoop loop = buildFusedLoop(root, fused, /*vectorMath=*/!cuda);
  Value result = root->getResult(0);
  ArrayRef<int64_t> shape = shapeOf(result);
  int64_t n = numElements(shape);
  std::string name = tables.freshName("fused");
  std::string outType = storage(elementOf(result));

  // The ops of the loop, for a reader of the generated code.
  SmallVector<std::string> names;
  SmallVector<Operation *> worklist{root};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    names.push_back(nodeName(op) + " (" + op->getName().getStringRef().str() +
                    ")");
    ++summary.numFusedOps;
    for (Value operand : op->getOperands())
      if (fused.contains(operand))
        worklist.push_back(operand.getDefiningOp());
  }
  helpersOs << "// Fused:";
  for (const std::string &s : llvm::reverse(names))
    helpersOs << " " << s;
  helpersOs << "\n" << (cuda ? "__global__ void " : "void ") << name << "(";
  for (auto [k, leaf] : llvm::enumerate(loop.leaves))
    helpersOs << "const " << storage(elementOf(leaf)) << " *__restrict__ p" << k
              << ", ";
  helpersOs << outType << " *__restrict__ out) {\n";

  SmallVector<SmallVector<int64_t>> leafShapes;
  for (Value leaf : loop.leaves)
    leafShapes.emplace_back(shapeOf(leaf));
  LoopSpace space = coalesceLoopSpace(shape, leafShapes);
  size_t rank = space.dims.size();
  // A leaf laid out like the result is read at the flat index.
  SmallVector<int64_t> resultStrides = rowMajorStrides(space.dims);
  auto atFlatIndex = [&](size_t k) {
    return ArrayRef<int64_t>(space.leafStrides[k]) == ArrayRef(resultStrides);
  };
  // The index of leaf k's element, given each dim's coordinate.
  auto leafIndex = [&](size_t k, auto coord) {
    std::string index;
    for (auto [d, stride] : llvm::enumerate(space.leafStrides[k]))
      if (stride != 0)
        index += (index.empty() ? "" : " + ") + coord(d) +
                 (stride == 1 ? "" : " * " + std::to_string(stride));
    return index.empty() ? std::string("0") : index;
  };
  // "int64_t cD = rest % N; rest /= N;", or only the division where no
  // leaf reads dim d at a stride of its own (no unused variable).
  auto coordinateOf = [&](size_t d) {
    bool used = false;
    for (size_t k = 0; k < loop.leaves.size(); ++k)
      used |= !atFlatIndex(k) && space.leafStrides[k][d] != 0;
    std::string n = std::to_string(space.dims[d]);
    return (used ? "int64_t c" + std::to_string(d) + " = rest % " + n + "; "
                 : std::string()) +
           "rest /= " + n + ";\n";
  };
  SmallVector<std::string> leafIndices;
  if (cuda) {
    // One thread per element, its coordinates from the flat index.
    helpersOs << "  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + "
                 "threadIdx.x; i < "
              << n << "; i += (int64_t)blockDim.x * gridDim.x) {\n";
    if (rank > 1) {
      helpersOs << "    int64_t rest = i;\n";
      for (size_t d = rank; d-- > 0;)
        helpersOs << "    " << coordinateOf(d);
      helpersOs << "    (void)rest;\n";
    }
    for (size_t k = 0; k < loop.leaves.size(); ++k)
      leafIndices.push_back(
          atFlatIndex(k) ? std::string("i") : leafIndex(k, [&](size_t d) {
            return rank > 1 ? "c" + std::to_string(d) : std::string("i");
          }));
  } else if (rank == 1) {
    // Same-shape operands: one flat loop, split over the OpenMP team and
    // vectorised.
    helpersOs << "#pragma omp parallel for simd schedule(static) if (" << n
              << " >= pprt::kParallelMinElements)\n"
              << "  for (int64_t i = 0; i < " << n << "; ++i) {\n";
    for (size_t k = 0; k < loop.leaves.size(); ++k)
      leafIndices.push_back(leafIndex(k, [](size_t) { return std::string("i"); }));
  } else {
    // Broadcast operands: rows over the team, each row's last dim
    // vectorised; a leaf's row offset is computed once per row.
    int64_t cols = space.dims.back(), rows = n / cols;
    helpersOs << "#pragma omp parallel for schedule(static) if (" << n
              << " >= pprt::kParallelMinElements)\n"
              << "  for (int64_t r = 0; r < " << rows << "; ++r) {\n"
              << "    int64_t rest = r;\n";
    for (size_t d = rank - 1; d-- > 0;)
      helpersOs << "    " << coordinateOf(d);
    helpersOs << "    (void)rest;\n";
    for (size_t k = 0; k < loop.leaves.size(); ++k) {
      if (atFlatIndex(k)) {
        leafIndices.push_back("i");
        continue;
      }
      SmallVector<int64_t> rowStrides(space.leafStrides[k]);
      int64_t colStride = rowStrides.pop_back_val();
      std::string base;
      for (auto [d, stride] : llvm::enumerate(rowStrides))
        if (stride != 0)
          base += (base.empty() ? "" : " + ") + std::string("c") +
                  std::to_string(d) + " * " + std::to_string(stride);
      helpersOs << "    const int64_t base" << k << " = "
                << (base.empty() ? "0" : base) << ";\n";
      leafIndices.push_back(
          "base" + std::to_string(k) +
          (colStride == 0 ? ""
                          : " + j" + (colStride == 1
                                          ? std::string()
                                          : " * " + std::to_string(colStride))));
    }
    helpersOs << "#pragma omp simd\n"
              << "    for (int64_t j = 0; j < " << cols << "; ++j) {\n"
              << "      const int64_t i = r * " << cols << " + j;\n";
  }
  // The body sits one level deeper inside the row loop.
  std::string indent = !cuda && rank > 1 ? "      " : "    ";
  for (auto [k, leaf] : llvm::enumerate(loop.leaves))
    helpersOs << indent << computeCType(elementOf(leaf)) << " leaf" << k
              << " = "
              << load(elementOf(leaf),
                      "p" + std::to_string(k) + "[" + leafIndices[k] + "]")
              << ";\n";
  helpersOs << indent << computeCType(elementOf(result)) << " result;\n";
  StringRef lines = loop.body;
  while (!lines.empty()) {
    auto [line, rest] = lines.split('\n');
    helpersOs << indent << line << "\n";
    lines = rest;
  }
  helpersOs << indent << "out[i] = " << store(elementOf(result), "result")
            << ";\n"
            << (!cuda && rank > 1 ? "    }\n  }\n" : "  }\n") << "}\n\n";

  bodyOs << "  " << name;
  if (cuda)
    bodyOs << "<<<" << std::min<int64_t>((n + 255) / 256, 4096)
           << ", 256, 0, (cudaStream_t)ctx.stream>>>";
  bodyOs << "(";
  for (Value leaf : loop.leaves)
    bodyOs << typed(leaf) << ", ";
  bodyOs << typed(result, false) << ");\n";
  if (cuda)
    bodyOs << "  PPRT_CUDA_CHECK(cudaGetLastError());\n";
  ++summary.numFusedLoops;
}

/// The offsets are element counts, or expressions the run computes.
void Writer::emitCopy(Value dst, StringRef dstOffset,
                      ArrayRef<int64_t> dstStrides, Value src,
                      StringRef srcOffset, ArrayRef<int64_t> srcStrides,
                      ArrayRef<int64_t> shape) {
  unsigned bytes = elementBytes(elementOf(src));
  bodyOs << "  {\n"
         << int64Array("shape", shape) << int64Array("dstStrides", dstStrides)
         << int64Array("srcStrides", srcStrides) << "    "
         << kernel("copyStrided") << "(ctx, (char *)" << ptr(dst) << " + ";
  int64_t elements;
  if (!dstOffset.getAsInteger(10, elements))
    bodyOs << elements * bytes;
  else
    bodyOs << "(" << dstOffset << ") * " << bytes;
  bodyOs << ", dstStrides, (const char *)" << ptr(src)
         << " + (" << srcOffset << ") * " << bytes << ", srcStrides, shape, "
         << shape.size() << ", " << bytes << ");\n  }\n";
  ++summary.numKernelCalls;
}

LogicalResult Writer::emitTranspose(TransposeOp t) {
  SmallVector<int64_t> in = rowMajorStrides(shapeOf(t.getInput()));
  SmallVector<int64_t> src;
  for (int64_t p : t.getPerm())
    src.push_back(in[p]);
  ArrayRef<int64_t> out = shapeOf(t.getResult());
  emitCopy(t.getResult(), "0", rowMajorStrides(out), t.getInput(), "0", src,
           out);
  return success();
}

/// Transposed operands are read in place (foldsIntoMatmul); one weight
/// matrix for a batch of activations is one taller GEMM. With a bias or an
/// addend the matmul writes `result`, the root of the adds it absorbed.
void Writer::emitMatmul(MatMulOp m, Value result, const MatmulEpilogue &adds) {
  Value bias = adds.bias, addend = adds.addend;
  ArrayRef<int64_t> a = shapeOf(m.getLhs()), b = shapeOf(m.getRhs()),
                    c = shapeOf(m.getResult());
  int64_t rows = a[a.size() - 2], inner = a.back(), cols = b.back();
  int64_t batch = numElements(c.drop_back(2));
  int64_t strideA = numElements(a.drop_back(2)) == 1 ? 0 : rows * inner;
  int64_t strideB = numElements(b.drop_back(2)) == 1 ? 0 : inner * cols;
  auto transposed = [&](Value v) {
    auto t = v.getDefiningOp<TransposeOp>();
    return t && foldsIntoMatmul(t);
  };
  bool transA = transposed(m.getLhs()), transB = transposed(m.getRhs());
  // (Not under an addend whose rows repeat per batch entry.)
  if (strideB == 0 && strideA != 0 && !transA && !adds.addendPerMatrix) {
    rows *= batch;
    batch = 1;
    strideA = 0;
  }
  ++summary.numKernelCalls;
  auto flags = [&] {
    return std::string(transA ? "true" : "false") + ", " +
           (transB ? "true" : "false");
  };
  if (!bias && !addend) {
    bodyOs << "  " << kernel("matmul") << "(ctx, " << typed(result, false)
           << ", " << typed(m.getLhs()) << ", " << typed(m.getRhs()) << ", "
           << batch << ", " << rows << ", " << cols << ", " << inner << ", "
           << strideA << ", " << strideB << ", " << rows * cols << ", "
           << flags() << ");\n";
    return;
  }
  std::string none = "(const " + storage(elementOf(result)) + " *)nullptr";
  bodyOs << "  " << kernel("matmulAdd") << "(ctx, " << typed(result, false)
         << ", " << typed(m.getLhs()) << ", " << typed(m.getRhs()) << ", "
         << literal(adds.alpha, Float32Type::get(m.getContext())) << ", "
         << (bias ? typed(bias) : none) << ", "
         << (addend ? typed(addend) : none) << ", "
         << (adds.addendPerMatrix ? 0 : rows * cols) << ", " << batch << ", "
         << rows
         << ", " << cols << ", " << inner << ", " << strideA << ", "
         << strideB << ", " << flags() << ");\n";
}

void Writer::findAttentionSites() {
  for (AttentionSite &site : findAttentions(
           ops, fused, [&](Type t) { return hasAttentionKernel(t); },
           isAliasOp)) {
    // The absorbed values run at the root, reading their operands there.
    fused.insert(site.absorbed.begin(), site.absorbed.end());
    Operation *root = site.root;
    attentions[root] = std::move(site);
  }
}

/// Views are the pointer of the value they read plus an element offset.
void Writer::emitAttention(const AttentionSite &a) {
  auto at = [&](const StridedView &v, bool isConst) {
    std::string p = typed(v.base, isConst);
    return v.offset ? "(" + p + " + " + std::to_string(v.offset) + ")" : p;
  };
  using pprt::AttentionShape;
  DesignatedInit<AttentionShape> shape;
  shape.set(PPRT_FIELD(AttentionShape, batch), a.shape.batch)
      .set(PPRT_FIELD(AttentionShape, heads), a.shape.heads)
      .set(PPRT_FIELD(AttentionShape, kvGroup), a.shape.kvGroup)
      .set(PPRT_FIELD(AttentionShape, queries), a.shape.queries)
      .set(PPRT_FIELD(AttentionShape, keys), a.shape.keys)
      .set(PPRT_FIELD(AttentionShape, depth), a.shape.depth)
      .set(PPRT_FIELD(AttentionShape, valueDepth), a.shape.valueDepth)
      .setArray(PPRT_FIELD(AttentionShape, q), ArrayRef<int64_t>(a.shape.q))
      .setArray(PPRT_FIELD(AttentionShape, k), ArrayRef<int64_t>(a.shape.k))
      .setArray(PPRT_FIELD(AttentionShape, v), ArrayRef<int64_t>(a.shape.v))
      .setArray(PPRT_FIELD(AttentionShape, out),
                ArrayRef<int64_t>(a.shape.out))
      .setArray(PPRT_FIELD(AttentionShape, addend),
                ArrayRef<int64_t>(a.shape.addend))
      .setArray(PPRT_FIELD(AttentionShape, keep),
                ArrayRef<int64_t>(a.shape.keep))
      .set(PPRT_FIELD(AttentionShape, causal), a.shape.causal)
      .set(PPRT_FIELD(AttentionShape, selectFirst), a.shape.selectFirst)
      .set(PPRT_FIELD(AttentionShape, invertKeep), a.shape.invertKeep);
  Type f32 = Float32Type::get(func.getContext());
  bodyOs << "  {\n    static const pprt::AttentionShape shape = "
         << shape.str() << ";\n    " << kernel("attention") << "(ctx, "
         << at(a.out, false) << ", " << at(a.q, true) << ", " << at(a.k, true)
         << ", " << at(a.v, true) << ", "
         << (a.addend ? typed(a.addend) : noBias(a.out.base)) << ", "
         << (a.keep ? typed(a.keep) : "(const bool *)nullptr") << ", "
         << literal(a.scale, f32) << ", " << literal(a.fill, f32)
         << ", shape);\n  }\n";
  ++summary.numKernelCalls;
}

void Writer::findMatmulEpilogues() {
  for (Operation *root : ops) {
    if (!isa<AddOp>(root) || fused.contains(root->getResult(0)))
      continue;
    Value result = root->getResult(0);
    // The root's tree: adds, leaves read from memory, and at most one
    // matmul times a constant (the GEMM's alpha).
    SmallVector<Operation *> worklist{root};
    SmallVector<Value> leaves;
    bool onlyAdds = true;
    MatmulEpilogue e;
    Value scaled;
    while (!worklist.empty() && onlyAdds) {
      Operation *op = worklist.pop_back_val();
      // (Not for f64: the kernels take alpha as a float.)
      if (auto mul = dyn_cast<MulOp>(op);
          mul && !scaled && !elementOf(mul.getResult()).isF64()) {
        for (unsigned i : {0u, 1u}) {
          Value product = mul->getOperand(i), factor = mul->getOperand(1 - i);
          DenseElementsAttr value;
          if (product.getDefiningOp<MatMulOp>() && !fused.contains(product) &&
              isInlinedConstant(factor) &&
              matchPattern(factor, m_Constant(&value)) &&
              isa<FloatType>(value.getElementType())) {
            e.alpha = value.getSplatValue<APFloat>().convertToDouble();
            scaled = product;
            break;
          }
        }
        onlyAdds = bool(scaled);
        if (scaled)
          leaves.push_back(scaled);
        continue;
      }
      onlyAdds = isa<AddOp>(op);
      for (Value operand : op->getOperands()) {
        if (fused.contains(operand))
          worklist.push_back(operand.getDefiningOp());
        else
          leaves.push_back(operand);
      }
    }
    if (!onlyAdds)
      continue;
    Type element = elementOf(result);
    ArrayRef<int64_t> shape = shapeOf(result);
    bool ok = !shape.empty();
    for (Value leaf : leaves) {
      auto m = leaf.getDefiningOp<MatMulOp>();
      if (m && !e.matmul && !attentions.count(m) && leaf.hasOneUse() &&
          shapeOf(leaf) == shape &&
          elementOf(leaf) == element) {
        e.matmul = m;
        continue;
      }
      ArrayRef<int64_t> s = shapeOf(leaf);
      bool inMemory = !isInlinedConstant(leaf) && elementOf(leaf) == element;
      bool perColumn = !s.empty() && s.back() == shape.back() &&
                       numElements(s) == shape.back() &&
                       s.size() <= shape.size();
      // One matrix repeated over the batch dims (a mask).
      bool perMatrix = shape.size() > 2 && s.size() >= 2 &&
                       s.take_back(2) == shape.take_back(2) &&
                       numElements(s) == numElements(shape.take_back(2));
      if (inMemory && perColumn && !e.bias) {
        e.bias = leaf;
      } else if (inMemory && (s == shape || perMatrix) && !e.addend) {
        e.addend = leaf;
        e.addendPerMatrix = s != shape;
      } else {
        ok = false;
      }
    }
    if (!ok || !e.matmul || !hasFloatKernels(element) ||
        (!e.bias && !e.addend) ||
        (scaled && scaled != e.matmul.getResult()))
      continue;
    // The matmul now runs at the root, reading its operands there.
    fused.insert(e.matmul.getResult());
    epilogues[root] = e;
  }
}

LogicalResult Writer::emitOp(Operation *op) {
  if (failed(checkTypes(op)))
    return failure();
  StringRef computeKernel =
      llvm::TypeSwitch<Operation *, StringRef>(op)
          .Case([](MatMulOp) { return "matmul"; })
          .Case([](SoftmaxOp) { return "softmax"; })
          .Case([](LayerNormOp) { return "layerNorm"; })
          .Case([](RmsNormOp) { return "rmsNorm"; })
          .Case([](ReduceOp) { return "reduce"; })
          .Case([](ScatterAddOp) { return "scatterAdd"; })
          .Case([](CrossEntropyOp) { return "crossEntropy"; })
          .Default([](Operation *) { return ""; });
  if (!computeKernel.empty() &&
      failed(checkKernelType(op, computeKernel, op->getResult(0))))
    return failure();
  std::string where = nodeName(op);
  if (!isa<WeightOp, ReshapeOp>(op) && !fused.contains(op->getResult(0)) &&
      !where.empty() && !isa<ConstantOp>(op))
    bodyOs << "  // " << where << ": " << op->getName().getStringRef() << "\n";
  if (auto it = attentions.find(op); it != attentions.end()) {
    emitAttention(it->second);
    return success();
  }
  // Computed inside another op's loop or kernel.
  if (op->getNumResults() == 1 && fused.contains(op->getResult(0)) &&
      !isElementwise(op))
    return success();
  if (isElementwise(op)) {
    if (auto it = epilogues.find(op); it != epilogues.end()) {
      emitMatmul(it->second.matmul, op->getResult(0), it->second);
      return success();
    }
    if (!fused.contains(op->getResult(0)))
      emitFusedLoop(op);
    return success();
  }
  auto call = [&](StringRef name) -> raw_ostream & {
    ++summary.numKernelCalls;
    return bodyOs << "  " << kernel(name) << "(ctx, ";
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](WeightOp) { return success(); })
      .Case([&](ReshapeOp) { return success(); })
      .Case([&](ConstantOp c) {
        emitConstant(c);
        return success();
      })
      .Case([&](TransposeOp t) {
        // Read in place by the matmuls it feeds (transposed operands).
        if (foldsIntoMatmul(t))
          return success();
        return emitTranspose(t);
      })
      .Case([&](MatMulOp m) {
        // A matmul that does a loop's adds runs where that loop would.
        if (!fused.contains(m.getResult()))
          emitMatmul(m, m.getResult(), MatmulEpilogue());
        return success();
      })
      .Case([&](SoftmaxOp s) {
        ArrayRef<int64_t> shape = shapeOf(s.getInput());
        int64_t dim = s.getDimAttr().getInt();
        call("softmax") << typed(s.getResult(), false) << ", "
                        << typed(s.getInput()) << ", "
                        << numElements(shape.take_front(dim)) << ", "
                        << shape[dim] << ", "
                        << numElements(shape.drop_front(dim + 1)) << ", "
                        << (s.getLog() ? "true" : "false") << ");\n";
        return success();
      })
      .Case([&](LayerNormOp l) {
        ArrayRef<int64_t> shape = shapeOf(l.getInput());
        int64_t dim = l.getDimAttr().getInt();
        call("layerNorm") << typed(l.getResult(), false) << ", "
                          << typed(l.getInput()) << ", " << typed(l.getScale())
                          << ", "
                          << (l.getBias() ? typed(l.getBias())
                                          : noBias(l.getInput()))
                          << ", " << numElements(shape.take_front(dim)) << ", "
                          << numElements(shape.drop_front(dim)) << ", "
                          << literal(l.getEpsilon().convertToDouble(),
                                     Float32Type::get(op->getContext()))
                          << ");\n";
        return success();
      })
      .Case([&](RmsNormOp r) {
        ArrayRef<int64_t> shape = shapeOf(r.getInput());
        call("rmsNorm") << typed(r.getResult(), false) << ", "
                        << typed(r.getInput()) << ", " << typed(r.getScale())
                        << ", " << numElements(shape.drop_back()) << ", "
                        << shape.back() << ", "
                        << literal(r.getEpsilon().convertToDouble(),
                                   Float32Type::get(op->getContext()))
                        << ");\n";
        return success();
      })
      .Case([&](ReduceOp r) {
        ArrayRef<int64_t> shape = shapeOf(r.getInput());
        ArrayRef<int64_t> dims = r.getDims();
        int64_t first = dims.empty() ? 0 : dims.front();
        int64_t last = dims.empty() ? -1 : dims.back();
        call("reduce") << typed(r.getResult(), false) << ", "
                       << typed(r.getInput()) << ", "
                       << numElements(shape.take_front(first)) << ", "
                       << numElements(shape.slice(first, last - first + 1))
                       << ", " << numElements(shape.drop_front(last + 1))
                       << ", " << reduceKind(r.getKind()) << ");\n";
        return success();
      })
      .Case([&](SliceOp s) {
        SmallVector<int64_t> in = rowMajorStrides(shapeOf(s.getInput()));
        SmallVector<int64_t> src;
        int64_t offset = 0;
        for (size_t d = 0; d < in.size(); ++d) {
          offset += s.getStarts()[d] * in[d];
          src.push_back(s.getSteps()[d] * in[d]);
        }
        ArrayRef<int64_t> out = shapeOf(s.getResult());
        emitCopy(s.getResult(), "0", rowMajorStrides(out), s.getInput(),
                 std::to_string(offset), src, out);
        return success();
      })
      // Generation (pp-stage-generation): rows at the step's position.
      .Case([&](StepSliceOp s) {
        ArrayRef<int64_t> out = shapeOf(s.getResult());
        SmallVector<int64_t> in = rowMajorStrides(shapeOf(s.getInput()));
        std::string offset =
            "ctx.position * " + std::to_string(in[s.getDim()]);
        emitCopy(s.getResult(), "0", rowMajorStrides(out), s.getInput(),
                 offset, in, out);
        return success();
      })
      .Case([&](CacheWriteOp w) -> LogicalResult {
        if (!isa<BlockArgument>(w.getCache()))
          return w.emitError("the cache must be an argument of the function, "
                             "which the runtime keeps between steps");
        ArrayRef<int64_t> rows = shapeOf(w.getUpdate());
        SmallVector<int64_t> strides = rowMajorStrides(shapeOf(w.getCache()));
        std::string offset =
            "ctx.position * " + std::to_string(strides[w.getDim()]);
        emitCopy(w.getCache(), offset, strides, w.getUpdate(), "0",
                 rowMajorStrides(rows), rows);
        return success();
      })
      .Case([&](BroadcastOp b) {
        ArrayRef<int64_t> out = shapeOf(b.getResult());
        emitCopy(b.getResult(), "0", rowMajorStrides(out), b.getInput(), "0",
                 broadcastStrides(shapeOf(b.getInput()), out), out);
        return success();
      })
      .Case([&](ConcatOp c) {
        ArrayRef<int64_t> out = shapeOf(c.getResult());
        SmallVector<int64_t> strides = rowMajorStrides(out);
        int64_t dim = c.getDimAttr().getInt(), at = 0;
        for (Value input : c.getInputs()) {
          ArrayRef<int64_t> shape = shapeOf(input);
          emitCopy(c.getResult(), std::to_string(at * strides[dim]), strides, input, "0",
                   rowMajorStrides(shape), shape);
          at += shape[dim];
        }
        return success();
      })
      .Case([&](GatherOp g) {
        ArrayRef<int64_t> in = shapeOf(g.getInput());
        int64_t dim = g.getDimAttr().getInt();
        call("gather") << ptr(g.getResult()) << ", " << ptr(g.getInput())
                       << ", " << typed(g.getIndices()) << ", "
                       << elementBytes(elementOf(g.getInput())) << ", "
                       << numElements(in.take_front(dim)) << ", " << in[dim]
                       << ", " << numElements(in.drop_front(dim + 1)) << ", "
                       << numElements(shapeOf(g.getIndices())) << ");\n";
        return success();
      })
      .Case([&](ScatterAddOp s) {
        ArrayRef<int64_t> out = shapeOf(s.getResult());
        int64_t dim = s.getDimAttr().getInt();
        call("scatterAdd") << typed(s.getResult(), false) << ", "
                           << typed(s.getUpdates()) << ", "
                           << typed(s.getIndices()) << ", "
                           << numElements(out.take_front(dim)) << ", "
                           << out[dim] << ", "
                           << numElements(out.drop_front(dim + 1)) << ", "
                           << numElements(shapeOf(s.getIndices())) << ");\n";
        return success();
      })
      .Case([&](CrossEntropyOp c) {
        ArrayRef<int64_t> logits = shapeOf(c.getLogits());
        call("crossEntropy")
            << typed(c.getResult(), false) << ", " << typed(c.getLogits())
            << ", " << typed(c.getLabels()) << ", (float *)(arena + "
            << plan.scratchOffsets.lookup(op) << "), "
            << numElements(logits.drop_back()) << ", " << logits.back() << ", "
            << c.getIgnoreIndexAttr().getInt() << ");\n";
        return success();
      })
      .Case([&](TriluOp t) {
        ArrayRef<int64_t> shape = shapeOf(t.getInput());
        call("trilu") << ptr(t.getResult()) << ", " << ptr(t.getInput()) << ", "
                      << elementBytes(elementOf(t.getInput())) << ", "
                      << numElements(shape.drop_back(2)) << ", "
                      << shape[shape.size() - 2] << ", " << shape.back() << ", "
                      << t.getKAttr().getInt() << ", "
                      << (t.getUpper() ? "true" : "false") << ");\n";
        return success();
      })
      .Case<SendOp, RecvOp, AllReduceOp, AllGatherOp, ReduceScatterOp,
            AllSliceOp, GroupIndexOp>([&](Operation *c) { return emitComm(c); })
      .Default([&](Operation *) {
        return op->emitError() << "'" << op->getName()
                               << "' is not supported by the program emitter";
      });
}

/// The runtime moves activations only between consecutive stages over the
/// "pp" axis, as pp-split-stages wires them: stage k sends to stage k+1
/// with tag k, and receives from stage k-1 with tag k-1. The peer is the
/// pipeline rank that runs the other stage.
LogicalResult Writer::checkStageLink(Operation *op, int64_t tag, int64_t peer,
                                     ArrayAttr axes, bool isSend) {
  auto stage = func->getAttrOfType<StageAttr>("pp.stage");
  // A generation stage's decode step (pp-stage-generation) links like the
  // stage it was copied from.
  if (!stage && func.getName().ends_with("_decode"))
    if (auto of = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            func, StringAttr::get(func.getContext(),
                                  func.getName().drop_back(7))))
      stage = of->getAttrOfType<StageAttr>("pp.stage");
  int64_t index = stage ? stage.getIndex() : 0;
  int64_t expectedTag = isSend ? index : index - 1;
  int64_t other = isSend ? index + 1 : index - 1;
  if (!stage || tag != expectedTag || axes.size() != 1 ||
      cast<StringAttr>(axes[0]).getValue() != "pp")
    return op->emitError() << "the program emitter moves activations only "
                              "between consecutive stages over the \"pp\" "
                              "axis (tag "
                           << expectedTag << " in @" << func.getName() << ")";
  int64_t expectedPeer = tables.pipelineRankOf(other);
  if (peer != expectedPeer)
    return op->emitError() << "peer " << peer << " does not run stage "
                           << other << "; pipeline rank " << expectedPeer
                           << " does";
  return success();
}

/// Communication calls the runtime's Comm (pprt/Comm.h); the group is the
/// mask of the op's mesh axes. Collectives along a dim other than the
/// leading one were rewritten by pp-legalize-for-kernels into leading-dim
/// ones.
LogicalResult Writer::emitComm(Operation *op) {
  FailureOr<uint32_t> mask =
      tables.axisMask(op, op->getAttrOfType<ArrayAttr>("axes"));
  if (failed(mask))
    return failure();
  std::string group = std::to_string(*mask) + "u";
  std::string what =
      cString(nodeName(op) + " (" + op->getName().getStringRef().str() + ")");
  auto reduction = [](ReductionKind kind) -> std::string {
    switch (kind) {
    case ReductionKind::sum:
      return "pprt::CollectiveOp::Sum";
    case ReductionKind::max:
      return "pprt::CollectiveOp::Max";
    case ReductionKind::min:
      return "pprt::CollectiveOp::Min";
    case ReductionKind::avg:
      return "pprt::CollectiveOp::Avg";
    }
    return "";
  };
  auto leading = [&](Value v, int64_t dim) -> LogicalResult {
    if (numElements(shapeOf(v).take_front(dim)) == 1)
      return success();
    return op->emitError() << "the emitter needs this collective on the "
                              "leading dim (run pp-legalize-for-kernels)";
  };
  // Reducing collectives name the element type to the runtime.
  auto dtypeOf = [&](Value v) -> FailureOr<std::string> {
    if (std::optional<pprt::DType> dtype = runtimeDType(elementOf(v)))
      return std::string(spelling(*dtype));
    return op->emitError() << "the runtime's collectives take no element type "
                           << elementOf(v);
  };
  ++summary.numCollectives;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](SendOp s) {
        // The runtime sends ctx.stageOutput when the schedule says so.
        if (failed(checkStageLink(op, s.getTag(), s.getPeer(), s.getAxes(),
                                  /*isSend=*/true)))
          return failure();
        --summary.numCollectives;
        int64_t n = numElements(shapeOf(s.getInput()));
        summary.sendBytes = tensorBytes(s.getInput());
        bodyOs << "  {\n    static const int64_t shape[] = {" << n
               << "};\n    static const int64_t strides[] = {1};\n    "
               << kernel("copyStrided")
               << "(ctx, (char *)ctx.stageOutput, strides, (const char *)"
               << ptr(s.getInput()) << ", strides, shape, 1, "
               << elementBytes(elementOf(s.getInput())) << ");\n  }\n";
        ++summary.numKernelCalls;
        return success();
      })
      .Case([&](RecvOp r) {
        // The runtime received it into ctx.stageInput before this call.
        if (failed(checkStageLink(op, r.getTag(), r.getPeer(), r.getAxes(),
                                  /*isSend=*/false)))
          return failure();
        --summary.numCollectives;
        summary.recvBytes = tensorBytes(r.getResult());
        return success();
      })
      .Case([&](AllReduceOp a) {
        Value in = a.getInput(), out = a.getResult();
        FailureOr<std::string> dtype = dtypeOf(out);
        if (failed(dtype))
          return failure();
        int64_t n = numElements(shapeOf(out));
        if (plan.storageOf(in) != plan.storageOf(out))
          emitCopy(out, "0", {1}, in, "0", {1}, {n});
        bodyOs << "  pprt::allReduce(ctx, " << ptr(out) << ", " << n << ", "
               << *dtype << ", " << reduction(a.getKind())
               << ", " << group << ", " << what << ");\n";
        return success();
      })
      .Case([&](AllGatherOp g) {
        if (failed(leading(g.getResult(), g.getDim())))
          return failure();
        bodyOs << "  pprt::allGather(ctx, " << ptr(g.getResult()) << ", "
               << ptr(g.getInput()) << ", " << tensorBytes(g.getInput()) << ", "
               << group << ", " << what << ");\n";
        return success();
      })
      .Case([&](ReduceScatterOp r) {
        FailureOr<std::string> dtype = dtypeOf(r.getResult());
        if (failed(leading(r.getInput(), r.getDim())) || failed(dtype))
          return failure();
        bodyOs << "  pprt::reduceScatter(ctx, " << ptr(r.getResult()) << ", "
               << ptr(r.getInput()) << ", "
               << numElements(shapeOf(r.getResult())) << ", "
               << *dtype << ", "
               << reduction(r.getKind()) << ", " << group << ", " << what
               << ");\n";
        return success();
      })
      .Case([&](AllSliceOp s) {
        // No communication: a copy from this rank's slice.
        --summary.numCollectives;
        ArrayRef<int64_t> out = shapeOf(s.getResult());
        SmallVector<int64_t> in = rowMajorStrides(shapeOf(s.getInput()));
        int64_t dim = s.getDim();
        std::string offset = "pprt::indexInGroup(ctx, " + group + ") * " +
                             std::to_string(out[dim] * in[dim]);
        emitCopy(s.getResult(), "0", rowMajorStrides(out), s.getInput(), offset,
                 in, out);
        return success();
      })
      .Case([&](GroupIndexOp g) {
        --summary.numCollectives;
        std::string index = "pprt::indexInGroup(ctx, " + group + ")";
        if (!cuda) {
          bodyOs << "  *(int64_t *)" << ptr(g.getResult()) << " = " << index
                 << ";\n";
          return success();
        }
        std::string name = tables.freshName("setIndex");
        helpersOs << "__global__ void " << name
                  << "(int64_t *out, int64_t value) { *out = value; }\n\n";
        bodyOs << "  " << name << "<<<1, 1, 0, (cudaStream_t)ctx.stream>>>("
               << "(int64_t *)" << ptr(g.getResult()) << ", " << index
               << ");\n  PPRT_CUDA_CHECK(cudaGetLastError());\n";
        return success();
      })
      .Default([&](Operation *) {
        return op->emitError() << "no emitter for " << op->getName();
      });
}

/// The op computing a plain output (not a stage boundary, a stash slot or
/// an accumulator) may as well write it into the output buffer, unless the
/// value is a view of another (an alias op's), a weight, a constant or an
/// argument, or is returned twice.
void Writer::findDirectOutputs() {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [j, value] : llvm::enumerate(ret.getOperands())) {
    Operation *def = value.getDefiningOp();
    if (!def || isAliasOp(def) || fused.contains(value) ||
        !needsStorage(value) || isa<ConstantOp>(def) ||
        !boundaryPointer(func.getResultAttrDict(j)).empty() ||
        llvm::count(ret.getOperands(), value) != 1)
      continue;
    int64_t index = j;
    if (auto attr = func.getResultAttrOfType<IntegerAttr>(j, "pp.output_index"))
      index = attr.getInt();
    directOutputs[value] = "outputs[" + std::to_string(index) + "]";
  }
}

void Writer::emitOutputs(func::ReturnOp ret) {
  for (auto [j, value] : llvm::enumerate(ret.getOperands())) {
    int64_t index = j;
    if (auto attr = func.getResultAttrOfType<IntegerAttr>(j, "pp.output_index"))
      index = attr.getInt();
    int64_t n = numElements(shapeOf(value));
    if (n == 0 || directOutputs.count(value))
      continue;
    std::string dst = boundaryPointer(func.getResultAttrDict(j));
    if (dst.empty())
      dst = "outputs[" + std::to_string(index) + "]";
    unsigned bytes = elementBytes(elementOf(value));
    bodyOs << "  // output " << j << "\n  {\n"
           << "    static const int64_t shape[] = {" << n << "};\n"
           << "    static const int64_t strides[] = {1};\n    "
           << kernel("copyStrided") << "(ctx, " << dst << ", strides, "
           << ptr(value) << ", strides, shape, 1, " << bytes
           << ");\n  }\n";
  }
}

LogicalResult Writer::write(raw_ostream &os) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("@") << func.getName() << " must have one block";
  for (Operation &op : func.getBody().front().without_terminator())
    ops.push_back(&op);
  fused = findFusedValues(ops);
  findAttentionSites();
  findMatmulEpilogues();
  findDirectOutputs();
  plan = planBuffers(
      ops, [&](Value v) { return needsStorage(v); },
      isAliasOp,
      [](Operation *op) -> uint64_t {
        // crossEntropy's per-row losses.
        if (auto c = dyn_cast<CrossEntropyOp>(op))
          return sizeof(float) * numElements(shapeOf(c.getLabels()));
        return 0;
      },
      fused);
  summary.arenaBytes = plan.arenaBytes;

  for (Operation *op : ops) {
    auto w = dyn_cast<WeightOp>(op);
    if (!w)
      continue;
    FailureOr<int> index = tables.weightIndex(w);
    if (failed(index))
      return failure();
    weightIndex[w.getResult()] = *index;
    if (!llvm::is_contained(summary.weights, *index)) {
      summary.weights.push_back(*index);
      summary.weightBytes += tables.weights()[*index].localBytes;
    }
  }
  StringRef accumulator = PPDialect::AccumulatorAttrHelper::getNameStr();
  for (BlockArgument arg : func.getArguments()) {
    DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber());
    if (auto output = attrs ? attrs.getAs<IntegerAttr>(accumulator)
                            : IntegerAttr())
      summary.outputs.push_back(output.getInt());
    else if (boundaryPointer(attrs).empty())
      summary.inputs.push_back(inputIndexOf(arg));
    else if (attrs.get(PPDialect::StageInputAttrHelper::getNameStr()))
      summary.recvBytes = tensorBytes(arg);
  }
  for (unsigned j = 0; j < func.getNumResults(); ++j) {
    DictionaryAttr attrs = func.getResultAttrDict(j);
    if (attrs && attrs.get(PPDialect::StageOutputAttrHelper::getNameStr()))
      summary.sendBytes = tensorBytes(
          cast<func::ReturnOp>(func.getBody().front().getTerminator())
              .getOperand(j));
    if (!boundaryPointer(attrs).empty())
      continue;
    auto attr = func.getResultAttrOfType<IntegerAttr>(j, "pp.output_index");
    summary.outputs.push_back(attr ? attr.getInt() : j);
  }
  // An accumulator is read and written: list it once.
  llvm::sort(summary.outputs);
  summary.outputs.erase(llvm::unique(summary.outputs), summary.outputs.end());
  if (failed(checkInterfaceTypes()))
    return failure();

  for (Operation *op : ops)
    if (failed(emitOp(op)))
      return failure();
  emitOutputs(cast<func::ReturnOp>(func.getBody().front().getTerminator()));

  os << "// @" << func.getName() << ": arena of " << plan.arenaBytes
     << " bytes planned at compile time.\n"
     << "void " << summary.runName
     << "(pprt::Context &ctx, void *const *inputs, void *const *outputs,\n"
     << "    void *const *weights, char *arena) {\n"
     << "  (void)inputs; (void)outputs; (void)weights; (void)arena;\n"
     << body << "}\n\n";
  return success();
}

} // namespace

void StageSummary::mergePart(const StageSummary &part) {
  arenaBytes = std::max(arenaBytes, part.arenaBytes);
  auto unite = [](std::vector<int> &into, const std::vector<int> &from) {
    for (int i : from)
      if (!llvm::is_contained(into, i))
        into.push_back(i);
  };
  unite(inputs, part.inputs);
  unite(outputs, part.outputs);
  unite(weights, part.weights);
  constantBytes += part.constantBytes;
  numKernelCalls += part.numKernelCalls;
  numCollectives += part.numCollectives;
  numFusedLoops += part.numFusedLoops;
  numFusedOps += part.numFusedOps;
}

LogicalResult mlir::pp::writeStage(func::FuncOp func, ProgramTables &tables,
                                   raw_ostream &os, StageSummary &summary) {
  return Writer(func, tables, summary).write(os);
}

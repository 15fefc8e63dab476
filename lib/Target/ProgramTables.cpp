//===- ProgramTables.cpp - what every stage of a program shares ----------===//

#include "ProgramTables.h"

#include "CTypes.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

ProgramTables::ProgramTables(ModuleOp module, bool cuda) : cuda(cuda) {
  for (auto mesh : module.getOps<MeshOp>()) {
    if (mesh.getSymName() != "world")
      continue;
    for (auto [name, size] : llvm::zip(
             mesh.getAxes().getAsValueRange<StringAttr>(), mesh.getShape())) {
      axisNames.push_back(name.str());
      axisSizes.push_back(size);
    }
  }
}

std::string ProgramTables::freshName(StringRef prefix) {
  return prefix.str() + std::to_string(nextName++);
}

int ProgramTables::axisIndex(StringRef name) const {
  for (auto [i, n] : llvm::enumerate(axisNames))
    if (n == name)
      return int(i);
  return -1;
}

int64_t ProgramTables::pipelineRankOf(int64_t stage) const {
  return stageMap.rankOf(stage);
}

FailureOr<uint32_t> ProgramTables::axisMask(Operation *op,
                                            ArrayAttr axes) const {
  uint32_t mask = 0;
  for (StringRef name : axes.getAsValueRange<StringAttr>()) {
    int index = axisIndex(name);
    if (index < 0)
      return op->emitError()
             << "mesh axis '" << name << "' is not an axis of pp.mesh @world";
    mask |= 1u << index;
  }
  return mask;
}

std::string ProgramTables::shardAxesArray(ArrayRef<int> axes) {
  if (llvm::all_of(axes, [](int a) { return a < 0; }))
    return "nullptr";
  std::string name = freshName("kShardAxes");
  helpersOs << "const int " << name << "[] = {";
  for (auto [i, a] : llvm::enumerate(axes))
    helpersOs << (i ? ", " : "") << a;
  helpersOs << "};\n";
  return name;
}

std::string ProgramTables::tiedCopiesArray(ArrayAttr copies) {
  std::string name = freshName("kTiedCopies");
  helpersOs << "const pprt::TiedCopy " << name << "[] = {\n";
  for (auto copy : copies.getAsRange<TiedCopyAttr>()) {
    DesignatedInit<pprt::TiedCopy> row;
    row.setString(PPRT_FIELD(TiedCopy, name), copy.getName().getValue())
        .setString(PPRT_FIELD(TiedCopy, file), copy.getFile().getValue())
        .set(PPRT_FIELD(TiedCopy, offset), uint64_t(copy.getOffset()))
        .set(PPRT_FIELD(TiedCopy, transposed), copy.getTransposed());
    helpersOs << "    " << row.str() << ",\n";
  }
  helpersOs << "};\n";
  return name;
}

std::string ProgramTables::int64Array(ArrayRef<int64_t> values) {
  std::string name = freshName("kDims");
  helpersOs << "const int64_t " << name << "[] = {"
            << commaList<int64_t>(values) << "};\n";
  return name;
}

FailureOr<ProgramTables::WeightShape>
ProgramTables::globalWeightShape(WeightOp op) const {
  ArrayRef<int64_t> local = cast<RankedTensorType>(op.getType()).getShape();
  // The tensor before sharding, as the pp.weight op defines it.
  SymbolTableCollection symbols;
  FailureOr<SmallVector<int64_t>> whole = op.getGlobalShape(symbols);
  if (failed(whole))
    return failure();
  WeightShape shape{*whole, SmallVector<int>(local.size(), -1)};
  ShardingAttr sharding = op.getShardingAttr();
  if (!sharding)
    return shape;
  for (size_t d = 0; d < local.size(); ++d) {
    SmallVector<StringRef> axes = sharding.getAxesOfDim(d);
    if (axes.empty())
      continue;
    if (axes.size() > 1)
      return op.emitError()
             << "dim " << d
             << " is split over several mesh axes; the runtime loads "
                "weights split over one axis per dim";
    int a = axisIndex(axes.front());
    if (a < 0)
      return op.emitError() << "mesh axis '" << axes.front()
                            << "' is not an axis of pp.mesh @world";
    shape.shardAxes[d] = a;
  }
  return shape;
}

FailureOr<int> ProgramTables::weightIndex(WeightOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  FailureOr<WeightShape> shape = globalWeightShape(op);
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> global = shape->global;
  SmallVector<int64_t> fileShape(global);
  auto fileShapeAttr = op->getAttrOfType<DenseI64ArrayAttr>("file_shape");
  auto startsAttr = op->getAttrOfType<DenseI64ArrayAttr>("region_starts");
  if (fileShapeAttr)
    fileShape.assign(fileShapeAttr.asArrayRef().begin(),
                     fileShapeAttr.asArrayRef().end());
  if (fileShape.size() > size_t(pprt::kMaxRank))
    return op.emitError() << "rank " << fileShape.size()
                          << " is above the runtime's limit of "
                          << pprt::kMaxRank;

  Type element = type.getElementType();
  Type fileElement = op.getFileElementType().value_or(element);
  std::optional<pprt::DType> dtype = runtimeDType(element);
  std::optional<pprt::DType> fileDtype = runtimeDType(fileElement);
  if (!dtype || !fileDtype)
    return op.emitError() << "weight '" << op.getName() << "' has element type "
                          << (dtype ? fileElement : element)
                          << ", which the runtime cannot read";
  uint64_t fileBytes = numElements(fileShape) * elementBytes(fileElement);
  std::string key;
  llvm::raw_string_ostream keyOs(key);
  keyOs << op.getName() << '\0' << op.getFile() << '\0' << op.getOffset()
        << '\0' << type;
  if (auto sharding = op->getAttrOfType<ShardingAttr>("sharding"))
    keyOs << sharding;
  if (startsAttr)
    keyOs << startsAttr;
  if (auto it = indexByKey.find(key); it != indexByKey.end())
    return it->second;

  int index = planned.size();
  indexByKey[key] = index;
  // The plan counts what is read: a region's bytes, not its whole tensor.
  planned.push_back(
      {op.getName().str(), op.getFile().str(), uint64_t(op.getOffset()),
       uint64_t(numElements(global)) * elementBytes(fileElement),
       uint64_t(numElements(type.getShape())) * elementBytes(element),
       std::vector<int>(shape->shardAxes.begin(), shape->shardAxes.end()),
       std::vector<int64_t>(global.begin(), global.end())});
  std::string regionStarts = "nullptr", regionSizes = "nullptr";
  if (startsAttr) {
    regionStarts = int64Array(startsAttr.asArrayRef());
    regionSizes = int64Array(global);
  }
  DesignatedInit<pprt::WeightSpec> row;
  row.setString(PPRT_FIELD(WeightSpec, name), op.getName())
      .setString(PPRT_FIELD(WeightSpec, file), op.getFile())
      .set(PPRT_FIELD(WeightSpec, offset), op.getOffset())
      .set(PPRT_FIELD(WeightSpec, length), fileBytes)
      .set(PPRT_FIELD(WeightSpec, fileDtype), *fileDtype)
      .set(PPRT_FIELD(WeightSpec, dtype), *dtype)
      .set(PPRT_FIELD(WeightSpec, rank), int(fileShape.size()))
      .setArray(PPRT_FIELD(WeightSpec, shape), ArrayRef<int64_t>(fileShape))
      .setSymbol(PPRT_FIELD(WeightSpec, shardAxes),
                 shardAxesArray(shape->shardAxes))
      .setSymbol(PPRT_FIELD(WeightSpec, regionStarts), regionStarts)
      .setSymbol(PPRT_FIELD(WeightSpec, regionSizes), regionSizes);
  ArrayAttr copies =
      op->getContext()->getLoadedDialect<PPDialect>()->getTiedCopiesAttrHelper().getAttr(op);
  row.set(PPRT_FIELD(WeightSpec, numTiedCopies), copies ? int(copies.size()) : 0)
      .setSymbol(PPRT_FIELD(WeightSpec, tiedCopies),
                 copies ? tiedCopiesArray(copies) : "nullptr");
  // A region is named "<tensor>[<part>]" (SplitFusedProjections.cpp).
  if (startsAttr)
    row.setString(PPRT_FIELD(WeightSpec, tensorName),
                  op.getName().rsplit('[').first);
  else
    row.setSymbol(PPRT_FIELD(WeightSpec, tensorName), "nullptr");
  table += "    " + row.str() + ",\n";
  return index;
}

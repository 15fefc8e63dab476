//===- OnnxImporter.cpp - ONNX model -> pp graph IR ----------------------===//
//
// Reads the model (zero-copy), checks the graph's structure (dangling
// inputs, cycles, duplicate producers), gives graph inputs static types,
// turns initializers into pp.weight references or small pp.constant values,
// and imports the nodes in dependency order through the per-family op
// importers. Shape math folds away as it is built (createOrFold).
//
//===----------------------------------------------------------------------===//

#include "pp/Import/OnnxImporter.h"

#include "ImportContext.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Support/TiedTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"

#include <deque>

using namespace mlir;
using namespace mlir::pp;

namespace {

const OpImporterTable &opImporters() {
  static const OpImporterTable table = [] {
    OpImporterTable t;
    registerElementwiseImporters(t);
    registerLinalgImporters(t);
    registerShapeImporters(t);
    registerReductionImporters(t);
    registerEinsumImporter(t);
    registerMathImporters(t);
    registerIndexImporters(t);
    registerTransformerImporters(t);
    return t;
  }();
  return table;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, const onnx::Model &model,
                const ImportOptions &options)
      : context(context), model(model), graph(model.graph), options(options),
        fileLoc(FileLineColLoc::get(context, model.path, 0, 0)),
        builder(context) {}

  OwningOpRef<ModuleOp> run();

private:
  Location nodeLoc(size_t index) const;
  InFlightDiagnostic nodeError(size_t index) {
    return emitError(nodeLoc(index));
  }
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfo &info);
  LogicalResult checkConstInputNames();
  LogicalResult importConstInputs();
  LogicalResult importInitializers(const llvm::StringSet<> &used);
  FailureOr<std::vector<size_t>> dependencyOrder();
  LogicalResult importNode(size_t index, int64_t opset);
  void eraseUnusedOps(func::FuncOp func);

  MLIRContext *context;
  const onnx::Model &model;
  const onnx::Graph &graph;
  const ImportOptions &options;
  Location fileLoc;
  OpBuilder builder;
  llvm::StringMap<Value> values;
};

Location GraphImporter::nodeLoc(size_t index) const {
  const onnx::Node &node = graph.nodes[index];
  std::string name = node.name.empty()
                         ? node.opType + "#" + std::to_string(index)
                         : node.name;
  return NameLoc::get(StringAttr::get(context, name), fileLoc);
}

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfo &info) {
  Type element = convertDataType(context, info.dtype);
  if (!element)
    return emitError(fileLoc) << "graph input '" << info.name << "' has type "
                              << onnx::dataTypeName(info.dtype)
                              << ", which pp does not support";
  auto bound = options.inputShapes.find(info.name);
  if (bound != options.inputShapes.end()) {
    const std::vector<int64_t> &shape = bound->second;
    if (info.hasShape && info.dims.size() != shape.size())
      return emitError(fileLoc)
             << "--input-shape gives '" << info.name << "' rank "
             << shape.size() << " but the model declares rank "
             << info.dims.size();
    for (size_t d = 0; d < shape.size() && info.hasShape; ++d)
      if (info.dims[d].value >= 0 && info.dims[d].value != shape[d])
        return emitError(fileLoc)
               << "--input-shape gives '" << info.name << "' dim " << d
               << " = " << shape[d] << " but the model fixes it to "
               << info.dims[d].value;
    return RankedTensorType::get(shape, element);
  }
  if (!info.hasShape)
    return emitError(fileLoc) << "graph input '" << info.name
                              << "' has no shape; give one with "
                                 "--input-shape="
                              << info.name << ":AxB...";
  SmallVector<int64_t> shape;
  for (auto [d, dim] : llvm::enumerate(info.dims)) {
    if (auto named = options.symbolicDims.find(dim.param);
        dim.value < 0 && named != options.symbolicDims.end()) {
      shape.push_back(named->second);
      continue;
    }
    if (dim.value < 0)
      return emitError(fileLoc)
             << "graph input '" << info.name << "' dim " << d << " ("
             << (dim.param.empty() ? "unknown" : "'" + dim.param + "'")
             << ") is symbolic; bind it with --input-shape=" << info.name
             << ":AxB...";
    shape.push_back(dim.value);
  }
  return RankedTensorType::get(shape, element);
}

LogicalResult GraphImporter::checkConstInputNames() {
  for (const auto &[name, path] : options.constInputs) {
    if (llvm::any_of(graph.inputs, [&, &name = name](const auto &info) {
          return info.name == name;
        }))
      continue;
    InFlightDiagnostic diag = emitError(fileLoc)
                              << "--const-input names '" << name
                              << "', which is not a graph input; the inputs "
                                 "are:";
    for (const onnx::ValueInfo &info : graph.inputs)
      diag << " '" << info.name << "'";
    return failure();
  }
  return success();
}

LogicalResult GraphImporter::importConstInputs() {
  for (const onnx::ValueInfo &info : graph.inputs) {
    auto path = options.constInputs.find(info.name);
    if (path == options.constInputs.end())
      continue;
    auto bound = options.inputShapes.find(info.name);
    FailureOr<DenseElementsAttr> value = loadConstInput(
        context, info, path->second,
        bound == options.inputShapes.end() ? nullptr : &bound->second,
        fileLoc);
    if (failed(value))
      return failure();
    Location loc = NameLoc::get(StringAttr::get(context, info.name), fileLoc);
    values[info.name] = ConstantOp::create(builder, loc, *value);
  }
  return success();
}

LogicalResult GraphImporter::importInitializers(const llvm::StringSet<> &used) {
  std::string dirPrefix = model.dir + "/";
  // Each used initializer becomes a constant (null here) or a weight.
  std::vector<std::pair<const onnx::TensorRef *, bool>> imported;
  std::vector<const onnx::TensorRef *> weights;
  for (const onnx::TensorRef &tensor : graph.initializers) {
    // A --const-input overrides an input's default value.
    if (!used.contains(tensor.name) || options.constInputs.count(tensor.name))
      continue;
    Type element = convertDataType(context, tensor.dtype);
    if (!element)
      return emitError(fileLoc) << "initializer '" << tensor.name
                                << "' has type "
                                << onnx::dataTypeName(tensor.dtype)
                                << ", which pp does not support";
    bool trainable = options.floatInitializersAsWeights &&
                     isa<FloatType>(element) && tensor.numElements() > 1;
    bool isWeight = tensor.decoded.empty() && !tensor.path.empty() &&
                    (tensor.length > options.inlineLimitBytes || trainable);
    if (isWeight && !StringRef(tensor.path).starts_with(dirPrefix))
      return emitError(NameLoc::get(StringAttr::get(context, tensor.name),
                                    fileLoc))
             << "initializer '" << tensor.name
             << "' lives outside the model folder";
    imported.push_back({&tensor, isWeight});
    if (isWeight)
      weights.push_back(&tensor);
  }

  std::vector<::pp::TiedTensor> ties;
  std::string error;
  if (options.tieCopies && !::pp::findTiedTensors(weights, ties, error))
    return emitError(fileLoc) << error;
  llvm::StringSet<> copies;
  for (const ::pp::TiedTensor &tie : ties)
    copies.insert(weights[tie.copy]->name);
  auto fileOf = [&](const onnx::TensorRef &tensor) {
    return StringRef(tensor.path).drop_front(dirPrefix.size());
  };
  for (auto [tensor, isWeight] : imported) {
    if (copies.contains(tensor->name))
      continue;
    Location loc =
        NameLoc::get(StringAttr::get(context, tensor->name), fileLoc);
    if (!isWeight) {
      FailureOr<DenseElementsAttr> value = loadConstant(context, *tensor, loc);
      if (failed(value))
        return failure();
      values[tensor->name] = ConstantOp::create(builder, loc, *value);
      continue;
    }
    auto type = RankedTensorType::get(
        tensor->dims, convertDataType(context, tensor->dtype));
    values[tensor->name] = WeightOp::create(
        builder, loc, type, tensor->name, fileOf(*tensor),
        int64_t(tensor->offset), /*file_element_type=*/TypeAttr(),
        /*file_shape=*/DenseI64ArrayAttr(),
        /*region_starts=*/DenseI64ArrayAttr(), /*sharding=*/ShardingAttr());
  }
  // A copy is a view of the weight it copies, which records where the copy's
  // bytes are, so that a checkpoint writes them too.
  auto *dialect = context->getLoadedDialect<PPDialect>();
  for (const ::pp::TiedTensor &tie : ties) {
    const onnx::TensorRef &copy = *weights[tie.copy];
    Value weight = values[weights[tie.of]->name];
    Location loc = NameLoc::get(StringAttr::get(context, copy.name), fileLoc);
    Value view = weight;
    if (tie.transposed)
      view = TransposeOp::create(
          builder, loc,
          RankedTensorType::get(
              copy.dims,
              cast<RankedTensorType>(weight.getType()).getElementType()),
          weight, builder.getDenseI64ArrayAttr({1, 0}));
    values[copy.name] = view;
    Operation *op = weight.getDefiningOp();
    SmallVector<Attribute> recorded;
    if (ArrayAttr before = dialect->getTiedCopiesAttrHelper().getAttr(op))
      recorded.assign(before.begin(), before.end());
    recorded.push_back(TiedCopyAttr::get(context, copy.name, fileOf(copy),
                                         int64_t(copy.offset),
                                         tie.transposed));
    dialect->getTiedCopiesAttrHelper().setAttr(op,
                                               builder.getArrayAttr(recorded));
  }
  return success();
}

FailureOr<std::vector<size_t>> GraphImporter::dependencyOrder() {
  llvm::StringMap<size_t> producer;
  for (auto [index, node] : llvm::enumerate(graph.nodes))
    for (const std::string &output : node.outputs) {
      if (output.empty())
        continue;
      if (values.count(output) ||
          !producer.try_emplace(output, index).second) {
        nodeError(index) << "output '" << output
                         << "' is already produced elsewhere in the graph";
        return failure();
      }
    }
  size_t n = graph.nodes.size();
  std::vector<std::vector<size_t>> users(n);
  std::vector<size_t> pending(n, 0);
  for (auto [index, node] : llvm::enumerate(graph.nodes))
    for (const std::string &input : node.inputs) {
      if (input.empty() || values.count(input))
        continue;
      auto it = producer.find(input);
      if (it == producer.end()) {
        nodeError(index) << "input '" << input
                         << "' is produced by no node, initializer or "
                            "graph input";
        return failure();
      }
      users[it->second].push_back(index);
      ++pending[index];
    }
  std::vector<size_t> order;
  std::deque<size_t> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    size_t index = ready.front();
    ready.pop_front();
    order.push_back(index);
    for (size_t user : users[index])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (order.size() != n) {
    InFlightDiagnostic diag = emitError(fileLoc)
                              << "the graph has a cycle through nodes ";
    int listed = 0;
    for (size_t i = 0; i < n && listed < 8; ++i)
      if (pending[i] > 0)
        diag << (listed++ ? ", " : "") << "'"
             << cast<NameLoc>(nodeLoc(i)).getName().getValue() << "'";
    return failure();
  }
  return order;
}

LogicalResult GraphImporter::importNode(size_t index, int64_t opset) {
  const onnx::Node &node = graph.nodes[index];
  bool defaultDomain = node.domain.empty() || node.domain == "ai.onnx";
  const OpImporterTable &table = opImporters();
  auto it = defaultDomain ? table.find(node.opType) : table.end();
  if (it == table.end()) {
    InFlightDiagnostic diag =
        nodeError(index) << "unsupported op '" << node.opType
                         << "' (domain '" << node.domain << "', opset "
                         << model.opsetFor(node.domain)
                         << "); supported ops:";
    for (const std::string &name : supportedOnnxOps())
      diag << " " << name;
    return failure();
  }
  builder.setInsertionPointToEnd(builder.getBlock());
  NodeImporter importer(node, opset, builder, nodeLoc(index), values);
  if (failed(it->second(importer)))
    return failure();
  for (auto [i, output] : llvm::enumerate(node.outputs)) {
    if (output.empty())
      continue;
    if (!values.count(output))
      return nodeError(index) << "output " << i << " ('" << output
                              << "') of " << node.opType
                              << " is not supported";
    auto type = cast<RankedTensorType>(values.lookup(output).getType());
    if (numElements(type.getShape()) > kMaxTensorElements)
      return nodeError(index) << "output '" << output << "' would have shape "
                              << shapeToString(type.getShape())
                              << ", more than 2^56 elements";
  }
  return success();
}

void GraphImporter::eraseUnusedOps(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty() && isPure(op) && op->getNumResults() > 0)
      op->erase();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  int64_t opset = model.opsetFor("");
  if (opset < 0) {
    emitError(fileLoc) << "the model imports no opset of the default ONNX "
                          "domain";
    return {};
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  module->getOperation()->setAttr(PPDialect::ModelAttrHelper::getNameStr(),
                                  builder.getStringAttr(model.path));
  module->getOperation()->setAttr(PPDialect::WeightsDirAttrHelper::getNameStr(),
                                  builder.getStringAttr(model.dir));

  if (failed(checkConstInputNames()))
    return {};
  // Graph inputs that are initializers only carry default values, and
  // inputs bound by --const-input are constants (imported below).
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorRef &t : graph.initializers)
    initializerNames.insert(t.name);
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfo *> args;
  for (const onnx::ValueInfo &info : graph.inputs) {
    if (initializerNames.contains(info.name) ||
        options.constInputs.count(info.name))
      continue;
    FailureOr<RankedTensorType> type = inputType(info);
    if (failed(type))
      return {};
    argTypes.push_back(*type);
    args.push_back(&info);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, 
      fileLoc, "main", builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [i, info] : llvm::enumerate(args)) {
    values[info->name] = body->getArgument(i);
    func.setArgAttr(i, PPDialect::NameAttrHelper::getNameStr(),
                    builder.getStringAttr(info->name));
    if (llvm::any_of(info->dims, [](const auto &d) { return !d.param.empty(); }))
      func.setArgAttr(i, PPDialect::DimNamesAttrHelper::getNameStr(),
                      builder.getStrArrayAttr(llvm::to_vector(llvm::map_range(
                          info->dims, [](const auto &d) -> StringRef {
                            return d.param;
                          }))));
  }

  if (failed(importConstInputs()))
    return {};
  llvm::StringSet<> used;
  for (const onnx::Node &node : graph.nodes)
    for (const std::string &input : node.inputs)
      used.insert(input);
  for (const onnx::ValueInfo &output : graph.outputs)
    used.insert(output.name);
  if (failed(importInitializers(used)))
    return {};

  FailureOr<std::vector<size_t>> order = dependencyOrder();
  if (failed(order))
    return {};
  for (size_t index : *order)
    if (failed(importNode(index, opset)))
      return {};

  SmallVector<Value> results;
  for (const onnx::ValueInfo &output : graph.outputs) {
    Value value = values.lookup(output.name);
    if (!value) {
      emitError(fileLoc) << "graph output '" << output.name
                         << "' is produced by no node";
      return {};
    }
    Type element = cast<ShapedType>(value.getType()).getElementType();
    Type declared = convertDataType(context, output.dtype);
    if (output.dtype != onnx::DataType::Undefined && declared != element) {
      emitError(fileLoc) << "graph output '" << output.name
                         << "' is declared " << onnx::dataTypeName(output.dtype)
                         << " but the graph computes " << element;
      return {};
    }
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(
      argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.outputs))
    func.setResultAttr(i, PPDialect::NameAttrHelper::getNameStr(),
                       builder.getStringAttr(output.name));
  eraseUnusedOps(func);

  if (failed(verify(*module)))
    return {};
  return module;
}

} // namespace

OwningOpRef<ModuleOp> mlir::pp::importOnnxModel(MLIRContext *context,
                                                const std::string &path,
                                                const ImportOptions &options) {
  context->loadDialect<PPDialect, func::FuncDialect>();
  onnx::Model model;
  std::string error;
  if (!onnx::readModel(path, model, error)) {
    // The reader's message already names the file.
    emitError(UnknownLoc::get(context)) << error;
    return {};
  }
  return GraphImporter(context, model, options).run();
}

std::vector<std::string> mlir::pp::supportedOnnxOps() {
  std::vector<std::string> names;
  for (const auto &entry : opImporters())
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names;
}

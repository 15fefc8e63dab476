//===- HardwareTest.cpp - hardware descriptions from JSON ----------------===//

#include "pp/Analysis/Hardware.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir::pp;

namespace {

/// The message of a failed load, "" when it succeeded.
std::string errorOf(llvm::Expected<HardwareSpec> spec) {
  if (spec)
    return "";
  return llvm::toString(spec.takeError());
}

/// A valid description to break in tests.
const char *kValid = R"({
  "name": "test-gpu",
  "gpu": {
    "peak_TFLOPS": { "f32": 10, "bf16": 100, "f16": 100 },
    "hbm_bandwidth_GBps": 1000,
    "hbm_capacity_GiB": 16
  },
  "node": {
    "gpus_per_node": 4,
    "link": { "kind": "nvlink", "bandwidth_GBps": 100, "latency_us": 1 }
  },
  "network": {
    "kind": "ib", "adapters_per_node": 2, "adapter_Gbps": 400, "latency_us": 5
  }
})";

std::string replaced(std::string text, const std::string &from,
                     const std::string &to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(Hardware, PresetNames) {
  EXPECT_EQ(hardwarePresetNames(),
            (std::vector<std::string>{"a100-80gb", "a100-80gb-pcie",
                                      "h100-pcie", "h100-sxm", "h200"}));
}

TEST(Hardware, EveryPresetLoads) {
  for (const std::string &name : hardwarePresetNames()) {
    llvm::Expected<HardwareSpec> spec = loadHardware(name);
    ASSERT_TRUE(bool(spec)) << name << ": " << llvm::toString(spec.takeError());
    EXPECT_EQ(spec->name, name);
    EXPECT_EQ(spec->gpusPerNode, 8);
    EXPECT_GT(spec->peak(Precision::bf16), spec->peak(Precision::f32));
    EXPECT_GT(spec->intraNode.bandwidth, spec->interNode.bandwidth);
    EXPECT_LT(spec->intraNode.latency, spec->interNode.latency);
  }
}

TEST(Hardware, H100SxmFigures) {
  llvm::Expected<HardwareSpec> spec = loadHardware("h100-sxm");
  ASSERT_TRUE(bool(spec)) << llvm::toString(spec.takeError());
  EXPECT_EQ(spec->source, "hardware/h100-sxm-nvlink.json");
  EXPECT_DOUBLE_EQ(spec->peak(Precision::bf16), 989.5e12);
  EXPECT_DOUBLE_EQ(spec->peak(Precision::f16), 989.5e12);
  EXPECT_DOUBLE_EQ(spec->peak(Precision::tf32), 494.5e12);
  EXPECT_DOUBLE_EQ(spec->peak(Precision::fp8), 1979e12);
  EXPECT_DOUBLE_EQ(spec->peak(Precision::f32), 67e12);
  EXPECT_DOUBLE_EQ(spec->hbmBandwidth, 3350e9);
  EXPECT_DOUBLE_EQ(spec->hbmCapacity, 80.0 * (1 << 30));
  EXPECT_EQ(spec->intraNode.kind, "nvlink4");
  EXPECT_DOUBLE_EQ(spec->intraNode.bandwidth, 450e9);
  EXPECT_DOUBLE_EQ(spec->intraNode.latency, 0.5e-6);
  // 8 adapters x 400 Gb/s shared by 8 GPUs: 50 GB/s each.
  EXPECT_EQ(spec->interNode.kind, "infiniband-ndr");
  EXPECT_DOUBLE_EQ(spec->interNode.bandwidth, 50e9);
  EXPECT_DOUBLE_EQ(spec->interNode.latency, 2.7e-6);
}

TEST(Hardware, PcieAndA100Presets) {
  llvm::Expected<HardwareSpec> a100 = loadHardware("a100-80gb-pcie");
  ASSERT_TRUE(bool(a100));
  EXPECT_EQ(a100->intraNode.kind, "pcie-gen4");
  EXPECT_DOUBLE_EQ(a100->intraNode.bandwidth, 32e9);
  EXPECT_DOUBLE_EQ(a100->hbmBandwidth, 1935e9);
  // No fp8 before Hopper; 4 HDR adapters for 8 GPUs.
  EXPECT_EQ(a100->peak(Precision::fp8), 0);
  EXPECT_DOUBLE_EQ(a100->interNode.bandwidth, 4 * 200e9 / 8 / 8);

  llvm::Expected<HardwareSpec> h200 = loadHardware("h200");
  ASSERT_TRUE(bool(h200));
  EXPECT_DOUBLE_EQ(h200->hbmBandwidth, 4800e9);
  EXPECT_DOUBLE_EQ(h200->hbmCapacity, 141.0 * (1 << 30));
}

TEST(Hardware, FileStemSelectsPresetToo) {
  llvm::Expected<HardwareSpec> spec = loadHardware("h100-sxm-nvlink");
  ASSERT_TRUE(bool(spec));
  EXPECT_EQ(spec->name, "h100-sxm");
}

TEST(Hardware, UnknownPreset) {
  EXPECT_EQ(errorOf(loadHardware("tpu-v5")),
            "unknown hardware 'tpu-v5' (presets: a100-80gb, a100-80gb-pcie, "
            "h100-pcie, h100-sxm, h200; or give a path to a .json file)");
}

TEST(Hardware, ParsesValidText) {
  llvm::Expected<HardwareSpec> spec = parseHardware(kValid, "t.json");
  ASSERT_TRUE(bool(spec)) << llvm::toString(spec.takeError());
  EXPECT_EQ(spec->name, "test-gpu");
  EXPECT_EQ(spec->peak(Precision::fp8), 0);
  EXPECT_EQ(spec->peak(Precision::tf32), 0);
  EXPECT_DOUBLE_EQ(spec->interNode.bandwidth, 2 * 400e9 / 8 / 4);
  EXPECT_DOUBLE_EQ(spec->interNode.latency, 5e-6);
}

TEST(Hardware, NameDefaultsToFileStem) {
  llvm::Expected<HardwareSpec> spec = parseHardware(
      replaced(kValid, "\"name\": \"test-gpu\",", ""), "dir/my-gpu.json");
  ASSERT_TRUE(bool(spec));
  EXPECT_EQ(spec->name, "my-gpu");
}

TEST(Hardware, SyntaxErrorHasLineAndColumn) {
  std::string text =
      replaced(kValid, "\"hbm_capacity_GiB\": 16", "\"hbm_capacity_GiB\": 16,");
  std::string error = errorOf(parseHardware(text, "t.json"));
  EXPECT_EQ(error.rfind("t.json:7:3: invalid JSON: ", 0), 0u) << error;
}

TEST(Hardware, MissingFieldPointsAtItsObject) {
  std::string text = replaced(kValid, "\"hbm_bandwidth_GBps\": 1000,", "");
  EXPECT_EQ(errorOf(parseHardware(text, "t.json")),
            "t.json:3:3: missing field 'gpu.hbm_bandwidth_GBps'");
  text = replaced(kValid, "\"f32\": 10, ", "");
  EXPECT_EQ(errorOf(parseHardware(text, "t.json")),
            "t.json:4:5: missing field 'gpu.peak_TFLOPS.f32'");
}

TEST(Hardware, BadValuesPointAtTheField) {
  EXPECT_EQ(errorOf(parseHardware(replaced(kValid, "\"gpus_per_node\": 4",
                                           "\"gpus_per_node\": 0"),
                                  "t.json")),
            "t.json:9:5: field 'node.gpus_per_node' must be a positive number");
  EXPECT_EQ(errorOf(parseHardware(replaced(kValid, "\"gpus_per_node\": 4",
                                           "\"gpus_per_node\": 2.5"),
                                  "t.json")),
            "t.json:9:5: field 'node.gpus_per_node' must be a whole number");
  EXPECT_EQ(errorOf(parseHardware(replaced(kValid, "\"gpus_per_node\": 4",
                                           "\"gpus_per_node\": 1e30"),
                                  "t.json")),
            "t.json:9:5: field 'node.gpus_per_node' must be a whole number");
  EXPECT_EQ(errorOf(parseHardware(
                replaced(kValid, "\"latency_us\": 5", "\"latency_us\": \"5\""),
                "t.json")),
            "t.json:13:64: field 'network.latency_us' must be a positive "
            "number");
  EXPECT_EQ(
      errorOf(parseHardware(
          replaced(kValid, "\"kind\": \"nvlink\"", "\"kind\": 3"), "t.json")),
      "t.json:10:15: field 'node.link.kind' must be a string");
  EXPECT_EQ(errorOf(parseHardware("[1, 2]", "t.json")),
            "t.json:1:1: a hardware description is a JSON object");
}

TEST(Hardware, UnknownFieldIsAnError) {
  EXPECT_EQ(
      errorOf(parseHardware(
          replaced(kValid, "\"gpus_per_node\"", "\"gpus_per_nod\""), "t.json")),
      "t.json:9:5: unknown field 'node.gpus_per_nod' (expected one of: "
      "gpus_per_node, link)");
}

TEST(Hardware, LoadsFromAPath) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("hw", "json", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << kValid;
  }
  llvm::Expected<HardwareSpec> spec = loadHardware(path);
  ASSERT_TRUE(bool(spec)) << llvm::toString(spec.takeError());
  EXPECT_EQ(spec->source, std::string(path));
  llvm::sys::fs::remove(path);

  std::string error = errorOf(loadHardware("/nonexistent/x.json"));
  EXPECT_EQ(error.rfind("/nonexistent/x.json: cannot read hardware "
                        "description: ",
                        0),
            0u)
      << error;
}

} // namespace

// Every way of naming bad hardware fails with one line that says what is
// wrong and, for a file, where.

// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=tpu-v5 -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unknown hardware 'tpu-v5' (presets: a100-80gb, a100-80gb-pcie, h100-pcie, h100-sxm, h200; or give a path to a .json file)
// UNKNOWN-NOT: see current operation

// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=%S/Inputs/no-such-file.json \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: {{.*}}no-such-file.json: cannot read hardware description:

// A trailing comma after the last field of "gpu".
// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=%S/Inputs/bad-syntax.json \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: bad-syntax.json:8:3: error: invalid JSON: Expected object key

// No "hbm_bandwidth_GBps" in "gpu": the error points at "gpu".
// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=%S/Inputs/missing-field.json \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: missing-field.json:4:3: error: missing field 'gpu.hbm_bandwidth_GBps'

// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=%S/Inputs/bad-value.json \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=VALUE
// VALUE: bad-value.json:17:5: error: field 'network.latency_us' must be a positive number

// A misspelt field is an error, not a silently missing one.
// RUN: %expect-exit 1 pp-opt %s --pp-print-cost=hardware=%S/Inputs/unknown-field.json \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=TYPO
// TYPO: unknown-field.json:10:5: error: unknown field 'node.gpus_per_nod' (expected one of: gpus_per_node, link)

pp.mesh @world ["tp" = 2]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = pp.all_reduce sum %x over @world["tp"] : tensor<4xf32>
  return %y : tensor<4xf32>
}

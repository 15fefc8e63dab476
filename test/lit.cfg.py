# -*- Python -*-
# lit configuration for pp: FileCheck, not, count and split-file come from
# llvm-22's tools dir, pp-opt and friends from build/bin.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "PP"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit",
                   "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.pp_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
# lit runs tests side by side, each program with an OpenMP team per rank
# (docs/runtime.md): idle team threads sleep instead of spinning, so
# programs sharing the cores do not burn each other's time.
config.environment["OMP_WAIT_POLICY"] = "PASSIVE"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tools = ["pp-opt", "pp-schedule"]
llvm_config.add_tool_substitutions(tools, [config.pp_tools_dir])

config.substitutions.append(("%pp_src_root", config.pp_src_root))
config.substitutions.append(("%mlir_include_dir",
                             os.path.join(os.path.dirname(config.llvm_tools_dir),
                                          "include")))

# Debian's interpreter has torch, onnx and numpy; the python3 first on PATH
# may not.
config.substitutions.append(("%python", "/usr/bin/python3"))
# `%expect-exit N CMD...` succeeds only when CMD exits with status N: error
# tests pin the documented codes (1: bad input, 2: bad usage), which `not`
# cannot tell apart.
config.substitutions.append(("%expect-exit", "/usr/bin/python3 " +
                             os.path.join(config.pp_src_root, "test", "expect-exit.py")))
config.substitutions.append(("%pyscripts", os.path.join(config.pp_src_root, "python")))
if config.pp_have_cuda:
    config.available_features.add("nvcc")
# Tests that run programs on a GPU (scripts/gpu-check.sh) need one.
if shutil.which("nvidia-smi") and subprocess.run(
        ["nvidia-smi", "-L"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True).stdout.startswith("GPU"):
    config.available_features.add("cuda-gpu")
config.substitutions.append(("%pp_build_dir", os.path.dirname(config.pp_tools_dir)))

# Multi-rank programs also run under mpirun (OpenMPI) when it is installed;
# as root OpenMPI needs its two opt-in variables and --oversubscribe.
if shutil.which("mpirun"):
    config.available_features.add("mpirun")
    config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"

# A developer's machine may lack mpirun or nvcc: those RUN lines are guarded
# with %if and skipped. CI must not pass by skipping: there (CI=true) a
# missing mpirun, nvcc, torch or onnx stops the suite. (`make deps` installs
# all of them.)
if os.environ.get("CI") == "true":
    missing = []
    if "mpirun" not in config.available_features:
        missing.append("mpirun (openmpi-bin)")
    if "nvcc" not in config.available_features:
        missing.append("nvcc (the CUDA toolkit)")
    probe = subprocess.run(["/usr/bin/python3", "-c", "import torch, onnx, numpy"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    if probe.returncode != 0:
        missing.append("torch/onnx/numpy for /usr/bin/python3 (" +
                       probe.stderr.strip().splitlines()[-1] + ")")
    if missing:
        lit_config.fatal("CI=true but the suite would skip tests: missing " +
                         ", ".join(missing))
config.substitutions.append(("%pp_opt_bin", os.path.join(config.pp_tools_dir, "pp-opt")))

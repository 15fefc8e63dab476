//===- Main.cpp - main() for generated programs ---------------------------===//
//
// In its own library (pprt_main) so that tests and programs that want their
// own main() can link the runtime without it.
//
//===----------------------------------------------------------------------===//

#include "pprt/Program.h"

int main(int argc, char **argv) {
  return pprt::runMain(argc, argv, pprt::program());
}

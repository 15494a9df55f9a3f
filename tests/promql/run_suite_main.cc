// Small driver: runs the promqltest runner over the files given on the command line.
#include <iostream>

#include "agent/promql/test_script.h"

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  return tocsin::promql::RunPromqlTestFiles(files, std::cout);
}

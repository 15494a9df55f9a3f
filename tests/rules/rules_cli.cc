// Test-only stand-in for the `tocsin` binary's rule commands, used by the parity harness until
// main.cc dispatches to them: `rules_cli check rules FILE...` / `rules_cli test rules FILE...`.
#include <iostream>
#include <string>
#include <vector>

#include "rules/check_rules.h"
#include "rules/test_rules.h"

int main(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "rules") {
    std::cerr << "usage: rules_cli check|test rules FILE...\n";
    return 2;
  }
  std::vector<std::string> files(argv + 3, argv + argc);
  std::string cmd = argv[1];
  if (cmd == "check") return tocsin::rules::RunCheckRules(files, std::cout, std::cerr);
  if (cmd == "test") return tocsin::rules::RunTestRules(files, std::cout, std::cerr);
  std::cerr << "usage: rules_cli check|test rules FILE...\n";
  return 2;
}

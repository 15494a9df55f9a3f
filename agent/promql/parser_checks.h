// Static checks the parser applies to function calls and binary expressions (arity, argument
// types, operator/operand compatibility), with Prometheus's messages.
//
// Pure functions over parser-owned nodes; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "agent/promql/ast.h"

namespace tocsin::promql {

struct ParseIssue {
  int pos;
  std::string msg;
};

// Arity and argument types of a call written at `pos`.
std::optional<ParseIssue> CheckCall(const Call& call, int pos);

// Operand types and modifiers of a binary expression whose operator sits at `op_pos`.
// Normalises the matching: set operators become many-to-many; scalar operands drop it.
std::optional<ParseIssue> CheckBinaryExpr(BinaryExpr& b, int op_pos);

}  // namespace tocsin::promql

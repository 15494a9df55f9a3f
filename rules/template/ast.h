// Template AST: the parse tree of a Go text/template, as used by Prometheus for alert labels and
// annotations (node kinds mirror Go's text/template/parse package so an evaluator can follow
// Go's execution rules one node at a time).
//
// Trees are immutable after parsing and own all their nodes (unique_ptr); a parsed Tree may be
// read from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tocsin::rules::tmpl {

enum class NodeType {
  kList,
  kText,
  kComment,
  kAction,
  kIf,
  kRange,
  kWith,
  kTemplate,
  kBreak,
  kContinue,
  kPipe,
  kCommand,
  kField,       // .A.B
  kVariable,    // $x.A
  kChain,       // (pipe).A
  kIdentifier,  // function name
  kDot,
  kNil,
  kBool,
  kNumber,
  kString,
};

struct Node {
  Node(NodeType t, int l) : type(t), line(l) {}
  virtual ~Node() = default;
  NodeType type;
  int line;  // 1-based line in the template text
};
using NodePtr = std::unique_ptr<Node>;

struct ListNode : Node {
  explicit ListNode(int l) : Node(NodeType::kList, l) {}
  std::vector<NodePtr> nodes;
};

struct TextNode : Node {
  TextNode(int l, std::string t) : Node(NodeType::kText, l), text(std::move(t)) {}
  std::string text;
};

struct CommentNode : Node {
  CommentNode(int l, std::string t) : Node(NodeType::kComment, l), text(std::move(t)) {}
  std::string text;
};

struct CommandNode : Node {
  explicit CommandNode(int l) : Node(NodeType::kCommand, l) {}
  std::vector<NodePtr> args;  // args[0] is a function identifier, a field, a variable, ...
};

struct PipeNode : Node {
  explicit PipeNode(int l) : Node(NodeType::kPipe, l) {}
  bool is_assign = false;          // `$x = ...` rather than `$x := ...`
  std::vector<std::string> decls;  // declared variables, with '$'
  std::vector<std::unique_ptr<CommandNode>> cmds;
};

struct ActionNode : Node {
  ActionNode(int l, std::unique_ptr<PipeNode> p) : Node(NodeType::kAction, l), pipe(std::move(p)) {}
  std::unique_ptr<PipeNode> pipe;
};

// {{if}}, {{range}}, {{with}}: type tells which.
struct BranchNode : Node {
  BranchNode(NodeType t, int l) : Node(t, l) {}
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;  // may be null
};

struct TemplateNode : Node {
  TemplateNode(int l, std::string n) : Node(NodeType::kTemplate, l), name(std::move(n)) {}
  std::string name;
  std::unique_ptr<PipeNode> pipe;  // may be null
};

struct FieldNode : Node {
  FieldNode(int l, std::vector<std::string> i) : Node(NodeType::kField, l), idents(std::move(i)) {}
  std::vector<std::string> idents;  // ".A.B" -> {"A", "B"}
};

struct VariableNode : Node {
  VariableNode(int l, std::vector<std::string> i)
      : Node(NodeType::kVariable, l), idents(std::move(i)) {}
  std::vector<std::string> idents;  // "$x.A" -> {"$x", "A"}
};

struct ChainNode : Node {
  explicit ChainNode(int l) : Node(NodeType::kChain, l) {}
  NodePtr node;
  std::vector<std::string> fields;  // without dots
};

struct IdentifierNode : Node {
  IdentifierNode(int l, std::string n) : Node(NodeType::kIdentifier, l), name(std::move(n)) {}
  std::string name;
};

struct DotNode : Node {
  explicit DotNode(int l) : Node(NodeType::kDot, l) {}
};

struct NilNode : Node {
  explicit NilNode(int l) : Node(NodeType::kNil, l) {}
};

struct BoolNode : Node {
  BoolNode(int l, bool v) : Node(NodeType::kBool, l), value(v) {}
  bool value;
};

struct NumberNode : Node {
  explicit NumberNode(int l) : Node(NodeType::kNumber, l) {}
  std::string text;  // as written
  bool is_int = false;
  bool is_float = false;
  int64_t int_value = 0;
  double float_value = 0;
};

struct StringNode : Node {
  StringNode(int l, std::string q, std::string t)
      : Node(NodeType::kString, l), quoted(std::move(q)), text(std::move(t)) {}
  std::string quoted;  // as written, with quotes
  std::string text;    // unquoted
};

// A parsed template: the main body plus every {{define}}/{{block}} it contains.
struct Tree {
  std::string name;
  std::unique_ptr<ListNode> root;
  std::map<std::string, std::unique_ptr<ListNode>, std::less<>> defines;
};

}  // namespace tocsin::rules::tmpl

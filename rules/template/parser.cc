#include "rules/template/parser.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "rules/template/funcs.h"
#include "rules/template/lexer.h"

namespace tocsin::rules::tmpl {
namespace {

// Internal unwinding for parse errors (Go panics); never escapes Parse().
struct ParseError {
  std::string message;
};

class Parser {
 public:
  Parser(std::string_view name, const ParseOptions& options, std::vector<Item> items)
      : name_(name), options_(options), items_(std::move(items)) {
    vars_.push_back("$");
    for (const auto& v : options.predefined_vars) vars_.push_back(v);
  }

  Tree Run() {
    Tree tree;
    tree.name = name_;
    tree.root = std::make_unique<ListNode>(Peek().line);
    while (Peek().type != ItemType::kEOF) {
      if (Peek().type == ItemType::kLeftDelim) {
        size_t save = pos_;
        Next();
        if (NextNonSpace().type == ItemType::kDefine) {
          ParseDefinition(tree);
          continue;
        }
        pos_ = save;
      }
      NodePtr n = TextOrAction(tree);
      if (n->type == NodeType::kList) {  // marker for {{end}} / {{else}}
        Errorf("unexpected " + MarkerString(*n));
      }
      tree.root->nodes.push_back(std::move(n));
    }
    return tree;
  }

 private:
  // {{end}} and {{else}} are returned as ListNodes tagged by marker_ (they are not AST nodes).
  static constexpr int kEndMarker = -1;
  static constexpr int kElseMarker = -2;
  static std::string MarkerString(const Node& n) {
    return n.line == kEndMarker ? "{{end}}" : "{{else}}";
  }
  bool IsEnd(const Node& n) const { return n.type == NodeType::kList && n.line == kEndMarker; }
  bool IsElse(const Node& n) const { return n.type == NodeType::kList && n.line == kElseMarker; }

  [[noreturn]] void Errorf(const std::string& msg) {
    int line = last_line_;
    throw ParseError{"template: " + name_ + ":" + std::to_string(line) + ": " + msg};
  }

  const Item& Next() {
    const Item& it = items_[pos_];
    last_line_ = it.line;
    if (pos_ + 1 < items_.size())
      ++pos_;
    else
      pos_ = items_.size() - 1, ++past_end_;
    return it;
  }
  void Backup() {
    if (past_end_ > 0) {
      --past_end_;
      return;
    }
    --pos_;
  }
  const Item& Peek() const { return items_[pos_]; }
  const Item& NextNonSpace() {
    while (true) {
      const Item& it = Next();
      if (it.type != ItemType::kSpace) return it;
    }
  }
  const Item& PeekNonSpace() {
    const Item& it = NextNonSpace();
    Backup();
    return it;
  }
  [[noreturn]] void Unexpected(const Item& item, const std::string& context) {
    if (item.type == ItemType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != item.line) {
        extra = " in action started at " + name_ + ":" + std::to_string(action_line_);
        if (item.val.size() >= 7 && item.val.ends_with(" action")) extra = extra.substr(10);
      }
      Errorf(item.val + extra);
    }
    Errorf("unexpected " + ItemString(item) + " in " + context);
  }
  const Item& Expect(ItemType t, const std::string& context) {
    const Item& it = NextNonSpace();
    if (it.type != t) Unexpected(it, context);
    return it;
  }

  void ParseDefinition(Tree& tree) {
    const std::string context = "define clause";
    const Item& name = NextNonSpace();
    if (name.type != ItemType::kString && name.type != ItemType::kRawString) {
      Unexpected(name, context);
    }
    std::string def_name;
    if (!GoUnquote(name.val, def_name)) Errorf("invalid syntax");
    Expect(ItemType::kRightDelim, context);
    // A definition is a template of its own: only $ is in scope (Prometheus's $labels & co.
    // are assignments at the top of the alert template, not globals).
    std::vector<std::string> outer_vars{"$"};
    outer_vars.swap(vars_);
    auto [list, end] = ItemList(tree);
    outer_vars.swap(vars_);
    if (!IsEnd(*end)) Errorf("unexpected " + MarkerString(*end) + " in " + context);
    tree.defines[def_name] = std::move(list);
  }

  std::pair<std::unique_ptr<ListNode>, NodePtr> ItemList(Tree& tree) {
    auto list = std::make_unique<ListNode>(PeekNonSpace().line);
    while (PeekNonSpace().type != ItemType::kEOF) {
      NodePtr n = TextOrAction(tree);
      if (IsEnd(*n) || IsElse(*n)) return {std::move(list), std::move(n)};
      list->nodes.push_back(std::move(n));
    }
    Errorf("unexpected EOF");
  }

  NodePtr TextOrAction(Tree& tree) {
    const Item& token = NextNonSpace();
    switch (token.type) {
      case ItemType::kText:
        return std::make_unique<TextNode>(token.line, token.val);
      case ItemType::kLeftDelim: {
        int saved = action_line_;
        action_line_ = token.line;
        NodePtr n = Action(tree);
        action_line_ = saved;
        return n;
      }
      case ItemType::kComment:
        return std::make_unique<CommentNode>(token.line, token.val);
      default:
        Unexpected(token, "input");
    }
  }

  NodePtr Action(Tree& tree) {
    const Item& token = NextNonSpace();
    switch (token.type) {
      case ItemType::kBlock:
        return BlockControl(tree);
      case ItemType::kBreak:
        return LoopControl(NodeType::kBreak, "{{break}}", token.line);
      case ItemType::kContinue:
        return LoopControl(NodeType::kContinue, "{{continue}}", token.line);
      case ItemType::kElse: {
        const Item& peek = PeekNonSpace();
        if (peek.type == ItemType::kIf) return Marker(kElseMarker);  // "else if": keep the if
        Expect(ItemType::kRightDelim, "else");
        return Marker(kElseMarker);
      }
      case ItemType::kEnd:
        Expect(ItemType::kRightDelim, "end");
        return Marker(kEndMarker);
      case ItemType::kIf:
        return Control(tree, NodeType::kIf, true, "if");
      case ItemType::kRange:
        return Control(tree, NodeType::kRange, false, "range");
      case ItemType::kTemplate:
        return TemplateControl();
      case ItemType::kWith:
        return Control(tree, NodeType::kWith, false, "with");
      default:
        break;
    }
    Backup();
    int line = Peek().line;
    return std::make_unique<ActionNode>(line, Pipeline("command", ItemType::kRightDelim));
  }

  NodePtr Marker(int kind) {
    auto n = std::make_unique<ListNode>(0);
    n->line = kind;
    return n;
  }

  NodePtr LoopControl(NodeType type, const std::string& what, int line) {
    const Item& token = NextNonSpace();
    if (token.type != ItemType::kRightDelim) Unexpected(token, what);
    if (range_depth_ == 0) Errorf(what + " outside {{range}}");
    return std::make_unique<Node>(type, line);
  }

  NodePtr Control(Tree& tree, NodeType type, bool allow_else_if, const std::string& context) {
    size_t nvars = vars_.size();
    auto branch = std::make_unique<BranchNode>(type, Peek().line);
    branch->pipe = Pipeline(context, ItemType::kRightDelim);
    if (type == NodeType::kRange) ++range_depth_;
    auto [list, next] = ItemList(tree);
    if (type == NodeType::kRange) --range_depth_;
    branch->list = std::move(list);
    if (IsElse(*next)) {
      if (allow_else_if && Peek().type == ItemType::kIf) {
        Next();  // consume "if"
        auto else_list = std::make_unique<ListNode>(Peek().line);
        else_list->nodes.push_back(Control(tree, NodeType::kIf, true, "if"));
        branch->else_list = std::move(else_list);
      } else {
        auto [else_list, end] = ItemList(tree);
        if (!IsEnd(*end)) Errorf("expected end; found " + MarkerString(*end));
        branch->else_list = std::move(else_list);
      }
    }
    vars_.resize(nvars);
    return branch;
  }

  std::string TemplateName(const Item& token, const std::string& context) {
    if (token.type != ItemType::kString && token.type != ItemType::kRawString) {
      Unexpected(token, context);
    }
    std::string s;
    if (!GoUnquote(token.val, s)) Errorf("invalid syntax");
    return s;
  }

  NodePtr TemplateControl() {
    const std::string context = "template clause";
    const Item& token = NextNonSpace();
    auto node = std::make_unique<TemplateNode>(token.line, TemplateName(token, context));
    if (NextNonSpace().type != ItemType::kRightDelim) {
      Backup();
      node->pipe = Pipeline(context, ItemType::kRightDelim);
    }
    return node;
  }

  NodePtr BlockControl(Tree& tree) {
    const std::string context = "block clause";
    const Item& token = NextNonSpace();
    auto node = std::make_unique<TemplateNode>(token.line, TemplateName(token, context));
    node->pipe = Pipeline(context, ItemType::kRightDelim);
    auto [list, end] = ItemList(tree);
    if (!IsEnd(*end)) Errorf("unexpected " + MarkerString(*end) + " in " + context);
    tree.defines[node->name] = std::move(list);
    return node;
  }

  std::unique_ptr<PipeNode> Pipeline(const std::string& context, ItemType end) {
    auto pipe = std::make_unique<PipeNode>(PeekNonSpace().line);
  decls:
    if (PeekNonSpace().type == ItemType::kVariable) {
      size_t var_pos = pos_;
      const Item& v = Next();
      const Item& after = Peek();
      ItemType after_type = after.type;
      const Item& next = PeekNonSpace();
      if (next.type == ItemType::kAssign || next.type == ItemType::kDeclare) {
        pipe->is_assign = next.type == ItemType::kAssign;
        NextNonSpace();
        pipe->decls.push_back(v.val);
        vars_.push_back(v.val);
      } else if (next.type == ItemType::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decls.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decls.size() < 2) {
          ItemType t = PeekNonSpace().type;
          if (t == ItemType::kVariable || t == ItemType::kRightDelim ||
              t == ItemType::kRightParen) {
            goto decls;
          }
          Errorf("range can only initialize variables");
        }
        Errorf("too many declarations in " + context);
      } else {
        (void)after_type;
        pos_ = var_pos;
        past_end_ = 0;
      }
    }
    while (true) {
      const Item& token = NextNonSpace();
      if (token.type == end) {
        CheckPipeline(*pipe, context);
        return pipe;
      }
      switch (token.type) {
        case ItemType::kBool:
        case ItemType::kCharConstant:
        case ItemType::kComplex:
        case ItemType::kDot:
        case ItemType::kField:
        case ItemType::kIdentifier:
        case ItemType::kNumber:
        case ItemType::kNil:
        case ItemType::kRawString:
        case ItemType::kString:
        case ItemType::kVariable:
        case ItemType::kLeftParen:
          Backup();
          pipe->cmds.push_back(Command());
          break;
        default:
          Unexpected(token, context);
      }
    }
  }

  void CheckPipeline(const PipeNode& pipe, const std::string& context) {
    if (pipe.cmds.empty()) Errorf("missing value for " + context);
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      NodeType t = pipe.cmds[i]->args[0]->type;
      if (t == NodeType::kBool || t == NodeType::kDot || t == NodeType::kNil ||
          t == NodeType::kNumber || t == NodeType::kString) {
        Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
      }
    }
  }

  std::unique_ptr<CommandNode> Command() {
    auto cmd = std::make_unique<CommandNode>(PeekNonSpace().line);
    while (true) {
      PeekNonSpace();
      NodePtr operand = Operand();
      if (operand) cmd->args.push_back(std::move(operand));
      const Item& token = Next();
      if (token.type == ItemType::kSpace) continue;
      if (token.type == ItemType::kRightDelim || token.type == ItemType::kRightParen) {
        Backup();
      } else if (token.type != ItemType::kPipe) {
        Unexpected(token, "operand");
      }
      break;
    }
    if (cmd->args.empty()) Errorf("empty command");
    return cmd;
  }

  static std::string NodeText(const Node& n) {
    switch (n.type) {
      case NodeType::kBool:
        return static_cast<const BoolNode&>(n).value ? "true" : "false";
      case NodeType::kString:
        return static_cast<const StringNode&>(n).quoted;
      case NodeType::kNumber:
        return static_cast<const NumberNode&>(n).text;
      case NodeType::kNil:
        return "nil";
      default:
        return ".";
    }
  }

  NodePtr Operand() {
    NodePtr node = Term();
    if (!node) return nullptr;
    if (Peek().type == ItemType::kField) {
      std::vector<std::string> fields;
      int line = Peek().line;
      while (Peek().type == ItemType::kField) fields.push_back(Next().val.substr(1));
      switch (node->type) {
        case NodeType::kField: {
          auto& f = static_cast<FieldNode&>(*node);
          f.idents.insert(f.idents.end(), fields.begin(), fields.end());
          return node;
        }
        case NodeType::kVariable: {
          auto& v = static_cast<VariableNode&>(*node);
          v.idents.insert(v.idents.end(), fields.begin(), fields.end());
          return node;
        }
        case NodeType::kBool:
        case NodeType::kString:
        case NodeType::kNumber:
        case NodeType::kNil:
        case NodeType::kDot:
          Errorf("unexpected . after term " + GoQuote(NodeText(*node)));
        default: {
          auto chain = std::make_unique<ChainNode>(line);
          chain->node = std::move(node);
          chain->fields = std::move(fields);
          return chain;
        }
      }
    }
    return node;
  }

  NodePtr Term() {
    const Item& token = NextNonSpace();
    switch (token.type) {
      case ItemType::kIdentifier:
        if (options_.check_functions && !IsTemplateFunction(token.val, options_.dialect)) {
          Errorf("function " + GoQuote(token.val) + " not defined");
        }
        return std::make_unique<IdentifierNode>(token.line, token.val);
      case ItemType::kDot:
        return std::make_unique<DotNode>(token.line);
      case ItemType::kNil:
        return std::make_unique<NilNode>(token.line);
      case ItemType::kVariable:
        return UseVar(token);
      case ItemType::kField:
        return std::make_unique<FieldNode>(token.line,
                                           std::vector<std::string>{token.val.substr(1)});
      case ItemType::kBool:
        return std::make_unique<BoolNode>(token.line, token.val == "true");
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kNumber:
        return NewNumber(token);
      case ItemType::kLeftParen: {
        auto pipe = Pipeline("parenthesized pipeline", ItemType::kRightParen);
        return pipe;
      }
      case ItemType::kString:
      case ItemType::kRawString: {
        std::string s;
        if (!GoUnquote(token.val, s)) Errorf("invalid syntax");
        return std::make_unique<StringNode>(token.line, token.val, s);
      }
      default:
        break;
    }
    Backup();
    return nullptr;
  }

  NodePtr UseVar(const Item& token) {
    std::vector<std::string> idents;
    // "$x" (fields come as separate items)
    idents.push_back(token.val);
    for (const auto& v : vars_) {
      if (v == token.val) return std::make_unique<VariableNode>(token.line, std::move(idents));
    }
    Errorf("undefined variable " + GoQuote(token.val));
  }

  NodePtr NewNumber(const Item& token) {
    auto n = std::make_unique<NumberNode>(token.line);
    n->text = token.val;
    if (token.type == ItemType::kCharConstant) {
      std::string s;
      std::string dq = "\"" + token.val.substr(1, token.val.size() - 2) + "\"";
      bool unquoted = GoUnquote(dq, s);
      size_t rune_len = 1;
      if (!s.empty()) {
        unsigned char c0 = s[0];
        rune_len = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
      }
      if (!unquoted || s.empty() || s.size() != rune_len) {
        Errorf("malformed character constant: " + token.val);
      }
      n->is_int = true;
      n->int_value = static_cast<unsigned char>(s[0]);
      n->is_float = true;
      n->float_value = static_cast<double>(n->int_value);
      return n;
    }
    if (token.type == ItemType::kComplex) return n;  // parsed, never a usable real number
    std::string text;
    for (char c : token.val) {
      if (c != '_') text += c;
    }
    // Integer forms (with Go's 0x / 0o / 0b prefixes).
    {
      const char* s = text.c_str();
      bool neg = false;
      if (*s == '+' || *s == '-') neg = *s++ == '-';
      int base = 10;
      if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
      else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2;
      else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
      else if (s[0] == '0' && s[1] != '\0' && s[1] != '.' && s[1] != 'e' && s[1] != 'E')
        base = 8;
      uint64_t v;
      auto [p, ec] = std::from_chars(s, s + std::strlen(s), v, base);
      if (ec == std::errc() && *p == '\0' && p != s) {
        n->is_int = v <= (neg ? (uint64_t{1} << 63) : uint64_t{INT64_MAX});
        n->int_value = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
        n->is_float = true;
        n->float_value = neg ? -static_cast<double>(v) : static_cast<double>(v);
        return n;
      }
    }
    char* end = nullptr;
    errno = 0;
    double f = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || text.find_first_of("xX") != std::string::npos) {
      Errorf("illegal number syntax: " + GoQuote(token.val));
    }
    n->is_float = true;
    n->float_value = f;
    // In int64 range first: converting a larger double is undefined behaviour (found by the
    // fuzzer with "3333...3X" in a template).
    constexpr double kTwo63 = 9223372036854775808.0;
    if (f >= -kTwo63 && f < kTwo63 && f == std::trunc(f) &&
        text.find_first_of(".eE") != std::string::npos) {
      n->is_int = true;
      n->int_value = static_cast<int64_t>(f);
    }
    return n;
  }

  std::string name_;
  const ParseOptions& options_;
  std::vector<Item> items_;
  size_t pos_ = 0;
  int past_end_ = 0;
  int last_line_ = 1;
  int action_line_ = 0;
  int range_depth_ = 0;
  std::vector<std::string> vars_;
};

}  // namespace

Result<Tree> Parse(std::string_view text, std::string_view name, const ParseOptions& options) {
  Parser parser(name, options, Lex(text));
  try {
    return parser.Run();
  } catch (const ParseError& e) {
    return InvalidArgument(e.message);
  }
}

Result<Tree> ParseAlertTemplate(std::string_view text, std::string_view alert_name) {
  static const ParseOptions kOptions{
      .predefined_vars = {"$labels", "$externalLabels", "$externalURL", "$value"},
      .check_functions = true};
  return Parse(text, "__alert_" + std::string(alert_name), kOptions);
}

}  // namespace tocsin::rules::tmpl

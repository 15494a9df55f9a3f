#include "rules/template/render.h"

#include "agent/core/go_format.h"
#include "agent/core/utf8.h"
#include "rules/template/value.h"

namespace tocsin::rules::tmpl {
namespace {

struct RenderError {
  int line;
  std::string message;
};
struct Break {};
struct Continue {};

// Output beyond this is an error: a template cannot blow up memory with nested ranges.
constexpr size_t kMaxOutput = 1 << 20;

class Renderer {
 public:
  Renderer(const Tree& tree, const AlertTemplateData& data) : tree_(tree), data_(data) {
    ctx_.query = data.query;
    ctx_.eval_time = data.eval_time;
    ctx_.external_url = data.external_url;
    vars_.push_back({"$", Value()});
    vars_.push_back({"$labels", Value::BorrowedMap(data.labels)});
    vars_.push_back({"$externalLabels", Value::BorrowedMap(data.external_labels)});
    vars_.push_back({"$externalURL", Value::Str(data.external_url)});
    vars_.push_back({"$value", Value::Float(data.value)});
  }

  std::string Run() {
    Walk(*tree_.root, Value(), true);
    return std::move(out_);
  }

 private:
  [[noreturn]] void Fail(const std::string& msg) { throw RenderError{line_, msg}; }

  // The root data is Prometheus's struct {Labels, ExternalLabels, ExternalURL, Value}: it is
  // the only kNil dot that is "root" (tracked by the `root` flag).
  Value FieldOf(const Value& v, const std::string& name, bool root) {
    if (root) {
      if (name == "Labels") return Value::BorrowedMap(data_.labels);
      if (name == "ExternalLabels") return Value::BorrowedMap(data_.external_labels);
      if (name == "ExternalURL") return Value::Str(data_.external_url);
      if (name == "Value") return Value::Float(data_.value);
      Fail("can't evaluate field " + name +
           " in type struct { Labels map[string]string; "
           "ExternalLabels map[string]string; ExternalURL string; Value interface {} }");
    }
    switch (v.kind) {
      case Value::Kind::kLabels:
        return Value::Str(std::string(v.labels->Get(name)));  // missingkey=zero
      case Value::Kind::kSample:
        if (name == "Labels") return Value::OwnedMap(v.sample->labels);
        if (name == "Value") return Value::Float(v.sample->value);
        Fail("can't evaluate field " + name + " in type *template.sample");
      case Value::Kind::kNil:
        Fail("nil pointer evaluating interface {}." + name);
      default:
        Fail("can't evaluate field " + name + " in type " + v.GoType());
    }
  }

  void Emit(const std::string& s) {
    out_ += s;
    if (out_.size() > kMaxOutput) Fail("output exceeds " + std::to_string(kMaxOutput) + " bytes");
  }

  void Walk(const Node& n, const Value& dot, bool root) {
    line_ = n.line;
    switch (n.type) {
      case NodeType::kList:
        for (const auto& c : static_cast<const ListNode&>(n).nodes) Walk(*c, dot, root);
        return;
      case NodeType::kText:
        Emit(static_cast<const TextNode&>(n).text);
        return;
      case NodeType::kComment:
        return;
      case NodeType::kAction: {
        const auto& a = static_cast<const ActionNode&>(n);
        Value v = EvalPipe(*a.pipe, dot, root);
        if (a.pipe->decls.empty()) Emit(v.Print());
        return;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        const auto& b = static_cast<const BranchNode&>(n);
        size_t mark = vars_.size();
        Value v = EvalPipe(*b.pipe, dot, root);
        if (v.Truth()) {
          if (n.type == NodeType::kWith) {
            Walk(*b.list, v, false);
          } else {
            Walk(*b.list, dot, root);
          }
        } else if (b.else_list) {
          Walk(*b.else_list, dot, root);
        }
        vars_.resize(mark);
        return;
      }
      case NodeType::kRange:
        Range(static_cast<const BranchNode&>(n), dot, root);
        return;
      case NodeType::kBreak:
        throw Break{};
      case NodeType::kContinue:
        throw Continue{};
      case NodeType::kTemplate: {
        const auto& t = static_cast<const TemplateNode&>(n);
        auto it = tree_.defines.find(t.name);
        if (it == tree_.defines.end()) Fail("no such template \"" + t.name + "\"");
        if (++depth_ > 100) Fail("exceeded maximum template depth (100)");
        Value arg = t.pipe ? EvalPipe(*t.pipe, dot, root) : Value();
        size_t mark = vars_.size();
        Walk(*it->second, arg, false);
        vars_.resize(mark);
        --depth_;
        return;
      }
      default:
        Fail("unknown node");
    }
  }

  void Range(const BranchNode& b, const Value& dot, bool root) {
    size_t mark = vars_.size();
    Value v = EvalPipe(*b.pipe, dot, root);
    vars_.resize(mark);
    auto body = [&](const Value& key, const Value& elem) -> bool {
      if (b.pipe->decls.size() == 1) vars_.push_back({b.pipe->decls[0], elem});
      if (b.pipe->decls.size() == 2) {
        vars_.push_back({b.pipe->decls[0], key});
        vars_.push_back({b.pipe->decls[1], elem});
      }
      bool stop = false;
      try {
        Walk(*b.list, elem, false);
      } catch (const Break&) {
        stop = true;
      } catch (const Continue&) {
      }
      vars_.resize(mark);
      return !stop;
    };
    size_t count = 0;
    switch (v.kind) {
      case Value::Kind::kLabels:
        for (const auto& l : *v.labels) {
          ++count;
          if (!body(Value::Str(l.name), Value::Str(l.value))) break;
        }
        break;
      case Value::Kind::kVector:
        for (size_t i = 0; i < v.vec->size(); ++i) {
          ++count;
          if (!body(Value::Int(static_cast<int64_t>(i)), Value::Sample((*v.vec)[i]))) break;
        }
        break;
      case Value::Kind::kNil:
        break;
      case Value::Kind::kInt:
        for (int64_t i = 0; i < v.i; ++i) {
          ++count;
          if (!body(Value::Int(i), Value::Int(i))) break;
        }
        break;
      default:
        Fail(std::string("range can't iterate over ") + v.Print());
    }
    if (count == 0 && b.else_list) Walk(*b.else_list, dot, root);
  }

  Value EvalPipe(const PipeNode& pipe, const Value& dot, bool root) {
    Value v;
    bool has = false;
    for (const auto& cmd : pipe.cmds) {
      v = EvalCommand(*cmd, dot, root, has ? &v : nullptr);
      has = true;
    }
    for (const auto& d : pipe.decls) {
      if (pipe.is_assign) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == d) {
            it->second = v;
            break;
          }
        }
      } else {
        vars_.push_back({d, v});
      }
    }
    return v;
  }

  Value EvalArg(const Node& n, const Value& dot, bool root) {
    switch (n.type) {
      case NodeType::kDot:
        if (root) {  // the data struct, as fmt prints it
          return Value::Str("{" + Value::BorrowedMap(data_.labels).Print() + " " +
                            Value::BorrowedMap(data_.external_labels).Print() + " " +
                            data_.external_url + " " + FormatGoFloatG(data_.value) + "}");
        }
        return dot;
      case NodeType::kNil:
        Fail("nil is not a command");
      case NodeType::kBool:
        return Value::Bool(static_cast<const BoolNode&>(n).value);
      case NodeType::kString:
        return Value::Str(static_cast<const StringNode&>(n).text);
      case NodeType::kNumber: {
        const auto& num = static_cast<const NumberNode&>(n);
        // Go's idealConstant: text with . e E p P (not hex) is a float64, otherwise an int.
        bool hex =
            num.text.size() > 1 && num.text[0] == '0' && (num.text[1] == 'x' || num.text[1] == 'X');
        if (num.is_float && !hex && num.text.find_first_of(".eEpP") != std::string::npos) {
          return Value::Float(num.float_value);
        }
        if (num.is_int) return Value::Int(num.int_value);
        return Value::Float(num.float_value);
      }
      case NodeType::kField: {
        const auto& f = static_cast<const FieldNode&>(n);
        Value v = dot;
        bool r = root;
        for (const auto& id : f.idents) {
          v = FieldOf(v, id, r);
          r = false;
        }
        return v;
      }
      case NodeType::kVariable: {
        const auto& var = static_cast<const VariableNode&>(n);
        Value v = Lookup(var.idents[0]);
        bool r = var.idents[0] == "$";
        for (size_t i = 1; i < var.idents.size(); ++i) {
          v = FieldOf(v, var.idents[i], r);
          r = false;
        }
        return v;
      }
      case NodeType::kPipe:
        return EvalPipe(static_cast<const PipeNode&>(n), dot, root);
      case NodeType::kChain: {
        const auto& c = static_cast<const ChainNode&>(n);
        Value v = EvalArg(*c.node, dot, root);
        for (const auto& f : c.fields) v = FieldOf(v, f, false);
        return v;
      }
      case NodeType::kIdentifier:
        return Call(static_cast<const IdentifierNode&>(n).name, {});
      default:
        Fail("can't evaluate argument");
    }
  }

  Value Lookup(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    Fail("undefined variable: " + name);
  }

  Value EvalCommand(const CommandNode& cmd, const Value& dot, bool root, const Value* final) {
    const Node& first = *cmd.args[0];
    if (first.type == NodeType::kIdentifier) {
      std::vector<Value> args;
      for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(EvalArg(*cmd.args[i], dot, root));
      if (final) args.push_back(*final);
      return Call(static_cast<const IdentifierNode&>(first).name, args);
    }
    if (cmd.args.size() > 1 || final) {
      Fail("can't give argument to non-function " +
           std::string(first.type == NodeType::kVariable ? "variable" : "value"));
    }
    return EvalArg(first, dot, root);
  }

  Value Call(const std::string& fn, const std::vector<Value>& args) {
    auto r = CallTemplateFunction(fn, args, ctx_);
    if (!r.ok()) Fail(r.status().message());
    return std::move(r).value();
  }

  const Tree& tree_;
  const AlertTemplateData& data_;
  FuncContext ctx_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string out_;
  int line_ = 1;
  int depth_ = 0;
};

}  // namespace

std::string GoFormatFloatV(double v) { return FormatGoFloatG(v); }

Result<std::string> Render(const Tree& tree, const AlertTemplateData& data) {
  auto prefix = [&](int line) {
    return "template: " + tree.name + ":" + std::to_string(line) + ": executing \"" + tree.name +
           "\": ";
  };
  try {
    // Templates slice strings byte-wise (e.g. `slice`/`reReplaceAll` on label values), which
    // can cut a rune; what leaves here is valid UTF-8.
    Result<std::string> out = Renderer(tree, data).Run();
    if (out.ok()) SanitizeUtf8InPlace(*out);
    return out;
  } catch (const RenderError& e) {
    return InvalidArgument(prefix(e.line) + e.message);
  } catch (const Break&) {
    return InvalidArgument(prefix(1) + "break outside range");
  } catch (const Continue&) {
    return InvalidArgument(prefix(1) + "continue outside range");
  }
}

}  // namespace tocsin::rules::tmpl

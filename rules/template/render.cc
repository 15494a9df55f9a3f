#include "rules/template/render.h"

#include <optional>

#include "agent/core/go_format.h"
#include "agent/core/utf8.h"
#include "rules/template/html_escape.h"
#include "rules/template/methods.h"
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
  Renderer(const Tree& tree, const ExecInput& in) : tree_(tree), in_(in) {
    vars_.push_back({"$", in.data});
    for (const auto& v : in.vars) vars_.push_back(v);
    if (in.escape_html) html_.emplace();
  }

  std::string Run() {
    Walk(*tree_.root, in_.data);
    return std::move(out_);
  }

 private:
  [[noreturn]] void Fail(const std::string& msg) { throw RenderError{line_, msg}; }

  // text/template's evalField: a method first, then a struct field, then a map key.
  Value FieldOf(const Value& v, const std::string& name) {
    if (HasMethod(v, name)) return Invoke(v, name, {});
    switch (v.kind) {
      case Value::Kind::kStruct:
        if (const Value* m = v.Member(name)) return *m;
        Fail("can't evaluate field " + name + " in type " + v.GoType());
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

  Value Invoke(const Value& recv, const std::string& name, const std::vector<Value>& args) {
    auto r = CallMethod(recv, name, args);
    if (!r.ok()) Fail(r.status().message());
    return std::move(r).value();
  }

  // The receiver of a field chain's last name and that name, for a call with arguments
  // (`.CommonLabels.Remove .GroupLabels.Names`); false when the chain is a single variable.
  bool ChainReceiver(const Node& n, const Value& dot, Value* recv, std::string* method) {
    std::vector<std::string> names;
    Value base;
    if (n.type == NodeType::kField) {
      names = static_cast<const FieldNode&>(n).idents;
      base = dot;
    } else if (n.type == NodeType::kVariable) {
      const auto& var = static_cast<const VariableNode&>(n);
      if (var.idents.size() < 2) return false;
      base = Lookup(var.idents[0]);
      names.assign(var.idents.begin() + 1, var.idents.end());
    } else if (n.type == NodeType::kChain) {
      const auto& c = static_cast<const ChainNode&>(n);
      base = EvalArg(*c.node, dot);
      names = c.fields;
    } else {
      return false;
    }
    for (size_t k = 0; k + 1 < names.size(); ++k) base = FieldOf(base, names[k]);
    *recv = std::move(base);
    *method = names.back();
    return true;
  }

  void Emit(const std::string& s) {
    out_ += s;
    if (out_.size() > kMaxOutput) Fail("output exceeds " + std::to_string(kMaxOutput) + " bytes");
  }

  void Walk(const Node& n, const Value& dot) {
    line_ = n.line;
    switch (n.type) {
      case NodeType::kList:
        for (const auto& c : static_cast<const ListNode&>(n).nodes) Walk(*c, dot);
        return;
      case NodeType::kText:
        if (html_) {
          Result<std::string> text = html_->Text(static_cast<const TextNode&>(n).text);
          if (!text.ok()) Fail(text.status().message());
          Emit(*text);
        } else {
          Emit(static_cast<const TextNode&>(n).text);
        }
        return;
      case NodeType::kComment:
        return;
      case NodeType::kAction: {
        const auto& a = static_cast<const ActionNode&>(n);
        if (html_ && a.pipe->decls.empty()) {
          EmitEscaped(*a.pipe, dot);
          return;
        }
        Value v = EvalPipe(*a.pipe, dot);
        if (a.pipe->decls.empty()) Emit(v.Print());
        return;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        const auto& b = static_cast<const BranchNode&>(n);
        size_t mark = vars_.size();
        Value v = EvalPipe(*b.pipe, dot);
        if (v.Truth()) {
          if (n.type == NodeType::kWith) {
            Walk(*b.list, v);
          } else {
            Walk(*b.list, dot);
          }
        } else if (b.else_list) {
          Walk(*b.else_list, dot);
        }
        vars_.resize(mark);
        return;
      }
      case NodeType::kRange:
        Range(static_cast<const BranchNode&>(n), dot);
        return;
      case NodeType::kBreak:
        throw Break{};
      case NodeType::kContinue:
        throw Continue{};
      case NodeType::kTemplate: {
        const auto& t = static_cast<const TemplateNode&>(n);
        const ListNode* body = FindDefine(t.name);
        if (body == nullptr) Fail("no such template \"" + t.name + "\"");
        if (++depth_ > 100) Fail("exceeded maximum template depth (100)");
        Value arg = t.pipe ? EvalPipe(*t.pipe, dot) : Value();
        // A called template starts with only $ (= its argument) in scope, as in Go.
        std::vector<std::pair<std::string, Value>> saved;
        saved.swap(vars_);
        vars_.push_back({"$", arg});
        Walk(*body, arg);
        vars_.swap(saved);
        --depth_;
        return;
      }
      default:
        Fail("unknown node");
    }
  }

  // An action under html/template: the pipeline's value before a trailing `html`/`urlquery`
  // (which Go merges with the context's escapers), escaped for the current context.
  void EmitEscaped(const PipeNode& pipe, const Value& dot) {
    TrailingEscaper trailing = TrailingEscaper::kNone;
    const CommandNode& last = *pipe.cmds.back();
    if (last.args[0]->type == NodeType::kIdentifier) {
      const std::string& fn = static_cast<const IdentifierNode&>(*last.args[0]).name;
      if (fn == "html") trailing = TrailingEscaper::kHtml;
      if (fn == "urlquery") trailing = TrailingEscaper::kUrlQuery;
    }
    Value v;
    if (trailing != TrailingEscaper::kNone && pipe.cmds.size() > 1 && last.args.size() == 1) {
      // {{ x | html }}: everything but the escaper.
      bool has = false;
      for (size_t k = 0; k + 1 < pipe.cmds.size(); ++k) {
        v = EvalCommand(*pipe.cmds[k], dot, has ? &v : nullptr);
        has = true;
      }
    } else if (trailing != TrailingEscaper::kNone && pipe.cmds.size() == 1 &&
               last.args.size() == 2 && EvalArg(*last.args[1], dot).kind == Value::Kind::kString) {
      // {{ html .x }} is {{ .x | html }} (Go's _eval_args_ rewrite).
      v = EvalArg(*last.args[1], dot);
    } else {
      trailing = TrailingEscaper::kNone;
      v = EvalPipe(pipe, dot);
    }
    bool safe = v.kind == Value::Kind::kString && v.HasType(Value::kHtmlType);
    Result<std::string> out = html_->Action(v.Print(), safe, trailing);
    if (!out.ok()) Fail(out.status().message());
    Emit(*out);
  }

  void Range(const BranchNode& b, const Value& dot) {
    size_t mark = vars_.size();
    Value v = EvalPipe(*b.pipe, dot);
    vars_.resize(mark);
    auto body = [&](const Value& key, const Value& elem) -> bool {
      if (b.pipe->decls.size() == 1) vars_.push_back({b.pipe->decls[0], elem});
      if (b.pipe->decls.size() == 2) {
        vars_.push_back({b.pipe->decls[0], key});
        vars_.push_back({b.pipe->decls[1], elem});
      }
      bool stop = false;
      try {
        Walk(*b.list, elem);
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
      case Value::Kind::kList:
        for (size_t i = 0; i < v.list->size(); ++i) {
          ++count;
          if (!body(Value::Int(static_cast<int64_t>(i)), (*v.list)[i])) break;
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
    if (count == 0 && b.else_list) Walk(*b.else_list, dot);
  }

  Value EvalPipe(const PipeNode& pipe, const Value& dot) {
    Value v;
    bool has = false;
    for (const auto& cmd : pipe.cmds) {
      v = EvalCommand(*cmd, dot, has ? &v : nullptr);
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

  Value EvalArg(const Node& n, const Value& dot) {
    switch (n.type) {
      case NodeType::kDot:
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
        for (const auto& id : f.idents) v = FieldOf(v, id);
        return v;
      }
      case NodeType::kVariable: {
        const auto& var = static_cast<const VariableNode&>(n);
        Value v = Lookup(var.idents[0]);
        for (size_t i = 1; i < var.idents.size(); ++i) v = FieldOf(v, var.idents[i]);
        return v;
      }
      case NodeType::kPipe:
        return EvalPipe(static_cast<const PipeNode&>(n), dot);
      case NodeType::kChain: {
        const auto& c = static_cast<const ChainNode&>(n);
        Value v = EvalArg(*c.node, dot);
        for (const auto& f : c.fields) v = FieldOf(v, f);
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

  Value EvalCommand(const CommandNode& cmd, const Value& dot, const Value* final) {
    const Node& first = *cmd.args[0];
    auto args = [&] {
      std::vector<Value> out;
      for (size_t i = 1; i < cmd.args.size(); ++i) out.push_back(EvalArg(*cmd.args[i], dot));
      if (final) out.push_back(*final);
      return out;
    };
    if (first.type == NodeType::kIdentifier) {
      return Call(static_cast<const IdentifierNode&>(first).name, args());
    }
    Value recv;
    std::string method;
    if ((cmd.args.size() > 1 || final) && ChainReceiver(first, dot, &recv, &method) &&
        HasMethod(recv, method)) {
      return Invoke(recv, method, args());
    }
    if (cmd.args.size() > 1 || final) {
      Fail("can't give argument to non-function " +
           std::string(first.type == NodeType::kVariable ? "variable" : "value"));
    }
    return EvalArg(first, dot);
  }

  Value Call(const std::string& fn, const std::vector<Value>& args) {
    auto r = CallTemplateFunction(fn, args, in_.ctx);
    if (!r.ok()) Fail(r.status().message());
    return std::move(r).value();
  }

  const ListNode* FindDefine(const std::string& name) const {
    if (auto it = tree_.defines.find(name); it != tree_.defines.end()) return it->second.get();
    if (in_.shared_defines != nullptr) {
      if (auto it = in_.shared_defines->find(name); it != in_.shared_defines->end()) {
        return it->second.get();
      }
    }
    return nullptr;
  }

  const Tree& tree_;
  const ExecInput& in_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string out_;
  std::optional<HtmlEscaper> html_;
  int line_ = 1;
  int depth_ = 0;
};

}  // namespace

std::string GoFormatFloatV(double v) { return FormatGoFloatG(v); }

Result<std::string> Execute(const Tree& tree, const ExecInput& in) {
  auto prefix = [&](int line) {
    return "template: " + tree.name + ":" + std::to_string(line) + ": executing \"" + tree.name +
           "\": ";
  };
  try {
    // Templates slice strings byte-wise (e.g. `slice`/`reReplaceAll` on label values), which
    // can cut a rune; what leaves here is valid UTF-8.
    Result<std::string> out = Renderer(tree, in).Run();
    if (out.ok()) {
      SanitizeUtf8InPlace(*out);
      // Each invalid byte became a 3-byte U+FFFD: the bound holds for what leaves, too (found
      // by go_template_fuzzer: a range over 0xff bytes tripled past it).
      if (out->size() > kMaxOutput) {
        return InvalidArgument(prefix(1) + "output exceeds " + std::to_string(kMaxOutput) +
                               " bytes");
      }
    }
    return out;
  } catch (const RenderError& e) {
    return InvalidArgument(prefix(e.line) + e.message);
  } catch (const Break&) {
    return InvalidArgument(prefix(1) + "break outside range");
  } catch (const Continue&) {
    return InvalidArgument(prefix(1) + "continue outside range");
  }
}

Result<std::string> Render(const Tree& tree, const AlertTemplateData& data) {
  ExecInput in;
  Value labels = Value::BorrowedMap(data.labels);
  Value external_labels = Value::BorrowedMap(data.external_labels);
  in.data = Value::Struct(
      "struct { Labels map[string]string; ExternalLabels map[string]string; "
      "ExternalURL string; Value interface {} }",
      {{"Labels", labels},
       {"ExternalLabels", external_labels},
       {"ExternalURL", Value::Str(data.external_url)},
       {"Value", Value::Float(data.value)}});
  in.vars = {{"$labels", labels},
             {"$externalLabels", external_labels},
             {"$externalURL", Value::Str(data.external_url)},
             {"$value", Value::Float(data.value)}};
  in.ctx.query = data.query;
  in.ctx.eval_time = data.eval_time;
  in.ctx.external_url = data.external_url;
  return Execute(tree, in);
}

}  // namespace tocsin::rules::tmpl

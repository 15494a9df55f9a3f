#include "rules/template/methods.h"

#include <algorithm>
#include <set>

#include "rules/template/go_time.h"

namespace tocsin::rules::tmpl {
namespace {

Status WantArgs(const std::string& name, const std::vector<Value>& args, size_t n) {
  if (args.size() == n) return Status::Ok();
  return InvalidArgument("wrong number of args for " + name + ": want " + std::to_string(n) +
                         " got " + std::to_string(args.size()));
}

Status WrongType(const char* want, const Value& got) {
  return InvalidArgument(std::string("wrong type for value; expected ") + want + "; got " +
                         got.GoType());
}

// Pairs.Names / Pairs.Values: member 0 or 1 of each template.Pair.
Value PairColumn(const Value& pairs, size_t column) {
  std::vector<Value> out;
  out.reserve(pairs.list->size());
  for (const Value& p : *pairs.list) out.push_back(p.fields->members[column].second);
  return Value::List(Value::kStringSliceType, std::move(out));
}

Value AlertsWithStatus(const Value& alerts, const char* status) {
  std::vector<Value> out;
  for (const Value& a : *alerts.list) {
    const Value* s = a.Member("Status");
    if (s != nullptr && s->s == status) out.push_back(a);
  }
  return Value::List(kAlertSliceType, std::move(out));
}

bool IsType(const Value& v, Value::Kind kind, const char* type) {
  return v.kind == kind && v.HasType(type);
}

}  // namespace

Value SortedPairsOf(const Labels& kv) {
  std::vector<Value> pairs;
  pairs.reserve(kv.size());
  auto add = [&](const Label& l) {
    pairs.push_back(
        Value::Struct(kPairType, {{"Name", Value::Str(l.name)}, {"Value", Value::Str(l.value)}}));
  };
  for (const Label& l : kv) {
    if (l.name == "alertname") add(l);
  }
  for (const Label& l : kv) {
    if (l.name != "alertname") add(l);
  }
  return Value::List(kPairsType, std::move(pairs));
}

bool HasMethod(const Value& recv, const std::string& name) {
  if (recv.is_kv()) {
    return name == "SortedPairs" || name == "Names" || name == "Values" || name == "Remove";
  }
  if (IsType(recv, Value::Kind::kList, kPairsType)) return name == "Names" || name == "Values";
  if (IsType(recv, Value::Kind::kList, kAlertsType)) return name == "Firing" || name == "Resolved";
  if (recv.kind == Value::Kind::kTime) {
    return name == "Format" || name == "Unix" || name == "UnixMilli" || name == "UTC" ||
           name == "String";
  }
  return false;
}

Result<Value> CallMethod(const Value& recv, const std::string& name,
                         const std::vector<Value>& args) {
  if (!HasMethod(recv, name)) {
    return InvalidArgument("can't evaluate field " + name + " in type " + recv.GoType());
  }
  size_t want = name == "Remove" || name == "Format" ? 1 : 0;
  TOCSIN_RETURN_IF_ERROR(WantArgs(name, args, want));
  if (recv.is_kv()) {
    if (name == "Remove") {
      const Value& keys = args[0];
      if (!IsType(keys, Value::Kind::kList, Value::kStringSliceType)) {
        return WrongType(Value::kStringSliceType, keys);
      }
      std::set<std::string, std::less<>> drop;
      for (const Value& k : *keys.list) drop.insert(k.s);
      std::vector<Label> kept;
      for (const Label& l : *recv.labels) {
        if (drop.find(l.name) == drop.end()) kept.push_back(l);
      }
      return Value::KV(Labels::FromSorted(std::move(kept)));
    }
    Value pairs = SortedPairsOf(*recv.labels);
    if (name == "SortedPairs") return pairs;
    return PairColumn(pairs, name == "Names" ? 0 : 1);
  }
  if (IsType(recv, Value::Kind::kList, kPairsType)) {
    return PairColumn(recv, name == "Names" ? 0 : 1);
  }
  if (recv.kind == Value::Kind::kList) {
    return AlertsWithStatus(recv, name == "Firing" ? "firing" : "resolved");
  }
  // time.Time
  if (name == "Format") {
    if (args[0].kind != Value::Kind::kString) return WrongType("string", args[0]);
    return Value::Str(GoTimeFormat(recv.i, args[0].s));
  }
  if (name == "Unix") {
    int64_t ms = recv.i;
    return Value::Int(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
  }
  if (name == "UnixMilli") return Value::Int(recv.i);
  if (name == "String") return Value::Str(GoTimeString(recv.i));
  return recv;  // UTC: the times here are already UTC
}

}  // namespace tocsin::rules::tmpl

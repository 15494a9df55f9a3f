#include "collectors/postgres/pg_metrics.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace tocsin::postgres {

void Emitter::Family(const std::string& name, MetricType type, std::string_view help) {
  std::string_view family = name;
  if (type == MetricType::kCounter && family.ends_with("_total")) {
    family.remove_suffix(std::string_view("_total").size());
  }
  if (families_.count(family) != 0) return;
  families_.emplace(family);
  Metadata md;
  md.type = type;
  md.help = std::string(help);
  out_.SetMetadata(family, md);
}

void Emitter::Add(const std::string& name, std::vector<Label> labels, double value) {
  if (!status_.ok()) return;
  labels.reserve(labels.size() + base_.size() + 1);
  for (const Label& l : base_) labels.push_back(l);
  labels.push_back(Label{std::string(kMetricNameLabel), name});
  Status st = out_.Add(Labels::FromUnsorted(std::move(labels)), value);
  if (!st.ok()) {
    status_ = st;
    return;
  }
  ++added_;
}

std::optional<double> ParseValue(std::string_view t) {
  if (t == "t" || t == "true" || t == "on") return 1.0;
  if (t == "f" || t == "false" || t == "off") return 0.0;
  if (t == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (t == "Infinity") return std::numeric_limits<double>::infinity();
  if (t == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (t.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

Result<SettingSample> NormaliseSetting(std::string_view name, std::string_view setting,
                                       std::string_view unit, std::string_view vartype) {
  SettingSample s;
  s.name.reserve(name.size());
  for (char c : name) s.name += (c == '.' || c == '-') ? '_' : c;
  if (vartype == "bool") {
    s.value = setting == "on" ? 1 : 0;
    return s;
  }
  if (vartype != "integer" && vartype != "real") {
    return InvalidArgument("unsupported vartype " + std::string(vartype));
  }
  std::optional<double> v = ParseValue(setting);
  if (!v) return InvalidArgument("setting " + std::string(name) + " is not a number");
  s.value = *v;
  if (unit.empty()) return s;

  struct Unit {
    std::string_view unit;
    std::string_view suffix;
    double factor;
  };
  static constexpr Unit kUnits[] = {
      {"ms", "seconds", 1.0 / 1000},
      {"s", "seconds", 1},
      {"min", "seconds", 60},
      {"h", "seconds", 3600},
      {"d", "seconds", 86400},
      {"B", "bytes", 1},
      {"kB", "bytes", 1024.0},
      {"MB", "bytes", 1024.0 * 1024},
      {"GB", "bytes", 1024.0 * 1024 * 1024},
      {"TB", "bytes", 1024.0 * 1024 * 1024 * 1024},
      {"1kB", "bytes", 1024.0},
      {"2kB", "bytes", 2048.0},
      {"4kB", "bytes", 4096.0},
      {"8kB", "bytes", 8192.0},
      {"16kB", "bytes", 16384.0},
      {"32kB", "bytes", 32768.0},
      {"64kB", "bytes", 65536.0},
      {"16MB", "bytes", 16.0 * 1024 * 1024},
      {"32MB", "bytes", 32.0 * 1024 * 1024},
      {"64MB", "bytes", 64.0 * 1024 * 1024},
  };
  for (const Unit& u : kUnits) {
    if (u.unit != unit) continue;
    s.name += "_";
    s.name += u.suffix;
    if (s.value != -1) s.value *= u.factor;  // -1 means "disabled"/"default": keep it
    return s;
  }
  return InvalidArgument("unknown unit " + std::string(unit) + " for setting " + std::string(name));
}

Status ConvertRows(const QuerySpec& spec, const PgRows& rows, Emitter& out, size_t* skipped) {
  std::vector<int> label_idx;
  for (const std::string& l : spec.labels) {
    int i = rows.Column(l);
    if (i < 0) return Internal(spec.collector + ": result has no column " + l);
    label_idx.push_back(i);
  }
  struct Col {
    int idx;
    std::string name;
    const ValueColumn* spec;
  };
  std::vector<Col> cols;
  for (const ValueColumn& v : spec.values) {
    int i = rows.Column(v.column);
    if (i < 0) continue;  // not in this server version's result
    cols.push_back({i, spec.prefix + v.column, &v});
  }
  if (!rows.rows.empty()) {
    for (const Col& c : cols) out.Family(c.name, c.spec->type, c.spec->help);
  }
  std::set<std::vector<Label>> seen;
  for (const auto& row : rows.rows) {
    std::vector<Label> labels;
    labels.reserve(label_idx.size());
    for (size_t i = 0; i < label_idx.size(); ++i) {
      const auto& v = row[label_idx[i]];
      if (v && !v->empty()) labels.push_back(Label{spec.labels[i], *v});
    }
    // Rows that collide on their labels (e.g. two walsenders of one standby) are exported
    // once: the first wins.
    if (label_idx.size() > 0 && !seen.insert(labels).second) {
      if (skipped) ++*skipped;
      continue;
    }
    for (const Col& c : cols) {
      const auto& v = row[c.idx];
      if (!v) continue;
      std::optional<double> d = ParseValue(*v);
      if (!d) {
        if (skipped) ++*skipped;
        continue;
      }
      out.Add(c.name, labels, *d);
    }
  }
  return out.status();
}

Status ConvertSettings(const PgRows& rows, Emitter& out, size_t* skipped) {
  int name = rows.Column("name"), setting = rows.Column("setting"), unit = rows.Column("unit"),
      vartype = rows.Column("vartype");
  if (name < 0 || setting < 0 || unit < 0 || vartype < 0) {
    return Internal("settings: unexpected result columns");
  }
  for (const auto& row : rows.rows) {
    if (!row[name] || !row[setting] || !row[vartype]) continue;
    Result<SettingSample> s =
        NormaliseSetting(*row[name], *row[setting], row[unit].value_or(""), *row[vartype]);
    if (!s.ok()) {
      if (skipped) ++*skipped;
      continue;
    }
    std::string metric = "pg_settings_" + s->name;
    out.Family(metric, MetricType::kGauge, "Server Parameter: " + *row[name]);
    out.Add(metric, {}, s->value);
  }
  return out.status();
}

}  // namespace tocsin::postgres

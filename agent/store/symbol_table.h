// SymbolTable: interns label names and values so that each distinct string is stored once.
//
// Intern() returns a stable pointer to a refcounted Symbol; Release() drops one reference and
// frees the string when the last reference goes. Interning and releasing happen only when a
// series is created or deleted, never on the append path, so one mutex per shard is enough.
// Thread-safe. The table owns the Symbols; callers own references (one per Intern()).
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace tocsin {

class Symbol {
 public:
  std::string_view view() const { return {data_, size_}; }

 private:
  friend class SymbolTable;
  uint32_t refs_ = 0;  // guarded by the owning shard's mutex
  uint32_t size_ = 0;
  char data_[1];  // size_ bytes follow (allocated with the header)
};

class SymbolTable {
 public:
  SymbolTable() = default;
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;
  ~SymbolTable();

  const Symbol* Intern(std::string_view s);
  void Release(const Symbol* sym);

  // Distinct strings and their total bytes (including per-symbol headers).
  size_t size() const;
  size_t bytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    size_t operator()(const Symbol* s) const { return (*this)(s->view()); }
  };
  struct Eq {
    using is_transparent = void;
    static std::string_view V(std::string_view s) { return s; }
    static std::string_view V(const Symbol* s) { return s->view(); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return V(a) == V(b);
    }
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_set<Symbol*, Hash, Eq> set;
    size_t bytes = 0;
  };
  Shard& ShardFor(std::string_view s) { return shards_[Hash()(s) % kShards]; }
  Shard shards_[kShards];
};

}  // namespace tocsin

#include "agent/store/symbol_table.h"

#include <cassert>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tocsin {

namespace {
size_t AllocSize(size_t n) { return sizeof(Symbol) + n; }
}  // namespace

SymbolTable::~SymbolTable() {
  for (Shard& shard : shards_) {
    for (Symbol* s : shard.set) std::free(s);
  }
}

const Symbol* SymbolTable::Intern(std::string_view s) {
  Shard& shard = ShardFor(s);
  std::lock_guard lock(shard.mu);
  auto it = shard.set.find(s);
  if (it != shard.set.end()) {
    ++(*it)->refs_;
    return *it;
  }
  void* mem = std::malloc(AllocSize(s.size()));
  if (mem == nullptr) throw std::bad_alloc();
  Symbol* sym = new (mem) Symbol();
  sym->refs_ = 1;
  sym->size_ = static_cast<uint32_t>(s.size());
  if (!s.empty()) std::memcpy(sym->data_, s.data(), s.size());
  sym->data_[s.size()] = '\0';
  shard.set.insert(sym);
  shard.bytes += AllocSize(s.size());
  return sym;
}

void SymbolTable::Release(const Symbol* sym) {
  Shard& shard = ShardFor(sym->view());
  std::lock_guard lock(shard.mu);
  Symbol* s = const_cast<Symbol*>(sym);
  assert(s->refs_ > 0);
  if (--s->refs_ > 0) return;
  shard.set.erase(s);
  shard.bytes -= AllocSize(s->size_);
  std::free(s);
}

size_t SymbolTable::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.set.size();
  }
  return n;
}

size_t SymbolTable::bytes() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.bytes + shard.set.size() * 2 * sizeof(void*);  // node + bucket, roughly
  }
  return n;
}

}  // namespace tocsin

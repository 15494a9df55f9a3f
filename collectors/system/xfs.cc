#include "collectors/system/xfs.h"

#include <array>
#include <cerrno>
#include <optional>
#include <vector>

#include "collectors/system/go_strconv.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sysfs_file.h"

namespace tocsin::system {
namespace {

// procfs' value counts per label (two for vnodes and qm, whose last value newer kernels add).
struct LineRule {
  std::string_view label;
  size_t count, alt_count;
};
constexpr LineRule kRules[] = {
    {"extent_alloc", 4, 4}, {"abt", 4, 4},     {"blk_map", 7, 7}, {"bmbt", 4, 4},
    {"dir", 4, 4},          {"trans", 3, 3},   {"ig", 7, 7},      {"log", 5, 5},
    {"push_ail", 10, 10},   {"xstrat", 2, 2},  {"rw", 2, 2},      {"attr", 4, 4},
    {"icluster", 3, 3},     {"vnodes", 7, 8},  {"buf", 9, 9},     {"abtb2", 15, 15},
    {"abtc2", 15, 15},      {"bmbt2", 15, 15}, {"ibt2", 15, 15},  {"qm", 8, 9},
    {"debug", 1, 1},
};

// The exported series: name suffix, HELP, source line and value index (node_exporter 1.5's
// table, in its order). Note procfs' "rw" order: write calls first, then read calls.
struct Series {
  std::string_view name, help, label;
  size_t index;
};
constexpr Series kSeries[] = {
    {"extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem.",
     "extent_alloc", 0},
    {"extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem.",
     "extent_alloc", 1},
    {"extent_allocation_extents_freed_total", "Number of extents freed for a filesystem.",
     "extent_alloc", 2},
    {"extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem.",
     "extent_alloc", 3},
    {"allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem.",
     "abt", 0},
    {"allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem.",
     "abt", 1},
    {"allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem.", "abt", 2},
    {"allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem.", "abt", 3},
    {"block_mapping_reads_total", "Number of block map for read operations for a filesystem.",
     "blk_map", 0},
    {"block_mapping_writes_total", "Number of block map for write operations for a filesystem.",
     "blk_map", 1},
    {"block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem.", "blk_map",
     2},
    {"block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem.", "blk_map", 3},
    {"block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem.", "blk_map", 4},
    {"block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem.",
     "blk_map", 5},
    {"block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem.",
     "blk_map", 6},
    {"block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem.",
     "bmbt", 0},
    {"block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem.",
     "bmbt", 1},
    {"block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem.", "bmbt", 2},
    {"block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem.", "bmbt", 3},
    {"directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name "
     "lookup cache.",
     "dir", 0},
    {"directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem.", "dir", 1},
    {"directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem.", "dir", 2},
    {"directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem.", "dir", 3},
    {"inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache.", "ig", 0},
    {"inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache.", "ig", 1},
    {"inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was "
     "being recycled.",
     "ig", 2},
    {"inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it.", "ig", 3},
    {"inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it "
     "had already been added by another process.",
     "ig", 4},
    {"inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for "
     "another purpose.",
     "ig", 5},
    {"inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode.", "ig", 6},
    {"read_calls_total", "Number of read(2) system calls made to files in a filesystem.", "rw", 1},
    {"write_calls_total", "Number of write(2) system calls made to files in a filesystem.", "rw",
     0},
    {"vnode_active_total", "Number of vnodes not on free lists for a filesystem.", "vnodes", 0},
    {"vnode_allocate_total", "Number of times vn_alloc called for a filesystem.", "vnodes", 1},
    {"vnode_get_total", "Number of times vn_get called for a filesystem.", "vnodes", 2},
    {"vnode_hold_total", "Number of times vn_hold called for a filesystem.", "vnodes", 3},
    {"vnode_release_total", "Number of times vn_rele called for a filesystem.", "vnodes", 4},
    {"vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem.", "vnodes", 5},
    {"vnode_remove_total", "Number of times vn_remove called for a filesystem.", "vnodes", 6},
};

// The exported lines, indexes into `values` below.
constexpr std::string_view kExported[] = {"extent_alloc", "abt", "blk_map", "bmbt",
                                          "dir",          "ig",  "rw",      "vnodes"};

size_t ExportedIndex(std::string_view label) {
  for (size_t i = 0; i < std::size(kExported); ++i) {
    if (kExported[i] == label) return i;
  }
  return std::size(kExported);
}

Status Bad(const std::string& device, std::string_view what, std::string_view line) {
  return InvalidArgument("xfs " + device + ": " + std::string(what) + ": " + std::string(line));
}

}  // namespace

Status ParseXfsStats(std::string_view text, const std::string& device, SampleSink& sink) {
  std::array<std::array<uint32_t, 8>, std::size(kExported)> values{};
  for (std::string_view line; NextLine(text, line);) {
    std::vector<std::string_view> f = GoFields(line);
    if (f.size() < 2) continue;
    const std::string_view label = f[0];
    const size_t n = f.size() - 1;
    if (label == "xpc") {  // extended precision counters, uint64
      for (size_t i = 1; i < f.size(); ++i) {
        if (!GoParseUint(f[i], 10, 64)) return Bad(device, "bad value", line);
      }
      if (n != 3) return Bad(device, "incorrect number of values", line);
      continue;
    }
    std::vector<uint32_t> us;
    for (size_t i = 1; i < f.size(); ++i) {
      std::optional<uint64_t> v = GoParseUint(f[i], 10, 32);
      if (!v) return Bad(device, "bad value", line);
      us.push_back(static_cast<uint32_t>(*v));
    }
    for (const LineRule& r : kRules) {
      if (r.label != label) continue;
      if (n != r.count && n != r.alt_count) {
        return Bad(device, "incorrect number of values", line);
      }
      size_t idx = ExportedIndex(label);
      if (idx < values.size()) {
        values[idx].fill(0);
        for (size_t i = 0; i < us.size() && i < values[idx].size(); ++i) values[idx][i] = us[i];
      }
    }
  }
  for (const Series& s : kSeries) {
    const std::string name = "node_xfs_" + std::string(s.name);
    sink.Family(name, MetricType::kCounter, s.help);
    sink.Add(name, {{"device", device}},
             static_cast<double>(values[ExportedIndex(s.label)][s.index]));
  }
  return Status::Ok();
}

Status ReadXfs(const std::string& sysfs, SampleSink& sink) {
  const std::string dir = JoinPath(sysfs, "fs/xfs");
  std::vector<DirEntry> entries;
  if (!ReadDirSorted(dir, entries).ok()) return Status::Ok();  // no XFS: an empty glob
  for (const DirEntry& e : entries) {
    const std::string path = JoinPath(dir, e.name + "/stats/stats");
    if (int err = StatErrno(path); err == ENOENT || err == ENOTDIR) continue;
    SysFileRead r = ReadWhole(path);
    if (!r.ok()) return r.ToStatus(path);
    Status st = ParseXfsStats(r.text, e.name, sink);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace tocsin::system

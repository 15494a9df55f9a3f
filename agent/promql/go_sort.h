// Go's sort.Sort (pattern-defeating quicksort, as in Go 1.19 to 1.23) and container/heap, step
// for step: Prometheus orders samples with them, and where its Less calls elements equal (ties
// in topk/bottomk, 0 and -0 or NaNs in quantile, ties in sort) the result depends on exactly
// which comparisons and swaps these algorithms make. Any other algorithm, stable or not, picks
// differently.
//
// Each function works on a std::vector with `less(a, b)` standing for Go's Less(i, j) on the
// elements at i and j; it may be inconsistent (Prometheus's "NaN is less than everything,
// NaN included"). Indices are signed, so Go's integer arithmetic carries over unchanged.
// Stateless; thread-compatible.
#pragma once

#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace tocsin::promql::gosort {

namespace internal {

template <typename T, typename Less>
class Pdq {
 public:
  Pdq(std::vector<T>& d, Less& less) : d_(d), less_(less) {}

  void Sort() {
    int n = static_cast<int>(d_.size());
    if (n <= 1) return;
    Pdqsort(0, n, std::bit_width(static_cast<unsigned>(n)));
  }

 private:
  enum Hint { kUnknown, kIncreasing, kDecreasing };

  bool L(int i, int j) { return less_(d_[i], d_[j]); }
  void S(int i, int j) { std::swap(d_[i], d_[j]); }

  void InsertionSort(int a, int b) {
    for (int i = a + 1; i < b; i++) {
      for (int j = i; j > a && L(j, j - 1); j--) S(j, j - 1);
    }
  }

  void SiftDown(int lo, int hi, int first) {
    int root = lo;
    for (;;) {
      int child = 2 * root + 1;
      if (child >= hi) break;
      if (child + 1 < hi && L(first + child, first + child + 1)) child++;
      if (!L(first + root, first + child)) return;
      S(first + root, first + child);
      root = child;
    }
  }

  void HeapSort(int a, int b) {
    int first = a, lo = 0, hi = b - a;
    for (int i = (hi - 1) / 2; i >= 0; i--) SiftDown(i, hi, first);
    for (int i = hi - 1; i >= 0; i--) {
      S(first, first + i);
      SiftDown(lo, i, first);
    }
  }

  void Pdqsort(int a, int b, int limit) {
    constexpr int kMaxInsertion = 12;
    bool was_balanced = true, was_partitioned = true;
    for (;;) {
      int length = b - a;
      if (length <= kMaxInsertion) {
        InsertionSort(a, b);
        return;
      }
      if (limit == 0) {
        HeapSort(a, b);
        return;
      }
      if (!was_balanced) {
        BreakPatterns(a, b);
        limit--;
      }
      auto [pivot, hint] = ChoosePivot(a, b);
      if (hint == kDecreasing) {
        ReverseRange(a, b);
        pivot = (b - 1) - (pivot - a);
        hint = kIncreasing;
      }
      if (was_balanced && was_partitioned && hint == kIncreasing) {
        if (PartialInsertionSort(a, b)) return;
      }
      if (a > 0 && !L(a - 1, pivot)) {
        a = PartitionEqual(a, b, pivot);
        continue;
      }
      auto [mid, already_partitioned] = Partition(a, b, pivot);
      was_partitioned = already_partitioned;
      int left_len = mid - a, right_len = b - mid;
      int balance_threshold = length / 8;
      if (left_len < right_len) {
        was_balanced = left_len >= balance_threshold;
        Pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        was_balanced = right_len >= balance_threshold;
        Pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  }

  std::pair<int, bool> Partition(int a, int b, int pivot) {
    S(a, pivot);
    int i = a + 1, j = b - 1;
    while (i <= j && L(i, a)) i++;
    while (i <= j && !L(j, a)) j--;
    if (i > j) {
      S(j, a);
      return {j, true};
    }
    S(i, j);
    i++;
    j--;
    for (;;) {
      while (i <= j && L(i, a)) i++;
      while (i <= j && !L(j, a)) j--;
      if (i > j) break;
      S(i, j);
      i++;
      j--;
    }
    S(j, a);
    return {j, false};
  }

  int PartitionEqual(int a, int b, int pivot) {
    S(a, pivot);
    int i = a + 1, j = b - 1;
    for (;;) {
      while (i <= j && !L(a, i)) i++;
      while (i <= j && L(a, j)) j--;
      if (i > j) break;
      S(i, j);
      i++;
      j--;
    }
    return i;
  }

  bool PartialInsertionSort(int a, int b) {
    constexpr int kMaxSteps = 5, kShortestShifting = 50;
    int i = a + 1;
    for (int step = 0; step < kMaxSteps; step++) {
      while (i < b && !L(i, i - 1)) i++;
      if (i == b) return true;
      if (b - a < kShortestShifting) return false;
      S(i, i - 1);
      if (i - a >= 2) {
        for (int j = i - 1; j >= 1; j--) {
          if (!L(j, j - 1)) break;
          S(j, j - 1);
        }
      }
      if (b - i >= 2) {
        for (int j = i + 1; j < b; j++) {
          if (!L(j, j - 1)) break;
          S(j, j - 1);
        }
      }
    }
    return false;
  }

  void BreakPatterns(int a, int b) {
    int length = b - a;
    if (length < 8) return;
    auto random = static_cast<uint64_t>(length);  // Go's xorshift seeded with the length
    uint64_t modulus = uint64_t{1} << std::bit_width(static_cast<unsigned>(length));
    for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
      random ^= random << 13;
      random ^= random >> 17;
      random ^= random << 5;
      int other = static_cast<int>(random & (modulus - 1));
      if (other >= length) other -= length;
      S(idx, a + other);
    }
  }

  std::pair<int, Hint> ChoosePivot(int a, int b) {
    constexpr int kShortestNinther = 50, kMaxSwaps = 4 * 3;
    int l = b - a;
    int swaps = 0;
    int i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
      if (l >= kShortestNinther) {
        i = Median(i - 1, i, i + 1, swaps);
        j = Median(j - 1, j, j + 1, swaps);
        k = Median(k - 1, k, k + 1, swaps);
      }
      j = Median(i, j, k, swaps);
    }
    if (swaps == 0) return {j, kIncreasing};
    if (swaps == kMaxSwaps) return {j, kDecreasing};
    return {j, kUnknown};
  }

  void Order2(int& a, int& b, int& swaps) {
    if (L(b, a)) {
      swaps++;
      std::swap(a, b);
    }
  }

  int Median(int a, int b, int c, int& swaps) {
    Order2(a, b, swaps);
    Order2(b, c, swaps);
    Order2(a, b, swaps);
    return b;
  }

  void ReverseRange(int a, int b) {
    for (int i = a, j = b - 1; i < j; i++, j--) S(i, j);
  }

  std::vector<T>& d_;
  Less& less_;
};

}  // namespace internal

// sort.Sort(data) with data.Less(i, j) = less(d[i], d[j]). For sort.Sort(sort.Reverse(data))
// pass a `less` with its arguments swapped.
template <typename T, typename Less>
void Sort(std::vector<T>& d, Less less) {
  internal::Pdq<T, Less>(d, less).Sort();
}

// container/heap over d with h.Less(i, j) = less(d[i], d[j]).
template <typename T, typename Less>
void HeapUp(std::vector<T>& d, int j, Less& less) {
  for (;;) {
    int i = (j - 1) / 2;  // Go's division truncates: the root is its own parent
    if (i == j || !less(d[j], d[i])) break;
    std::swap(d[i], d[j]);
    j = i;
  }
}

template <typename T, typename Less>
bool HeapDown(std::vector<T>& d, int i0, int n, Less& less) {
  int i = i0;
  for (;;) {
    int j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    int j = j1;
    if (int j2 = j1 + 1; j2 < n && less(d[j2], d[j1])) j = j2;
    if (!less(d[j], d[i])) break;
    std::swap(d[i], d[j]);
    i = j;
  }
  return i > i0;
}

// heap.Push(h, x).
template <typename T, typename Less>
void HeapPush(std::vector<T>& d, T x, Less less) {
  d.push_back(std::move(x));
  HeapUp(d, static_cast<int>(d.size()) - 1, less);
}

// heap.Fix(h, i).
template <typename T, typename Less>
void HeapFix(std::vector<T>& d, int i, Less less) {
  if (!HeapDown(d, i, static_cast<int>(d.size()), less)) HeapUp(d, i, less);
}

}  // namespace tocsin::promql::gosort

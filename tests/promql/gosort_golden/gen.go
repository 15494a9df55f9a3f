// Command gen prints the golden orders that tests/promql/go_sort_test.cc checks
// agent/promql/go_sort.h against: which element lands where when Prometheus sorts samples with
// sort.Sort and keeps topk/bottomk candidates in a container/heap, ties included.
//
// Inputs are N samples with ids 0..N-1 and values drawn by an LCG from the first WIDTH values of
// `pool` (1, 2, 0, -0, NaN, 3, 1, 2): mostly ties, signed zeros and NaNs, which is where
// algorithms differ. Output lines (ids in the resulting order):
//
//	sort N SEED WIDTH: IDS         sort.Sort(vectorByValueHeap), as quantile() sorts
//	promql-sort N SEED WIDTH: IDS  sort.Sort(sort.Reverse(vectorByReverseValueHeap)), as sort()
//	topk N SEED WIDTH K: IDS       Prometheus 3.0's aggregationK for one group, then its
//	bottomk N SEED WIDTH K: IDS    sort.Sort(sort.Reverse(heap)) of the kept samples
package main

import (
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
)

type sample struct {
	id int
	f  float64
}

// byValue is Prometheus's vectorByValueHeap: NaN is less than everything, NaN included.
type byValue []sample

func (s byValue) Len() int { return len(s) }
func (s byValue) Less(i, j int) bool {
	if math.IsNaN(s[i].f) {
		return true
	}
	return s[i].f < s[j].f
}
func (s byValue) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *byValue) Push(x any)   { *s = append(*s, x.(sample)) }
func (s *byValue) Pop() any {
	o := *s
	e := o[len(o)-1]
	*s = o[:len(o)-1]
	return e
}

// byReverse is Prometheus's vectorByReverseValueHeap.
type byReverse []sample

func (s byReverse) Len() int { return len(s) }
func (s byReverse) Less(i, j int) bool {
	if math.IsNaN(s[i].f) {
		return true
	}
	return s[i].f > s[j].f
}
func (s byReverse) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *byReverse) Push(x any)   { *s = append(*s, x.(sample)) }
func (s *byReverse) Pop() any {
	o := *s
	e := o[len(o)-1]
	*s = o[:len(o)-1]
	return e
}

var pool = []float64{1, 2, 0, math.Copysign(0, -1), math.NaN(), 3, 1, 2}

func gen(n int, seed uint64, width int) []sample {
	x := seed
	out := make([]sample, n)
	for i := range out {
		x = x*6364136223846793005 + 1442695040888963407
		out[i] = sample{i, pool[int((x>>33)%uint64(width))]}
	}
	return out
}

func ids(v []sample) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = fmt.Sprint(s.id)
	}
	return strings.Join(parts, ",")
}

// keep is Prometheus 3.0's aggregationK (promql/engine.go) for one group.
func keep(in []sample, k int, top bool) []sample {
	h := byValue{in[0]}
	for _, s := range in[1:] {
		switch {
		case len(h) < k && top:
			heap.Push(&h, s)
		case len(h) < k:
			heap.Push((*byReverse)(&h), s)
		case top && (h[0].f < s.f || (math.IsNaN(h[0].f) && !math.IsNaN(s.f))):
			h[0] = s
			if k > 1 {
				heap.Fix(&h, 0)
			}
		case !top && (h[0].f > s.f || (math.IsNaN(h[0].f) && !math.IsNaN(s.f))):
			h[0] = s
			if k > 1 {
				heap.Fix((*byReverse)(&h), 0)
			}
		}
	}
	if len(h) > 1 {
		if top {
			sort.Sort(sort.Reverse(h))
		} else {
			sort.Sort(sort.Reverse((*byReverse)(&h)))
		}
	}
	return h
}

func main() {
	fmt.Printf("# Go sort/heap golden orders: %s %s/%s; regenerate with tests/promql/gosort_golden/README.md\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	cases := []struct {
		n     int
		seed  uint64
		width int
	}{{10, 1, 3}, {13, 9, 5}, {40, 2, 5}, {75, 5, 2}, {200, 3, 8}, {600, 4, 4}, {600, 6, 5}}
	for _, c := range cases {
		in := gen(c.n, c.seed, c.width)
		s := append([]sample(nil), in...)
		sort.Sort(byValue(s))
		fmt.Printf("sort %d %d %d: %s\n", c.n, c.seed, c.width, ids(s))
		s = append([]sample(nil), in...)
		sort.Sort(sort.Reverse(byReverse(s)))
		fmt.Printf("promql-sort %d %d %d: %s\n", c.n, c.seed, c.width, ids(s))
		for _, k := range []int{1, 2, 3, 7, 20} {
			fmt.Printf("topk %d %d %d %d: %s\n", c.n, c.seed, c.width, k, ids(keep(in, k, true)))
			fmt.Printf("bottomk %d %d %d %d: %s\n", c.n, c.seed, c.width, k, ids(keep(in, k, false)))
		}
	}
}

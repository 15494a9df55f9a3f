// Command gen prints the golden values that tests/core/go_math_test.cc checks agent/core/go_math
// against: Go's math functions as a linux/amd64 binary computes them, as float64 bit patterns.
//
// Run it on linux/amd64 with a CPU that has AVX and FMA (see README.md). It prints every set
// for the CPU's own Exp path ("fma"), then re-runs itself with GODEBUG=cpu.fma=off to print the
// sets that depend on Exp again for the SSE2 path ("sse2").
//
// Output lines:
//
//	set NAME KERNEL            following lines are "X OUT" (unary) or "X Y OUT" (binary), hex bits
//	digest NAME KERNEL N SEED DISTX [DISTY] FNV
//	                           N inputs drawn by splitmix64(SEED) from DISTX (and DISTY); FNV is
//	                           FNV-1a 64 over the outputs' bits, 8 little-endian bytes each
//
// KERNEL is "any" for functions that do not call Exp. A DIST is u:LO:HI (uniform), e:EMIN:EMAX
// or e:EMIN:EMAX:s (random mantissa with a binary exponent in [EMIN, EMAX], subnormals below
// -1022, :s for a random sign), i:LO:HI (integers) or h:LO:HI (integers + 0.5).
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// draw returns one value from dist; the C++ test implements the same mapping.
func draw(r *rng, dist string) float64 {
	p := strings.Split(dist, ":")
	switch p[0] {
	case "u":
		lo, _ := strconv.ParseFloat(p[1], 64)
		hi, _ := strconv.ParseFloat(p[2], 64)
		u := float64(r.next()>>11) * (1.0 / (1 << 53))
		return lo + float64((hi-lo)*u) // float64() forbids fusing, as the C++ side does not fuse
	case "e":
		emin, _ := strconv.Atoi(p[1])
		emax, _ := strconv.Atoi(p[2])
		r1, r2 := r.next(), r.next()
		b := emin + 1023 + int(r1%uint64(emax-emin+1))
		if b < 0 {
			b = 0
		}
		if b > 2046 {
			b = 2046
		}
		bits := uint64(b)<<52 | r2&(1<<52-1)
		if len(p) > 3 && p[3] == "s" {
			bits |= r2 & (1 << 63)
		}
		return math.Float64frombits(bits)
	case "i", "h":
		lo, _ := strconv.Atoi(p[1])
		hi, _ := strconv.Atoi(p[2])
		v := float64(lo + int(r.next()%uint64(hi-lo+1)))
		if p[0] == "h" {
			v += 0.5
		}
		return v
	}
	panic("bad dist " + dist)
}

type fn struct {
	name   string
	f1     func(float64) float64
	f2     func(float64, float64) float64
	expDep bool       // calls Exp, so differs between the FMA and SSE2 paths
	edges  []float64  // unary edge cases
	dists  [][]string // random distributions: {dx} or {dx, dy}
}

func h(v float64) string  { return fmt.Sprintf("%016x", math.Float64bits(v)) }
func fb(b uint64) float64 { return math.Float64frombits(b) }

// Edge cases every unary function sees.
func commonEdges() []float64 {
	v := []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), fb(0x7ff8000000000000),
		fb(0xfff8000000000001), fb(1), fb(0x800fffffffffffff), fb(0x000fffffffffffff), 1e-310,
		math.SmallestNonzeroFloat64 * 3, 2.2250738585072014e-308, math.MaxFloat64,
		-math.MaxFloat64, 1e-300, 1e-200, 1e-100, 1e-20, 1e-16, 1e-10, 1e-8, 1e-5, 1e-3,
		1.0 / (1 << 28), 1.0 / (1 << 29), 1.0 / (1 << 54), 1.0 / (1 << 55),
		0.1, 0.2, 0.25, 0.3, 0.5, 0.625, 0.66, 0.7, 0.75, 0.9, 0.99, 0.999999,
		1, 1.5, 2, 2.5, 3, 4, 5, 10, 20, 21, 22, 30, 44.01, 50, 100, 1000, 1e4, 1e5, 1e6,
		1e10, 1e15, 1e16, 1e20, 1e22, 1e50, 1e100, 1e200, 1e300, 1 << 28, 1 << 29, 1 << 30,
		1 << 52, 1 << 53, 1 << 63, 2.41421356237309504880, 0.34657359027997264, 1.0397207708399179,
		38.816242111356935, 88.02969193111305, 44.014845965556525,
		709.7827128933840, 709.782712893384, 709.78, 709, 710, -708.39, -708.4, -709, -709.78,
		-710, -720, -744, -745, -745.13321910194110842, -745.1332191019412, -745.2, -746, -1075,
		-1100, math.Pi, math.Pi / 2, math.Pi / 4, 3 * math.Pi / 4, 2 * math.Pi, math.E,
		math.Ln2, math.Sqrt2, math.Sqrt2 / 2, 1.2, 3.7, 12.5, 123.456, 6.02214076e23,
	}
	// Near 1 (for the logarithms) and near -1.
	for _, d := range []int64{-3, -2, -1, 1, 2, 3} {
		v = append(v, fb(uint64(int64(math.Float64bits(1))+d)))
		v = append(v, fb(uint64(int64(math.Float64bits(0.5))+d)))
		v = append(v, fb(uint64(int64(math.Float64bits(math.Sqrt2/2))+d)))
	}
	// Near multiples of pi/2 and pi/4, small and large, and their neighbours.
	for _, k := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 10, 100, 1e4, 1e6, 1e8, 3.4e8, 6.8e8, 1e9, 1e12, 1e15} {
		c := k * math.Pi / 2
		v = append(v, c, math.Nextafter(c, 0), math.Nextafter(c, math.Inf(1)), k*math.Pi/4)
	}
	// Across the Payne-Hanek threshold.
	for _, c := range []float64{1 << 29, 1 << 40, 1 << 60, 1 << 100, 1 << 200, 1e308} {
		v = append(v, math.Nextafter(c, 0), math.Nextafter(c, math.Inf(1)))
	}
	for _, x := range append([]float64(nil), v...) {
		if x != 0 && !math.IsNaN(x) {
			v = append(v, -x)
		}
	}
	return v
}

// Values for the arguments of the binary functions.
func binaryEdges() []float64 {
	return []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 0.5, -0.5, 2, -2,
		3, -3, 1.5, -1.5, 0.25, 10, -7.5, 1e-300, 1e300, fb(1), fb(0x800fffffffffffff),
		math.MaxFloat64, -math.MaxFloat64, 1 << 53, 1<<53 + 2, -(1<<53 + 2), 1 << 63, 1e20,
		math.Nextafter(1, 2), math.Nextafter(1, 0), 1022.5, -1074.5, 4097, math.Pi,
	}
}

func main() {
	sse2Only := flag.Bool("sse2-only", false, "internal: print only the Exp-dependent sets, for the SSE2 path")
	flag.Parse()

	if runtime.GOARCH != "amd64" {
		fmt.Fprintln(os.Stderr, "gen: run on amd64; other architectures take other code paths")
		os.Exit(1)
	}
	kernel := "sse2"
	if !*sse2Only {
		info, _ := os.ReadFile("/proc/cpuinfo")
		flags := " " + string(info) + " "
		if !strings.Contains(flags, " avx ") || !strings.Contains(flags, " fma ") {
			fmt.Fprintln(os.Stderr, "gen: this CPU has no AVX+FMA; run on one that has, to cover both Exp paths")
			os.Exit(1)
		}
		kernel = "fma"
		fmt.Printf("# Go math golden values: %s %s/%s; regenerate with tests/core/gomath_golden/README.md\n",
			runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}

	common := commonEdges()
	nearOne := []float64{}
	for _, d := range []float64{1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1} {
		nearOne = append(nearOne, 1+d, 1-d, -1+d, -1-d, d-1)
	}
	logDists := [][]string{{"e:-1074:1023"}, {"u:0.5:2"}, {"u:0:100"}}
	trigDists := [][]string{{"u:-10:10"}, {"e:-30:1023:s"}, {"u:-1e9:1e9"}}
	fns := []fn{
		{name: "Exp", f1: math.Exp, expDep: true, dists: [][]string{{"u:-750:710"}, {"u:-1:1"}, {"u:-30:30"}}},
		{name: "Expm1", f1: math.Expm1, dists: [][]string{{"u:-40:710"}, {"u:-1:1"}, {"e:-60:5:s"}}},
		{name: "Exp2", f1: math.Exp2, dists: [][]string{{"u:-1080:1030"}, {"u:-1:1"}}},
		{name: "Log", f1: math.Log, edges: nearOne, dists: logDists},
		{name: "Log2", f1: math.Log2, edges: nearOne, dists: logDists},
		{name: "Log10", f1: math.Log10, edges: nearOne, dists: logDists},
		{name: "Log1p", f1: math.Log1p, edges: nearOne, dists: [][]string{{"u:-1:1"}, {"e:-1074:1023"}, {"e:-60:0:s"}}},
		{name: "Sin", f1: math.Sin, dists: trigDists},
		{name: "Cos", f1: math.Cos, dists: trigDists},
		{name: "Tan", f1: math.Tan, dists: trigDists},
		{name: "Asin", f1: math.Asin, edges: nearOne, dists: [][]string{{"u:-1:1"}, {"e:-60:0:s"}}},
		{name: "Acos", f1: math.Acos, edges: nearOne, dists: [][]string{{"u:-1:1"}, {"e:-60:0:s"}}},
		{name: "Atan", f1: math.Atan, dists: [][]string{{"u:-10:10"}, {"e:-1074:1023:s"}}},
		{name: "Sinh", f1: math.Sinh, expDep: true, dists: [][]string{{"u:-30:30"}, {"u:-1:1"}, {"u:-720:720"}}},
		{name: "Cosh", f1: math.Cosh, expDep: true, dists: [][]string{{"u:-30:30"}, {"u:-1:1"}, {"u:-720:720"}}},
		{name: "Tanh", f1: math.Tanh, expDep: true, dists: [][]string{{"u:-30:30"}, {"u:-1:1"}, {"e:-60:6:s"}}},
		{name: "Asinh", f1: math.Asinh, dists: [][]string{{"u:-10:10"}, {"e:-1074:1023:s"}}},
		{name: "Acosh", f1: math.Acosh, edges: nearOne, dists: [][]string{{"u:1:10"}, {"e:0:1023"}}},
		{name: "Atanh", f1: math.Atanh, edges: nearOne, dists: [][]string{{"u:-1:1"}, {"e:-60:0:s"}}},
		{name: "Pow", f2: math.Pow, expDep: true, dists: [][]string{
			{"u:-10:10", "i:-30:30"}, {"u:-10:10", "h:-20:20"}, {"e:-20:20", "u:-10:10"},
			{"u:0:2", "u:-1000:1000"}, {"e:-1074:1023:s", "i:-5:5"}, {"e:-1074:1023", "u:-2:2"}}},
		{name: "Atan2", f2: math.Atan2, dists: [][]string{{"u:-10:10", "u:-10:10"}, {"e:-1074:1023:s", "e:-1074:1023:s"}}},
		{name: "Mod", f2: math.Mod, dists: [][]string{{"u:-100:100", "u:-10:10"}, {"e:-1074:1023:s", "e:-1074:1023:s"}, {"e:-20:60:s", "i:-20:20"}}},
	}

	const explicitPerDist = 60
	const digestPerDist = 4000
	for _, f := range fns {
		if *sse2Only && !f.expDep {
			continue
		}
		k := "any"
		if f.expDep {
			k = kernel
		}
		fmt.Printf("set %s %s\n", f.name, k)
		if f.f1 != nil {
			for _, x := range append(append([]float64(nil), common...), f.edges...) {
				fmt.Printf("%s %s\n", h(x), h(f.f1(x)))
			}
		} else {
			be := binaryEdges()
			for _, x := range be {
				for _, y := range be {
					fmt.Printf("%s %s %s\n", h(x), h(y), h(f.f2(x, y)))
				}
			}
		}
		for di, d := range f.dists {
			r := rng{uint64(1000 + di)}
			for i := 0; i < explicitPerDist; i++ {
				x := draw(&r, d[0])
				if f.f1 != nil {
					fmt.Printf("%s %s\n", h(x), h(f.f1(x)))
				} else {
					y := draw(&r, d[1])
					fmt.Printf("%s %s %s\n", h(x), h(y), h(f.f2(x, y)))
				}
			}
		}
		for di, d := range f.dists {
			seed := uint64(7000 + di)
			r := rng{seed}
			hash := uint64(0xcbf29ce484222325)
			for i := 0; i < digestPerDist; i++ {
				x := draw(&r, d[0])
				var out float64
				if f.f1 != nil {
					out = f.f1(x)
				} else {
					out = f.f2(x, draw(&r, d[1]))
				}
				b := math.Float64bits(out)
				for j := 0; j < 8; j++ {
					hash ^= (b >> (8 * j)) & 0xff
					hash *= 0x100000001b3
				}
			}
			fmt.Printf("digest %s %s %d %d %s %016x\n", f.name, k, digestPerDist, seed, strings.Join(d, " "), hash)
		}
	}

	if !*sse2Only {
		cmd := exec.Command(os.Args[0], "-sse2-only")
		cmd.Env = append(os.Environ(), "GODEBUG=cpu.fma=off")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}

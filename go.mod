// The Go worker (benchmarks/go) and the Go ports of the workloads
// (workloads/go): standard library only, built offline by
// benchmarks/go/CMakeLists.txt.
module mmbench

go 1.19

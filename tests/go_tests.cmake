# The Go worker's tests, included by tests/CMakeLists.txt when the worker is
# built: go vet, gofmt (it must list no file), and the Go unit tests, all with
# the build's offline toolchain environment (benchmarks/go/CMakeLists.txt).
set(go_cmd ${CMAKE_COMMAND} -E env ${MMBENCH_GO_ENV} ${MMBENCH_GO_EXECUTABLE})
set(go_packages ./benchmarks/go/... ./workloads/go/...)

add_test(NAME go.vet COMMAND ${go_cmd} vet ${go_packages} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# gofmt -l prints the files that are not formatted: any output fails.
add_test(NAME go.gofmt COMMAND sh -c "out=$(gofmt -l benchmarks/go workloads/go) && test -z \"$out\" || { echo \"not gofmt-formatted: $out\"; exit 1; }"
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME go.unit COMMAND ${go_cmd} test -count=1 ${go_packages}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(go.vet go.gofmt go.unit PROPERTIES TIMEOUT 600 LABELS "go;unit")

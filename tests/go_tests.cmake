# The Go worker's tests, included by tests/CMakeLists.txt when the worker is
# built: go vet, gofmt (it must list no file) and the Go unit tests with the
# build's offline toolchain environment (benchmarks/go/CMakeLists.txt); the
# histogram against the C++ one on identical samples; the row's percentiles
# against exact ones; the pause sources against each other (and a planted
# shortening caught); the start-up collector check.
set(go_cmd ${CMAKE_COMMAND} -E env ${MMBENCH_GO_ENV} ${MMBENCH_GO_EXECUTABLE})
set(go_packages ./benchmarks/go/... ./workloads/go/...)
set(go_scripts ${CMAKE_CURRENT_SOURCE_DIR}/scripts)

add_test(NAME go.vet COMMAND ${go_cmd} vet ${go_packages} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# gofmt -l prints the files that are not formatted: any output fails.
add_test(NAME go.gofmt
         COMMAND sh -c "out=$(gofmt -l benchmarks/go workloads/go) && test -z \"$out\" || { echo \"not gofmt-formatted: $out\"; exit 1; }"
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME go.unit COMMAND ${go_cmd} test -count=1 ${go_packages}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})

# Identical samples into base/histogram.hpp (this tool) and the Go port.
add_executable(histogram_dump ${CMAKE_CURRENT_SOURCE_DIR}/support/histogram_dump.cpp)
target_include_directories(histogram_dump PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(histogram_dump PRIVATE nlohmann_json::nlohmann_json)
add_test(NAME go.histogram_matches_cpp
         COMMAND ${go_cmd} test -count=1 -v -run TestMatchesCppHistogram ./benchmarks/go/base
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# A skip (the tool not given) must not pass.
set_tests_properties(go.histogram_matches_cpp PROPERTIES
                     ENVIRONMENT "MMBENCH_CPP_HISTOGRAM_DUMP=$<TARGET_FILE:histogram_dump>"
                     PASS_REGULAR_EXPRESSION "--- PASS: TestMatchesCppHistogram"
                     FAIL_REGULAR_EXPRESSION "--- (FAIL|SKIP)")

add_test(NAME go.latency_exact
         COMMAND /usr/bin/python3 ${go_scripts}/go_latency_exact.py ${MMBENCH_GO_WORKER})
add_test(NAME go.pause_crosscheck
         COMMAND /usr/bin/python3 ${go_scripts}/go_pause_crosscheck.py ${MMBENCH_GO_WORKER})
add_test(NAME go.pause_crosscheck_catches_planted_shortening
         COMMAND /usr/bin/python3 ${go_scripts}/go_pause_crosscheck.py ${MMBENCH_GO_WORKER}
                 --planted 0.75)
# GOGC in the environment that is not the strategy's: refused, exit 3.
add_test(NAME go.refuses_undeclared_gogc
         COMMAND sh ${go_scripts}/expect_run.sh 3 "collector check failed: GOGC in force is 50"
                 -- env GOGC=50 ${MMBENCH_GO_WORKER} --workload baseline --strategy go
                 --size quick)
# Declared through --gogc instead, it runs, and the detail says so.
add_test(NAME go.declared_gogc_runs
         COMMAND sh ${go_scripts}/expect_run.sh 0 "baseline/go"
                 -- ${MMBENCH_GO_WORKER} --workload baseline --strategy go --size quick --gogc 50)
add_test(NAME go.refuses_preloaded_malloc
         COMMAND sh ${go_scripts}/expect_run.sh 3 "allocator check failed"
                 -- ${MMBENCH_GO_WORKER} --workload baseline --strategy go --size quick
                 --expect-malloc /usr/lib/x86_64-linux-gnu/libjemalloc.so.2)
set_tests_properties(go.vet go.gofmt go.unit go.histogram_matches_cpp go.latency_exact
                     go.pause_crosscheck go.pause_crosscheck_catches_planted_shortening
                     go.refuses_undeclared_gogc go.declared_gogc_runs go.refuses_preloaded_malloc
                     PROPERTIES TIMEOUT 600 LABELS go)

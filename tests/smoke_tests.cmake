# Generates the smoke and checksum tests at ctest time (the manner of
# gtest_discover_tests' PRE_TEST) from the built workers' `--list`: every
# entry (workload × hosted strategy) runs at quick size, so a new strategy or
# workload is smoke-tested with no list to edit. An entry whose "refuses" is a
# reason must exit with exactly the listing's exit_codes.unsupported (reported
# as skipped); any other refusal fails its test.
#
# Included from CTestTestfile.cmake (TEST_INCLUDE_FILES) after smoke_config.cmake,
# written by tests/CMakeLists.txt, has set:
#   SMOKE_WORKERS      family=path of each worker binary
#   SMOKE_WORKER_DIR   the folder holding them (check_checksums.py's freshness test)
#   SMOKE_DETAIL_DIR   where each smoke run leaves its detail JSON
#   SMOKE_SCRIPTS      tests/scripts
#   SMOKE_PYTHON       the interpreter for check_checksums.py

cmake_policy(PUSH)
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST): ctest reads this without cmake_minimum_required
set(smoke_workloads "")
foreach(pair ${SMOKE_WORKERS})
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 family)
  list(GET pair 1 worker)
  execute_process(COMMAND ${worker} --list OUTPUT_VARIABLE listing ERROR_VARIABLE error
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    # Visible as a failing test rather than as missing ones.
    add_test(smoke.listing.${family} sh -c "echo '${worker} --list failed (${rc})'; exit 1")
    set_tests_properties(smoke.listing.${family} PROPERTIES LABELS smoke)
    continue()
  endif()
  string(JSON unsupported GET "${listing}" exit_codes unsupported)
  string(JSON n_entries LENGTH "${listing}" entries)
  math(EXPR last "${n_entries} - 1")
  foreach(i RANGE ${last})
    string(JSON workload GET "${listing}" entries ${i} workload)
    string(JSON strategy GET "${listing}" entries ${i} strategy)
    string(JSON refuses_type TYPE "${listing}" entries ${i} refuses)
    set(name smoke.${workload}.${strategy})
    set(run ${worker} --workload ${workload} --strategy ${strategy} --size quick
            --benchmark_format=console
            --detail-out ${SMOKE_DETAIL_DIR}/${workload}.${strategy}.detail.json)
    if(refuses_type STREQUAL "NULL")
      add_test(${name} ${run})
    else()
      add_test(${name} sh ${SMOKE_SCRIPTS}/expect_refusal.sh ${unsupported} -- ${run})
      set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE ${unsupported})
      list(APPEND smoke_refusers_${workload} ${strategy})
    endif()
    set_tests_properties(${name} PROPERTIES TIMEOUT 120 LABELS smoke
                         FIXTURES_SETUP smoke.${workload})
    list(APPEND smoke_checksum_args_${workload} ${strategy}=${family})
    if(NOT workload IN_LIST smoke_workloads)
      list(APPEND smoke_workloads ${workload})
    endif()
  endforeach()
endforeach()

# Every strategy that ran the workload computed the same checksum.
foreach(workload ${smoke_workloads})
  list(JOIN smoke_refusers_${workload} "," refusers)
  add_test(checksums.${workload} ${SMOKE_PYTHON} ${SMOKE_SCRIPTS}/check_checksums.py
           ${SMOKE_DETAIL_DIR} ${workload} ${SMOKE_WORKER_DIR} ${smoke_checksum_args_${workload}}
           --may-refuse "${refusers}")
  set_tests_properties(checksums.${workload} PROPERTIES TIMEOUT 60 LABELS smoke
                       FIXTURES_REQUIRED smoke.${workload})
  # A managed runtime's worker (not malloc-based) against the C++ glibc row, so
  # that `ctest -R <family>` checks its checksums too; read before the test above
  # (which deletes the files it read).
  foreach(pair ${smoke_checksum_args_${workload}})
    string(REPLACE "=" ";" pair "${pair}")
    list(GET pair 1 family)
    if(family MATCHES "^(glibc|mimalloc|jemalloc|asan)$" OR seen_${family}_${workload}
       OR NOT "glibc=glibc" IN_LIST smoke_checksum_args_${workload})
      continue()
    endif()
    set(seen_${family}_${workload} 1)
    set(own "")
    foreach(p ${smoke_checksum_args_${workload}})
      if(p MATCHES "=${family}$")
        list(APPEND own ${p})
      endif()
    endforeach()
    add_test(checksums.${family}.${workload} ${SMOKE_PYTHON} ${SMOKE_SCRIPTS}/check_checksums.py
             ${SMOKE_DETAIL_DIR} ${workload} ${SMOKE_WORKER_DIR} glibc=glibc ${own}
             --may-refuse "${refusers}" --keep)
    set_tests_properties(checksums.${family}.${workload} PROPERTIES TIMEOUT 60 LABELS smoke
                         FIXTURES_REQUIRED smoke.${workload})
    list(APPEND first_${workload} checksums.${family}.${workload})
  endforeach()
  if(first_${workload})
    set_tests_properties(checksums.${workload} PROPERTIES DEPENDS "${first_${workload}}")
  endif()
endforeach()
cmake_policy(POP)

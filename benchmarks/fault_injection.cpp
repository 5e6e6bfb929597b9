#include "benchmarks/fault_injection.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

namespace mmbench {

void inject_fault(const std::string& fault) {
  if (fault == "crash") {
    raise(SIGSEGV);
  } else if (fault == "hang") {
    for (;;) pause();
  } else if (fault == "oom") {
    throw std::bad_alloc();
  } else if (fault == "asan-overflow") {  // one read past a heap block
    // (through a volatile pointer: UBSan's object-size check would see it first)
    char* volatile block = static_cast<char*>(std::malloc(16));
    volatile std::size_t past = 16;
    volatile char c = block[past];
    (void)c;
    std::free(block);
  } else if (fault == "ubsan-shift") {  // undefined behaviour
    volatile int by = 40;
    volatile int shifted = 1 << by;
    (void)shifted;
  } else if (fault == "lsan-leak") {  // a block nothing points to
    [[maybe_unused]] static void* volatile sink;
    sink = std::malloc(4096);
    sink = nullptr;
  } else if (fault == "flood") {  // 200 MiB on stderr, then the run goes on
    static const std::string line(1023, 'x');
    for (int i = 0; i < 200 * 1024; ++i) {
      std::fputs(line.c_str(), stderr);
      std::fputc('\n', stderr);
    }
  }
}

}  // namespace mmbench

// A preloadable library that replaces operator new (and only that: malloc
// stays glibc's), to check that the worker's allocator identity check looks at
// operator new as well as at malloc. Forwards to malloc, so a run would work;
// the worker must refuse it all the same.
#include <cstdlib>
#include <new>

void* operator new(std::size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

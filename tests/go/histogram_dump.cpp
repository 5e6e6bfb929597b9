// Reads integers (ns), one per line, from stdin into base/histogram.hpp's
// Histogram and prints its detail-JSON form: the Go histogram's test
// (benchmarks/go/base/histogram_test.go) compares its own with this.
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/histogram.hpp"
#include "base/histogram_json.hpp"

int main() {
  mmbench::Histogram h;
  long long v;
  while (std::cin >> v) h.record(v);
  std::cout << mmbench::histogram_to_json(h) << "\n";
  return 0;
}

// Reads one integer per line from stdin, records each into base/histogram.hpp's
// Histogram and prints histogram_to_json: the C++ side of the check that the
// JVM worker's histogram has the same layout (tests/scripts/jvm_histogram_check.py).
#include <iostream>
#include <string>

#include "base/histogram_json.hpp"

int main() {
  mmbench::Histogram h;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty()) h.record(std::stoll(line));
  }
  std::cout << mmbench::histogram_to_json(h).dump() << "\n";
  return 0;
}

// The process environment as JSON, for the configuration reports of the
// strategies (the malloc families, the collector).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mmbench {

// The variable's value, or null when it is unset.
inline nlohmann::json env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// Every environment variable starting with `prefix`, as the process sees it.
inline nlohmann::json env_with_prefix(std::string_view prefix) {
  nlohmann::json out = nlohmann::json::object();
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    if (kv.rfind(prefix, 0) != 0) continue;
    const auto eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return out;
}

}  // namespace mmbench

#include "allocators/malloc_config.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <mimalloc.h>  // option numbers only; mi_option_get is looked up at run time
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <type_traits>

#include "base/env_json.hpp"

namespace mmbench {
namespace {

// Where a configuration item is read from.
enum class Source : unsigned char {
  kEnv,        // one environment variable (null when unset)
  kEnvPrefix,  // every variable starting with `name`, as an object
  kMiOption,   // mi_option_get(mi)
  kMallctl,    // mallctl(name), of type `type`; left out when the read fails
};
enum class Type : unsigned char { kNone, kUnsigned, kBool, kSize, kSsize, kString };

struct Item {
  std::string_view family;  // "" for any family not named in the table
  Source source;
  const char* group;  // key it goes under ("" top level; the group's key for kEnvPrefix)
  const char* name;
  mi_option_t mi = mi_option_t{};
  Type type = Type::kNone;
};

// clang-format off
constexpr Item kItems[] = {
    {"glibc",    Source::kEnv,       "",        "GLIBC_TUNABLES"},
    {"mimalloc", Source::kEnvPrefix, "env",     "MIMALLOC_"},
    {"mimalloc", Source::kMiOption,  "options", "eager_commit",            mi_option_eager_commit},
    {"mimalloc", Source::kMiOption,  "options", "large_os_pages",          mi_option_large_os_pages},
    {"mimalloc", Source::kMiOption,  "options", "reserve_huge_os_pages",   mi_option_reserve_huge_os_pages},
    {"mimalloc", Source::kMiOption,  "options", "reserve_os_memory",       mi_option_reserve_os_memory},
    {"mimalloc", Source::kMiOption,  "options", "page_reset",              mi_option_page_reset},
    {"mimalloc", Source::kMiOption,  "options", "abandoned_page_decommit", mi_option_abandoned_page_decommit},
    {"mimalloc", Source::kMiOption,  "options", "eager_commit_delay",      mi_option_eager_commit_delay},
    {"mimalloc", Source::kMiOption,  "options", "decommit_delay",          mi_option_decommit_delay},
    {"mimalloc", Source::kMiOption,  "options", "use_numa_nodes",          mi_option_use_numa_nodes},
    {"mimalloc", Source::kMiOption,  "options", "max_segment_reclaim",     mi_option_max_segment_reclaim},
    {"mimalloc", Source::kMiOption,  "options", "allow_decommit",          mi_option_allow_decommit},
    {"mimalloc", Source::kMiOption,  "options", "segment_decommit_delay",  mi_option_segment_decommit_delay},
    {"mimalloc", Source::kMiOption,  "options", "decommit_extend_delay",   mi_option_decommit_extend_delay},
    {"jemalloc", Source::kEnv,       "",        "MALLOC_CONF"},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.narenas",            {}, Type::kUnsigned},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.tcache",             {}, Type::kBool},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.tcache_max",         {}, Type::kSize},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.dirty_decay_ms",     {}, Type::kSsize},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.muzzy_decay_ms",     {}, Type::kSsize},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.background_thread",  {}, Type::kBool},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.retain",             {}, Type::kBool},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.thp",                {}, Type::kString},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.metadata_thp",       {}, Type::kString},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.percpu_arena",       {}, Type::kString},
    {"jemalloc", Source::kMallctl,   "opt",     "opt.oversize_threshold", {}, Type::kSize},
    {"",         Source::kEnv,       "",        "LD_PRELOAD"},
};
// clang-format on

using OptionGet = long (*)(mi_option_t);
using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);

template <class F>
F lookup(const char* symbol) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, symbol));
}

template <class T>
nlohmann::json read_mallctl(Mallctl mallctl, const char* name) {
  T value{};
  std::size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return nlohmann::json();  // discarded
  if constexpr (std::is_same_v<T, const char*>) {
    return value != nullptr ? value : "";
  } else {
    return value;
  }
}

nlohmann::json read_mallctl(Mallctl mallctl, const char* name, Type type) {
  switch (type) {
    case Type::kUnsigned:
      return read_mallctl<unsigned>(mallctl, name);
    case Type::kBool:
      return read_mallctl<bool>(mallctl, name);
    case Type::kSize:
      return read_mallctl<std::size_t>(mallctl, name);
    case Type::kSsize:
      return read_mallctl<ssize_t>(mallctl, name);
    case Type::kString:
      return read_mallctl<const char*>(mallctl, name);
    case Type::kNone:
      break;
  }
  return nlohmann::json();
}

bool known_family(std::string_view family) {
  for (const Item& item : kItems) {
    if (!item.family.empty() && item.family == family) return true;
  }
  return false;
}

}  // namespace

nlohmann::json malloc_config(std::string_view family) {
  const std::string_view row_family = known_family(family) ? family : std::string_view();
  const auto option_get = lookup<OptionGet>("mi_option_get");
  const auto mallctl = lookup<Mallctl>("mallctl");
  nlohmann::json c = nlohmann::json::object();
  for (const Item& item : kItems) {
    if (item.family != row_family) continue;
    switch (item.source) {
      case Source::kEnv:
        c[item.name] = env_or_null(item.name);
        break;
      case Source::kEnvPrefix:
        c[item.group] = env_with_prefix(item.name);
        break;
      case Source::kMiOption:
        if (option_get != nullptr) c[item.group][item.name] = option_get(item.mi);
        break;
      case Source::kMallctl:
        if (mallctl != nullptr) {
          nlohmann::json& group = c[item.group];  // present (null) even if every read fails
          if (nlohmann::json v = read_mallctl(mallctl, item.name, item.type); !v.is_null()) {
            group[item.name] = std::move(v);
          }
        }
        break;
    }
  }
  return c;
}

const char* release_malloc_memory() {
  using MiCollect = void (*)(bool);
  using Release = void (*)();
  if (auto fn = lookup<MiCollect>("mi_collect")) {
    fn(true);
    return "mi_collect(true)";
  }
  if (auto fn = lookup<Mallctl>("mallctl")) {
    fn("arena.4096.purge", nullptr, nullptr, nullptr, 0);  // 4096: MALLCTL_ARENAS_ALL
    return "mallctl(arena.<all>.purge)";
  }
  if (auto fn = lookup<Release>("MallocExtension_ReleaseFreeMemory")) {
    fn();  // gperftools (tcmalloc)
    return "MallocExtension_ReleaseFreeMemory";
  }
  malloc_trim(0);
  return "malloc_trim(0)";
}

}  // namespace mmbench

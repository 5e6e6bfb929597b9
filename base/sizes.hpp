// Run sizes: one declaration for the workloads (scaled()), the worker's
// command line and `--list`'s "sizes".
#pragma once

#include <optional>
#include <string_view>

namespace mmbench {

enum class Size { kQuick, kDefault, kLarge };

struct SizeName {
  std::string_view name;
  Size size;
};

inline constexpr SizeName kSizeNames[] = {
    {"quick", Size::kQuick}, {"default", Size::kDefault}, {"large", Size::kLarge}};

constexpr std::optional<Size> parse_size(std::string_view name) noexcept {
  for (const auto& s : kSizeNames) {
    if (s.name == name) return s.size;
  }
  return std::nullopt;
}

// Picks the figure for the run's size: scaled(ctx.size, 4, 16, 20).
template <class T>
constexpr T scaled(Size s, T quick, T dflt, T large) noexcept {
  return s == Size::kQuick ? quick : s == Size::kLarge ? large : dflt;
}

}  // namespace mmbench

# Shared by bench.sh and test.sh: install what is missing, then build.
# Debian 12 packages only; apt-get runs only when something is missing.
set -euo pipefail

MMBENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${MMBENCH_BUILD_DIR:-$MMBENCH_ROOT/build}"

BUILD_PACKAGES=(g++ make cmake pkg-config git libgc-dev libmimalloc-dev libjemalloc-dev
  libbenchmark-dev libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev
  python3 python3-matplotlib python3-numpy python3-scipy time
  openjdk-17-jdk-headless golang-go)
TEST_PACKAGES=(python3-pytest valgrind universal-ctags libtcmalloc-minimal4 chromium flake8 pyupgrade pylint)

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "mmbench: installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build_release() {
  cmake -S "$MMBENCH_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

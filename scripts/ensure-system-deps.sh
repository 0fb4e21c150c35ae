#!/bin/sh
# Checks the system packages the native addon builds against (Debian/Ubuntu names).
# As root it installs what is missing; otherwise it prints the exact command and fails.
# Set RNNLAB_SKIP_SYSTEM_DEPS=1 to skip the check (e.g. when OpenBLAS comes from elsewhere).
set -eu

[ "${RNNLAB_SKIP_SYSTEM_DEPS:-0}" = "1" ] && exit 0

required="libopenblas-dev liblapacke-dev cmake g++ make fonts-dejavu-core"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "rnnlab: not a Debian-based system; make sure OpenBLAS, LAPACKE, cmake and a C++17 compiler are installed." >&2
  exit 0
fi

missing=""
for pkg in $required; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
  echo "rnnlab: installing missing system packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing
else
  echo "rnnlab: missing system packages:$missing" >&2
  echo "rnnlab: install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
  echo "rnnlab: then run npm install again (or set RNNLAB_SKIP_SYSTEM_DEPS=1 if they are installed another way)." >&2
  exit 1
fi

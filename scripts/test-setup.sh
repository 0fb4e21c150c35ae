#!/bin/sh
# Test set-up (npm runs it before `npm test`): the report test renders the HTML report in
# Debian's headless Chromium. As root, install it when missing; otherwise say what to run.
set -eu
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "rnnlab test set-up: installing chromium (for the HTML report test)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "rnnlab test set-up: chromium is missing; the report test will fail. Install it with:" >&2
  echo "  sudo apt-get install -y chromium" >&2
fi

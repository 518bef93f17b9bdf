#!/usr/bin/env bash
# apt-install.sh WHO PACKAGE...: install Debian packages for the script WHO, which found
# them missing. CI runs as root with apt; anywhere else, say what to install and stop.
set -euo pipefail
who=$1
shift
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "$who: missing $*; install them (Debian: sudo apt-get install $*) and run again" >&2
    exit 1
fi
echo "$who: installing $* (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "$@" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "$@" >&2; }

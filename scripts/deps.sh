#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages berth needs to build and run (idempotent).
set -euo pipefail

need=()
# curl and python3-docker: the API tests (tests/api.rs) drive the service with them.
# podman and runc: the other end of the push and image archive tests (tests/push.rs,
# tests/image_archive.rs) and the benchmarks.
# docker-compose and python3-venv (for docker-py 7 and Testcontainers from PyPI, see
# scripts/testbed/pyclients): tests/api_clients.rs.
for pkg in build-essential pkg-config libseccomp-dev iptables iproute2 util-linux curl python3-docker podman runc docker-compose python3-venv; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "deps: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
if ! command -v cargo >/dev/null; then
    echo "deps: error: cargo not found; install Rust (https://rustup.rs) and run again" >&2
    exit 1
fi

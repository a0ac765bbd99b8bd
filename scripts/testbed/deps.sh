#!/usr/bin/env bash
# Install (idempotently) the Debian packages the berth test bed needs.
#
# Usage: scripts/testbed/deps.sh
#
# Only packages that are missing are installed, so a warm machine pays one
# dpkg-query call.  apt's own lock is waited on (DPkg::Lock::Timeout) so two
# concurrent `up` runs do not fail on each other.  Output goes to stderr.
set -euo pipefail

PACKAGES=(
    docker-registry   # the CNCF distribution registry v2.8 (/usr/bin/docker-registry)
    apache2-utils     # htpasswd (bcrypt) for the basic-auth registry
    openssl           # key/cert generation and RS256 signing for the token server
    python3           # pusher, image builder, token server (stdlib only)
    debootstrap       # debian:bookworm and redis:latest root filesystems
    debian-archive-keyring  # ... verified with Debian's keys
    ca-certificates   # ... in case apt's mirror is https
    zstd              # the zstd layer of tricky:latest
    curl              # health checks
    util-linux        # flock, setsid
    skopeo            # not used by `up`; handy for tests and the self-test
    jq                # idem
    redis-tools       # redis-cli and redis-benchmark: network tests and scripts/bench-net
    iproute2          # ip netns / ip link for the network tests' peer namespaces
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "testbed deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_install() {
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
}
# A fresh machine may have no (or stale) package lists: update once and retry.
if ! apt_install; then
    apt-get -o DPkg::Lock::Timeout=600 update >&2
    apt_install
fi

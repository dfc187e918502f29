#!/usr/bin/env bash
# Builds a local stand-in for node:20-bookworm-slim without Docker Hub: a Debian bookworm minbase
# root file system from Debian's mirror (debootstrap), with this machine's Node (and npm) copied in
# where the official image keeps them (/usr/local), imported into podman's image storage.
#
#   sudo docker/make-local-base.sh [image]        # default image: localhost/node20-bookworm-minbase
#   podman build --build-arg BASE_IMAGE=localhost/node20-bookworm-minbase -t inferql .
#
# Needs root, debootstrap and podman (apt-get install -y debootstrap podman). Environment:
#   MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   NODE_BIN  the node binary to copy (default: the one on PATH; Node >= 20.19, glibc <= 2.36)
#   NPM_DIR   npm's package directory to copy (default: $(npm root -g)/npm)
#   WORK      scratch directory (default: a new one under /var/tmp, removed at the end)
set -euo pipefail

image="${1:-localhost/node20-bookworm-minbase}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
node_bin="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
npm_dir="${NPM_DIR:-$(npm root -g)/npm}"
work="${WORK:-$(mktemp -d /var/tmp/inferql-base.XXXXXX)}"
rootfs="$work/rootfs"
trap 'rm -rf "$work"' EXIT

"$node_bin" -e 'const [M, m] = process.versions.node.split(".").map(Number);
  if (M < 20 || (M === 20 && m < 19)) { console.error(`node ${process.version} is older than 20.19`); process.exit(1); }'
test -f "$npm_dir/bin/npm-cli.js" || { echo "no npm at $npm_dir" >&2; exit 1; }

# minbase: essential packages and apt only, like the official slim image (which has no
# ca-certificates either: Node and npm carry their own CA bundle).
debootstrap --variant=minbase bookworm "$rootfs" "$mirror"

# Node where node:*-bookworm-slim has it: /usr/local/bin/node, npm under /usr/local/lib/node_modules.
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# Keep the image small and deterministic-ish: no apt lists or caches, no logs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/*

tar -C "$rootfs" --numeric-owner -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$image"
echo "built $image ($("$node_bin" --version), npm $("$node_bin" "$npm_dir/bin/npm-cli.js" --version))"

#!/usr/bin/env bash
# Builds local stand-ins for the fleet's public nginx and Redis images (deploy/compose.fleet.yaml)
# from Debian's packages, for machines that cannot pull from Docker Hub. Needs the local base image
# (docker/make-local-base.sh) and podman; then run the fleet with
#   FLEET_NGINX_IMAGE=localhost/fleet-nginx FLEET_REDIS_IMAGE=localhost/fleet-redis podman-compose …
# (the full sequence, and how it was checked, is in docker/README.md).
# Environment: RUN_FLAGS (extra `podman build` flags, e.g. the sandbox ones in docker/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
read -r -a build_flags <<<"${RUN_FLAGS:-}"
for name in nginx redis; do
  podman build --format docker "${build_flags[@]}" -f "$here/standins/$name.Containerfile" \
    -t "localhost/fleet-$name" "$here/standins"
done

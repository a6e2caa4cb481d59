#!/usr/bin/env bash
# Builds the harness's `serve` image (Dockerfile at the repository's root).
#
#   tools/build-serve-image.sh [TAG]          (default: resume-harness/serve:local)
#   NODE_IMAGE=node:20-alpine tools/build-serve-image.sh
#
# The build context is staged: app/ is what `npm pack` ships (no tests) plus the production
# dependencies as installed here (servers/reference/image/runtime-modules.mjs lists them), so
# nothing is downloaded during the build. The base is NODE_IMAGE when docker already has it (the
# script never pulls: `docker pull node:20-bookworm-slim` first where a registry is reachable);
# otherwise (no registry, as on this project's machines) a base image is made FROM scratch
# with this machine's node binary and the libraries `ldd` lists for it, the way the reference
# server's image is made (servers/reference/image/build-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-resume-harness/serve:local}"
node_image="${NODE_IMAGE:-node:20-bookworm-slim}"

stage="$(mktemp -d "${TMPDIR:-/tmp}/resume-harness-serve-image.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/app"

# What the npm package ships, exactly.
tarball="$(npm pack --silent --ignore-scripts --pack-destination "$stage")"
tar -xzf "$stage/$tarball" -C "$stage/app" --strip-components=1
rm "$stage/$tarball"

# The production dependencies and everything they load, as installed here.
roots="$(node -e 'process.stdout.write(Object.keys(require("./package.json").dependencies).join(","))')"
RUNTIME_ROOTS="$roots" node servers/reference/image/runtime-modules.mjs | while read -r dir; do
  cp -a --parents "$dir" "$stage/app"
done

if ! docker image inspect "$node_image" >/dev/null 2>&1; then
  # No node image and no registry: a base of this machine's node, at /usr/bin/node.
  node_image="resume-harness/node-runtime:local"
  base="$stage/base"
  rootfs="$base/rootfs"
  mkdir -p "$rootfs/usr/bin" "$rootfs/etc" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  node_bin="$(readlink -f "$(command -v node)")"
  cp "$node_bin" "$rootfs/usr/bin/node"
  ldd "$node_bin" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
    cp -L --parents "$lib" "$rootfs"
  done
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$rootfs/etc/hosts"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  printf 'nobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' > "$base/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$node_image" "$base" >/dev/null
  echo "no node:20 image here: built the base $node_image from $node_bin ($(node --version))" >&2
fi

cp Dockerfile "$stage/Dockerfile"
previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
DOCKER_BUILDKIT=0 docker build -q --build-arg "NODE_IMAGE=$node_image" -t "$tag" "$stage"
current="$(docker image inspect --format '{{.Id}}' "$tag")"
# The image this build replaced, now untagged: removed unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi

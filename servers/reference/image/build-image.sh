#!/usr/bin/env bash
# Builds the reference server's local image (servers/reference/Dockerfile) FROM scratch:
# stages a root file system with the node binary, the libraries `ldd` lists for it, and /app
# (the server, the protocol/ files, the node_modules it loads), then runs a classic docker build.
#
#   servers/reference/image/build-image.sh [TAG]     (default: resume-harness/reference-server:local)
set -euo pipefail
cd "$(dirname "$0")/../../.."
tag="${1:-resume-harness/reference-server:local}"
node_bin="$(readlink -f "$(command -v node)")"

stage="$(mktemp -d "${TMPDIR:-/tmp}/reference-server-image.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
rootfs="$stage/rootfs"
mkdir -p "$rootfs/usr/bin" "$rootfs/app" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"

# The runtime: node at /usr/bin/node, its libraries at the paths the loader looks for them.
cp "$node_bin" "$rootfs/usr/bin/node"
ldd "$node_bin" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  cp -L --parents "$lib" "$rootfs"
done
printf '127.0.0.1 localhost\n::1 localhost\n' > "$rootfs/etc/hosts"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"

# The app: package.json (type: module), tsconfig, the server, its mutant gallery (server.ts reads
# --mutant) and protocol/ (no tests), node_modules.
cp package.json tsconfig.json "$rootfs/app/"
find servers/reference servers/mutants protocol -name '*.ts' ! -name '*.test.ts' ! -path '*/testing/*' -print0 | xargs -0 cp --parents -t "$rootfs/app"
node servers/reference/image/runtime-modules.mjs | while read -r dir; do
  cp -a --parents "$dir" "$rootfs/app"
done

cp servers/reference/Dockerfile "$stage/Dockerfile"
previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$stage"
# The image this build replaced, now untagged: removed unless a container still uses it.
current="$(docker image inspect --format '{{.Id}}' "$tag")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi

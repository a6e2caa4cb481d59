# resume-harness `serve` as a local image (docs/ci.md §7): the mock server for a client driven
# by hand, judged when the conversation is over or when the container is stopped.
#
# Build it with tools/build-serve-image.sh [TAG] (default resume-harness/serve:local): the script
# stages the build context — app/ holds what `npm pack` ships and the production node_modules —
# and picks the base: NODE_IMAGE (node:20-bookworm-slim by default) when docker already has that
# image, else a base made from this machine's own node binary (no registry needed).
#
# Run it with host networking (it binds 127.0.0.1 inside, like every server of the harness):
#   docker run --rm -it --network host resume-harness/serve:local serve --scenario goaway.early-close --port 8080
# or publish a port, binding every interface inside the container (serve warns, as it should):
#   docker run --rm -it -p 8080:8080 resume-harness/serve:local serve --scenario goaway --host 0.0.0.0 --port 8080
# Your own scenario files: -v "$PWD/my-scenarios:/scenarios:ro" … serve --scenario /scenarios/x.scenario.json
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOME=/tmp TMPDIR=/tmp
WORKDIR /opt/resume-harness
COPY app/ /opt/resume-harness/
# nobody: serving needs no privilege (tsx keeps its cache in /tmp).
USER 65534:65534
# docker stop is Ctrl-C: serve gives its verdict on SIGINT.
STOPSIGNAL SIGINT
ENTRYPOINT ["node", "/opt/resume-harness/harness/bin/resume-harness.mjs"]
CMD ["serve", "--scenario", "goaway", "--port", "8080"]

# syntax=docker/dockerfile:1
# The profilesync image: the published packages, installed from the tarballs `scripts/pack.sh` makes, as npm would
# install them from the registry. One build, three targets that share every layer but the last:
#
#   docker build --target proxy   -t profilesync/proxy   .   # the sidecar (default target), HEALTHCHECK on /healthz
#   docker build --target daemon  -t profilesync/daemon  .   # the `profilesync` command
#   docker build --target sandbox -t profilesync/sandbox .   # the vendor stand-in, for deploy/compose.yaml
#
# tooling/release/test/install.test.ts runs this file's install and start steps outside a container (no container
# runtime there), so change them here and the test follows.

ARG NODE_IMAGE=node:20-slim

# 1. Build the workspace and pack the published packages (workspace: ranges become versions, as on the registry).
FROM ${NODE_IMAGE} AS pack
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && npm install --global --no-audit --no-fund pnpm@10.34.9
WORKDIR /workspace
COPY . .
RUN pnpm install --frozen-lockfile && bash scripts/pack.sh /tarballs

# 2. Install the tarballs with npm, production dependencies only (better-sqlite3 compiles here, with the compilers).
FROM ${NODE_IMAGE} AS install
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY --from=pack /tarballs /tarballs
ENV NPM_CONFIG_PREFIX=/opt/profilesync
RUN npm install --global --omit=dev --no-audit --no-fund /tarballs/*.tgz

# 3. The runtime: no compilers, no tarballs, no npm cache; tini as PID 1 forwards SIGTERM to the server and reaps.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=install /opt/profilesync /opt/profilesync
ENV PATH=/opt/profilesync/bin:$PATH \
  NODE_ENV=production
# The node image's unprivileged user (uid 1000); /var/lib/profilesync holds the daemon's SQLite state and rejects.
RUN mkdir -p /var/lib/profilesync && chown node:node /var/lib/profilesync
WORKDIR /var/lib/profilesync
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM runtime AS sandbox
EXPOSE 4010
CMD ["profilesync-sandbox", "--host", "0.0.0.0", "--port", "4010"]

FROM runtime AS daemon
# `docker run profilesync/daemon run --config /etc/profilesync/customers.yaml`
ENTRYPOINT ["/usr/bin/tini", "--", "profilesync"]
CMD ["--help"]

# Last, so that a plain `docker build .` gives the proxy.
FROM runtime AS proxy
# Listen on every interface of the container; set PROXY_KEYS so that only your services spend the budget.
ENV HOST=0.0.0.0 \
  PORT=8787
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["profilesync-proxy"]

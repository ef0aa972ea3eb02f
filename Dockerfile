# One image for every pairscore service (worker, aggregator, dashboard, submit/status tools).
#
# CPU by default, on Node 22 LTS (package.json says "node": ">=20"; the tests run on Node 20).
# For NVIDIA GPUs build with
#   --build-arg BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 --build-arg ORT_INSTALL=cuda12
# (docker-compose.yml's worker-gpu service does). The runtime stage then starts from the CUDA
# image and takes Node from the official image.
#
# Validated by parsing only (test/deploy.dockerfile.test.ts; compose by `docker-compose config`):
# the project's machines have no Docker engine, so this image has not been built there.
ARG NODE_IMAGE=node:22-bookworm-slim
ARG BASE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS node

# deps: the whole dependency tree (TypeScript included), cached until the lock file changes.
# --ignore-scripts: the root package's `prepare` (tsc) cannot run before the sources are here,
# and no dependency needs its script (onnxruntime-node bundles its CPU build, and its script would
# download GPU binaries; msgpackr-extract and protobufjs only check prebuilt files).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# build: the sources only now, so editing them never re-runs npm ci.
FROM deps AS build
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
RUN npx tsc -p tsconfig.json

# prod-deps: production dependencies only; for CUDA, onnxruntime-node's own install script
# fetches its GPU provider libraries (npm never runs it: --ignore-scripts).
FROM ${NODE_IMAGE} AS prod-deps
ARG ORT_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && if [ "${ORT_INSTALL}" != skip ]; then node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=${ORT_INSTALL}; fi \
 && npm cache clean --force

# runtime: Node, production node_modules and dist; no compiler, no npm cache, not root.
FROM ${BASE} AS runtime
# Node from the official image, so a CUDA base image gets the same runtime.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# The official image has a `node` user (uid 1000); a CUDA base image gets one made here.
RUN id -u node >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin node \
 && mkdir -p /models /cache \
 && chown node:node /cache
WORKDIR /app
COPY --chown=root:root package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers
ENV NODE_ENV=production \
    PAIRSCORE_MODELS_ROOT=/models \
    PAIRSCORE_CACHE_DIR=/cache \
    PAIRSCORE_METRICS_PORT=9464
USER node
EXPOSE 9464
# /readyz: Redis answers and the worker is not stopping (src/queue/worker-ops.ts). Slim and CUDA
# images have no curl, so Node's own fetch asks. Services without the port (dashboard, tools)
# set their own check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PAIRSCORE_METRICS_PORT||9464)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["worker"]

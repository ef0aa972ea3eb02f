# One image for every pairscore service (worker, aggregator, submit/status tools).
# CPU by default. For NVIDIA GPUs build with
#   --build-arg BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 --build-arg ORT_INSTALL=cuda12
# Validated with `docker-compose config`, not built here: these machines have no Docker engine.
ARG BASE=node:20-bookworm-slim
FROM node:20-bookworm-slim AS node

FROM ${BASE}
ARG ORT_INSTALL=skip
# Node 20 from the official image, so a CUDA base image gets the same runtime.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY . .
# npm ci never downloads onnxruntime-node's GPU provider: this image's npm 10 runs dependency install
# scripts, and ONNXRUNTIME_NODE_INSTALL=skip makes onnxruntime-node's a no-op (npm 11 blocks them
# unless package.json "allowScripts" approves, and it denies onnxruntime-node). For cuda12 the
# package's own install script fetches the provider.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund \
 && if [ "${ORT_INSTALL}" != skip ]; then node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=${ORT_INSTALL}; fi \
 && npm prune --omit=dev
ENV PAIRSCORE_MODELS_ROOT=/models \
    PAIRSCORE_CACHE_DIR=/cache \
    NODE_ENV=production
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["worker"]

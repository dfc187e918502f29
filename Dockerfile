# inferql, CPU image.
#
#   docker build -t inferql .
#   docker run -d --name inferql -p 8080:8080 -v inferql-cache:/var/cache/inferql inferql
#   docker run ... -v "$PWD/models:/models:ro" inferql serve --model /models/my-model.gguf
#   docker stop -t 30 inferql        # the grace period must outlast --drain-timeout (10 s)
#
# BASE_IMAGE: any Debian bookworm (glibc) image with Node >= 20.19 at /usr/local/bin, npm, and
# useradd; docker/make-local-base.sh builds one without Docker Hub.
ARG BASE_IMAGE=node:20-bookworm-slim

# ---- build: compile src/ to dist/, build the playground into dist/web, keep runtime deps only ----
FROM ${BASE_IMAGE} AS build
WORKDIR /app
# node-llama-cpp's postinstall would probe (and may try to compile) llama.cpp; the prebuilt binaries
# arrive as optional npm packages (@node-llama-cpp/linux-x64*) without it, and the server never
# builds at run time (build: "never").
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
# Behind a TLS-intercepting proxy: mount its CA bundle into the build and name it here, e.g.
# podman build -v /etc/ssl/certs/ca-certificates.crt:/proxy-ca.crt:ro --build-arg NODE_EXTRA_CA_CERTS=/proxy-ca.crt
# (build stage only; nothing of it reaches the runtime image).
ARG NODE_EXTRA_CA_CERTS
COPY package.json package-lock.json ./
# --ignore-scripts: the project's `prepare` (the playground build) needs the sources, copied below;
# no dependency needs its install script (esbuild's only checks its binary).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 # CPU only: drop the other prebuilt engines (CUDA ~540 MB, Vulkan, other architectures).
 && rm -rf node_modules/@node-llama-cpp/linux-x64-cuda node_modules/@node-llama-cpp/linux-x64-cuda-ext \
           node_modules/@node-llama-cpp/linux-x64-vulkan node_modules/@node-llama-cpp/linux-arm64 \
           node_modules/@node-llama-cpp/linux-armv7l \
 && test -f dist/server/main.js && test -f dist/web/index.html

# ---- runtime ----
FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    INFERQL_HOST=0.0.0.0 \
    INFERQL_PORT=8080 \
    INFERQL_GPU=cpu \
    INFERQL_CACHE_DIR=/var/cache/inferql \
    # llama.cpp must decode on one libuv thread (bin/inferql.cjs sets this too when unset).
    UV_THREADPOOL_SIZE=1
RUN groupadd --system --gid 10001 inferql \
 && useradd --system --uid 10001 --gid inferql --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin inferql \
 && mkdir -p /var/cache/inferql && chown inferql:inferql /var/cache/inferql
WORKDIR /app
# Owned by root, read-only to the server; only the cache volume is writable.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
# What the package ships of dist/ (package.json "files"): tsc's per-file output is only the bundle's input.
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/dist/client ./dist/client
COPY --from=build /app/dist/web ./dist/web
USER inferql
# The embedded model is generated here on first start (a few MB); keep it across containers.
VOLUME ["/var/cache/inferql"]
EXPOSE 8080
# /ready: 200 once the models are loaded, 503 while loading, when a queue is full or while draining.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.INFERQL_PORT||8080}/ready`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: in-flight generations get --drain-timeout (default 10 s) to finish, then end as
# cancelled and the process exits 0. Give it longer than that: docker stop -t 30,
# compose stop_grace_period: 30s, Kubernetes terminationGracePeriodSeconds: 30.
STOPSIGNAL SIGTERM
# node is PID 1 and handles SIGTERM/SIGINT itself (no shell, no npm in between). Arguments after
# the image name replace `serve`: `docker run inferql serve --slots 2`, `docker run inferql --help`.
ENTRYPOINT ["node", "bin/inferql.cjs"]
CMD ["serve"]

# The relay's container image (docs/operations.md): the compiled relay, its production
# dependencies only, as a non-root user, its data folder (the outbox) on a volume.
#
#   docker build -t ld-segment-relay .
#   docker run -p 8787:8787 -v relay-data:/data -e SEGMENT_WRITE_KEY=… ld-segment-relay
#
# NODE_IMAGE is the Node.js base it runs on (a current LTS, slim); BUILD_IMAGE is where it
# is built, which needs npm (the same image by default). CI builds both from Debian's
# packages (.ci/container-check).
ARG NODE_IMAGE=node:24-slim
ARG BUILD_IMAGE=${NODE_IMAGE}

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.runtime.json ./
COPY shared shared
COPY sources sources
COPY segment-functions segment-functions
COPY destinations destinations
COPY runtime runtime
COPY scripts scripts
RUN npm run build

FROM ${BUILD_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
# A numeric user needs no entry in the base's /etc/passwd; the code stays root's, read-only
# to the relay, which writes only to /data (so a read-only root file system works).
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787 LD_SEGMENT_DATA_DIR=/data
VOLUME /data
EXPOSE 8787
# Node is PID 1 (exec form, no shell in between): SIGTERM reaches the relay, which drains
# and exits; it starts no child processes, so there are no zombies to reap.
STOPSIGNAL SIGTERM
CMD ["node", "dist/runtime/server.js"]

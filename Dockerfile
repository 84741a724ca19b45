# A pubchain node image (see docs/scaling.md; not built or run in this repository's CI).
# Build: docker build -t pubchain .   Run: docker run --cap-add NET_ADMIN -p 8333:8333 pubchain
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# iproute2 gives `tc` inside the pod, for netem shaping the way Warnet does it.
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
VOLUME /data
EXPOSE 8333
ENTRYPOINT ["node", "bin/pubchain.js"]
CMD ["startnode", "--datadir", "/data", "--network", "regtest", "--bind", "0.0.0.0", "--port", "8333", "--listen-only", "--log-format", "json"]

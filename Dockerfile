# The MyBnB Payments sidecar. Build context: the repository root.
#   docker build -t mybnb-sidecar .
#   docker run -p 127.0.0.1:8787:8787 -e DATABASE_URL=… -e SIDECAR_KEYS=… mybnb-sidecar
# Every variable it reads is listed in .env.example. The image sets NODE_ENV=production, so it never
# starts in demo mode: without SIDECAR_KEYS it refuses to start and names the variable.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Native modules (better-sqlite3) build here if no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY sidecar ./sidecar
COPY migrations ./migrations
COPY policies ./policies

# SQLite's default file (DATABASE_URL unset) lives under /app/data.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

# Every interface inside the container: publish the port on the host's loopback (-p 127.0.0.1:…).
ENV PORT=8787 \
    LISTEN_HOST=0.0.0.0 \
    POLICY_DIR=/app/policies
EXPOSE 8787

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["node", "--import", "tsx", "sidecar/src/main.ts"]

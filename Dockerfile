# The MyBnB Payments sidecar. Build context: the repository root.
#   docker build -t mybnb-sidecar .
#   docker run -p 8787:8787 -e DATABASE_URL=… -e SIDECAR_KEYS=… mybnb-sidecar
# Every variable it reads is listed in .env.example; with none set it starts in demo mode on SQLite.
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

# SQLite's default file lives under /app/data in demo mode.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

ENV PORT=8787 \
    POLICY_DIR=/app/policies
EXPOSE 8787

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["node", "--import", "tsx", "sidecar/src/main.ts"]

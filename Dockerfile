# The MyBnB Payments sidecar. Build context: the repository root.
#   docker build -t mybnb-sidecar .
#   docker run -p 127.0.0.1:8787:8787 -e DATABASE_URL=… -e SIDECAR_KEYS=… mybnb-sidecar
# Every variable it reads is listed in .env.example. The image sets NODE_ENV=production, so it never
# starts in demo mode: without SIDECAR_KEYS it refuses to start and names the variable.
# Two stages: TypeScript is compiled (npm run build → dist/) in the first; the image runs the
# compiled JavaScript with production dependencies only (no TypeScript loader).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Native modules (better-sqlite3) build here if no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY sidecar ./sidecar
COPY migrations ./migrations
RUN node scripts/build.mjs \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY policies ./policies
# The Stripe fake of demo mode reads these fixture objects.
COPY fixtures/stripe/_objects ./fixtures/stripe/_objects

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

# SIGTERM (docker stop) stops accepting, finishes the batch in hand, closes the database, exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/sidecar/src/main.js"]

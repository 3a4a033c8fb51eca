# syntax=docker/dockerfile:1
# dagctl image: `docker build -t dagctl .` then `docker run -p 8080:8080 dagctl standalone`.
# Every step uses only files an earlier COPY brought in: test/e2e/image-layout.test.ts lays out
# exactly what these COPY lines name, builds there and starts dagctl from the runtime layout.

# --- build: compile TypeScript and native modules (better-sqlite3 builds from source) ---
FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# What `npm run build` runs after tsc: runtime assets into dist/, the executable bit on the CLI.
COPY scripts/copy-assets.js scripts/make-executable.js ./scripts/
COPY src ./src
# `npm ci` runs the `prepare` script (= npm run build): src/ compiled to dist/, assets copied beside it.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# --- runtime: slim image, non-root user; compiled code, production modules and example DAGs only ---
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends tini bash ca-certificates && rm -rf /var/lib/apt/lists/* \
  && groupadd --system dagctl && useradd --system --gid dagctl --home-dir /opt/dagctl --create-home dagctl
WORKDIR /app
ENV NODE_ENV=production \
    DAGCTL_HOME=/opt/dagctl \
    DAGCTL__WEBSERVER__HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --chown=dagctl:dagctl dags /opt/dagctl/dags
# The logs folder exists, owned by the image's user, before it becomes a VOLUME: a new volume
# starts as a copy of it (changes after the VOLUME line would be discarded).
RUN ln -s /app/dist/cli/main.js /usr/local/bin/dagctl \
  && mkdir -p /opt/dagctl/logs && chown dagctl:dagctl /opt/dagctl/logs
USER dagctl
EXPOSE 8080
VOLUME ["/opt/dagctl/logs"]
ENTRYPOINT ["/usr/bin/tini", "--", "dagctl"]
CMD ["standalone"]

# syntax=docker/dockerfile:1
# dagctl image: `docker build -t dagctl .` then `docker run -p 8080:8080 dagctl standalone`.

# --- build: compile TypeScript and native modules (better-sqlite3 builds from source) ---
FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# --- runtime: slim image, non-root user, the image's own dags folder ---
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends tini bash ca-certificates && rm -rf /var/lib/apt/lists/* \
  && groupadd --system dagctl && useradd --system --gid dagctl --home-dir /opt/dagctl --create-home dagctl
WORKDIR /app
ENV NODE_ENV=production \
    DAGCTL_HOME=/opt/dagctl \
    DAGCTL__WEBSERVER__HOST=0.0.0.0
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Web UI templates and static assets are read from the source tree at run time.
COPY src/web/ui ./src/web/ui
COPY --chown=dagctl:dagctl dags /opt/dagctl/dags
RUN ln -s /app/dist/cli/main.js /usr/local/bin/dagctl && chmod +x /app/dist/cli/main.js
USER dagctl
EXPOSE 8080
VOLUME ["/opt/dagctl/logs"]
ENTRYPOINT ["/usr/bin/tini", "--", "dagctl"]
CMD ["standalone"]

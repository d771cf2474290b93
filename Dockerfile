# syntax=docker/dockerfile:1
# Small, non-root image that runs the GitHub App (`npm start` = probot run ./dist/src/app/index.js).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY demo ./demo
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node data ./data
COPY --chown=node:node bin ./bin
COPY --chown=node:node app.yml ./
# The dependency watch's state file when REDIS_URL is not set: mount a volume here to keep it across containers.
ENV MODWARDEN_DATA_DIR=/var/lib/modwarden
RUN mkdir -p /var/lib/modwarden && chown node:node /var/lib/modwarden
VOLUME /var/lib/modwarden
USER node
EXPOSE 3000
CMD ["node", "node_modules/probot/bin/probot.js", "run", "./dist/src/app/index.js"]

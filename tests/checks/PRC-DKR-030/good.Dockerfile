# syntax=docker/dockerfile:1.7
FROM node:20.15.1-bookworm-slim AS build
WORKDIR /src
COPY . .
# The registry token is mounted for this one step and never stored in a layer.
RUN --mount=type=secret,id=npm_token \
    NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci && npm run build

FROM node:20.15.1-bookworm-slim
ENV NODE_ENV=production \
    DB_PASSWORD_FILE=/run/secrets/db_password \
    REDIS_PASSWORD= \
    GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json
COPY --from=build /src/dist /srv
USER node
CMD ["node", "/srv/server.js"]

ARG NODE_VERSION=20.15.1
ARG NPM_TOKEN
ARG SENTRY_AUTH_TOKEN=sntrys_eyJpYXQiOjE3MTk0MDAwMDB9

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG NPM_TOKEN
ENV NPM_TOKEN=${NPM_TOKEN}
WORKDIR /src
COPY . .
RUN npm ci && npm run build

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    DB_HOST=orders-db.internal \
    DB_PASSWORD=s3cr3t-orders \
    DB_PASSWORD_FILE=/run/secrets/db_password
ENV STRIPE_API_KEY sk_live_51HxYz
ENV MYSQL_ALLOW_EMPTY_PASSWORD=1
COPY --from=build /src/dist /srv
USER node
CMD ["node", "/srv/server.js"]

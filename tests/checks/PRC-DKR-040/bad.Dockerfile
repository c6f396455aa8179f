ARG NODE_VERSION=20.15.1
ARG RUNTIME_IMAGE

FROM node AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci

FROM node:latest AS lint
COPY --from=deps /src/node_modules /src/node_modules

FROM node:lts-alpine AS tools
RUN npm install -g pnpm@9.4.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
COPY --from=deps /src/node_modules ./node_modules
COPY . .
RUN npm run build

FROM build AS test
RUN npm test

FROM nginx:1.27@sha256:3c5b2a4e AS proxy

FROM scratch AS export
COPY --from=build /dist /

FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=build /dist /usr/share/nginx/html

FROM cgr.dev/chainguard/nginx:1.27.0@sha256:9a3f4c1e6f2b8d7a0c5e4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e AS pinned
COPY --from=build /dist /usr/share/nginx/html

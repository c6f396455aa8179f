FROM node:20.15.1-bookworm-slim
WORKDIR /srv
COPY . .
RUN npm ci --omit=dev
USER node
CMD ["node", "worker.js"]

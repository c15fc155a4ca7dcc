# One image for the worker, the API, the deploy/migrate jobs and the local chain node.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build:contracts
ENV APP_ENV=local DATA_DIR=/data
CMD ["npx", "tsx", "api/main.ts"]

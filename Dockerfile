# One image for the worker, the API, the deploy/migrate jobs and the local chain node.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build:contracts
# Production unless told otherwise (compose's demo sets APP_ENV=local itself).
ENV APP_ENV=production DATA_DIR=/data
CMD ["npx", "tsx", "api/main.ts"]

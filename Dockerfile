# Restock: one image, any subset of the services (SERVICES=...).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false
COPY proto ./proto
COPY src ./src
COPY migrations ./migrations
COPY tsconfig.json ./
ENV GRPC_HOST=0.0.0.0
EXPOSE 50051
CMD ["node", "--import", "tsx", "src/main.ts"]

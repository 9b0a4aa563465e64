# regmirror for CI systems other than GitHub Actions and for Kubernetes Jobs: Node.js, regmirror
# (installed from the packed tarball with scripts/install-package.sh, exactly as the package test
# installs it) and skopeo for `engine: skopeo`; runs as a non-root user.
#   docker build -t regmirror .
#   docker run --rm -v "$PWD:/work" -e QUAY_USER -e QUAY_TOKEN regmirror verify -c mirrors.yaml
#   docker run --rm -p 8080:8080 -v "$PWD:/work" regmirror serve -c mirrors.yaml   # the pull gateway
ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: build and pack (dev dependencies stay here).
FROM ${NODE_IMAGE} AS pack
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && bash scripts/pack.sh /pack

# Stage 2: the runtime image.
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends skopeo ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=pack /pack/ /tmp/pack/
COPY scripts/install-package.sh /tmp/install-package.sh
RUN bash /tmp/install-package.sh /usr/local /tmp/pack/regmirror-*.tgz \
 && rm -rf /tmp/pack /tmp/install-package.sh \
 && npm cache clean --force
USER node
WORKDIR /work
# `regmirror serve` listens where gateway.listen says (8080 in the examples); healthz at /-/healthz.
EXPOSE 8080
ENTRYPOINT ["regmirror"]
CMD ["--help"]

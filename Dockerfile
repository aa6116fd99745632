# The Minsheng image: the pyzeebe workers (`python -m workers`, the default command), the console
# (`python -m console`) and the command line (`minsheng deploy`, ...), with the jurisdiction
# policy and the diagrams and forms they were written for. docker-compose.yml builds it;
# PYTHON_VERSION and NODE_VERSION there come from .env, and the defaults below must stay equal to
# them (tests/unit/test_compose_file.py checks both).
ARG PYTHON_VERSION=3.11.14-slim-bookworm
# The Node.js of the development machines, which build the same bundle with `make install`.
ARG NODE_VERSION=20.20.2-bookworm

# The console's browser code, built by the Makefile's own rule (npm ci from the lock file, then
# esbuild): the full node image, because it has make.
FROM node:${NODE_VERSION} AS assets
WORKDIR /src
COPY Makefile package.json package-lock.json ./
RUN make console/static/build/form-js-viewer.js

# Build the project's wheel in a throwaway stage, so that the final image holds the installed
# package and not a second copy of the sources that `python -m` could pick up from the cwd.
FROM python:${PYTHON_VERSION} AS build
WORKDIR /src
COPY pyproject.toml ./
COPY engine engine
COPY workers workers
COPY minsheng minsheng
COPY console console
# Into the package before the wheel is built: pyproject's package-data ships console/static/**.
COPY --from=assets /src/console/static/build console/static/build
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}
# MPLCONFIGDIR: the user's home is not writable, and matplotlib would warn on every start.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# The bulletins' charts need a font with Chinese glyphs, at MINSHENG_REPORT_FONT's default path.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels

RUN groupadd --system --gid 10001 minsheng \
    && useradd --system --uid 10001 --gid minsheng --home-dir /app --shell /usr/sbin/nologin minsheng
WORKDIR /app
# The console serves these two builds from node_modules/ under its working directory
# (console/app.py); nothing else of the Node packages comes along.
COPY --from=assets /src/node_modules/bpmn-js/dist node_modules/bpmn-js/dist
COPY --from=assets /src/node_modules/@bpmn-io/form-js-viewer/dist/assets node_modules/@bpmn-io/form-js-viewer/dist/assets
# `minsheng deploy` run in this image deploys bpmn/ and forms/ from the working directory: the
# diagrams whose job types these workers serve.
COPY config config
COPY bpmn bpmn
COPY forms forms
# Owned by the user so that a named volume mounted on var/reports starts out writable.
RUN mkdir -p var/reports && chown -R minsheng:minsheng var
ENV MINSHENG_CONFIG_DIR=/app/config \
    MINSHENG_REPORT_DIR=/app/var/reports

USER minsheng:minsheng
CMD ["python", "-m", "workers"]

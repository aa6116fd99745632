# The Minsheng image: the pyzeebe workers (`python -m workers`, the default command) and the
# command line (`minsheng deploy`, ...), with the jurisdiction policy and the diagrams and forms
# they were written for. docker-compose.yml builds it; PYTHON_VERSION there comes from .env, and
# the default below must stay equal to it (tests/unit/test_compose_file.py checks both).
ARG PYTHON_VERSION=3.11.14-slim-bookworm

# Build the project's wheel in a throwaway stage, so that the final image holds the installed
# package and not a second copy of the sources that `python -m` could pick up from the cwd.
FROM python:${PYTHON_VERSION} AS build
WORKDIR /src
COPY pyproject.toml ./
COPY engine engine
COPY workers workers
COPY minsheng minsheng
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

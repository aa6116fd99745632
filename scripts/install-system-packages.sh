#!/usr/bin/env bash
# Debian packages the tests need on a fresh machine: a PostgreSQL server's binaries (the tests use
# the one on 127.0.0.1:5432 when it answers, else start a throwaway one from these binaries), the
# Chinese font of the bulletins' charts, and Chromium, which draws diagrams (scripts/render-bpmn.mjs).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
# The bulletins' charts need a font with Chinese glyphs (MINSHENG_REPORT_FONT's default).
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# `docker-compose config` validates docker-compose.yml (tests/unit/test_compose_file.py); no engine needed.
command -v docker-compose >/dev/null || missing+=(docker-compose)
# The email upstream platform is tested against a real IMAP server (tests/integration/imap_server.py).
[ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

#!/usr/bin/env bash
# PostgreSQL for the dialect tests: Debian's postgresql package, for its server binaries only. The
# tests start a throwaway cluster of their own per run (tests/helpers/postgres-cluster.ts), never
# the one the package makes. Env: SWITCHYARD_TEST_NO_POSTGRES=1 skips (the PostgreSQL tests too).
source "$(dirname "$0")/lib.sh"
[ "${SWITCHYARD_TEST_NO_POSTGRES:-}" = 1 ] && exit 0
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && exit 0

t=$(now_ms)
apt_install postgresql
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || die "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb"
# Where the package started its default cluster, stop it: it would only hold port 5432 and memory.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true; done
fi
say "installed PostgreSQL $(dpkg-query -W -f='${Version}' postgresql) ($(took "$t"))"

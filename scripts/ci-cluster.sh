#!/usr/bin/env bash
# CI additions of issue #17, called by .ci/run after `npm test`: the test-infrastructure binaries
# (built once from tools/go/, cached in .cache/bin), the real API server over dist/, its failure
# classes, and the peers of the gate (kubeconform, Checkov in .cache/venv-checkov).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
npm run tools:build -- etcd kube-apiserver kubeconform
echo "ci-cluster: binaries ready after $((SECONDS - start)) s"
# The upgrade starts from the `dist` branch when published, else from dist/ at the pinned commit of
# tools/cluster/upgrade.ts; the rendered charts come from `npm run render`. A shallow clone lacks that
# commit: fetch it, and if that is impossible (offline), run without the upgrade, saying so loudly.
base=$(grep -o "PINNED_UPGRADE_BASE = '[0-9a-f]*'" tools/cluster/upgrade.ts | grep -o "[0-9a-f]\{40\}")
has_base() {
  git rev-parse -q --verify 'dist^{commit}' >/dev/null || git rev-parse -q --verify 'origin/dist^{commit}' >/dev/null || git cat-file -e "$base^{commit}" 2>/dev/null
}
has_base || git fetch -q --unshallow 2>/dev/null || git fetch -q origin "$base" 2>/dev/null || true
if has_base; then
  npm run cluster:test
else
  echo "ci-cluster: WARNING: commit $base (the upgrade base) is not in this clone and cannot be fetched; cluster:test runs without the upgrade"
  npm run cluster:test -- --no-upgrade
fi
npm run test:cluster
npm run peers
echo "ci-cluster: done in $((SECONDS - start)) s"

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
# tools/cluster/upgrade.ts (CI clones with full history); the rendered charts come from `npm run render`.
npm run cluster:test
npm run test:cluster
npm run peers
echo "ci-cluster: done in $((SECONDS - start)) s"

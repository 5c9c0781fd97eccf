//go:build tools

// Package tools pins helm (helm.sh/helm/v3/cmd/helm) for the render verification: built from this
// module by tools/go-binaries.ts, never downloaded prebuilt. The version is the require in go.mod.
package tools

import _ "helm.sh/helm/v3/cmd/helm"

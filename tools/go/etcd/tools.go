//go:build tools

// Pins go.etcd.io/etcd/server/v3 (its root package is etcd's main); tools/go-binaries.ts builds it.
package tools

import _ "go.etcd.io/etcd/server/v3"

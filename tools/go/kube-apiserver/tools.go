//go:build tools

// Pins k8s.io/kubernetes/cmd/kube-apiserver in this module; tools/go-binaries.ts builds that package.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"

//go:build tools

// Pins github.com/yannh/kubeconform; tools/go-binaries.ts builds its cmd/kubeconform.
package tools

import _ "github.com/yannh/kubeconform/cmd/kubeconform"

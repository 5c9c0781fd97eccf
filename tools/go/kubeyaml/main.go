// Command kubeyaml reads a multi-document YAML stream (helm template's output) on stdin and writes
// its objects as one JSON array on stdout, split and decoded the way Argo CD v2.14 reads rendered
// manifests (argo-cd v2.14.21 util/kube/kube.go SplitYAML: apimachinery's YAML reader, then
// sigs.k8s.io/yaml), so npm run render accepts exactly the YAML Argo CD accepts. Empty documents
// are dropped; a document that does not decode is an error naming its position.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	objects := []json.RawMessage{}
	for index := 1; ; index++ {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "document %d: %v\n", index, err)
			os.Exit(1)
		}
		if len(bytes.TrimSpace(document)) == 0 {
			continue
		}
		converted, err := yaml.YAMLToJSON(document)
		if err != nil {
			fmt.Fprintf(os.Stderr, "document %d: %v\n", index, err)
			os.Exit(1)
		}
		if string(converted) == "null" {
			continue
		}
		objects = append(objects, converted)
	}
	out, err := json.Marshal(objects)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

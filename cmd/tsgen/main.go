// Command tsgen writes the web app's TypeScript types of the API's JSON
// answers (api.WriteTypes) to a file: make types, or go generate ./api.
//
//	go run ./cmd/tsgen -o frontend/src/api/types.gen.ts
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"skygrid/api"
)

func main() {
	out := flag.String("o", "frontend/src/api/types.gen.ts", "the file to write")
	flag.Parse()
	var b bytes.Buffer
	if err := api.WriteTypes(&b); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "tsgen:", err)
		os.Exit(1)
	}
}

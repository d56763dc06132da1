package frontend_test

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"

	"skygrid/frontend"
)

// Every file the service worker precaches is in the build: a name in its
// list that the build dropped (Vite removes the JavaScript chunk of a
// stylesheet-only import after the list was made) is a 404 on every
// install of the worker.
func TestServiceWorkerPrecachesOnlyBuiltFiles(t *testing.T) {
	sw, err := fs.ReadFile(frontend.Dist, "dist/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`self\.__SKYGRID_PRECACHE__=(\[[^\]]*\])`).FindSubmatch(sw)
	if m == nil {
		t.Fatal("dist/sw.js has no __SKYGRID_PRECACHE__ list")
	}
	var files []string
	if err := json.Unmarshal(m[1], &files); err != nil {
		t.Fatalf("the precache list: %v", err)
	}
	if len(files) < 3 {
		t.Errorf("the precache list has %d files: want the app's scripts and stylesheets", len(files))
	}
	for _, f := range files {
		if _, err := fs.Stat(frontend.Dist, "dist/"+f); err != nil {
			t.Errorf("the service worker precaches %s, which the build does not hold", f)
		}
	}
}

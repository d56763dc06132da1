package frontend_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"skygrid/frontend"
)

// The public page's first load is public.html and what it loads before
// any section asks for more: its scripts, stylesheets, module preloads
// and their static imports; each section's module (the entry's dynamic
// imports) and its static imports count too: they load at once. What a
// section imports dynamically (the report form's pin map loads Leaflet on
// a tap) is not the first load. None of it is the web app's Leaflet or
// ECharts; the sum, compressed, is logged (docs/PERFORMANCE.md).
func TestPublicPageFirstLoad(t *testing.T) {
	dist, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	files := publicFirstLoad(t, dist)
	total, gz := 0, 0
	for name, b := range files {
		total += len(b)
		gz += gzipSize(b)
		for _, lib := range []*regexp.Regexp{regexp.MustCompile(`(?i)leaflet`), regexp.MustCompile(`(?i)echarts|zrender`), regexp.MustCompile(`(?i)hls\.js`)} {
			if lib.Match(assetRefRE.ReplaceAll(b, nil)) {
				t.Errorf("%s of the public page's first load holds %s", name, lib)
			}
		}
	}
	if len(files) < 4 {
		t.Errorf("the first load is %d files: want the page, its script, its stylesheet and the sections", len(files))
	}
	t.Logf("public page first load: %d files, %d bytes, %d gzip", len(files), total, gz)
}

var (
	htmlRefRE = regexp.MustCompile(`(?:src|href)="\./(assets/[^"]+\.(?:js|css))"`)
	// assetRefRE is a file name of the build quoted in code (a lazy
	// import's, a preload list's): naming Leaflet's chunk is not holding it.
	assetRefRE = regexp.MustCompile(`"(?:\./|assets/)[^"]+"`)
	staticRE   = regexp.MustCompile(`from\s*"\./([^"]+\.js)"`)
	dynamicRE  = regexp.MustCompile(`import\s*\(\s*"\./([^"]+\.js)"`)
)

// publicFirstLoad is public.html and the assets it reaches, by name.
func publicFirstLoad(t *testing.T, dist fs.FS) map[string][]byte {
	t.Helper()
	page, err := fs.ReadFile(dist, "public.html")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{"public.html": page}
	entries := map[string]bool{}
	var queue []string
	for _, m := range htmlRefRE.FindAllSubmatch(page, -1) {
		queue = append(queue, string(m[1]))
		entries[string(m[1])] = true
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, ok := out[name]; ok {
			continue
		}
		b, err := fs.ReadFile(dist, name)
		if err != nil {
			t.Fatalf("public.html reaches %s: %v", name, err)
		}
		out[name] = b
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		refs := staticRE.FindAllSubmatch(b, -1)
		if entries[name] {
			refs = append(refs, dynamicRE.FindAllSubmatch(b, -1)...)
		}
		for _, m := range refs {
			queue = append(queue, path.Join(path.Dir(name), string(m[1])))
		}
	}
	return out
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

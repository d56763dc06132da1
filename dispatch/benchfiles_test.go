package dispatch_test

import (
	"os"
	"os/exec"
	"testing"

	"skygrid/internal/storetest"
)

// TestBenchmarkFilesRemoved runs BenchmarkIngest1M/area=datong once in a
// child test process with a temporary folder of its own, and finds that
// folder empty when the process ends: the 80 MB file the benchmark wrote
// is gone with the rest.
func TestBenchmarkFilesRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and ingests a 1,000,000-row file")
	}
	storetest.SkipPostgres(t, "the benchmark's files are the same on either store; the SQLite pass runs this")
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^$", "-test.bench", "Ingest1M/area=datong$", "-test.benchtime", "1x")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "SKYGRID_TEST_STORE=sqlite")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the benchmark: %v\n%s", err, out)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind in the temporary folder: %s", e.Name())
	}
	if len(left) > 0 {
		t.Logf("the benchmark's output:\n%s", out)
	}
}

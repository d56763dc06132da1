package dispatch_test

import (
	"os"
	"testing"

	"skygrid/internal/storetest"
)

// TestMain runs the tests on the store SKYGRID_TEST_STORE chooses (SQLite
// by default, PostgreSQL on a throwaway cluster), stops the cluster and
// removes the files the benchmarks wrote.
func TestMain(m *testing.M) {
	code := storetest.Run(m)
	removeBenchDir()
	os.Exit(code)
}

package notify_test

import (
	"testing"

	"skygrid/internal/storetest"
)

// TestMain runs the tests on the store SKYGRID_TEST_STORE chooses (SQLite
// by default, PostgreSQL on a throwaway cluster) and stops the cluster.
func TestMain(m *testing.M) { storetest.Main(m) }

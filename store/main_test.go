package store_test

import (
	"testing"

	"skygrid/internal/pgtest"
)

// TestMain stops the throwaway PostgreSQL cluster (internal/pgtest) of the
// tests that run on both stores once every test has run.
func TestMain(m *testing.M) { pgtest.Main(m) }

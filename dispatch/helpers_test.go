package dispatch_test

import (
	"context"
	"strconv"
	"testing"

	"skygrid"
	"skygrid/store"
)

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// testDB is the store with test helpers.
type testDB struct{ *store.DB }

// events lists every event with its task.
func (db *testDB) events(t *testing.T) []*skygrid.Event {
	t.Helper()
	es, _, err := db.FindEvents(context.Background(), skygrid.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

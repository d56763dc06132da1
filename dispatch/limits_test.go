package dispatch_test

import (
	"context"
	"strings"
	"testing"

	"skygrid/dispatch"
)

// A NaN latitude in a FIRMS file is a refused row with its field, not a
// detection "outside the area" (as the old code counted it).
func TestIngestRefusesNaNLatitude(t *testing.T) {
	db := MustOpenDB(t)
	importDatong(t, db, false)
	p := newPipeline(t, db)
	const head = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n"
	f := head + "NaN,113.6,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0\n" +
		"39.7,113.6,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,Inf,D,0\n" +
		"39.7,NaN,330,0.4,0.4,2023-10-24,0537,N21,VIIRS,n,2.0NRT,290,3.1,D,0\n"
	b, err := p.Ingest(context.Background(), strings.NewReader(f), "nan.csv", dispatch.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Rejected != 3 || b.Outside != 0 || b.New != 0 {
		t.Errorf("%d rejected, %d outside, %d new; want 3 rejected", b.Rejected, b.Outside, b.New)
	}
	for i, want := range []string{"nan.csv:2: field latitude: not a finite number: NaN", "nan.csv:3: field frp: not a finite number: +Inf",
		"nan.csv:4: field longitude: not a finite number: NaN"} {
		if i >= len(b.Errors) || b.Errors[i].Error() != want {
			t.Errorf("error %d: %v, want %q", i, b.Errors, want)
		}
	}
}

package skygrid_test

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"

	"skygrid"
)

func TestEachCSVRow(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		stopAt   string // row returns an error at this first field
		want     string // what was seen, in order
		err      bool
	}{
		{"rows with their lines", "h\na\nb\n", "", "a@2 b@3", false},
		{"a quoted field over two lines", "h\n\"a\nb\"\nc\n", "", "a\nb@2 c@4", false},
		{"a malformed row is listed and the reading goes on", "h\na\n\"b\"x\nc\n", "", "a@2 malformed@3 c@4", false},
		{"row's error ends it", "h\na\nb\nc\n", "b", "a@2 b@3", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := csv.NewReader(strings.NewReader(tc.in))
			if _, err := cr.Read(); err != nil {
				t.Fatal(err)
			}
			var seen []string
			err := skygrid.EachCSVRow(cr, func(rec []string, line int) error {
				seen = append(seen, fmt.Sprintf("%s@%d", rec[0], line))
				if rec[0] == tc.stopAt {
					return errors.New("stop")
				}
				return nil
			}, func(line int, err error) { seen = append(seen, fmt.Sprintf("malformed@%d", line)) })
			if got := strings.Join(seen, " "); got != tc.want || (err != nil) != tc.err {
				t.Errorf("got %q, err %v; want %q, err %v", got, err, tc.want, tc.err)
			}
		})
	}
}

package skygrid

import (
	"encoding/csv"
	"errors"
	"io"
)

// EachCSVRow reads cr's records to the end (the header already read),
// calling row with each record and its line. A record the CSV reader
// cannot parse goes to malformed with its line and the parser's error,
// and the reading goes on, so that one file's refusals are listed
// together. Any other read error, or an error from row, ends it.
func EachCSVRow(cr *csv.Reader, row func(rec []string, line int) error, malformed func(line int, err error)) error {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			malformed(pe.StartLine, pe.Err)
			continue
		} else if err != nil {
			return err
		}
		// After the error: FieldPos panics when no field was read.
		line, _ := cr.FieldPos(0)
		if err := row(rec, line); err != nil {
			return err
		}
	}
}

package registry

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"skygrid"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// readText reads a whole text file as UTF-8. A file that is not UTF-8 is
// read as GBK/GB18030 (Excel and WPS on Chinese Windows save CSV so) when
// every byte of it decodes; any other is refused with the line of its
// first invalid byte: it is never stored with U+FFFD in place of what it said.
func readText(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: an Excel workbook (XLSX), not a CSV file: save it as CSV UTF-8 (另存为 CSV UTF-8（逗号分隔）) and import that", name)
	}
	if utf8.Valid(data) {
		return data, nil
	}
	line, col := skygrid.InvalidUTF8Line(data)
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(dec) || countFFFD(dec) > countFFFD(data) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: line %d: invalid UTF-8 at byte %d of the line, and not GBK/GB18030 either; save the file as UTF-8",
			name, line, col)
	}
	return dec, nil
}

// countFFFD counts U+FFFD in valid UTF-8 runs of b.
func countFFFD(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 3 {
			n++
		}
		b = b[size:]
	}
	return n
}

// checkText checks a value read from a file against its limit: nil, or
// "field F: reason" (the caller adds the file and line or feature).
func checkText(lim skygrid.Limit, field, value string) error {
	if reason := lim.Check(value); reason != "" {
		return fmt.Errorf("field %s: %s", skygrid.ClipName(field), reason)
	}
	return nil
}

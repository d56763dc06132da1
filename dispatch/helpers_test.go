package dispatch_test

import "strconv"

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

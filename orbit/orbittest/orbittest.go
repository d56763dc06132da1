// Package orbittest holds orbital elements for the tests of the fetch.
package orbittest

// NewerNOAA20 is NOAA-20's published elements of 2026-10-04 (as embedded)
// with the epoch moved to 2026-12-04 12:00 (day 338.5) and the checksum
// redone: a set newer than the embedded one, made for tests only.
const NewerNOAA20 = `NOAA 20 (JPSS-1)
1 43013U 17073A   26338.50000000  .00000027  00000+0  33946-4 0  9993
2 43013  98.7849 216.0558 0000747  30.8694 329.2526 14.19528931459980
`

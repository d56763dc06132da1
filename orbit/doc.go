// Package orbit predicts when the fire satellites pass over a place: it
// reads orbital elements (TLE sets in CelesTrak's 3-line format),
// propagates them with SGP4 (github.com/joshuaferrara/go-satellite, a port
// of Vallado's SGP4), finds the passes during which a place lies inside an
// instrument's swath, tells day from night by a simple solar position
// formula, and draws the ground swath of a pass. Pure: no SQL, no HTTP.
package orbit

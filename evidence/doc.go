// Package evidence makes a report photo evidence: it reads a photo within
// its limits (header first, the decode's memory from a shared pool, each
// user's upload rate), takes its EXIF time and position and flags what
// does not fit the event, makes its thumbnail and the stamped copy shown
// to reviewers, stages the uploads of one report until the report is
// stored, keeps the files by their SHA-256, and sweeps what no report
// holds. The original is kept untouched beside its copies.
package evidence

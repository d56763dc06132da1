// Package perfgen writes deterministic synthetic benchmark data for the
// fire-point / supervision-grid spatial join: irregular non-overlapping grid
// polygons tiling a box, points in the NASA FIRMS VIIRS CSV layout, and the
// grid of every point found without an index (brute force on a prefix,
// buckets on all, the two cross-checked).
//
// Origin: copied from the issue-17 perf tools (tools/perf/gen/main.go, the
// shared generator the PostGIS and tegola baselines were measured with),
// split into short functions and parametrised by a box and an id prefix;
// for the same flags it writes byte for byte the same files (TestSameAsOriginal
// checks digests recorded from the original). Everything it writes is
// SYNTHETIC (invented for benchmarks): grids, township names, supervisors,
// points.
//
// Only the standard library is used, and the PRNG is hand-written
// (xoshiro256**), so the output depends only on the options (and, in the
// last bit, on math.Sin/Exp/Log). The grids depend only on the grid count,
// box and seed; points are generated sequentially, so a smaller points file
// is a prefix of a larger one with the same seed.
package perfgen

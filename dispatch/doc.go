// Package dispatch is the pipeline: new hotspots -> events -> grid -> tasks.
// It runs detect inside the store's ingest transaction, so one file is one
// transaction, and it finds grids with geo's R-tree index.
package dispatch

// Package intake is where fire files come from: the scheduled pull of the
// FIRMS area API (Feed) and the drop folder a download script or a
// receiving station writes into (Watcher). Each hands what it got to the
// dispatch pipeline, one transaction per answer or file, and reports on
// what it took and what it refused.
package intake

package store

// ScopeInGoForTest makes scoped site and monitor lists take the Go path
// (true) or the store's own (false: SQL on PostgreSQL), for tests and
// benchmarks that compare them.
func (db *DB) ScopeInGoForTest(inGo bool) { db.scopeInGo = inGo }

package store

// ForgetPlacesForTest drops the dust monitors' places kept between
// DustStats calls (tests and benchmarks only: the next call places every
// monitor, as the first after a change of the regions does).
func (db *DB) ForgetPlacesForTest() {
	db.places.mu.Lock()
	db.places.at = nil
	db.places.mu.Unlock()
}

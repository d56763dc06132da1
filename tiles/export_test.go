package tiles

// SetDenseDots changes how many dots a tile draws one by one (tests).
func SetDenseDots(n int) (old int) {
	old, denseDots = denseDots, n
	return old
}

// SetSnapshotVersion labels a loaded layer with another version, as if
// it had been loaded again unchanged (tests of Invalidate's steps alone).
func SetSnapshotVersion(s *Server, layer string, v int64) {
	sv, _ := s.snaps.slots.Load(layer)
	sl := sv.(*slot)
	cur := *sl.cur.Load()
	cur.version = v
	sl.cur.Store(&cur)
}

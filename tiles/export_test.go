package tiles

// SetDenseDots changes how many dots a tile draws one by one (tests).
func SetDenseDots(n int) (old int) {
	old, denseDots = denseDots, n
	return old
}

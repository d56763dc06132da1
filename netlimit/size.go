package netlimit

// Headroom is how many open files DefaultMax leaves to the rest of the
// process: the database and its WAL, photos being written, basemap files,
// outgoing connections (FIRMS, notifications), logs.
const Headroom = 256

// DefaultMax sizes a connection cap to a limit on open files: three
// quarters of what the Headroom leaves, at least 64 and at most 8192 (an
// idle HTTP connection costs some 20 KiB: 8192 of them, 160 MiB). A limit
// of 0 (unknown) gives 1024.
func DefaultMax(files int) int {
	if files <= 0 {
		return 1024
	}
	return min(max((files-Headroom)*3/4, 64), 8192)
}

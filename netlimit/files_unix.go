//go:build unix

package netlimit

import "syscall"

// FileLimit is the process's limit on open files (RLIMIT_NOFILE, the soft
// limit: Go raises it to the hard limit at start-up), or 0 when unknown.
func FileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<30 {
		return 0
	}
	return int(r.Cur)
}

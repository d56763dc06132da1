package skygrid_test

import (
	"testing"

	"skygrid"
)

func TestTaskCheckVersion(t *testing.T) {
	task := &skygrid.Task{ID: 7, Version: 3, State: skygrid.TaskAcknowledged}
	for _, tc := range []struct {
		name string
		seen int64
		want string // the error's code and message, "" for none
	}{
		{"the version seen", 3, ""},
		{"any version (0)", 0, ""},
		{"an older version", 2, "conflict: task 7 changed since you loaded it (version 2, now 3: acknowledged); load it again"},
		{"a newer version", 4, "conflict: task 7 changed since you loaded it (version 4, now 3: acknowledged); load it again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := task.CheckVersion(tc.seen)
			got := ""
			if err != nil {
				got = skygrid.ErrorCode(err) + ": " + skygrid.ErrorMessage(err)
			}
			if got != tc.want {
				t.Errorf("CheckVersion(%d) = %q, want %q", tc.seen, got, tc.want)
			}
		})
	}
}

// Package steps runs a test's scenario as named subtests in order, so
// that a long test that shares state splits into steps of one job each.
package steps

import "testing"

// Step is one named step of a scenario.
type Step struct {
	Name string
	Run  func(*testing.T)
}

// Run runs the steps in order as subtests of t. Each step goes on from
// the one before: after a step stopped by t.Fatal (or t.Skip) the later
// ones do not run; a step that only reported errors lets them run, as
// the checks after it did before the test was split.
func Run(t *testing.T, steps ...Step) {
	t.Helper()
	for _, s := range steps {
		finished := false
		t.Run(s.Name, func(t *testing.T) { s.Run(t); finished = true })
		if !finished {
			return
		}
	}
}

package steps

import "testing"

// A step that stops by t.SkipNow ends the scenario (as t.Fatal does,
// which cannot be shown passing); one that only logs lets the next run.
func TestRunStopsAfterAStoppedStep(t *testing.T) {
	for _, tt := range []struct {
		name string
		stop bool
		want []string
	}{
		{"every step finishes", false, []string{"one", "two", "three"}},
		{"the second step stops", true, []string{"one", "two"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ran []string
			step := func(name string, stop bool) Step {
				return Step{name, func(t *testing.T) {
					ran = append(ran, name)
					t.Log("checked")
					if stop {
						t.SkipNow()
					}
				}}
			}
			Run(t, step("one", false), step("two", tt.stop), step("three", false))
			if len(ran) != len(tt.want) {
				t.Fatalf("ran %v, want %v", ran, tt.want)
			}
			for i := range ran {
				if ran[i] != tt.want[i] {
					t.Errorf("ran %v, want %v", ran, tt.want)
				}
			}
		})
	}
}

package skygrid_test

import (
	"testing"

	"skygrid"
)

// TestWholeOf: the whole of an area by its kind, as the web app says it
// (frontend/src/areaname.ts).
func TestWholeOf(t *testing.T) {
	for area, want := range map[string]string{"": "全市", "大同市": "全市", "山西省": "全省", "内蒙古自治区": "全区", "阳高县": "全县",
		"锡林郭勒盟": "全盟", " 山西省 ": "全省", "示例": "全域"} {
		if got := skygrid.WholeOf(area); got != want {
			t.Errorf("WholeOf(%q) = %q, want %q", area, got, want)
		}
	}
}

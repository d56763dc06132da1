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

// TestWarningAreaText: a warning's area is its counties' names, their ids
// when read without names, or the whole area's word.
func TestWarningAreaText(t *testing.T) {
	for _, c := range []struct {
		w    skygrid.Warning
		want string
	}{
		{skygrid.Warning{CountyIDs: []string{"140225", "140226"}, CountyNames: []string{"浑源县", "左云县"}}, "浑源县、左云县"},
		{skygrid.Warning{CountyIDs: []string{"140225"}}, "140225"},
		{skygrid.Warning{}, "全省"},
	} {
		if got := c.w.AreaText("全省"); got != c.want {
			t.Errorf("%v: %q, want %q", c.w.CountyIDs, got, c.want)
		}
	}
}

package skygrid_test

import (
	"testing"

	"skygrid"
)

func TestMatchRank(t *testing.T) {
	for _, tc := range []struct {
		name, q string
		fields  []string
		want    int
	}{
		{"exact name", "浑源县", []string{"浑源县", "140225"}, skygrid.MatchExact},
		{"exact id", "140225", []string{"浑源县", "140225"}, skygrid.MatchExact},
		{"prefix", "浑源", []string{"浑源县", "140225"}, skygrid.MatchPrefix},
		{"grid name prefix", "浑源县", []string{"浑源县 6行10列", "140225-005-009"}, skygrid.MatchPrefix},
		{"contains", "源县", []string{"浑源县", "140225"}, skygrid.MatchContains},
		{"best field wins", "140225-005", []string{"浑源县 6行10列", "140225-005-009"}, skygrid.MatchPrefix},
		{"ASCII case", "henan", []string{"Henan Zhengzhou"}, skygrid.MatchPrefix},
		{"none", "广灵", []string{"浑源县", "140225"}, skygrid.MatchNone},
		{"empty text", "", []string{"浑源县"}, skygrid.MatchNone},
		{"empty field", "x", []string{""}, skygrid.MatchNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := skygrid.MatchRank(tc.q, tc.fields...); got != tc.want {
				t.Errorf("MatchRank(%q, %q) = %d, want %d", tc.q, tc.fields, got, tc.want)
			}
		})
	}
}

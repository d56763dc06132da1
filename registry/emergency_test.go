package registry_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"skygrid"
	"skygrid/registry"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The invented list reads the same from UTF-8 CSV, GBK CSV and XLSX:
// levels and measures in Chinese become codes (限产30% is limit_output 30),
// other measures keep their words, and each row says where it came from.
func TestReadEmergencyList(t *testing.T) {
	csvData, err := os.ReadFile("testdata/emergency.csv")
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(csvData)
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := os.ReadFile("testdata/emergency.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		data       []byte
		where      string
	}{
		{"UTF-8 CSV", "emergency.csv", csvData, "emergency.csv:line 3"},
		{"GBK CSV", "emergency.csv", gbk, "emergency.csv:line 3"},
		{"XLSX", "emergency.xlsx", xlsx, "emergency.xlsx:sheet 应急减排清单 row 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es, err := registry.ReadEmergencyList(bytes.NewReader(tt.data), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 5 {
				t.Fatalf("%d entries, want 5", len(es))
			}
			e := es[1]
			want := []skygrid.Measure{{Code: skygrid.MeasureStopEarthworks, Text: "停止土石方作业"},
				{Code: skygrid.MeasureStopDemolition, Text: "停止拆除作业"}, {Code: skygrid.MeasureCoverStockpile, Text: "物料堆场覆盖"}}
			if e.Name != "示例工地01" || e.ExternalID != "DEMO-C01" || e.CountyID != "平城区" || e.Level != skygrid.WarningOrange ||
				!reflect.DeepEqual(e.Measures, want) || e.Contact != "张示例" || e.Phone != "13800000001" || e.Source != tt.where {
				t.Errorf("entry %+v", e)
			}
			last := es[4]
			wantLast := []skygrid.Measure{{Code: skygrid.MeasureLimitOutput, Text: "限产30%", Percent: 30}, {Text: "夜间禁止施工"}}
			if !reflect.DeepEqual(last.Measures, wantLast) || last.ExternalID != "" || es[3].Level != skygrid.WarningRed {
				t.Errorf("last entry %+v, measures %+v", last, last.Measures)
			}
		})
	}
}

// A bad list is refused whole, each bad row named by its line and field.
func TestReadEmergencyListRefusesBadRows(t *testing.T) {
	f, err := os.Open("testdata/emergency_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = registry.ReadEmergencyList(f, "emergency_bad.csv")
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Fatalf("err %v, want invalid", err)
	}
	for _, want := range []string{"5 rows refused", "line 2: field 名称 (name): empty", "line 3: field 预警级别 (level)",
		"line 4: field 减排措施 (measures): empty", "line 5: field 减排措施 (measures)", "line 6: field 联系电话 (phone)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	_, err = registry.ReadEmergencyList(strings.NewReader("名称,区县\n示例,平城区\n"), "no_level.csv")
	if err == nil || !strings.Contains(err.Error(), "no column 预警级别") {
		t.Errorf("no level column: %v", err)
	}
}

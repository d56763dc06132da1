package skygrid_test

import (
	"testing"

	"skygrid"
)

// A photo of a site's task is judged against the site and its alarm, a
// fire's against the fire and the satellite: their flags say so.
func TestPhotoFlagNameByClass(t *testing.T) {
	tests := []struct{ flag, class, want string }{
		{skygrid.PhotoFar, "straw_burning", "拍摄地点距火点超过1公里"},
		{skygrid.PhotoEarly, "straw_burning", "拍摄时间早于卫星发现时间"},
		{skygrid.PhotoFar, skygrid.ClassDustExceedance, "拍摄地点距工地超过1公里"},
		{skygrid.PhotoEarly, skygrid.ClassDustExceedance, "拍摄时间早于告警时间"},
		{skygrid.PhotoEarly, skygrid.ClassMonitorOffline, "拍摄时间早于告警时间"},
		{skygrid.PhotoEarly, skygrid.ClassEmergencyInspection, "拍摄时间早于预警发布时间"},
		{skygrid.PhotoUnlocated, skygrid.ClassSiteInspection, "照片无GPS位置"},
		{skygrid.PhotoUnlocated, "straw_burning", "照片无GPS位置"},
	}
	for _, tc := range tests {
		if got := skygrid.PhotoFlagName(tc.flag, tc.class); got != tc.want {
			t.Errorf("PhotoFlagName(%s, %s) = %q, want %q", tc.flag, tc.class, got, tc.want)
		}
	}
	if skygrid.PhotoTarget(skygrid.ClassSiteInspection) != "工地" || skygrid.PhotoTarget("straw_burning") != "火点" {
		t.Errorf("PhotoTarget: %q %q", skygrid.PhotoTarget(skygrid.ClassSiteInspection), skygrid.PhotoTarget("straw_burning"))
	}
}

package demo

import (
	"embed"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"time"

	"skygrid"
	"skygrid/evidence"

	"github.com/disintegration/imaging"
)

// HLS is the demo's tiny video stream (示例: an ffmpeg test pattern
// labelled "示例 DEMO 工地视频", two 2-second segments; the command that
// made it is in data/README.md), served under /demo/hls/site/.
//
//go:embed hls
var HLS embed.FS

// Snapshot draws an invented video snapshot of a demo site's camera: a
// site scene (the demo photos' works scene, hazed when dusty) with a band
// saying 示例, the monitor's name and the time, as a JPEG. Not a picture
// of anything real.
func Snapshot(name string, at time.Time, dusty bool) ([]byte, error) {
	rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(at.Unix()/60)))
	scene := demoScene(skygrid.FindingIndustrialHeat, rng)
	img := imaging.Resize(scene, 480, 360, imaging.Linear)
	if dusty {
		haze := imaging.New(480, 360, color.NRGBA{190, 170, 130, 255})
		img = imaging.Overlay(img, haze, image.Point{}, 0.45)
	}
	lines := []string{"示例 DEMO 视频快照（虚构）", name, at.In(skygrid.Beijing).Format("2006-01-02 15:04:05")}
	if !evidence.DefaultFont().CJK {
		lines = []string{"DEMO snapshot (invented)", fmt.Sprint(at.In(skygrid.Beijing).Format("2006-01-02 15:04:05"))}
	}
	return evidence.Stamp(img, lines, nil)
}

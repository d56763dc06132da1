package skygrid

import (
	"context"
	"io"
	"time"

	"github.com/paulmach/orb"
)

// Photo flags: why a photo may not show what the report says.
const (
	PhotoFar       = "far"       // taken more than PhotoMaxMetres from the event
	PhotoEarly     = "early"     // taken before the event's first detection
	PhotoUnlocated = "unlocated" // no GPS position in the photo
)

// PhotoFlagNames are the Chinese names shown to reviewers of a fire's
// task (PhotoFlagName gives those of any task).
var PhotoFlagNames = map[string]string{
	PhotoFar:       "拍摄地点距火点超过1公里",
	PhotoEarly:     "拍摄时间早于卫星发现时间",
	PhotoUnlocated: "照片无GPS位置",
}

// dustPhotoFlagNames are those of a site's task: its event is the site's
// alarm, not a fire a satellite saw.
var dustPhotoFlagNames = map[string]string{
	PhotoFar:   "拍摄地点距工地超过1公里",
	PhotoEarly: "拍摄时间早于告警时间",
}

// PhotoFlagName is a flag's Chinese name for a task of class.
func PhotoFlagName(flag, class string) string {
	if !IsDust(class) {
		return PhotoFlagNames[flag]
	}
	if flag == PhotoEarly && class == ClassEmergencyInspection {
		return "拍摄时间早于预警发布时间" // the inspection's event starts with the warning
	}
	if n, ok := dustPhotoFlagNames[flag]; ok {
		return n
	}
	return PhotoFlagNames[flag]
}

// PhotoTarget is what a task's photos are measured from: 工地 for a
// site's task, 火点 for a fire's.
func PhotoTarget(class string) string {
	if IsDust(class) {
		return "工地"
	}
	return "火点"
}

// PhotoMaxMetres is how far from the event a photo may be taken.
const PhotoMaxMetres = 1000

// Photo is one photo of a report. The file is stored by its SHA-256.
type Photo struct {
	ID     int64  `json:"id"`
	TaskID int64  `json:"task_id"`
	Report int    `json:"report"` // 1 for the first report, 2 after a return, ...
	SHA256 string `json:"sha256"`
	Mime   string `json:"mime"` // image/jpeg or image/png
	Size   int64  `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// TakenAt is the EXIF DateTimeOriginal (zero when absent).
	TakenAt time.Time `json:"taken_at,omitzero"`
	// Point is the EXIF GPS position (WGS84), nil when absent.
	Point *orb.Point `json:"-"`
	// DistanceM is the distance to the event, when located.
	DistanceM *float64 `json:"distance_m,omitempty"`
	// Flags are Photo* values.
	Flags      []string  `json:"flags,omitempty"`
	UploadedBy int64     `json:"uploaded_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// PhotoStamp is what the copy of a report photo that reviewers see is
// stamped with (the original file is kept as it came).
type PhotoStamp struct {
	TaskID int64
	// Place is the task's county, township and grid names; GridID its grid.
	Place  string
	GridID string
	// TakenAt is the photo's EXIF time; when zero the stamp says when it
	// was uploaded (UploadedAt).
	TakenAt    time.Time
	UploadedAt time.Time
	// Point is where the photo was taken (EXIF GPS), DistanceM from what
	// the task's Class is about (PhotoTarget: the fire, or the site).
	Point     *orb.Point
	DistanceM *float64
	Class     string
}

// PhotoStage is one report's photos on their way into the store
// (evidence.Stage): the uploads are received into a staging folder, read
// and stamped there, and moved into the store only when the report is
// stored (Commit); Discard removes whatever is left. Nothing of a report
// that is refused, or of a server killed mid-upload, reaches the store.
type PhotoStage interface {
	// Receive writes one uploaded file into the staging folder (EINVALID,
	// naming it, when it is larger than a photo may be).
	Receive(name string, r io.Reader) error
	// Received is how many files were received.
	Received() int
	// Accept reads every received file, checks it against the event and
	// stamps its copy for the task, all still in the staging folder.
	Accept(ctx context.Context, e *Event, s PhotoStamp) ([]*Photo, error)
	// Commit moves the accepted files into the store.
	Commit() error
	// Discard removes the staging folder and what is left in it.
	Discard() error
}

package skygrid

import (
	"context"
	"errors"
	"io"
	"strings"
)

// What an import can hold.
const (
	ImportRegions     = "regions"
	ImportSupervisors = "supervisors"
	ImportSites       = "sites"
	ImportHeatSources = "heat-sources"
	ImportFires       = "fires"
	// ImportEmergency is the emergency list (应急减排清单) of warnings.
	ImportEmergency = "emergency"
)

// ImportKinds lists the kinds of import, in the order the admin page
// offers them.
var ImportKinds = []string{ImportRegions, ImportSupervisors, ImportSites, ImportHeatSources, ImportFires, ImportEmergency}

// ImportRequest is one file to import, with the options `skygrid import`
// and `skygrid ingest` take as flags.
type ImportRequest struct {
	Kind string
	// Name is the file's name, used in every error ("file:line: field").
	Name string
	Body io.Reader
	// Regions: the level of every feature, the property names (empty:
	// the defaults) and a parent for features without one.
	Level, IDProp, NameProp, ParentProp, ParentID string
	// Neighbour: the regions are counties of a neighbouring city, kept
	// only to name where a cross-border fire burns (no parent, no grids).
	Neighbour bool
	// Sites: the site kind, the CSV geometry columns and attribute
	// property names (attribute -> property).
	SiteKind               string
	WKTCol, LonCol, LatCol string
	Props                  map[string]string
	// CRS of the file: wgs84 (default), cgcs2000, gcj02 or bd09.
	CRS string
	// Reasons is how many rejected fire rows the text lists (default 5).
	Reasons int
}

// ImportItem is one imported region or site, for the summary.
type ImportItem struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Parent string  `json:"parent,omitempty"`
	AreaM2 float64 `json:"area_m2,omitempty"`
	// Violation is the rule a site breaks ("" none).
	Violation string `json:"violation,omitempty"`
}

// ImportReport is what an import stored. Text is the summary the CLI
// prints, word for word, so the web shows the same.
type ImportReport struct {
	Kind string `json:"kind"`
	File string `json:"file"`
	// Stored is how many regions, supervisors or sites were stored; New
	// how many of the sites were new.
	Stored     int     `json:"stored"`
	New        int     `json:"new"`
	Violations int     `json:"violations,omitempty"`
	AreaKm2    float64 `json:"area_km2,omitempty"`
	// Skipped counts rows left out on purpose, by reason (heat sources
	// that are not thermal plants).
	Skipped map[string]int `json:"skipped,omitempty"`
	// Notes are warnings that did not stop the import.
	Notes        []string           `json:"notes,omitempty"`
	Items        []ImportItem       `json:"items,omitempty"`
	Reclassified []EventClassChange `json:"reclassified,omitempty"`
	// Batch is the ingest batch of a fire file, with its rejected rows.
	Batch *IngestBatch `json:"batch,omitempty"`
	Text  string       `json:"text"`
}

// ImportService reads, checks and stores one file. A file with a bad row
// is refused whole with an EINVALID error naming the file, the line or
// feature, and the field; nothing of it is stored. Fire files are the
// exception the CLI makes too: unreadable rows are counted and listed in
// the batch and the rest goes in.
type ImportService interface {
	Import(ctx context.Context, req ImportRequest) (*ImportReport, error)
}

type actorKey struct{}

// WithActor returns a context whose writes are audited as done by name.
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// ActorOf is the actor the context carries, or def.
func ActorOf(ctx context.Context, def string) string {
	if s, ok := ctx.Value(actorKey{}).(string); ok && s != "" {
		return s
	}
	return def
}

// ParseProp reads one attribute=property mapping of a site import
// (`--prop video=是否视频`, or the upload form's prop field).
func ParseProp(v string) (attr, prop string, err error) {
	attr, prop, ok := strings.Cut(v, "=")
	attr, prop = strings.TrimSpace(attr), strings.TrimSpace(prop)
	if !ok || attr == "" || prop == "" {
		return "", "", errors.New("want attribute=property, e.g. permit=许可证号")
	}
	return attr, prop, nil
}

package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"skygrid"
	"skygrid/detect"
	"skygrid/dispatch"
)

// Default region property names: Tianditu (district_*), DataV (adcode,
// name, parent.adcode) and plain GeoJSON (id, name, parent_id).
const (
	DefaultRegionIDProps     = "id,district_adcode,adcode,code"
	DefaultRegionNameProps   = "name,district_name,NAME"
	DefaultRegionParentProps = "parent_id,parent.adcode"
)

// Importer imports registries and fire files for `skygrid import`,
// `skygrid ingest` and the admin page's uploads: one code path, one
// summary text.
type Importer struct {
	Pipeline *dispatch.Pipeline
}

// Import reads, checks and stores one file; see skygrid.ImportService.
// The audit log names the context's actor (skygrid.WithActor).
func (im Importer) Import(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	if req.Body == nil {
		return nil, skygrid.Errorf(skygrid.EINVALID, "no file")
	}
	if req.Name == "" {
		req.Name = "upload"
	}
	switch req.Kind {
	case skygrid.ImportRegions:
		return im.regions(ctx, req)
	case skygrid.ImportSupervisors:
		return im.supervisors(ctx, req)
	case skygrid.ImportSites:
		return im.sites(ctx, req)
	case skygrid.ImportHeatSources:
		return im.heatSources(ctx, req)
	case skygrid.ImportFires:
		return im.fires(ctx, req)
	case skygrid.ImportEmergency:
		return im.emergency(ctx, req)
	}
	return nil, skygrid.Errorf(skygrid.EINVALID, "unknown import %q (want %s)", req.Kind, strings.Join(skygrid.ImportKinds, ", "))
}

// invalid makes a reading error an input error (400), keeping its text.
func invalid(err error) error {
	var e *skygrid.Error
	if err == nil || errors.As(err, &e) || errors.Is(err, context.Canceled) {
		return err
	}
	return &skygrid.Error{Code: skygrid.EINVALID, Message: err.Error()}
}

// storeError prefixes a store's error with what was imported, keeping
// its code, so the web's message reads as the CLI's.
func storeError(err error, what string) error {
	var e *skygrid.Error
	if errors.As(err, &e) {
		return &skygrid.Error{Code: e.Code, Message: what + ": " + e.Message}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (im Importer) regions(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	if req.Level == "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "import regions: the level is required (county, township or grid)")
	}
	store := im.Pipeline.Store
	parent := req.ParentID
	if req.Neighbour {
		return im.neighbours(ctx, req)
	}
	// Counties imported without a parent hang under the city when there is one.
	if parent == "" && req.Level == skygrid.LevelCounty {
		city := skygrid.LevelCity
		if cs, _, err := store.FindRegions(ctx, skygrid.RegionFilter{Level: &city}); err == nil && len(cs) == 1 {
			parent = cs[0].ID
		}
	}
	regions, err := ReadRegions(req.Body, req.Name, RegionImport{Level: req.Level, IDProp: orDefault(req.IDProp, DefaultRegionIDProps),
		NameProp: orDefault(req.NameProp, DefaultRegionNameProps), ParentProp: orDefault(req.ParentProp, DefaultRegionParentProps),
		ParentID: parent, CRS: orDefault(req.CRS, "wgs84")})
	if err != nil {
		return nil, invalid(err)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name}
	if req.ParentProp == "" {
		// Default parent properties are a guess: keep a parent only if it
		// is imported (DataV counties name the city 140200 as parent).
		rep.Notes = im.dropMissingParents(ctx, regions, parent)
	}
	if err := store.ImportRegions(ctx, regions); err != nil {
		return nil, storeError(err, "import regions "+req.Name)
	}
	rep.Stored = len(regions)
	for _, r := range regions {
		rep.AreaKm2 += r.AreaKm2
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: r.ID, Name: r.Name, Parent: r.ParentID, AreaM2: r.AreaKm2 * 1e6})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: imported %d %s regions (%.0f km²)\n", req.Name, len(regions), req.Level, rep.AreaKm2)
	for i, r := range regions {
		if i == 12 {
			fmt.Fprintf(&b, "  ... and %d more\n", len(regions)-12)
			break
		}
		fmt.Fprintf(&b, "  %s %s parent=%s %.1f km²\n", r.ID, r.Name, r.ParentID, r.AreaKm2)
	}
	rep.Text = b.String()
	return rep, nil
}

// neighbours imports the counties of a neighbouring city: no parent, the
// neighbour flag; they name where cross-border fires burn.
func (im Importer) neighbours(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	if req.Level != skygrid.LevelCounty || req.ParentID != "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "import regions: neighbouring regions are counties (--level county) without a parent")
	}
	regions, err := ReadRegions(req.Body, req.Name, RegionImport{Level: req.Level, IDProp: orDefault(req.IDProp, DefaultRegionIDProps),
		NameProp: orDefault(req.NameProp, DefaultRegionNameProps), CRS: orDefault(req.CRS, "wgs84")})
	if err != nil {
		return nil, invalid(err)
	}
	for _, r := range regions {
		r.Neighbour, r.ParentID = true, ""
	}
	if err := im.Pipeline.Store.ImportRegions(ctx, regions); err != nil {
		return nil, storeError(err, "import regions "+req.Name)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: len(regions)}
	var b strings.Builder
	for _, r := range regions {
		rep.AreaKm2 += r.AreaKm2
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: r.ID, Name: r.Name, AreaM2: r.AreaKm2 * 1e6})
	}
	fmt.Fprintf(&b, "%s: imported %d neighbouring counties (%.0f km²): they name where cross-border fires burn\n", req.Name, len(regions), rep.AreaKm2)
	for _, r := range regions {
		fmt.Fprintf(&b, "  %s %s (neighbour) %.1f km²\n", r.ID, r.Name, r.AreaKm2)
	}
	rep.Text = b.String()
	return rep, nil
}

// dropMissingParents replaces parents that are not imported by def and
// returns a note for each.
func (im Importer) dropMissingParents(ctx context.Context, regions []*skygrid.Region, def string) []string {
	incoming := map[string]bool{}
	for _, r := range regions {
		incoming[r.ID] = true
	}
	var notes []string
	known := map[string]bool{}
	for _, r := range regions {
		if r.ParentID == "" || incoming[r.ParentID] {
			continue
		}
		ok, seen := known[r.ParentID]
		if !seen {
			_, err := im.Pipeline.Store.FindRegionByID(ctx, r.ParentID)
			ok = err == nil
			known[r.ParentID] = ok
			if !ok {
				notes = append(notes, fmt.Sprintf("parent %s is not imported; regions that name it get parent %q", r.ParentID, def))
			}
		}
		if !ok {
			r.ParentID = def
		}
	}
	return notes
}

func (im Importer) supervisors(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	sups, err := ReadSupervisors(req.Body, req.Name)
	if err != nil {
		return nil, invalid(err)
	}
	if err := im.Pipeline.Store.ImportSupervisors(ctx, sups); err != nil {
		return nil, storeError(err, "import supervisors "+req.Name)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: len(sups)}
	for _, s := range sups {
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: s.GridID, Name: s.Name})
	}
	rep.Text = fmt.Sprintf("%s: assigned %d supervisors\n", req.Name, len(sups))
	return rep, nil
}

func (im Importer) sites(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	if req.SiteKind == "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "import sites: the kind is required (%s)", strings.Join(skygrid.SiteKinds, ", "))
	}
	sites, err := ReadSites(req.Body, req.Name, SiteImport{Kind: req.SiteKind, IDProp: orDefault(req.IDProp, DefaultSiteIDProps),
		NameProp: orDefault(req.NameProp, DefaultSiteNameProps), Props: req.Props, WKTCol: req.WKTCol, LonCol: req.LonCol,
		LatCol: req.LatCol, CRS: orDefault(req.CRS, "wgs84"), Source: filepath.Base(req.Name)})
	if err != nil {
		return nil, invalid(err)
	}
	created, changes, err := im.Pipeline.ImportSites(ctx, sites)
	if err != nil {
		return nil, storeError(err, "import sites "+req.Name)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: len(sites), New: created, Reclassified: changes}
	for _, s := range sites {
		if s.Violation != "" {
			rep.Violations++
		}
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: s.ExternalID, Name: s.Name, AreaM2: s.AreaM2, Violation: s.Violation})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: imported %d %s sites (%d new), %d breaking a rule\n", req.Name, len(sites), req.SiteKind, created, rep.Violations)
	for i, s := range sites {
		if i == 12 {
			fmt.Fprintf(&b, "  ... and %d more\n", len(sites)-12)
			break
		}
		line := fmt.Sprintf("  %s %s", s.ExternalID, s.Name)
		if s.AreaM2 > 0 {
			line += fmt.Sprintf(" %.0f m²", s.AreaM2)
		}
		if s.Violation != "" {
			line += " 违规: " + skygrid.ViolationNames[s.Violation]
		}
		fmt.Fprintln(&b, line)
	}
	writeReclassified(&b, changes)
	rep.Text = b.String()
	return rep, nil
}

func (im Importer) heatSources(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	res, err := detect.ReadHeatSources(req.Body, req.Name)
	if err != nil {
		return nil, invalid(err)
	}
	if len(res.Errors) > 0 {
		var lines []string
		for _, e := range res.Errors {
			lines = append(lines, e.Error())
		}
		if res.Refused > len(res.Errors) {
			lines = append(lines, fmt.Sprintf("... and %d more rows", res.Refused-len(res.Errors)))
		}
		return nil, skygrid.Errorf(skygrid.EINVALID, "import heat-sources: %d rows refused, nothing stored:\n  %s", res.Refused, strings.Join(lines, "\n  "))
	}
	created, changes, err := im.Pipeline.ImportSites(ctx, res.Sites)
	if err != nil {
		return nil, storeError(err, "import heat-sources "+req.Name)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: len(res.Sites), New: created, Skipped: res.Skipped, Reclassified: changes}
	for _, s := range res.Sites {
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: s.ExternalID, Name: s.Name})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %d heat sources (%d new)%s\n", req.Name, res.Layout, len(res.Sites), created, skippedText(res.Skipped))
	writeReclassified(&b, changes)
	rep.Text = b.String()
	return rep, nil
}

func (im Importer) fires(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	p := *im.Pipeline
	p.Actor = skygrid.ActorOf(ctx, p.Actor)
	b, err := p.Ingest(ctx, req.Body, req.Name, dispatch.IngestOptions{Origin: "upload"})
	if err != nil {
		return nil, err
	}
	reasons := req.Reasons
	if reasons <= 0 {
		reasons = 5
	}
	var sb strings.Builder
	WriteBatchText(&sb, req.Name, b, reasons)
	return &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: b.New, Batch: b, Text: sb.String()}, nil
}

// WriteBatchText writes an ingest batch's summary as `skygrid ingest`
// prints it, with at most reasons rejected rows.
func WriteBatchText(w io.Writer, path string, b *skygrid.IngestBatch, reasons int) {
	fmt.Fprintf(w, "%s (%s, batch %d): %d rows read, %d new, %d duplicates, %d rejected, %d outside the area\n",
		path, b.Format, b.ID, b.Rows, b.New, b.Duplicates, b.Rejected, b.Outside)
	fmt.Fprintf(w, "  detect: %d low confidence, %d static heat; %d new events, %d updated; %d new tasks%s\n",
		b.LowConfidence, b.Static, b.EventsNew, b.EventsUpdated, b.TasksNew, NoTaskText(b))
	for i, e := range b.Errors {
		if i == reasons {
			fmt.Fprintf(w, "  ... %d more rejected rows\n", b.Rejected-reasons)
			break
		}
		fmt.Fprintf(w, "  rejected: %s\n", e.Error())
	}
}

// NoTaskText says which new events got no task on purpose ("" when none):
// "; 12 history (older than max_age), 3 cross-border (outside the city)".
func NoTaskText(b *skygrid.IngestBatch) string {
	var parts []string
	if b.History > 0 {
		parts = append(parts, fmt.Sprintf("%d history (older than max_age)", b.History))
	}
	if b.CrossBorder > 0 {
		parts = append(parts, fmt.Sprintf("%d cross-border (outside the city)", b.CrossBorder))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; no task: " + strings.Join(parts, ", ")
}

func skippedText(skipped map[string]int) string {
	if len(skipped) == 0 {
		return ""
	}
	var keys []string
	n := 0
	for k, v := range skipped {
		keys = append(keys, fmt.Sprintf("%d %s", v, k))
		n += v
	}
	sort.Strings(keys)
	return fmt.Sprintf("; %d not thermal, left out (%s)", n, strings.Join(keys, ", "))
}

// writeReclassified lists the events a site import reclassified.
func writeReclassified(w io.Writer, changes []skygrid.EventClassChange) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(w, "%d open events reclassified:\n", len(changes))
	for i, c := range changes {
		if i == 12 {
			fmt.Fprintf(w, "  ... and %d more\n", len(changes)-12)
			break
		}
		fmt.Fprintf(w, "  event %d: %s -> %s (%s)\n", c.EventID, c.From, c.To, c.Site)
	}
}

// emergency replaces the emergency list (the pipeline's store keeps it):
// every row stored, the unmatched ones listed in the summary.
func (im Importer) emergency(ctx context.Context, req skygrid.ImportRequest) (*skygrid.ImportReport, error) {
	ws, ok := im.Pipeline.Store.(skygrid.WarningService)
	if !ok {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "the emergency list is not kept here")
	}
	entries, err := ReadEmergencyList(req.Body, req.Name)
	if err != nil {
		return nil, invalid(err)
	}
	res, err := ws.ImportEmergencyList(ctx, entries, 0)
	if err != nil {
		return nil, storeError(err, req.Name)
	}
	rep := &skygrid.ImportReport{Kind: req.Kind, File: req.Name, Stored: res.Rows}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: emergency list of %d rows, %d matched to registry sites, %d unmatched\n", req.Name, res.Rows, res.Matched, len(res.Unmatched))
	for _, e := range res.Unmatched {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s (%s) matches no registry site: kept, inspected by its county", e.Source, e.Name,
			skygrid.WarningLevelNames[e.Level]))
		rep.Items = append(rep.Items, skygrid.ImportItem{ID: e.ExternalID, Name: e.Name, Parent: e.CountyID})
		fmt.Fprintf(&b, "  unmatched %s: %s\n", e.Source, e.Name)
	}
	rep.Text = b.String()
	return rep, nil
}

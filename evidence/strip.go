package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/disintegration/imaging"

	"skygrid"
)

// AcceptStripped reads every received file as Accept does (the same size,
// type and pixel checks, each decode within the pool's budget) for a
// report from the public: what is kept and ever shown is a copy re-encoded
// from the pixels alone, upright and fitted in DisplaySize, with its
// thumbnail, both JPEG without EXIF (no GPS, no camera, no time). The
// upload itself is not kept: its SHA-256 is recorded, its file removed.
// The copies wait in the staging folder, named by their own SHA-256,
// until Commit.
func (st *Stage) AcceptStripped(ctx context.Context) ([]skygrid.PublicReportPhoto, error) {
	var out []skygrid.PublicReportPhoto
	for i, name := range st.received {
		upload := filepath.Join(st.dir, fmt.Sprintf("upload-%d", i))
		p, err := st.strip(ctx, upload, name)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (st *Stage) strip(ctx context.Context, upload, name string) (skygrid.PublicReportPhoto, error) {
	f, err := os.Open(upload)
	if err != nil {
		return skygrid.PublicReportPhoto{}, fmt.Errorf("photo staging: %w", err)
	}
	p, data, err := readPhoto(ctx, f, name, st.ev.limits(), st.ev.pool())
	f.Close()
	if err != nil {
		return skygrid.PublicReportPhoto{}, err
	}
	var buf bytes.Buffer
	if err := imaging.Encode(&buf, data.Display, imaging.JPEG, imaging.JPEGQuality(displayQuality)); err != nil {
		return skygrid.PublicReportPhoto{}, fmt.Errorf("photo %s: re-encode: %w", name, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	out := skygrid.PublicReportPhoto{SHA256: p.SHA256, Stripped: hex.EncodeToString(sum[:]), Size: int64(buf.Len()),
		Width: data.Display.Bounds().Dx(), Height: data.Display.Bounds().Dy()}
	copyName, thumbName := out.Stripped+".jpg", out.Stripped+".thumb.jpg"
	for _, w := range []struct {
		name string
		data []byte
	}{{copyName, buf.Bytes()}, {thumbName, data.Thumb}} {
		if err := writeAtomic(filepath.Join(st.dir, w.name), w.data, !st.ev.Files.NoSync); err != nil {
			return skygrid.PublicReportPhoto{}, err
		}
	}
	os.Remove(upload)
	st.ready = append(st.ready, copyName, thumbName)
	return out, nil
}

package api

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// maxFormText bounds the text fields of a report form together.
const maxFormText = 1 << 20

// maxFormParts bounds the parts of a report form: the photos and a few
// fields.
const maxFormParts = skygrid.MaxPhotos + 50

// receiveReport reads a multipart report as it arrives: its photo files
// go straight into a staging folder (skygrid.PhotoStage) on disk, none
// held in memory or left in the system's temp folder, and its fields into
// the request's form, which binds as any form does. The stage is nil
// when the form has no photo; the caller discards it.
func (s *Server) receiveReport(c echo.Context) (stage skygrid.PhotoStage, err error) {
	r := c.Request()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "cannot read the form: a multipart/form-data body with a boundary is wanted")
	}
	defer func() {
		if err != nil && stage != nil {
			stage.Discard()
			stage = nil
		}
	}()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUpload)
	mr := multipart.NewReader(r.Body, params["boundary"])
	values := url.Values{}
	text := 0
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return stage, formError(err)
		}
		if parts >= maxFormParts {
			return stage, skygrid.Errorf(skygrid.EINVALID, "cannot read the form: more than %d parts", maxFormParts)
		}
		if part.FileName() == "" { // a field
			b, err := io.ReadAll(io.LimitReader(part, int64(maxFormText-text+1)))
			if err != nil {
				return stage, formError(err)
			}
			if text += len(b); text > maxFormText {
				return stage, skygrid.Errorf(skygrid.EINVALID, "cannot read the form: field %s: the fields are larger than %d KiB together",
					skygrid.Clip(part.FormName()), maxFormText>>10)
			}
			values.Add(part.FormName(), string(b))
			continue
		}
		if part.FormName() != "photos" { // not read, as before
			if _, err := io.Copy(io.Discard, part); err != nil {
				return stage, formError(err)
			}
			continue
		}
		if stage, err = s.receivePhoto(stage, part); err != nil {
			return stage, err
		}
	}
	form := url.Values{}
	for k, v := range values {
		form[k] = append(form[k], v...)
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	r.PostForm, r.Form, r.MultipartForm = values, form, &multipart.Form{Value: values}
	return stage, nil
}

// receivePhoto receives one photo part into the stage, opened at the first.
func (s *Server) receivePhoto(stage skygrid.PhotoStage, part *multipart.Part) (skygrid.PhotoStage, error) {
	if s.Evidence == nil {
		return stage, skygrid.Errorf(skygrid.EINTERNAL, "photos are not stored on this server")
	}
	if stage == nil {
		var err error
		if stage, err = s.Evidence.Stage(); err != nil {
			return nil, err
		}
	}
	if stage.Received() >= skygrid.MaxPhotos {
		return stage, skygrid.Errorf(skygrid.EINVALID, "at most %d photos a report, got more", skygrid.MaxPhotos)
	}
	pr := &partReader{r: part}
	if err := stage.Receive(part.FileName(), pr); err != nil {
		if pr.err != nil { // the client's side, not the disk's
			return stage, formError(pr.err)
		}
		return stage, err
	}
	return stage, nil
}

// partReader remembers the error of reading the upload.
type partReader struct {
	r   io.Reader
	err error
}

func (p *partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		p.err = err
	}
	return n, err
}

// formError says why a report form could not be read.
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return skygrid.Errorf(skygrid.EINVALID, "the report is larger than %d MiB (at most %d photos of 15 MiB)", maxUpload>>20, skygrid.MaxPhotos)
	}
	return skygrid.Errorf(skygrid.EINVALID, "cannot read the form: %s", clipErr(err))
}

// photosThrottled answers a report whose photos are over the user's rate:
// 429 with Retry-After (seconds).
func photosThrottled(c echo.Context, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return echo.NewHTTPError(http.StatusTooManyRequests,
		fmt.Sprintf("too many photos sent in the last minute: try again in %d seconds", secs))
}

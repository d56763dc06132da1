package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"skygrid"
)

// PublicLocator places a public report's point as fires are placed
// (dispatch.Locator): its grid, township and county, or cross-border.
type PublicLocator interface {
	Locate(ctx context.Context, p orb.Point) (skygrid.Event, error)
}

// strippingStage is a photo stage that keeps only copies without EXIF
// (evidence.Stage).
type strippingStage interface {
	AcceptStripped(ctx context.Context) ([]skygrid.PublicReportPhoto, error)
}

// MaxPublicPhotos is how many photos a report from the public takes.
const MaxPublicPhotos = 3

// PublicReceipt is the answer to a filed report: its code and when the
// server took it (the phone keeps both).
type PublicReceipt struct {
	Receipt   string    `json:"receipt"`
	CreatedAt time.Time `json:"created_at"`
}

// publicReports is the reports' reader with the limits' counts and the
// photos' owner (nil: the routes answer 404).
func (s *Server) publicReports() (skygrid.PublicReportPhotos, error) {
	pr, ok := s.PublicReports.(skygrid.PublicReportPhotos)
	if s.PublicReports == nil || !ok {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "此服务器不接受群众举报 (no public reports here)")
	}
	return pr, nil
}

// POST /public/api/reports (multipart: kind, lon, lat, note, phone, photos
// 1-3), no login: the receipt code. Over the limits of the client address
// or phone: 429 with a Chinese message, nothing stored.
func (s *Server) handleFilePublicReport(c echo.Context) error {
	pr, err := s.publicReports()
	if err != nil {
		return err
	}
	ctx, addr, now := c.Request().Context(), clientIP(c), s.now()
	if err := s.checkPublicLimits(c, pr, addr, ""); err != nil {
		return err
	}
	stage, err := s.receiveReport(c)
	if stage != nil {
		defer stage.Discard()
	}
	if err != nil {
		return publicPhotoError(err)
	}
	r, err := s.readPublicReport(c, stage)
	if err != nil {
		return err
	}
	r.Address = addr
	if err := s.checkPublicLimits(c, pr, addr, r.Phone); err != nil {
		return err
	}
	strip, ok := stage.(strippingStage)
	if !ok {
		return skygrid.Errorf(skygrid.EINTERNAL, "photos are not stored on this server")
	}
	if r.PhotoFiles, err = strip.AcceptStripped(ctx); err != nil {
		return publicPhotoError(err)
	}
	filed, err := s.PublicReports.FilePublicReport(ctx, r, now)
	if err != nil {
		return publicLimited(c, err)
	}
	if err := stage.Commit(); err != nil {
		s.Logger.ErrorContext(ctx, "public report photos: the sweep moves them in", "report", filed.ID, "err", err)
	}
	return c.JSON(http.StatusCreated, PublicReceipt{Receipt: skygrid.FormatReceipt(filed.Receipt), CreatedAt: filed.CreatedAt})
}

// checkPublicLimits refuses a report over the address's (and the phone's)
// limit before its photos are read.
func (s *Server) checkPublicLimits(c echo.Context, pr skygrid.PublicReportPhotos, addr, phone string) error {
	lim := s.PublicLimits.OrDefault()
	perAddr, perPhone, err := pr.PublicReportCounts(c.Request().Context(), addr, phone, s.now())
	if err != nil {
		return err
	}
	if perAddr >= lim.PerAddressHour {
		return publicLimited(c, skygrid.PublicLimitErrorf("举报过于频繁：同一网络地址每小时最多提交 %d 条，请稍后再试", lim.PerAddressHour))
	}
	if phone != "" && perPhone >= lim.PerPhoneDay {
		return publicLimited(c, skygrid.PublicLimitErrorf("举报过于频繁：同一手机号每天最多提交 %d 条，请明天再试", lim.PerPhoneDay))
	}
	return nil
}

// publicLimited answers a PublicLimitError with 429; other errors as they are.
func publicLimited(c echo.Context, err error) error {
	var le *skygrid.PublicLimitError
	if errors.As(err, &le) {
		c.Response().Header().Set("Retry-After", "3600")
		return echo.NewHTTPError(http.StatusTooManyRequests, le.Err.Message)
	}
	return err
}

// publicPhotoError says in Chinese why the photos were refused.
func publicPhotoError(err error) error {
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		return err
	}
	return skygrid.Errorf(skygrid.EINVALID, "照片不符合要求（仅接受 JPEG 或 PNG 照片，每张不超过 15 MB）：有一张照片%s", photoProblemZH(err))
}

// noteProblemZH says in Chinese why skygrid.LimitNotes refused a note.
func noteProblemZH(note string) string {
	if len(note) > skygrid.LimitNotes.Max { // bytes: a Chinese character is three
		return fmt.Sprintf("太长，请删减到 %d 个汉字以内（现有 %d 字）", skygrid.LimitNotes.Max/3, utf8.RuneCountInString(note))
	}
	return "含不能保存的字符（如控制字符或乱码），请删去后再提交"
}

// readPublicReport reads and checks the form's fields (Chinese messages
// naming the field) and places the point.
func (s *Server) readPublicReport(c echo.Context, stage skygrid.PhotoStage) (*skygrid.PublicReport, error) {
	r := &skygrid.PublicReport{Kind: c.FormValue("kind"), Note: strings.TrimSpace(c.FormValue("note"))}
	if !slices.Contains(skygrid.PublicReportKinds, r.Kind) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "举报类型：请选择举报类型（秸秆焚烧、扬尘、散煤燃烧或其他）")
	}
	lon, err1 := strconv.ParseFloat(c.FormValue("lon"), 64)
	lat, err2 := strconv.ParseFloat(c.FormValue("lat"), 64)
	if err1 != nil || err2 != nil || math.Abs(lon) > 180 || math.Abs(lat) > 90 || math.IsNaN(lon+lat) {
		return nil, skygrid.Errorf(skygrid.EINVALID, "位置：请提供位置（使用我的位置或在地图上选点）")
	}
	if reason := skygrid.LimitNotes.Check(r.Note); reason != "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "说明：%s", noteProblemZH(r.Note))
	}
	if p := strings.TrimSpace(c.FormValue("phone")); p != "" {
		m, ok := skygrid.MobilePhone(p)
		if !ok {
			return nil, skygrid.Errorf(skygrid.EINVALID, "手机号：请填写 11 位大陆手机号（可不填）")
		}
		r.Phone = m
	}
	if n := received(stage); n < 1 || n > MaxPublicPhotos {
		return nil, skygrid.Errorf(skygrid.EINVALID, "照片：请上传 1 至 %d 张照片（收到 %d 张）", MaxPublicPhotos, n)
	}
	if s.PublicPlaces == nil {
		return nil, skygrid.Errorf(skygrid.EINTERNAL, "no regions to place reports in")
	}
	where, err := s.PublicPlaces.Locate(c.Request().Context(), orb.Point{lon, lat})
	if err != nil {
		return nil, err
	}
	if where.CrossBorder || where.CountyID == "" {
		return nil, skygrid.Errorf(skygrid.EINVALID, "位置：不在%s各区县范围内，只受理%s的举报", s.area(), s.area())
	}
	r.Point, r.GridID, r.TownshipID, r.CountyID, r.AssignedBy = where.Point, where.GridID, where.TownshipID, where.CountyID, where.AssignedBy
	return r, nil
}

func received(stage skygrid.PhotoStage) int {
	if stage == nil {
		return 0
	}
	return stage.Received()
}

// GET /public/api/reports/:receipt: the outcome (nothing personal).
func (s *Server) handlePublicReportOutcome(c echo.Context) error {
	if _, err := s.publicReports(); err != nil {
		return err
	}
	o, err := s.PublicReports.PublicReportOutcome(c.Request().Context(), c.Param("receipt"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, o)
}

// photoProblems are the Chinese words of evidence.ReadPhoto's refusals,
// by a piece of their English message (evidence/photo.go).
var photoProblems = []struct{ in, zh string }{
	{"not a JPEG or PNG image", "不是 JPEG 或 PNG 图片"},
	{"truncated or corrupt", "文件不完整或已损坏"},
	{"larger than", "文件太大"},
	{"empty file", "是空文件"},
	{"megapixels) is too large", "像素过多，请用相机的常规尺寸拍摄"},
	{"cannot be read: send an ordinary", "格式特殊无法读取，请发送普通 JPEG 照片"},
	{"of memory to read", "图片过大无法读取，请另存为普通 JPEG 或 PNG"},
}

// photoProblemZH says in Chinese why evidence.ReadPhoto refused a photo,
// for those who read no English (the public).
func photoProblemZH(err error) string {
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		return ""
	}
	msg := skygrid.ErrorMessage(err)
	for _, p := range photoProblems {
		if strings.Contains(msg, p.in) {
			return p.zh
		}
	}
	return "无法读取"
}

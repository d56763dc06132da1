//go:build ignore

// photoload is the photo upload load script of docs/PERFORMANCE.md
// (issue 13; scripts/photoload.sh runs it). Modes:
//
//	go run scripts/photoload.go -gen DIR
//	    writes the test photos (SYNTHETIC, made up for the test): the
//	    largest accepted JPEG (8160 x 6120, a 50 MP phone's size, about
//	    15 MiB of noise), the costliest accepted PNG (7200 x 7200 RGBA at
//	    8 bits) and the 16-bit 10,950 x 10,950 PNG of issue 13 (about
//	    910 KiB).
//	go run scripts/photoload.go -setup -db DB -n 20
//	    adds a supervisor (photoload) whose grids hold n open tasks,
//	    acknowledges them for it (returning reported tasks when there are
//	    not n open) and prints its API token and the task ids.
//	go run scripts/photoload.go -url URL -token T -tasks 1,2,3 -photo FILE
//	    reports each task at once with FILE as its photo (one request a
//	    task, all in parallel) and prints each answer and the times.
//	go run scripts/photoload.go ... -slow 1MiB
//	    the same, the photo sent at that many bytes a second (for a kill -9
//	    mid-upload).
package main

import (
	"bufio"
	"compress/zlib"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"skygrid"
	"skygrid/password"
	"skygrid/store"
)

func main() {
	gen := flag.String("gen", "", "write the test photos into this folder")
	setup := flag.Bool("setup", false, "add a supervisor with n acknowledged tasks to -db")
	dbPath := flag.String("db", "", "the database (-setup)")
	n := flag.Int("n", 20, "tasks (-setup)")
	url := flag.String("url", "", "the server")
	token := flag.String("token", "", "the supervisor's API token")
	tasks := flag.String("tasks", "", "task ids, comma-separated")
	photo := flag.String("photo", "", "the photo file")
	slow := flag.Int64("slow", 0, "send the photo at this many bytes a second (0: at once)")
	flag.Parse()
	switch {
	case *gen != "":
		genPhotos(*gen)
	case *setup:
		setupTasks(*dbPath, *n)
	default:
		upload(*url, *token, *tasks, *photo, *slow)
	}
}

func genPhotos(dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	r := rand.New(rand.NewPCG(13, 13))
	// A 50 MP JPEG: a gradient under noise, 4:2:0 as phones write.
	y := image.NewYCbCr(image.Rect(0, 0, 8160, 6120), image.YCbCrSubsampleRatio420)
	for row := range 6120 {
		for x := range 8160 {
			v := (x*255/8160+row*255/6120)/2 + r.IntN(25) - 12
			y.Y[row*y.YStride+x] = uint8(min(255, max(0, v)))
		}
	}
	for i := range y.Cb {
		y.Cb[i], y.Cr[i] = uint8(100+r.IntN(7)), uint8(150+r.IntN(7))
	}
	write(filepath.Join(dir, "50mp.jpg"), func(w io.Writer) error { return jpeg.Encode(w, y, &jpeg.Options{Quality: 90}) })
	// The costliest PNG accepted: 51.8 MP of 8-bit RGBA (208 MB decoded).
	p := image.NewNRGBA(image.Rect(0, 0, 7200, 7200))
	for row := range 7200 {
		for x := range 7200 {
			p.SetNRGBA(x, row, color.NRGBA{uint8(x / 29), uint8(row / 29), uint8((x + row) / 57), uint8(155 + x/72)})
		}
	}
	write(filepath.Join(dir, "worst.png"), func(w io.Writer) error {
		return (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(w, p)
	})
	write(filepath.Join(dir, "issue13-16bit.png"), issuePNG)
}

func write(name string, enc func(io.Writer) error) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	if err := enc(bw); err != nil {
		log.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	fmt.Printf("%s: %d bytes\n", name, fi.Size())
}

// setupTasks adds the supervisor photoload for the grids of n open tasks
// and acknowledges them as it; when there are not n open, reported tasks
// are returned to be reported again (by an admin, photoloadadmin).
func setupTasks(dbPath string, n int) {
	ctx := context.Background()
	db := store.NewDB(dbPath)
	if err := db.Open(); err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ts, _, err := db.FindTasks(ctx, skygrid.TaskFilter{States: []string{skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported}, Limit: 1000})
	if err != nil || len(ts) < n {
		log.Fatalf("want %d open or reported tasks, found %d: %v", n, len(ts), err)
	}
	slices.SortStableFunc(ts, func(a, b *skygrid.Task) int { return strings.Compare(b.State, a.State) }) // reported last
	ts = ts[:n]
	tag := time.Now().UnixNano() % 1e9
	u := &skygrid.User{Name: fmt.Sprintf("photoload%d", tag), Role: skygrid.RoleSupervisor}
	admin := &skygrid.User{Name: fmt.Sprintf("photoloadadmin%d", tag), Role: skygrid.RoleAdmin}
	for _, t := range ts {
		if !slices.Contains(u.Regions, t.GridID) {
			u.Regions = append(u.Regions, t.GridID)
		}
	}
	hash, _ := password.Hash(password.NewSecret())
	for _, x := range []*skygrid.User{u, admin} {
		if err := db.CreateUser(ctx, x, hash); err != nil {
			log.Fatal(err)
		}
	}
	tok := password.NewSecret()
	if err := db.CreateToken(ctx, password.HashSecret(tok), u.ID, "photoload"); err != nil {
		log.Fatal(err)
	}
	var ids []string
	for _, t := range ts {
		switch t.State {
		case skygrid.TaskReported:
			_, err = db.UpdateTask(ctx, t.ID, t.Version, skygrid.ActionReturn, admin, skygrid.TaskChange{Reason: "负载测试 (SYNTHETIC)"}, nil)
		case skygrid.TaskDispatched:
			_, err = db.UpdateTask(ctx, t.ID, t.Version, skygrid.ActionAcknowledge, u, skygrid.TaskChange{}, nil)
		}
		if err != nil {
			log.Fatalf("task %d: %v", t.ID, err)
		}
		ids = append(ids, strconv.FormatInt(t.ID, 10))
	}
	fmt.Println(tok, strings.Join(ids, ","))
}

// upload reports every task at once, each with the photo.
func upload(url, token, tasks, photo string, slow int64) {
	var wg sync.WaitGroup
	start := time.Now()
	ids := strings.Split(tasks, ",")
	times := make([]time.Duration, len(ids))
	var mu sync.Mutex
	statuses := map[int]int{}
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			status, msg := report(url, token, id, photo, slow)
			times[i] = time.Since(t0)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
			fmt.Printf("task %s: %d in %.1f s %s\n", id, status, times[i].Seconds(), msg)
		}()
	}
	wg.Wait()
	slices.Sort(times)
	fmt.Printf("%d reports in %.1f s (answers %v): fastest %.1f s, median %.1f s, slowest %.1f s\n", len(ids), time.Since(start).Seconds(),
		statuses, times[0].Seconds(), times[len(times)/2].Seconds(), times[len(times)-1].Seconds())
}

func report(url, token, id, photo string, slow int64) (int, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("finding", "straw_burning")
		mw.WriteField("notes", "照片负载测试 (SYNTHETIC)")
		mw.WriteField("lon", "113.69")
		mw.WriteField("lat", "39.70")
		f, err := os.Open(photo)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		defer f.Close()
		fw, _ := mw.CreateFormFile("photos", filepath.Base(photo))
		var src io.Reader = f
		if slow > 0 {
			src = &throttled{r: f, rate: slow}
		}
		if _, err := io.Copy(fw, src); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	rq, _ := http.NewRequest("POST", url+"/api/tasks/"+id+"/report", pr)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		return 200, ""
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// throttled reads at rate bytes a second.
type throttled struct {
	r    io.Reader
	rate int64
}

func (t *throttled) Read(p []byte) (int, error) {
	p = p[:min(int64(len(p)), t.rate/10)]
	time.Sleep(100 * time.Millisecond)
	return t.r.Read(p)
}

// issuePNG writes the PNG of issue 13: 10,950 x 10,950 RGBA at 16 bits,
// all zero, which deflate shrinks to about 910 KiB (959 MB decoded).
func issuePNG(w io.Writer) error {
	const side = 10950
	w.Write([]byte("\x89PNG\r\n\x1a\n"))
	ihdr := make([]byte, 13)
	ihdr[0], ihdr[1], ihdr[2], ihdr[3] = 0, 0, side>>8, side&0xff
	ihdr[4], ihdr[5], ihdr[6], ihdr[7] = 0, 0, side>>8, side&0xff
	ihdr[8], ihdr[9] = 16, 6
	chunk(w, "IHDR", ihdr)
	pr, pw := io.Pipe()
	go func() {
		zw, _ := zlibWriter(pw)
		io.CopyN(zw, zeros{}, side*(1+side*8))
		zw.Close()
		pw.Close()
	}()
	buf := make([]byte, 1<<20)
	for {
		n, err := io.ReadFull(pr, buf)
		if n > 0 {
			chunk(w, "IDAT", buf[:n])
		}
		if err != nil {
			break
		}
	}
	chunk(w, "IEND", nil)
	return nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func zlibWriter(w io.Writer) (*zlib.Writer, error) {
	return zlib.NewWriterLevel(w, zlib.BestCompression)
}

// chunk writes a PNG chunk: length, type, data, CRC.
func chunk(w io.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	c := crc32.NewIEEE()
	c.Write([]byte(typ))
	c.Write(data)
	w.Write([]byte(typ))
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], c.Sum32())
	w.Write(n[:])
}

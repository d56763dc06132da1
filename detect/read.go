package detect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"sync"

	"skygrid"
)

// ReadOptions tunes Scan, Read and ReadFile.
type ReadOptions struct {
	// Keep, when set, says which readable rows to keep; the others are
	// counted in ReadSummary.Left. It runs on the workers' goroutines.
	Keep func(h *skygrid.Hotspot) bool
	// Progress, when set, is called now and then with the bytes read (in
	// all, over every worker; never from two goroutines at once).
	Progress func(bytesRead int64)
	// Workers is how many parts ReadFile reads at once (0: 2); a file
	// under ParallelMin is read by one.
	Workers int
}

// ParallelMin is the file size from which ReadFile reads in parts.
const ParallelMin = 16 << 20

// progressRows is how often (in rows) Progress is called and the context
// checked.
const progressRows = 8192

// ReadSummary counts what a read met: data lines (Rows, including the
// rejected ones), rows that could not be read (Rejected, the first
// skygrid.MaxBatchErrors of them in Errors, in file order) and rows Keep
// refused (Left).
type ReadSummary struct {
	Format   string
	Rows     int
	Rejected int
	Left     int
	Errors   []skygrid.RowError
}

// add adds o's counts and errors (o comes after s in the file).
func (s *ReadSummary) add(o *ReadSummary) {
	s.Rows += o.Rows
	s.Rejected += o.Rejected
	s.Left += o.Left
	s.Errors = append(s.Errors, o.Errors...)
	if len(s.Errors) > skygrid.MaxBatchErrors {
		s.Errors = s.Errors[:skygrid.MaxBatchErrors]
	}
}

// OpenChecked is Open whose refusal of a file that is no fire file is an
// input error (skygrid.EINVALID) naming it.
func OpenChecked(r io.Reader, name string) (*Reader, error) {
	rd, err := Open(r, name)
	if errors.Is(err, ErrNotFireFile) {
		return nil, &skygrid.Error{Code: skygrid.EINVALID, Message: err.Error()}
	}
	return rd, err
}

// Scan reads every row of a fire file and hands each readable row that
// Keep keeps to fn, in file order (h is reused: copy what you keep).
// Unreadable rows are counted and their first errors kept; the summary is
// valid when the error is nil. A file that is no fire file is refused
// (skygrid.EINVALID); an error of the input, of fn or of ctx ends the scan.
func Scan(ctx context.Context, r io.Reader, name string, opt ReadOptions, fn func(h *skygrid.Hotspot) error) (*ReadSummary, error) {
	rd, err := OpenChecked(r, name)
	if err != nil {
		return nil, err
	}
	return scan(ctx, rd, opt, 0, fn)
}

// scan is Scan on an open reader; lineOffset is added to the line numbers
// of row errors.
func scan(ctx context.Context, rd *Reader, opt ReadOptions, lineOffset int, fn func(h *skygrid.Hotspot) error) (*ReadSummary, error) {
	sum := &ReadSummary{}
	var h skygrid.Hotspot
	for {
		err := rd.NextInto(&h)
		if err == io.EOF {
			break
		}
		var rowErr *skygrid.RowError
		if errors.As(err, &rowErr) {
			sum.Rows++
			sum.Rejected++
			if len(sum.Errors) < skygrid.MaxBatchErrors {
				e := *rowErr
				e.Line += lineOffset
				sum.Errors = append(sum.Errors, e)
			}
			continue
		} else if err != nil {
			return nil, err
		}
		sum.Rows++
		if sum.Rows%progressRows == 0 {
			if opt.Progress != nil {
				opt.Progress(rd.BytesRead())
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if opt.Keep != nil && !opt.Keep(&h) {
			sum.Left++
			continue
		}
		if err := fn(&h); err != nil {
			return nil, err
		}
	}
	if opt.Progress != nil {
		opt.Progress(rd.BytesRead())
	}
	sum.Format = rd.Format()
	return sum, nil
}

// Read reads a whole fire file into Rows (see Scan for what is kept,
// counted and refused).
func Read(ctx context.Context, r io.Reader, name string, opt ReadOptions) (*Rows, *ReadSummary, error) {
	rs := NewRows(0)
	sum, err := Scan(ctx, r, name, opt, func(h *skygrid.Hotspot) error {
		rs.Add(h)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rs, sum, nil
}

// ReadFile reads a fire file as Read does, a large one with Workers
// readers at once: each takes one part of the file (cut at line ends,
// the header read again before each part but the first) into its own
// Rows, and the parts are joined in file order, so the rows, the counts
// and the row errors (with their file line numbers) are those of Read.
func ReadFile(ctx context.Context, f *os.File, name string, opt ReadOptions) (*Rows, *ReadSummary, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() < ParallelMin || opt.Workers == 1 {
		return Read(ctx, f, name, opt)
	}
	plan, err := planParts(f, fi.Size(), max(opt.Workers, 2))
	if err != nil {
		return nil, nil, err
	}
	if plan == nil {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		return Read(ctx, f, name, opt)
	}
	parts := make([]part, len(plan.cuts)-1)
	progress := sharedProgress(opt.Progress, len(parts))
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o := opt
			o.Progress = progress(i)
			parts[i] = plan.read(ctx, f, name, i, o)
		}(i)
	}
	wg.Wait()
	rows, sum, err := joinParts(parts)
	if err == nil && rows.Len() >= collectRows {
		// The other parts' rows were copied into the first's and are
		// garbage now, but the collector's next limit was set while they
		// were live: collect once here (about 1 ms: the rows hold no
		// pointers), so that the decisions and the store's statements that
		// follow fill a heap sized from the joined rows alone. A million
		// rows: the ingest's peak 453 -> 384 MiB (docs/PERFORMANCE.md).
		runtime.GC()
	}
	return rows, sum, err
}

// collectRows is how many joined rows make ReadFile collect the parts'
// garbage at once (a file whose rows are mostly left out gains nothing).
const collectRows = 100_000

// part is what one worker of ReadFile read.
type part struct {
	rows  *Rows
	sum   *ReadSummary
	lines int // lines of its section of the file
	err   error
}

// joinParts joins the parts in file order, numbering each part's row
// errors by the lines before it.
func joinParts(parts []part) (*Rows, *ReadSummary, error) {
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, p.err
		}
	}
	rows, sum := parts[0].rows, parts[0].sum
	before := parts[0].lines
	for _, p := range parts[1:] {
		for i := range p.sum.Errors {
			p.sum.Errors[i].Line += before
		}
		before += p.lines
		sum.add(p.sum)
		rows.merge(p.rows)
	}
	return rows, sum, nil
}

// sharedProgress turns one progress callback into one per worker, each
// reporting its bytes; the callback sees their sum, one call at a time.
func sharedProgress(fn func(int64), n int) func(i int) func(int64) {
	if fn == nil {
		return func(int) func(int64) { return nil }
	}
	read := make([]int64, n)
	var mu sync.Mutex
	return func(i int) func(int64) {
		return func(b int64) {
			mu.Lock()
			defer mu.Unlock()
			read[i] = b
			var all int64
			for _, r := range read {
				all += r
			}
			fn(all)
		}
	}
}

// partPlan is where ReadFile cuts a file: part i is [cuts[i], cuts[i+1]),
// and every part but the first is read after the header.
type partPlan struct {
	head     []byte // the file's header
	headLine int    // its lines
	cuts     []int64
	capHint  int // rows a part may hold, when every row is kept
}

// planParts cuts the file into n parts at line ends; nil when it cannot
// (no header found in the first 64 KiB, or parts too small to cut).
func planParts(f *os.File, size int64, n int) (*partPlan, error) {
	head := make([]byte, 64<<10)
	k, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	head = head[:k]
	hdrEnd := headerEnd(head)
	if hdrEnd <= 0 {
		return nil, nil
	}
	cuts := []int64{0}
	for i := 1; i < n; i++ {
		c, err := lineStartAfter(f, size*int64(i)/int64(n))
		if err != nil {
			return nil, err
		}
		if c <= max(int64(hdrEnd), cuts[len(cuts)-1]) || c >= size {
			return nil, nil
		}
		cuts = append(cuts, c)
	}
	plan := &partPlan{head: head[:hdrEnd], headLine: bytes.Count(head[:hdrEnd], []byte{'\n'}), cuts: append(cuts, size)}
	// Room for the rows of each part, from the line length in the sample.
	if lines := bytes.Count(head[hdrEnd:], []byte{'\n'}); lines > 0 {
		plan.capHint = int(float64(size/int64(n)) / (float64(len(head)-hdrEnd) / float64(lines)) * 1.05)
	}
	return plan, nil
}

// read reads part i; its row errors are numbered within its section
// (joinParts adds the lines before it).
func (pp *partPlan) read(ctx context.Context, f *os.File, name string, i int, opt ReadOptions) part {
	lo, hi := pp.cuts[i], pp.cuts[i+1]
	var in io.Reader = io.NewSectionReader(f, lo, hi-lo)
	offset := 0
	if i > 0 {
		in = io.MultiReader(bytes.NewReader(pp.head), in)
		offset = -pp.headLine
	}
	lines, err := countLines(io.NewSectionReader(f, lo, hi-lo))
	if err != nil {
		return part{err: err}
	}
	rd, err := OpenChecked(in, name)
	if err != nil {
		return part{err: err}
	}
	capHint := 0
	if opt.Keep == nil {
		capHint = pp.capHint
		if i == 0 {
			// The first part has room for every part's rows: the others
			// are appended to it in place when joined (Rows.merge).
			capHint *= len(pp.cuts) - 1
		}
	}
	rs := NewRows(capHint)
	sum, err := scan(ctx, rd, opt, offset, func(h *skygrid.Hotspot) error {
		rs.Add(h)
		return nil
	})
	return part{rows: rs, sum: sum, lines: lines, err: err}
}

// headerEnd is the length of a fire file's header: its leading '#' lines
// (Himawari) or its first line (FIRMS); 0 when not found in head.
func headerEnd(head []byte) int {
	pos := 0
	comment := false
	for pos < len(head) && head[pos] == '#' {
		i := bytes.IndexByte(head[pos:], '\n')
		if i < 0 {
			return 0
		}
		pos += i + 1
		comment = true
	}
	if comment {
		return pos
	}
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return 0
	}
	return i + 1
}

// lineStartAfter returns the offset just after the first newline at or
// after off.
func lineStartAfter(f *os.File, off int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		if err != nil {
			if err == io.EOF {
				return off + int64(n), nil
			}
			return 0, err
		}
		off += int64(n)
	}
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return 0, err
		}
	}
}

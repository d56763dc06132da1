package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"skygrid"

	"golang.org/x/sync/singleflight"
)

// Keyset paging: a list is in the order of its keys (the id last, so no
// two rows tie), and a cursor holds the keys of the row a page ended (or
// began) on. The next page is the rows after those keys, found by seeking
// the order's index: no offset to walk, and rows added or removed before
// the cursor do not shift the pages after it.

// cursor is the decoded form of a page's Next or Prev cursor.
type cursor struct {
	List   string // tasks, events, hotspots
	Sort   string
	Desc   bool
	Before bool  // the page before the keys (else after)
	Keys   []any // the sort keys, the id last
}

// encode is the opaque form: base64 (URL alphabet) of a JSON array.
func (c cursor) encode() string {
	b, _ := json.Marshal(append([]any{c.List, c.Sort, c.Desc, c.Before}, c.Keys...))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made for list, sort and order, with n keys.
func decodeCursor(s, list, sort string, desc bool, n int) (*cursor, error) {
	bad := func(why string) error {
		return skygrid.Errorf(skygrid.EINVALID, "cursor %s: %s; use the next_cursor or prev_cursor of a page of the same list, sort and order", skygrid.Clip(s), why)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad("not a cursor")
	}
	var v []any
	if err := json.Unmarshal(b, &v); err != nil || len(v) != 4+n {
		return nil, bad("not a cursor")
	}
	c := &cursor{}
	var ok1, ok2, ok3, ok4 bool
	c.List, ok1 = v[0].(string)
	c.Sort, ok2 = v[1].(string)
	c.Desc, ok3 = v[2].(bool)
	c.Before, ok4 = v[3].(bool)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, bad("not a cursor")
	}
	if c.List != list || c.Sort != sort || c.Desc != desc {
		return nil, bad(fmt.Sprintf("made for the %s list sorted by %q (desc %v), not the %s list by %q (desc %v)", c.List, c.Sort, c.Desc, list, sort, desc))
	}
	for _, k := range v[4:] {
		switch x := k.(type) {
		case string:
			c.Keys = append(c.Keys, x)
		case float64:
			// Ids and ranks are whole numbers well inside 2^53.
			if x != float64(int64(x)) {
				return nil, bad("not a cursor")
			}
			c.Keys = append(c.Keys, int64(x))
		default:
			return nil, bad("not a cursor")
		}
	}
	return c, nil
}

// keyset is a list's order: the SQL of its keys (the id last) and its
// direction.
type keyset struct {
	list, sort string
	cols       []string
	desc       bool
}

// order is the ORDER BY clause, reversed for the page before a cursor.
func (k keyset) order(reverse bool) string {
	dir := " ASC"
	if k.desc != reverse {
		dir = " DESC"
	}
	return " ORDER BY " + strings.Join(k.cols, dir+", ") + dir
}

// seek is the condition keeping the rows after the cursor (before it for
// a Prev cursor), one row value compared with another: SQLite seeks the
// order's index to it.
func (k keyset) seek(c *cursor, args *[]any) string {
	op := ">"
	if k.desc != c.Before {
		op = "<"
	}
	*args = append(*args, c.Keys...)
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(k.cols)), ", ")
	if len(k.cols) == 1 {
		return k.cols[0] + " " + op + " " + ph
	}
	return "(" + strings.Join(k.cols, ", ") + ") " + op + " (" + ph + ")"
}

// pageKeys is one row of a page's first step: the keys in the order's
// columns, the id last.
type pageKeys []any

func (p pageKeys) id() int64 { return p[len(p)-1].(int64) }

// pageList is the first step of a page: the keys of the rows of from
// meeting conds, with the cursor's condition and the order and limit
// (one more than asked, to know whether another page follows).
func (k keyset) pageList(what, from string, conds []string, args []any, c *cursor, limit, offset int) *listQuery {
	q := &listQuery{what: what, from: "SELECT " + strings.Join(k.cols, ", ") + from, conds: slices.Clip(conds), args: slices.Clip(args),
		order: k.order(c != nil && c.Before), limit: limit, offset: offset}
	if c != nil {
		q.conds = append(q.conds, k.seek(c, &q.args))
	}
	if q.limit > 0 {
		q.limit++
	}
	return q
}

// pageQuery is pageList's SQL and arguments.
func (k keyset) pageQuery(from string, conds []string, args []any, c *cursor, limit, offset int) (string, []any) {
	q := k.pageList("", from, conds, args, c, limit, offset)
	return q.sql(), q.args
}

// scanValues scans the current row's n columns as the driver gives them.
func scanValues(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("scan %d columns: %w", n, err)
	}
	return vals, nil
}

// readKeys reads the first step's rows of a keyset: strings, whole numbers.
func (k keyset) readKeys(rows *sql.Rows) (pageKeys, error) {
	vals, err := scanValues(rows, len(k.cols))
	if err != nil {
		return nil, fmt.Errorf("read a keys row: %w", err)
	}
	for i, v := range vals {
		switch x := v.(type) {
		case []byte:
			vals[i] = string(x)
		case nil:
			vals[i] = ""
		}
	}
	return pageKeys(vals), nil
}

// queryByID reads the rows of ids (sel WHERE idCol IN …, 500 at a time)
// and returns them in the order of ids.
func queryByID[T any](ctx context.Context, tx *Tx, what, sel, idCol string, ids []int64, scan func(*sql.Rows) (T, error), id func(T) int64) ([]T, error) {
	byID := make(map[int64]T, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		q := &listQuery{what: what, from: sel}
		in := make([]any, len(chunk))
		for i, id := range chunk {
			in[i] = id
		}
		q.and(idCol+" IN (?"+strings.Repeat(",?", len(chunk)-1)+")", in...)
		rows, err := queryList(ctx, tx, q, scan)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			byID[id(r)] = r
		}
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if r, ok := byID[i]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// trim cuts the first step's rows to the page (the extra row only says
// that more follow), in the list's order, and makes the cursors.
func (k keyset) trim(rows []pageKeys, limit, offset int, c *cursor) ([]pageKeys, skygrid.Page) {
	var p skygrid.Page
	more := limit > 0 && len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	before := c != nil && c.Before
	if before {
		slices.Reverse(rows)
	}
	if len(rows) == 0 {
		return rows, p
	}
	mk := func(r pageKeys, before bool) string {
		return cursor{List: k.list, Sort: k.sort, Desc: k.desc, Before: before, Keys: r}.encode()
	}
	if more || before {
		p.Next = mk(rows[len(rows)-1], false)
	}
	if (before && more) || (!before && (c != nil || offset > 0)) {
		p.Prev = mk(rows[0], true)
	}
	return rows, p
}

// ids are the rows' ids.
func ids(rows []pageKeys) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.id()
	}
	return out
}

// Counts: the total of a list is counted apart from its page and kept,
// per list and filter (the scope included), until the data changes: the
// layer versions that every write raises with its change (see
// bumpLayers) name the data. A count asked again after a change answers
// the old count at once, marked not exact, while one count runs in the
// background; a request asking for an exact count waits for it.

// countCacheSize bounds how many counts are kept.
const countCacheSize = 2048

// staleWait is how long a list waits, by default, for its count made
// again after a write before it answers the count from before
// (total_exact false); DB.CountWait sets another.
const staleWait = 100 * time.Millisecond

// countTimeout bounds a count running in the background.
const countTimeout = 2 * time.Minute

type countEntry struct {
	version, tag string
	n            int
}

type countCache struct {
	mu    sync.Mutex
	m     map[string]countEntry
	group singleflight.Group
	// refreshing holds the one count made again in the background.
	refreshing chan struct{}
}

// dataVersion names the data as it is now: every layer's version (and any
// extra the count depends on, such as the clock an overdue filter reads).
func (db *DB) dataVersion(ctx context.Context, extra string) (string, error) {
	vs, err := db.LayerVersions(ctx)
	if err != nil {
		return "", fmt.Errorf("data version: %w", err)
	}
	names := make([]string, 0, len(vs))
	for l := range vs {
		names = append(names, l)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, l := range names {
		fmt.Fprintf(&b, "%s=%d,", l, vs[l])
	}
	return b.String() + extra, nil
}

// count returns the count of key at the data's version: kept, counted now
// (one count per key and version, however many ask), or, when a count of
// an older version is kept and exact is not required, that one (exact
// false) while a new count runs in the background. extra joins the data
// version (a count of another extra is counted again, as above); tag says
// what else the count was made at (a count kept at the same version and
// extra but another tag is answered as it is, not exact, and not counted
// again unless exact is required).
func (db *DB) count(ctx context.Context, key, extra, tag string, exact bool, run func(ctx context.Context) (int, error)) (int, bool, error) {
	version, err := db.dataVersion(ctx, extra)
	if err != nil {
		return 0, false, err
	}
	cc := &db.counts
	cc.mu.Lock()
	e, ok := cc.m[key]
	if cc.refreshing == nil {
		cc.refreshing = make(chan struct{}, 1)
	}
	cc.mu.Unlock()
	if ok && e.version == version && (e.tag == tag || !exact) {
		return e.n, e.tag == tag, nil
	}
	do := func(ctx context.Context) (any, error) {
		n, err := run(ctx)
		if err != nil {
			return nil, err
		}
		cc.mu.Lock()
		if cc.m == nil || len(cc.m) >= countCacheSize {
			cc.m = map[string]countEntry{}
		}
		cc.m[key] = countEntry{version, tag, n}
		cc.mu.Unlock()
		return n, nil
	}
	// Shared by every request waiting: not stopped when the first one
	// goes away. A count made again while the old one answers waits for
	// the other such counts: after a write the lists' counts are made one
	// at a time beside the requests, not all at once.
	refresh := ok && !exact
	ch := cc.group.DoChan(key+"\x00"+version+"\x00"+tag, func() (any, error) {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), countTimeout)
		defer cancel()
		if refresh {
			select {
			case cc.refreshing <- struct{}{}:
				defer func() { <-cc.refreshing }()
			case <-bctx.Done():
				if err := bctx.Err(); err != nil {
					return nil, fmt.Errorf("count: %w", err)
				}
				return nil, nil
			}
		}
		return do(bctx)
	})
	if ok && !exact {
		n, fresh := db.freshOrStale(ctx, e.n, ch)
		return n, fresh, nil
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return 0, false, r.Err
		}
		return r.Val.(int), true, nil
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
}

// freshOrStale waits a little for a count being made again and answers
// the stale one after that: a count that comes quickly (most do, below a
// season's data) is worth the wait, a user who just closed tasks sees the
// new total at once.
func (db *DB) freshOrStale(ctx context.Context, stale int, ch <-chan singleflight.Result) (int, bool) {
	wait := db.CountWait
	if wait < 0 {
		return stale, false // not at all: a zero timer raced a quick count
	}
	if wait == 0 {
		wait = staleWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case r := <-ch:
		if r.Err == nil {
			return r.Val.(int), true
		}
	case <-t.C:
	case <-ctx.Done():
	}
	return stale, false
}

// countRows counts the rows of a FROM clause and conditions in a read
// transaction of its own.
func (db *DB) countRows(ctx context.Context, what, from string, conds []string, args []any) (int, error) {
	tx, err := db.BeginTx(ctx, &readOnly)
	if err != nil {
		return 0, fmt.Errorf("count %s: begin: %w", what, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from+where(conds), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", what, err)
	}
	return n, nil
}

// countKey names a count: the list and its SQL conditions with their
// arguments (the scope and every filter are in them).
func countKey(list string, conds []string, args []any) string {
	a, _ := json.Marshal(args)
	return list + "\x00" + strings.Join(conds, " AND ") + "\x00" + string(a)
}

// readOnly begins the read transactions of the lists and counts.
var readOnly = sql.TxOptions{ReadOnly: true}

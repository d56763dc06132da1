package store

import (
	"strings"

	"skygrid"
)

// An ingest writes an audit line per new event and per new task: a million
// lines for a file where most rows open their own event. Most share every
// column but the entity id and the after text (the transaction's time, the
// actor, the action, the entity, an empty before); like the hotspots'
// shared values (ingest_hotspots.go), those are written into the statement
// as literals, so that a line binds 2 values, not 7.

// auditShared holds the columns most of an ingest's audit lines share.
type auditShared struct{ at, actor, action, entity, before string }

func auditSharedOf(e *skygrid.AuditEntry) auditShared {
	return auditShared{ts(e.At), e.Actor, e.Action, e.Entity, e.Before}
}

// row is the VALUES tuple for lines of sh (audit columns in order), or
// ok=false when a value cannot be written in.
func (sh auditShared) row() (string, bool) {
	var q [5]string
	for i, s := range []string{sh.at, sh.actor, sh.action, sh.entity, sh.before} {
		var ok bool
		if q[i], ok = sqlString(s); !ok {
			return "", false
		}
	}
	return "(" + q[0] + ", " + q[1] + ", " + q[2] + ", " + q[3] + ", ?, " + q[4] + ", ?)", true
}

const auditManyInsert = `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES `

// auditStmt is the INSERT of the first lines of es, how many it writes and
// its arguments: auditRows lines alike (auditRun) with their shared values
// written in, else the lines up to the next such run (at most auditRows)
// binding every value. Lines keep their order (their ids ascend in it).
func (t *ingestTx) auditStmt(es []*skygrid.AuditEntry) (int, string, []any) {
	n := auditRun(es)
	if n == auditRows {
		if q, ok := t.auditQuery(auditSharedOf(es[0])); ok {
			args := make([]any, 0, 2*n)
			for _, e := range es[:n] {
				args = append(args, e.EntityID, e.After)
			}
			return n, q, args
		}
	}
	k := n
	for k < len(es) && k < auditRows {
		m := auditRun(es[k:])
		if m == auditRows {
			break
		}
		k += m
	}
	k = min(k, auditRows)
	q := auditManyInsert + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?),", k), ",") + ` RETURNING id`
	args := make([]any, 0, 7*k)
	for _, e := range es[:k] {
		args = append(args, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After)
	}
	return k, q, args
}

// auditRun is how many of the first lines of es (at most auditRows) share
// the first one's shared values.
func auditRun(es []*skygrid.AuditEntry) int {
	a := es[0]
	n := 1
	for n < len(es) && n < auditRows && es[n].Actor == a.Actor && es[n].Action == a.Action && es[n].Entity == a.Entity &&
		es[n].Before == a.Before && es[n].At.Equal(a.At) {
		n++
	}
	return n
}

// auditQuery is the INSERT of auditRows lines sharing sh's values; ok is
// false when they cannot be written in.
func (t *ingestTx) auditQuery(sh auditShared) (string, bool) {
	if q, ok := t.auditQueries[sh]; ok {
		return q, q != ""
	}
	if t.auditQueries == nil {
		t.auditQueries = map[auditShared]string{}
	}
	row, ok := sh.row()
	q := ""
	if ok {
		q = auditManyInsert + strings.TrimSuffix(strings.Repeat(row+",", auditRows), ",") + ` RETURNING id`
	}
	t.auditQueries[sh] = q
	return q, ok
}

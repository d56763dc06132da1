package store

import (
	"context"
	"fmt"

	"skygrid"
)

// An ingest writes an audit line per new event and per new task: a million
// lines for a file where most rows open their own event. Most share every
// column but the entity id and the after text (the transaction's time, the
// actor, the action, the entity, an empty before); like the hotspots'
// shared values (ingest_hotspots.go), those are written into the statement
// as literals, so that a line binds 3 values (its id, entity id and after
// text), not 8. The ids are counted on from the largest, read once, as
// the events' and tasks' are (the ingest transaction is the only writer;
// on PostgreSQL moveSequences moves the identity past them): no INSERT ...
// RETURNING, whose rows SQLite keeps aside and hands back one call each.

// auditShared holds the columns most of an ingest's audit lines share.
type auditShared struct{ at, actor, action, entity, before string }

func auditSharedOf(e *skygrid.AuditEntry) auditShared {
	return auditShared{ts(e.At), e.Actor, e.Action, e.Entity, e.Before}
}

// auditIDs gives the queued lines their ids, counted on from the largest
// (read once).
func (t *ingestTx) auditIDs(ctx context.Context) error {
	if t.nextAudit == 0 {
		if err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log`).Scan(&t.nextAudit); err != nil {
			return fmt.Errorf("next audit id: %w", err)
		}
	}
	for _, e := range t.audit {
		e.ID = t.nextAudit
		t.nextAudit++
	}
	return nil
}

// row is the VALUES tuple for lines of sh (audit columns in order), or
// ok=false when a value cannot be written in.
func (sh auditShared) row() (string, bool) {
	q, ok := sqlStrings(sh.at, sh.actor, sh.action, sh.entity, sh.before)
	if !ok {
		return "", false
	}
	return "(?, " + q[0] + ", " + q[1] + ", " + q[2] + ", " + q[3] + ", ?, " + q[4] + ", ?)", true
}

const auditManyInsert = `INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after) VALUES `

// auditStmt is the INSERT of the first lines of es, how many it writes and
// its arguments (the lines have their ids): auditRows lines alike
// (auditRun) with their shared values
// written in, else the lines up to the next such run (at most auditRows)
// binding every value. Lines keep their order (their ids ascend in it).
func (t *ingestTx) auditStmt(es []*skygrid.AuditEntry) (int, string, []any) {
	n := auditRun(es)
	if n == auditRows {
		if q, ok := t.auditQuery(auditSharedOf(es[0])); ok {
			args := make([]any, 0, 3*n)
			for _, e := range es[:n] {
				args = append(args, e.ID, e.EntityID, e.After)
			}
			return n, q, args
		}
	}
	k := boundRows(n, len(es), auditRows, func(i int) int { return auditRun(es[i:]) })
	q := auditManyInsert + valuesRows(k, 8)
	args := make([]any, 0, 8*k)
	for _, e := range es[:k] {
		args = appendAudit(args, e)
	}
	return k, q, args
}

// appendAudit appends e's values in auditManyInsert's column order to
// args.
func appendAudit(args []any, e *skygrid.AuditEntry) []any {
	return append(args, e.ID, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After)
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
	return literalQuery(&t.auditQueries, sh, auditManyInsert, auditRows, "")
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"skygrid"
)

const auditInsert = `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)
	RETURNING id`

// insertAudit appends to the audit log inside tx.
func insertAudit(ctx context.Context, tx *Tx, e *skygrid.AuditEntry) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	if err := tx.QueryRowContext(ctx, auditInsert, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After).Scan(&e.ID); err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	return nil
}

// FindAudit returns the audit log for an entity (all entities when entity
// is ""), newest first.
func (db *DB) FindAudit(ctx context.Context, entity, entityID string, limit int) ([]*skygrid.AuditEntry, error) {
	return db.FindAuditBy(ctx, entity, entityID, "", limit)
}

// FindAuditBy is FindAudit also by actor (a user name; "" for any).
func (db *DB) FindAuditBy(ctx context.Context, entity, entityID, actor string, limit int) ([]*skygrid.AuditEntry, error) {
	return db.FindAuditLog(ctx, skygrid.AuditFilter{Entity: entity, EntityID: entityID, Actor: actor, Limit: limit})
}

// FindAuditLog returns the audit log lines of a filter, newest first.
func (db *DB) FindAuditLog(ctx context.Context, f skygrid.AuditFilter) ([]*skygrid.AuditEntry, error) {
	q := &listQuery{what: "find audit log", from: `SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log`,
		order: ` ORDER BY id DESC`, limit: f.Limit}
	if f.Actor != "" {
		q.and("actor = ?", f.Actor)
	}
	if f.Entity != "" {
		q.and("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q.and("entity_id = ?", f.EntityID)
	}
	if strings.HasSuffix(f.Action, ".") {
		q.and("substr(action, 1, ?) = ?", len(f.Action), f.Action)
	} else if f.Action != "" {
		q.and("action = ?", f.Action)
	}
	if f.Since != nil {
		q.and("at >= ?", ts(*f.Since))
	}
	if f.Until != nil {
		q.and("at < ?", ts(*f.Until))
	}
	if f.BeforeID > 0 {
		q.and("id < ?", f.BeforeID)
	}
	return queryList(ctx, db.db, q, scanAudit)
}

// scanAudit reads an audit log line.
func scanAudit(rows *sql.Rows) (*skygrid.AuditEntry, error) {
	e := &skygrid.AuditEntry{}
	var at string
	if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
		return nil, fmt.Errorf("read an audit row: %w", err)
	}
	e.At = parseTS(at)
	return e, nil
}

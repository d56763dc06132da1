package store

import (
	"context"
	"fmt"
	"strings"

	"skygrid"
)

const auditInsert = `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)`

// insertAudit appends to the audit log inside tx.
func insertAudit(ctx context.Context, tx *Tx, e *skygrid.AuditEntry) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	res, err := tx.ExecContext(ctx, auditInsert, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After)
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	e.ID, _ = res.LastInsertId()
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
	var conds []string
	var args []any
	if f.Actor != "" {
		conds, args = append(conds, "actor = ?"), append(args, f.Actor)
	}
	if f.Entity != "" {
		conds, args = append(conds, "entity = ?"), append(args, f.Entity)
	}
	if f.EntityID != "" {
		conds, args = append(conds, "entity_id = ?"), append(args, f.EntityID)
	}
	if strings.HasSuffix(f.Action, ".") {
		conds, args = append(conds, "substr(action, 1, ?) = ?"), append(args, len(f.Action), f.Action)
	} else if f.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, f.Action)
	}
	if f.Since != nil {
		conds, args = append(conds, "at >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		conds, args = append(conds, "at < ?"), append(args, ts(*f.Until))
	}
	if f.BeforeID > 0 {
		conds, args = append(conds, "id < ?"), append(args, f.BeforeID)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log`+
		where(conds)+` ORDER BY id DESC`+limitOffset(f.Limit, 0), args...)
	if err != nil {
		return nil, fmt.Errorf("find audit log: %w", err)
	}
	defer rows.Close()
	var out []*skygrid.AuditEntry
	for rows.Next() {
		e := &skygrid.AuditEntry{}
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
			return nil, fmt.Errorf("find audit log: read a row: %w", err)
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("find audit log: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several servers on one PostgreSQL database keep caches of what the
// layers' data versions name (tiles, list counts). Every server reads the
// versions from the database, so a cache never answers data older than a
// version it has read; beyond that, a bump is told to every server at
// commit (NOTIFY skygrid_layers) so that each drops what went stale at
// once instead of at its next request.

// layerChannel is the NOTIFY channel of layer bumps.
const layerChannel = "skygrid_layers"

// LayerChange is a layer's data version after a committed change (the
// payload of a skygrid_layers notification, JSON).
type LayerChange struct {
	Layer   string `json:"layer"`
	Version int64  `json:"version"`
}

// notifyLayer tells every listening server of a bump at tx's commit.
func notifyLayer(ctx context.Context, tx *Tx, c LayerChange) error {
	payload, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("notify layer %s: %w", c.Layer, err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, layerChannel, string(payload)); err != nil {
		return fmt.Errorf("notify layer %s: %w", c.Layer, err)
	}
	return nil
}

// ListenLayers calls changed with every layer bump any server commits,
// until ctx ends, on a connection of its own. When that connection is
// lost it says why (lost, if set), connects again (waiting 1 s, then
// longer, up to 30 s) and calls changed with every layer's version as it
// is then, for the bumps missed meanwhile; so also at the first connect.
// On SQLite there is no other server: it returns at once.
func (db *DB) ListenLayers(ctx context.Context, changed func(LayerChange), lost func(error)) {
	if !db.postgres {
		return
	}
	wait := time.Second
	for ctx.Err() == nil {
		err := db.listenLayers(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		if lost != nil {
			lost(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// listenLayers listens on one connection until it fails or ctx ends.
func (db *DB) listenLayers(ctx context.Context, changed func(LayerChange)) error {
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		return fmt.Errorf("listen for layer changes: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "skygrid layer listener"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("listen for layer changes: connect to %s: %w", RedactDSN(db.DSN), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+layerChannel); err != nil {
		return fmt.Errorf("listen for layer changes: %w", err)
	}
	// Listening: read the versions now, for what changed before.
	vs, err := db.LayerVersions(ctx)
	if err != nil {
		return fmt.Errorf("listen for layer changes: %w", err)
	}
	for l, v := range vs {
		changed(LayerChange{Layer: l, Version: v})
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen for layer changes: %w", err)
		}
		var c LayerChange
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil || c.Layer == "" {
			continue // not ours: another version's payload
		}
		changed(c)
	}
}

-- PostgreSQL mirror of store/migrations/0010_lists.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Lists that stay fast with a season's data (issue 13): every order of the
-- task list is an index, so a page reads its rows in order and stops, and
-- a cursor (the last row's keys) starts the next page where this one ended.
--
-- What a task's orders and area filters need from other tables is copied
-- onto the task and kept by triggers, whoever writes: the fire's first
-- sight (events.first_seen), and the task's county and township, as the
-- lists have always defined them: its grid's (once reassigned, the new
-- grid's), or for a task without a grid (the city's unassigned queue)
-- its event's; '' when there is none.
ALTER TABLE tasks ADD COLUMN list_first_seen TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN list_county_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN list_township_id TEXT NOT NULL DEFAULT '';

-- What comes from the task's own row is computed (not stored; PostgreSQL 15
-- has only STORED generated columns, so there they are stored): the
-- deadline that counts now for the two directions of the deadline order
-- (tasks with none last either way: '~' sorts after every time, '' before
-- every time), the lifecycle rank of the state, and the grid ('' for
-- none).
ALTER TABLE tasks ADD COLUMN list_due_asc TEXT GENERATED ALWAYS AS
	(CASE state WHEN 'dispatched' THEN ack_due WHEN 'acknowledged' THEN report_due ELSE '~' END) STORED;
ALTER TABLE tasks ADD COLUMN list_due_desc TEXT GENERATED ALWAYS AS
	(CASE state WHEN 'dispatched' THEN ack_due WHEN 'acknowledged' THEN report_due ELSE '' END) STORED;
ALTER TABLE tasks ADD COLUMN list_state_rank BIGINT GENERATED ALWAYS AS
	(CASE state WHEN 'dispatched' THEN 0 WHEN 'acknowledged' THEN 1 WHEN 'reported' THEN 2 ELSE 3 END) STORED;
ALTER TABLE tasks ADD COLUMN list_grid_id TEXT GENERATED ALWAYS AS (COALESCE(grid_id, '')) STORED;

-- The copied columns of the tasks already stored.
UPDATE tasks SET (list_first_seen, list_county_id, list_township_id) = (
	SELECT e.first_seen,
		COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
		COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
	FROM events e LEFT JOIN regions g ON g.id = tasks.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id
	WHERE e.id = tasks.event_id);

-- And of every task written from now on: a new task, a task that moves to
-- another grid, an event whose first sight or area changes, a region
-- imported or moved under another parent (the tasks of it as a grid, and
-- of the grids under it). SQLite's triggers become plpgsql trigger
-- functions with the same UPDATE, run after each row. The regions' ones
-- pick the tasks of the region and of its children as
-- "grid_id IN (NEW.id, children)" where SQLite says "grid_id = NEW.id OR
-- grid_id IN (children)": the same rows, and PostgreSQL's planner then
-- uses tasks_grid instead of reading every task for each imported region.
CREATE FUNCTION tasks_list_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tasks SET (list_first_seen, list_county_id, list_township_id) = (
		SELECT e.first_seen,
			COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
			COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
		FROM events e LEFT JOIN regions g ON g.id = tasks.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id
		WHERE e.id = tasks.event_id)
	WHERE id = NEW.id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER tasks_list_insert AFTER INSERT ON tasks
	FOR EACH ROW EXECUTE FUNCTION tasks_list_task();
CREATE TRIGGER tasks_list_move AFTER UPDATE OF grid_id, event_id ON tasks
	FOR EACH ROW EXECUTE FUNCTION tasks_list_task();
CREATE FUNCTION tasks_list_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tasks SET (list_first_seen, list_county_id, list_township_id) = (
		SELECT e.first_seen,
			COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
			COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
		FROM events e LEFT JOIN regions g ON g.id = tasks.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id
		WHERE e.id = tasks.event_id)
	WHERE event_id = NEW.id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER events_list_update AFTER UPDATE OF first_seen, county_id, township_id ON events
	FOR EACH ROW EXECUTE FUNCTION tasks_list_event();
CREATE INDEX regions_parent ON regions (parent_id);
CREATE FUNCTION tasks_list_region() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE tasks SET (list_first_seen, list_county_id, list_township_id) = (
		SELECT e.first_seen,
			COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
			COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
		FROM events e LEFT JOIN regions g ON g.id = tasks.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id
		WHERE e.id = tasks.event_id)
	WHERE grid_id IN (SELECT NEW.id UNION ALL SELECT id FROM regions WHERE parent_id = NEW.id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER regions_list_insert AFTER INSERT ON regions
	FOR EACH ROW EXECUTE FUNCTION tasks_list_region();
CREATE TRIGGER regions_list_move AFTER UPDATE OF parent_id, level ON regions
	FOR EACH ROW EXECUTE FUNCTION tasks_list_region();

-- One index per order of the task list (SQLite adds the id to each: ties
-- go by id), and the area filters'.
CREATE INDEX tasks_list_created ON tasks (created_at);
CREATE INDEX tasks_list_first_seen ON tasks (list_first_seen);
CREATE INDEX tasks_list_due_asc ON tasks (list_due_asc);
CREATE INDEX tasks_list_due_desc ON tasks (list_due_desc);
CREATE INDEX tasks_list_state ON tasks (list_state_rank);
CREATE INDEX tasks_list_place ON tasks (list_county_id, list_township_id, list_grid_id);
CREATE INDEX tasks_list_township ON tasks (list_township_id);

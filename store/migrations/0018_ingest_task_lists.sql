-- A new task's list columns (0010_lists.sql) are filled by the insert
-- trigger only when the writer did not fill them: the ingest computes them
-- for its thousands of new tasks in Go from the same facts (the event's
-- first sight and the grid's parents; store.taskLists, tested against this
-- trigger's query), and writes them with the row. The trigger's UPDATE of
-- each new row was half the cost of writing an ingest's tasks.
DROP TRIGGER tasks_list_insert;
CREATE TRIGGER tasks_list_insert AFTER INSERT ON tasks WHEN NEW.list_first_seen = '' BEGIN
	UPDATE tasks SET (list_first_seen, list_county_id, list_township_id) = (
		SELECT e.first_seen,
			COALESCE(CASE gp.level WHEN 'county' THEN g.parent_id WHEN 'township' THEN gp.parent_id ELSE e.county_id END, ''),
			COALESCE(CASE gp.level WHEN 'county' THEN NULL WHEN 'township' THEN g.parent_id ELSE e.township_id END, '')
		FROM events e LEFT JOIN regions g ON g.id = tasks.grid_id LEFT JOIN regions gp ON gp.id = g.parent_id
		WHERE e.id = tasks.event_id)
	WHERE id = NEW.id;
END;

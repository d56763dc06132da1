-- PostgreSQL mirror of store/migrations/0018_ingest_task_lists.sql: the
-- new task's list columns are filled by 0010's trigger function only when
-- the writer did not fill them (the ingest computes them in Go).
DROP TRIGGER tasks_list_insert ON tasks;
CREATE TRIGGER tasks_list_insert AFTER INSERT ON tasks
	FOR EACH ROW WHEN (NEW.list_first_seen = '') EXECUTE FUNCTION tasks_list_task();

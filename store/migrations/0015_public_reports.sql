-- Reports from the public (举报, issue 16 point 4).
--
-- One row per report: receipt is the code the reporter looks it up with
-- (10 characters of an alphabet without 0/O/1/I, from crypto/rand);
-- phone and address are personal (the county's officials see the phone,
-- nobody the address: it is kept for the limits only). grid, township and
-- county are assigned at filing as fires are; the county's officials
-- moderate it. state: pending, accepted (event_id and task_id set),
-- rejected (moderation_note is the reason shown to the reporter). Times
-- are UTC like every time in the store.
CREATE TABLE public_reports (
	id              INTEGER PRIMARY KEY,
	receipt         TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL CHECK (kind IN ('straw_burning', 'dust', 'loose_coal', 'other')),
	lon             REAL NOT NULL,
	lat             REAL NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	address         TEXT NOT NULL,
	grid_id         TEXT,
	township_id     TEXT,
	county_id       TEXT,
	assigned_by     TEXT NOT NULL DEFAULT 'none', -- contains, nearest, none (as an event's)
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
	moderated_by    INTEGER REFERENCES users (id),
	moderated_at    TEXT NOT NULL DEFAULT '',
	moderation_note TEXT NOT NULL DEFAULT '',
	event_id        INTEGER REFERENCES events (id) ON DELETE SET NULL,
	task_id         INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
	reward_yuan     REAL NOT NULL DEFAULT 0,
	rewarded_at     TEXT NOT NULL DEFAULT '',
	rewarded_by     INTEGER REFERENCES users (id),
	created_at      TEXT NOT NULL
);
-- The limits count the last hour's reports of an address and the last
-- day's of a phone from the table itself.
CREATE INDEX public_reports_address ON public_reports (address, created_at);
CREATE INDEX public_reports_phone ON public_reports (phone, created_at) WHERE phone <> '';
-- The moderation queue of a county; the audit page's figures by period.
CREATE INDEX public_reports_queue ON public_reports (state, county_id, created_at);
CREATE INDEX public_reports_created ON public_reports (created_at);
CREATE INDEX public_reports_task ON public_reports (task_id) WHERE task_id IS NOT NULL;

-- The photos of a report: sha256 is the upload's (the original is not
-- kept), stripped_sha the copy re-encoded without EXIF that is stored and
-- shown (its file <stripped_sha>.jpg and thumbnail in the photo folder).
CREATE TABLE public_report_photos (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES public_reports (id) ON DELETE CASCADE,
	sha256      TEXT NOT NULL,
	stripped_sha TEXT NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	size        INTEGER NOT NULL
);
CREATE INDEX public_report_photos_report ON public_report_photos (report_id);
CREATE INDEX public_report_photos_stripped ON public_report_photos (stripped_sha);

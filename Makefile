# skygrid: `make run` starts the demo, `make test` runs every test.
GO ?= go
ADDR ?= 127.0.0.1:8080

.PHONY: run test test-postgres deps web types build bench fuzz clean loadtest perftiles perfprovince photoload e2e

## web: build the web app into frontend/dist (embedded in the binary)
web:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build

## types: the web app's TypeScript types of the API's answers, from the Go types
## (frontend/src/api/types.gen.ts, checked in; api's TestTypesCurrent fails when stale)
types:
	$(GO) run ./cmd/tsgen -o frontend/src/api/types.gen.ts

## run: build skygrid and serve the embedded Datong demo on $(ADDR)
run: web
	$(GO) run ./cmd/skygrid demo --addr $(ADDR)

## deps: what the tests use besides Go (Debian packages): GDAL's ogrinfo reads our
## vector tiles and exports; Chromium prints the monthly report to PDF, poppler-utils
## reads it back, and a Chinese font lets it show Chinese; PostgreSQL 15 with PostGIS
## runs the second pass of the Go tests (a throwaway cluster, internal/pgtest)
DEBS = gdal-bin chromium poppler-utils fonts-wqy-microhei postgresql-15-postgis-3
deps:
	@missing=""; \
	command -v ogrinfo >/dev/null || missing="$$missing gdal-bin"; \
	{ [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -f /usr/share/postgresql/15/extension/postgis.control ]; } || missing="$$missing postgresql-15-postgis-3"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi wqy || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; fi

## TESTTMP: where the tests keep their temporary files (SQLite files, the throwaway
## PostgreSQL clusters, the browser suite's demo): /dev/shm where it is a tmpfs with
## 4 GiB free, else the system's default (scripts/testtmp.sh says why and what it
## saved); `make test TESTTMP=/tmp` keeps them on disk
ifeq ($(origin TESTTMP),undefined)
TESTTMP := $(shell scripts/testtmp.sh)
endif
ifneq ($(strip $(TESTTMP)),)
test test-postgres e2e: export TMPDIR := $(TESTTMP)
endif

## TESTPKGS: every package, the longest test runs first (go test starts packages in
## the order given, two at a time on two cores): with ./... alone store, 2 minutes on
## PostgreSQL, started last and ran alone at the end of the pass
TESTPKGS = ./cmd/skygrid ./api ./store ./dispatch ./...

## test: formatting, vet, and every test (real SQLite, real HTTP on 127.0.0.1); the Go
## suite twice: on SQLite, then its store's packages on PostgreSQL (a throwaway cluster per test process;
## the PostgreSQL tests skip, saying why, only where the server binaries are missing);
## the PostgreSQL pass beside the browser suite in a CPU cgroup of its own where one can
## be made (root, cgroup v1), else one after the other (scripts/test-beside.sh)
test: deps web
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 $(TESTPKGS)
	cd frontend && npm test
	MAKE="$(MAKE)" scripts/test-beside.sh

## test-postgres: the Go suite on PostgreSQL + PostGIS (SKYGRID_TEST_STORE=postgres):
## those of TESTPKGS whose tests reach the store, in its order (scripts/store-packages.sh; the others,
## geo, detect, tiles..., have no store to differ by and ran in the SQLite pass);
## PG_BIN=/usr/lib/postgresql/16/bin picks the server binaries (else the newest >= 15)
test-postgres:
	pkgs="$$(GO=$(GO) scripts/store-packages.sh $(TESTPKGS))" && echo "the Go suite on PostgreSQL: $$pkgs" && \
	SKYGRID_TEST_STORE=postgres $(if $(PG_BIN),SKYGRID_PG_BIN=$(PG_BIN)) $(GO) test -count=1 -timeout 30m $$pkgs

## e2e: browser tests (@playwright/test, Debian's Chromium: no browser download)
## against the demo on 127.0.0.1; first the rule that no test sleeps
e2e:
	$(GO) build -o bin/skygrid ./cmd/skygrid
	cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && node --test rules/ && npx playwright test

## build: the binary in bin/
build:
	$(GO) build -o bin/skygrid ./cmd/skygrid

## bench: the benchmarks recorded in docs/PERFORMANCE.md
bench:
	$(GO) test ./geo -run XXX -bench Assign -benchtime 5x -count 3
	$(GO) test ./geo -run XXX -bench 'Join$$' -benchtime 5x -count 3
	$(GO) test ./geo -run XXX -bench ProvinceIndex -benchtime 3x -count 3 -timeout 30m
	@if [ -x /usr/lib/postgresql/15/bin/initdb ]; then scripts/perf/join.sh 3; else echo "scripts/perf/join.sh skipped: no PostgreSQL 15 (postgresql-15-postgis-3)"; fi
	$(GO) test ./geo -run XXX -bench LabelPoint -benchtime 200x -count 3
	$(GO) test ./dispatch -run XXX -bench OctoberSeason -benchtime 5x -count 3
	$(GO) test ./dispatch -run XXX -bench 'Ingest1M/area=[a-z]+$$' -benchtime 1x -count 5 -timeout 15m
	$(GO) test ./dispatch -run XXX -bench 'Ingest1M/area=none,file=own-events' -benchtime 1x -count 3 -timeout 30m
	$(GO) test ./tiles -run XXX -bench 'RenderPNG|RenderMVT|CachedTile' -benchtime 2000x -count 3
	$(GO) test ./tiles -run XXX -bench 'Points' -benchtime 2000x -timeout 20m
	$(GO) test ./tiles -run XXX -bench RenderZooms -benchtime 500x -count 3 -timeout 20m
	$(GO) test ./api -run XXX -bench CachedTileHTTP -benchtime 20000x -count 3
	$(GO) test ./dispatch -run XXX -bench LatencyOneDetection -benchtime 20x
	$(GO) test ./store -run XXX -bench PGFreshStore -benchtime 10x -count 2
	$(GO) test ./store -run XXX -bench StatsYear -benchtime 10x -count 2
	$(GO) test ./store -run XXX -bench ProvinceMonth -benchtime 3x -count 3 -timeout 60m
	SKYGRID_TEST_STORE=postgres $(GO) test ./store -run XXX -bench ProvinceMonth -benchtime 3x -count 3 -timeout 60m
	$(GO) test ./store -run XXX -bench TaskList -benchtime 20x -count 3
	$(GO) test ./store -run XXX -bench SitesInScope -benchtime 50x -count 3 -timeout 20m
	SKYGRID_TEST_STORE=postgres $(GO) test ./store -run XXX -bench SitesInScope -benchtime 50x -count 3 -timeout 20m
	$(GO) test ./orbit -run XXX -bench Passes48h -benchtime 20x -count 3

## loadtest: the tile load test (32 connections, 20 s a run) against skygrid serve on 127.0.0.1
loadtest:
	scripts/loadtest.sh 20

## perftiles: vector tiles without the cache, skygrid against tegola on PostGIS, same files and buffer (PERFDATA: the perf generator's grids.geojson and points.csv)
PERFDATA ?= /tmp/perfdata
perftiles:
	scripts/perf/tiles.sh $(PERFDATA) 20 3

## perfprovince: issue 17's benchmarks side by side in one run (join beside PostGIS, tiles beside
## tegola, the province's index, the 1M-row ingest and the province's month on SQLite and PostgreSQL)
perfprovince:
	scripts/perf/province.sh

## photoload: 20 parallel uploads of the largest photos accepted against skygrid serve, its peak memory; the issue-13 PNG; kill -9 mid-upload and the sweep
photoload:
	scripts/photoload.sh 20

## fuzz: run each fuzz test of a parser of outside input for a while, one at a time
## (their seeds run in `make test`); FUZZTIME=5m for the long run
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./detect -run XXX -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME)
	$(GO) test ./detect -run XXX -fuzz '^FuzzReadHeatSources$$' -fuzztime $(FUZZTIME)
	$(GO) test ./geo -run XXX -fuzz '^FuzzReadGeoJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./registry -run XXX -fuzz '^FuzzReadSites$$' -fuzztime $(FUZZTIME)
	$(GO) test ./registry -run XXX -fuzz '^FuzzReadSupervisors$$' -fuzztime $(FUZZTIME)
	$(GO) test ./registry -run XXX -fuzz '^FuzzReadRegions$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run XXX -fuzz '^FuzzActionForm$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run XXX -fuzz '^FuzzActionJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run XXX -fuzz '^FuzzLogin$$' -fuzztime $(FUZZTIME)
	$(GO) test ./api -run XXX -fuzz '^FuzzReportForm$$' -fuzztime $(FUZZTIME)
	$(GO) test ./hj212 -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./hj212 -run XXX -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME)
	$(GO) test ./orbit -run XXX -fuzz '^FuzzParseTLEs$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin

// Package pgtest gives tests a throwaway PostgreSQL + PostGIS cluster: the
// first DSN of a test process runs initdb and pg_ctl in a temporary
// directory on a free 127.0.0.1 port (trust auth, fsync off, the unix
// socket in that directory), and every DSN is a fresh database with the
// postgis extension, dropped when its test ends. Tests skip, naming what is
// missing, where the server binaries are not installed (Debian:
// apt-get install -y postgresql-15-postgis-3).
//
// The cluster never outlives the test process: a detached watchdog stops
// it (SIGQUIT to the postmaster, PostgreSQL's immediate shutdown) and
// removes its directory once the process is gone, even when the test was
// killed or its package has no TestMain calling Main.
package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// BinEnv names the environment variable that, when set, is the only
// directory searched for the server binaries (tests use it to simulate a
// machine without them).
const BinEnv = "SKYGRID_PG_BIN"

// installHint is what to run where the binaries are missing.
const installHint = "apt-get install -y postgresql-15-postgis-3"

// minMajor is the oldest PostgreSQL the store supports.
const minMajor = 15

// serverBinaries are what the harness runs.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// install is where the server binaries and PostGIS were found.
type install struct {
	bin   string // directory of initdb, pg_ctl, postgres
	share string // PostgreSQL's share directory (extension/ holds PostGIS)
}

// Available reports whether the PostgreSQL server binaries (initdb, pg_ctl,
// postgres, PostGIS's extension files) are installed, and if not, why.
func Available() (ok bool, why string) {
	_, err := findInstall()
	if err != nil {
		return false, err.Error()
	}
	return true, ""
}

// findInstall looks in $SKYGRID_PG_BIN alone when it is set, else in the
// newest /usr/lib/postgresql/N/bin with N >= 15, else on PATH.
func findInstall() (install, error) {
	if dir := os.Getenv(BinEnv); dir != "" {
		return checkInstall(dir, BinEnv+"="+dir)
	}
	for _, dir := range debianBinDirs() {
		if in, err := checkInstall(dir, dir); err == nil {
			return in, nil
		}
	}
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		return install{}, fmt.Errorf("PostgreSQL %d+ server binaries not found (no /usr/lib/postgresql/N/bin with initdb, pg_ctl and postgres, and no initdb on PATH); install them with: %s", minMajor, installHint)
	}
	return checkInstall(filepath.Dir(initdb), "PATH ("+filepath.Dir(initdb)+")")
}

// debianBinDirs are Debian's /usr/lib/postgresql/N/bin, newest first, of
// majors >= 15.
func debianBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) int {
		n, err := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		if err != nil {
			return 0
		}
		return n
	}
	var out []string
	for _, d := range dirs {
		if major(d) >= minMajor {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return major(out[i]) > major(out[j]) })
	return out
}

// checkInstall: dir holds the three server binaries of a version >= 15,
// PostGIS's control file is in the share directory, and (as root) there is
// a postgres user to run the server as.
func checkInstall(dir, where string) (install, error) {
	var missing []string
	for _, b := range serverBinaries {
		if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	if len(missing) > 0 {
		return install{}, fmt.Errorf("PostgreSQL server binaries missing in %s: %s; install them with: %s",
			where, strings.Join(missing, ", "), installHint)
	}
	if err := checkVersion(dir); err != nil {
		return install{}, err
	}
	share := shareDir(dir)
	control := filepath.Join(share, "extension", "postgis.control")
	if _, err := os.Stat(control); err != nil {
		return install{}, fmt.Errorf("PostGIS extension files missing (no %s); install them with: %s", control, installHint)
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return install{}, fmt.Errorf("running as root and there is no postgres user to run the PostgreSQL server as (initdb refuses root); install the server with: %s", installHint)
		}
	}
	return install{bin: dir, share: share}, nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// checkVersion runs `postgres --version` and wants a major >= 15.
func checkVersion(dir string) error {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %v", filepath.Join(dir, "postgres"), err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("%s --version: unrecognised answer %q", filepath.Join(dir, "postgres"), strings.TrimSpace(string(out)))
	}
	if n, _ := strconv.Atoi(string(m[1])); n < minMajor {
		return fmt.Errorf("PostgreSQL %d in %s is older than %d; install: %s", n, dir, minMajor, installHint)
	}
	return nil
}

// shareDir asks pg_config next to the binaries, else takes Debian's layout
// (/usr/lib/postgresql/15/bin -> /usr/share/postgresql/15).
func shareDir(bin string) string {
	if out, err := exec.Command(filepath.Join(bin, "pg_config"), "--sharedir").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" {
			return s
		}
	}
	return filepath.Join("/usr/share/postgresql", filepath.Base(filepath.Dir(bin)))
}

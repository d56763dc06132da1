package storetest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// builtOnce is one Built database of the process: filled once, its
// error kept for every later test.
type builtOnce struct {
	once sync.Once
	path string // SQLite: the filled file
	err  error
}

var (
	builtMu  sync.Mutex
	builtDir string // SQLite's filled files, removed by Run
	built    = map[string]*builtOnce{}
)

// Built is a fresh database for one test holding what fill stored, fill
// running once per test process and key: a test's fixture of many rows
// costs its copy, not its making, after the first test. fill gets the
// URL (PostgreSQL) or file (SQLite) of an empty database, must open it
// with store.NewDB, and close it before it returns. On SQLite each test
// gets a copy of the filled file (name in t.TempDir()); on PostgreSQL a
// database copied from the filled one as a template. A fill that failed
// fails every test that asks for it, with its error.
func Built(t testing.TB, key, name string, fill func(dsn string) error) string {
	t.Helper()
	if Postgres() {
		return postgresCopy(t, "built_"+key, fill, "fill the database "+key)
	}
	b := builtFor(key)
	b.once.Do(func() { b.path, b.err = fillSQLite(key, fill) })
	if b.err != nil {
		t.Fatalf("storetest: fill the database %s: %v", key, b.err)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := copyFile(dst, b.path); err != nil {
		t.Fatalf("storetest: copy the database %s: %v", key, err)
	}
	return dst
}

func builtFor(key string) *builtOnce {
	builtMu.Lock()
	defer builtMu.Unlock()
	if built[key] == nil {
		built[key] = &builtOnce{}
	}
	return built[key]
}

// fillSQLite fills a new file in the process's directory of filled files.
// A closed store leaves no write-ahead log: the file is the whole database.
func fillSQLite(key string, fill func(dsn string) error) (string, error) {
	builtMu.Lock()
	var err error
	if builtDir == "" {
		builtDir, err = os.MkdirTemp("", "skygrid-storetest-")
	}
	dir := builtDir
	builtMu.Unlock()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, key+".db")
	if err := fill(path); err != nil {
		return "", err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return "", fmt.Errorf("%s: a write-ahead log is left: fill must close the store", path)
	}
	return path, nil
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// removeBuilt removes the filled SQLite files (Run, after the tests).
func removeBuilt() {
	builtMu.Lock()
	defer builtMu.Unlock()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
}

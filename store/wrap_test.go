package store

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The rule of docs/ARCHITECTURE.md ("Errors"): every error of a database
// call is returned wrapped with what was being done
// (fmt.Errorf("list tasks for %s: %w", who, err)), never bare. The check
// reads store's own files (not the tests, not ingest*.go, which the
// ingest port reshapes) with go/ast.

// dbCalls are the methods of database/sql (and of our DB and Tx, which
// embed or mirror them) whose error is the database's own.
var dbCalls = map[string]bool{
	"Begin": true, "BeginTx": true, "Commit": true, "Exec": true, "ExecContext": true,
	"Query": true, "QueryContext": true, "QueryRow": true, "QueryRowContext": true,
	"Prepare": true, "PrepareContext": true, "Scan": true, "Err": true, "Ping": true,
	"LastInsertId": true, "RowsAffected": true,
}

// dbCall names the database method that call ends in ("rows.Scan"), or "".
func dbCall(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !dbCalls[sel.Sel.Name] {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); ok && sel.Sel.Name == "Err" && id.Name == "ctx" {
		return "" // the context's error, not the database's
	}
	recv := "…"
	if id, ok := sel.X.(*ast.Ident); ok {
		recv = id.Name
	}
	return recv + "." + sel.Sel.Name
}

// bareReturns lists, for one function body, each return that hands back
// a database call's error unwrapped: the variable last assigned from
// such a call, or the call itself (return rows.Err()). The walk is in
// source order, which is the order of assignment in this package's
// straight-line error handling. A function literal is a body of its
// own, checked apart (its variables are not the enclosing function's).
func bareReturns(fset *token.FileSet, body *ast.BlockStmt) []string {
	var out []string
	from := map[string]string{} // error variable -> database call it holds
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			out = append(out, bareReturns(fset, n.Body)...)
			return false
		case *ast.AssignStmt:
			if len(n.Rhs) != 1 {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						delete(from, id.Name)
					}
				}
				return true
			}
			call := dbCall(n.Rhs[0])
			for i, l := range n.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					continue
				}
				if call != "" && i == len(n.Lhs)-1 {
					from[id.Name] = call
				} else {
					delete(from, id.Name)
				}
			}
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if id, ok := r.(*ast.Ident); ok && from[id.Name] != "" {
					out = append(out, fmt.Sprintf("%s: return %s of %s unwrapped", fset.Position(n.Pos()), id.Name, from[id.Name]))
				} else if call := dbCall(r); call != "" {
					out = append(out, fmt.Sprintf("%s: return %s() unwrapped", fset.Position(n.Pos()), call))
				}
			}
		}
		return true
	})
	return out
}

// storeBareReturns checks every non-test file of the package in dir but
// ingest*.go.
func storeBareReturns(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		base := filepath.Base(name)
		// pgdriver.go is the driver under database/sql: it hands pgx's
		// errors back as they are (database/sql retries on
		// driver.ErrBadConn), and its callers here wrap them.
		if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "ingest") || base == "pgdriver.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
				out = append(out, bareReturns(fset, fn.Body)...)
			}
		}
	}
	return out
}

func TestSQLErrorsWrapped(t *testing.T) {
	bare := storeBareReturns(t, ".")
	for _, b := range bare {
		t.Error(b)
	}
	if len(bare) > 0 {
		t.Errorf("%d database errors returned bare: wrap each with what was being done (fmt.Errorf(\"find task %%d: %%w\", id, err))", len(bare))
	}
}

// TestBareReturnsFound keeps the check honest: it finds each bare form in
// a made-up file and passes the wrapped ones.
func TestBareReturnsFound(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"bare after query", `rows, err := tx.QueryContext(ctx, "q"); if err != nil { return nil, err }; return rows, nil`, 1},
		{"bare after scan in if", `if err := row.Scan(&n); err != nil { return err }; return nil`, 1},
		{"bare rows.Err", `return rows.Err()`, 1},
		{"bare commit", `return tx.Commit()`, 1},
		{"bare after assignment", `var err error; err = tx.QueryRowContext(ctx, "q").Scan(&n); return err`, 1},
		{"wrapped", `if err := row.Scan(&n); err != nil { return fmt.Errorf("read n: %w", err) }; return nil`, 0},
		{"helper's error", `n, err := findTask(ctx, tx, 1); if err != nil { return err }; return nil`, 0},
		{"reassigned from a helper", `err := rows.Scan(&n); err = check(n); return err`, 0},
		{"context's error", `return ctx.Err()`, 0},
		{"bare in a function literal", `_, err := list(func() error { err := rows.Scan(&n); return err }); return err`, 1},
		{"helper's error after a literal", `_, err := list(func() error { if err := rows.Scan(&n); err != nil { return fmt.Errorf("x: %w", err) }; return nil }); return err`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", "package x\nfunc f() {"+tt.body+"}", 0)
			if err != nil {
				t.Fatal(err)
			}
			got := bareReturns(fset, f.Decls[0].(*ast.FuncDecl).Body)
			if len(got) != tt.want {
				t.Errorf("found %d bare returns, want %d: %v", len(got), tt.want, got)
			}
		})
	}
}

//go:build ignore

// funclen lists the longest functions of the packages named (folders),
// by lines from the func keyword to the closing brace; test files are
// left out unless -tests is given.
//
//	go run scripts/funclen.go [-tests] [-n 5] dispatch detect
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type fn struct {
	name  string
	where string
	lines int
}

func main() {
	tests := flag.Bool("tests", false, "count the test files too")
	n := flag.Int("n", 5, "how many to list per folder")
	flag.Parse()
	for _, dir := range flag.Args() {
		fns, err := funcs(dir, *tests)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sort.Slice(fns, func(i, j int) bool { return fns[i].lines > fns[j].lines })
		for _, f := range fns[:min(*n, len(fns))] {
			fmt.Printf("%s\t%d\t%s\t%s\n", dir, f.lines, f.name, f.where)
		}
	}
}

func funcs(dir string, tests bool) ([]fn, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []fn
	for _, path := range files {
		if !tests && strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) > 0 {
				name = "(" + types(fd.Recv.List[0].Type) + ")." + name
			}
			start, end := fset.Position(fd.Pos()), fset.Position(fd.End())
			out = append(out, fn{name, fmt.Sprintf("%s:%d", path, start.Line), end.Line - start.Line + 1})
		}
	}
	return out, nil
}

func types(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "*" + types(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return types(t.X)
	}
	return "?"
}

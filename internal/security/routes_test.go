package security_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"buzon/internal/api"
)

// registeredRoutes reads every route pattern the web and the API register,
// from their source: each call X.Handle(pattern, …) or X.HandleFunc(pattern,
// …) in a non-test file under internal/web and internal/api, where pattern is
// a string constant (possibly joined with api.Prefix). Reading the source
// finds routes registered only under a configuration (--dev, metrics) too.
// A pattern that is not a constant fails the test, so no route escapes.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, dir := range []string{"../web", "../api"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
					return true
				}
				p, ok := constString(call.Args[0])
				if !ok {
					// The API registers its 405 answers in a loop over its paths;
					// they are not routes of their own.
					if strings.HasSuffix(path, "api.go") && sel.Sel.Name == "HandleFunc" {
						return true
					}
					t.Errorf("%s: a route whose pattern is not a constant: the matrix cannot list it", path)
					return true
				}
				seen[p] = true
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// constString evaluates a string literal or a sum of literals and
// api.Prefix (spelled Prefix inside package api).
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		if e.Name == "Prefix" {
			return api.Prefix, true
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, ok1 && ok2
	}
	return "", false
}

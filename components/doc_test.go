package components

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// areas are the type token areas of the component packages.
var areas = map[string]string{"kube": "k8s", "cluster": "eks", "fleet": "ec2", "network": "aws", "monitoring": "monitoring"}

// moved are the components whose token's area is not their package's: they moved after their
// token landed, and a landed token never changes.
var moved = map[string]string{"openwan:ec2:Alerts": "monitoring"}

// componentToken is a component's type token as a doc names it.
var componentToken = regexp.MustCompile(`openwan:[a-z0-9]+:[A-Za-z0-9]+`)

// registration is one component a package registers: the type NewX returns and its token.
type registration struct {
	typeName, token, at string
}

// readPackage parses the program files of package dir, returning its package doc comments by
// file name and the components it registers.
func readPackage(t *testing.T, dir string) (docs map[string]string, regs []registration) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	docs = map[string]string{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		require.NoError(t, err)
		if f.Doc != nil {
			docs[filepath.Base(path)] = strings.Join(strings.Fields(f.Doc.Text()), " ")
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "RegisterComponentResource" {
					return true
				}
				at := fset.Position(call.Pos()).String()
				require.NotEmpty(t, call.Args, "%s: RegisterComponentResource without arguments", at)
				lit, ok := call.Args[0].(*ast.BasicLit)
				require.True(t, ok && lit.Kind == token.STRING, "%s: the type token is a string literal, so that this test reads it", at)
				tok, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				regs = append(regs, registration{typeName: returnedType(t, fn, at), token: tok, at: at})
				return true
			})
		}
	}
	return docs, regs
}

// returnedType is the component type of fn, NewX returning (*X, error).
func returnedType(t *testing.T, fn *ast.FuncDecl, at string) string {
	t.Helper()
	results := fn.Type.Results
	require.True(t, results != nil && len(results.List) == 2, "%s: %s returns (*Component, error)", at, fn.Name.Name)
	star, ok := results.List[0].Type.(*ast.StarExpr)
	require.True(t, ok, "%s: %s returns a pointer to its component", at, fn.Name.Name)
	ident, ok := star.X.(*ast.Ident)
	require.True(t, ok, "%s: %s returns a component of this package", at, fn.Name.Name)
	require.Equal(t, "New"+ident.Name, fn.Name.Name, "%s: the component is registered by its constructor", at)
	return ident.Name
}

// TestEveryComponentPackageHasAnArea: a new component package is given its token area here.
func TestEveryComponentPackageHasAnArea(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var packages []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "internal" {
			packages = append(packages, e.Name())
		}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(areas)), packages, "the component packages and their areas")
}

// TestPackageDocsListTheirComponents: each component package documents itself in doc.go alone,
// which names every component it registers with its type token, and no other; each token's area
// is its package's.
func TestPackageDocsListTheirComponents(t *testing.T) {
	for pkg, area := range areas {
		t.Run(pkg, func(t *testing.T) {
			docs, regs := readPackage(t, pkg)
			require.Contains(t, docs, "doc.go", "the package comment lives in doc.go")
			assert.Len(t, docs, 1, "and nowhere else: %v", slices.Sorted(maps.Keys(docs)))
			doc := docs["doc.go"]
			require.NotEmpty(t, regs, "the package registers components")
			assert.Contains(t, doc, "openwan:"+area+":<Name>", "the doc names the package's area")

			registered := map[string]bool{}
			for _, r := range regs {
				registered[r.token] = true
				tokenArea := strings.Split(r.token, ":")[1]
				if movedTo, ok := moved[r.token]; ok {
					assert.Equal(t, pkg, movedTo, "%s: %s moved to package %s", r.at, r.token, movedTo)
				} else {
					assert.Equal(t, "openwan:"+area+":", "openwan:"+tokenArea+":", "%s: %s is in the package's area", r.at, r.token)
				}
				assert.Contains(t, doc, "["+r.typeName+"] ("+r.token+")", "doc.go lists %s with its token", r.typeName)
			}
			for _, tok := range componentToken.FindAllString(doc, -1) {
				assert.True(t, registered[tok], "doc.go lists %s, which the package does not register", tok)
			}
		})
	}
}

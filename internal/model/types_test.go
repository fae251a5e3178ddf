package model

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resourceToken is a provider resource's type token, "aws:autoscaling/group:Group",
// "eks:index:Cluster", "kubernetes:apps/v1:Deployment" or a provider "pulumi:providers:kubernetes";
// a function's token ("aws:index/getRegion:getRegion") ends in lower case and is not one.
var resourceToken = regexp.MustCompile(`^((aws|eks|kubernetes):[A-Za-z0-9.-]+(/[A-Za-z0-9]+)?:[A-Z][A-Za-z0-9]*|pulumi:providers:[a-z0-9-]+)$`)

// declaredTypes are the constants of types.go, name to value, read from its source.
func declaredTypes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "types.go", nil, parser.ParseComments)
	require.NoError(t, err)
	out := map[string]string{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			require.Len(t, vs.Values, len(vs.Names), "each constant of types.go has its own value")
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok && lit.Kind == token.STRING, "%s is a string literal", name.Name)
				value, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				assert.NotNil(t, vs.Doc, "%s has a doc comment", name.Name)
				out[name.Name] = value
			}
		}
	}
	return out
}

func TestTypeTokensAreWellFormedAndDistinct(t *testing.T) {
	declared := declaredTypes(t)
	require.NotEmpty(t, declared)
	assert.Equal(t, "aws:autoscaling/group:Group", declared["TypeAutoscalingGroup"], "the source is read as the compiler reads it")
	assert.Equal(t, TypeAutoscalingGroup, declared["TypeAutoscalingGroup"])
	byValue := map[string]string{}
	for name, value := range declared {
		assert.True(t, strings.HasPrefix(name, "Type"), "%s: a type token's constant is named Type...", name)
		assert.Regexp(t, resourceToken, value, "%s is a resource type token", name)
		if other, ok := byValue[value]; ok {
			t.Errorf("%s and %s both declare %q", name, other, value)
		}
		byValue[value] = name
	}
}

// TestTypeTokensAreDeclaredOnce: outside this package no program file of the module spells a
// resource type token; each reader takes it from here. Test files are left out: a test's literal
// is the expectation it checks the program against.
func TestTypeTokensAreDeclaredOnce(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module's root is two levels up")
	here, err := filepath.Abs(".")
	require.NoError(t, err)

	var spelt []string
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == here || path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
				return filepath.SkipDir // another module (testenv, tools)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && resourceToken.MatchString(s) {
					rel, _ := filepath.Rel(root, path)
					spelt = append(spelt, rel+":"+strconv.Itoa(fset.Position(lit.Pos()).Line)+": "+s)
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, files, 50, "the walk reads the module's program files")
	assert.Empty(t, spelt, "resource type tokens spelt outside internal/model: use its Type constants")
}

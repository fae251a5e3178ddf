// Package componenttest runs one component on the recording mocks of internal/plan, for the
// components' tests: what a component declares for a small Args value, that refused args declare
// nothing, and which fields a validator reports. Those tests live in components/ (<package>_*_test.go),
// in the one test binary that links the provider SDKs.
package componenttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/plan"
)

// Stack is the stack the components run in.
const Stack = "test"

// Run declares what declare declares on the recording mocks and requires it to succeed.
func Run(t *testing.T, declare func(ctx *pulumi.Context) error) *plan.Plan {
	t.Helper()
	p, err := run(declare)
	require.NoError(t, err, "declaring the component on the mocks must succeed")
	return p
}

// New is a component's constructor, as every component package writes it.
type New[A, C any] func(ctx *pulumi.Context, name string, args *A, opts ...pulumi.ResourceOption) (C, error)

// Declare declares the component newC named name with args on the recording mocks (Run).
func Declare[A, C any](t *testing.T, newC New[A, C], name string, args *A) *plan.Plan {
	t.Helper()
	return Run(t, declare(newC, name, args))
}

// DeclareRefused declares the component newC named name with args, which it must refuse
// without registering anything (Refused), and returns the error.
func DeclareRefused[A, C any](t *testing.T, newC New[A, C], name string, args *A) error {
	t.Helper()
	return Refused(t, declare(newC, name, args))
}

func declare[A, C any](newC New[A, C], name string, args *A) func(ctx *pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		_, err := newC(ctx, name, args)
		return err
	}
}

// Refused runs declare, which must fail, asserts that nothing was registered before it did
// (validation comes first), and returns the error.
func Refused(t *testing.T, declare func(ctx *pulumi.Context) error) error {
	t.Helper()
	p, err := run(declare)
	require.Error(t, err, "the component must refuse its args")
	var names []string
	for _, r := range p.Resources {
		names = append(names, r.Type+" "+r.Name)
	}
	assert.Empty(t, names, "refused args must register nothing, not even the component")
	return err
}

func run(declare func(ctx *pulumi.Context) error) (*plan.Plan, error) {
	return plan.Run(Stack, nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return pulumi.Map{}, declare(ctx)
	}, plan.Options{})
}

// Input is the input at a dotted path of the resource of type typ named name; both must exist.
func Input(t *testing.T, p *plan.Plan, typ, name, path string) any {
	t.Helper()
	r, err := p.Get(typ, name)
	require.NoError(t, err, "the component must declare %s %s", typ, name)
	v, err := r.Input(path)
	require.NoError(t, err, "%s %s must set %s", typ, name, path)
	return v
}

// Names are the names of the declared resources of type typ, in URN order.
func Names(p *plan.Plan, typ string) []string {
	var names []string
	for _, r := range p.Find(typ) {
		names = append(names, r.Name)
	}
	return names
}

// Errors are the errors joined in err (errors.Join), or err alone.
func Errors(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// AssertFields asserts that err, a validator's result, holds one error per field, in order,
// each starting with its field's name: a caller reads every problem at once and knows which
// field to fix.
func AssertFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	errs := Errors(err)
	var got []string
	for _, e := range errs {
		name, _, _ := strings.Cut(e.Error(), ":")
		got = append(got, name)
	}
	assert.Equal(t, fields, got, "one error per bad field, each naming it; errors:\n%v", errors.Join(errs...))
}

// Refusal changes valid args in one way and names the fields the validator must then report,
// in the order it reports them.
type Refusal[A any] struct {
	Name   string
	Change func(a *A)
	Fields []string
}

// Refusals checks validate, an Args type's validator: it refuses nil args with "args are
// required", passes valid(), and refuses each case's change to a fresh valid() with exactly
// the case's fields (AssertFields), in a subtest named after the case.
func Refusals[A any](t *testing.T, valid func() *A, validate func(a *A) error, cases []Refusal[A]) {
	t.Helper()
	assert.EqualError(t, validate(nil), "args are required")
	require.NoError(t, validate(valid()), "the valid args of these tests")
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			require.NotEmpty(t, c.Fields, "a refusal names the fields it expects; valid args belong in valid()")
			args := valid()
			c.Change(args)
			AssertFields(t, validate(args), c.Fields...)
		})
	}
}

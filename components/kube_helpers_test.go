package components_test

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/plan"
)

// kubeReleaseType is a Helm release, a type token the kube tests read that internal/model does
// not declare.
const kubeReleaseType = "kubernetes:helm.sh/v3:Release"

// kubeValidation is the check a kube component makes of its args before it declares anything,
// seen from outside the package: a validator for componenttest.Refusals. It declares newC named
// name with args on the recording mocks and returns nil when newC declares the component, else
// the error newC refused the args with, less the "<component> <name>: " newC puts before it. It
// asserts, on t, that the error carries that prefix and that the refusal registered nothing.
func kubeValidation[A, C any](t *testing.T, newC componenttest.New[A, C], component, name string) func(args *A) error {
	return func(args *A) error {
		t.Helper()
		p, err := plan.Run(componenttest.Stack, nil, func(ctx *pulumi.Context) (pulumi.Map, error) {
			_, err := newC(ctx, name, args)
			return pulumi.Map{}, err
		}, plan.Options{})
		if err == nil {
			return nil
		}
		var registered []string
		for _, r := range p.Resources {
			registered = append(registered, r.Type+" "+r.Name)
		}
		assert.Empty(t, registered, "refused args must register nothing, not even the component")
		inner := errors.Unwrap(err)
		if !assert.NotNil(t, inner, "%s %s wraps its args' error: %v", component, name, err) ||
			!assert.Equal(t, component+" "+name+": "+inner.Error(), err.Error(), "the error names the component first") {
			return err
		}
		return inner
	}
}

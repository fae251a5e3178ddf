package preflight

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config/configtest"
)

// With no AWS to answer, every item of prod is reported missing, one line each, and the exit
// status is 1; usage errors are 2.
func TestPreflightCommand(t *testing.T) {
	nothing := func(string) AWS {
		return func(args ...string) ([]byte, error) { return nil, errors.New("no credentials") }
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, Command([]string{"--stack", "prod", "--dir", configtest.Root(t)}, &stdout, &stderr, nothing))
	assert.Contains(t, stdout.String(), "missing   S3 bucket openwan-prod-media: no credentials")
	assert.Contains(t, stderr.String(), "stack prod is not ready for pulumi up")

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 2, Command(nil, &stdout, &stderr, nothing), "--stack is required")
	assert.Equal(t, 1, Command([]string{"--stack", "nope", "--dir", configtest.Root(t)}, &stdout, &stderr, nothing), "an unknown stack")
	assert.Contains(t, stderr.String(), "the stacks in")
}

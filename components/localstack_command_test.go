package components_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/internal/localstack"
)

// TestArgumentsAreCheckedBeforeTheDisk: help exits 0, and a bad command is refused before the
// cache directory is made.
func TestArgumentsAreCheckedBeforeTheDisk(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, localstack.Command([]string{"--help"}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "exit status:")

	cache := filepath.Join(t.TempDir(), "cache")
	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 2, localstack.Command([]string{"--cache", cache, "--kubeconfig", "k", "upp"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `"upp" is not one of up, preview, destroy`)
	_, err := os.Stat(cache)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing is made for a command that cannot run")
}

// The tests of config/configtest, the stacks' configs for tests, live in config's test binary: a
// package of three functions does not need a binary of its own to link.
package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

func TestRootHoldsTheStackFiles(t *testing.T) {
	root := configtest.Root(t)
	for _, name := range []string{"go.mod", "Pulumi.yaml", "Pulumi.prod.yaml"} {
		_, err := os.Stat(filepath.Join(root, name))
		assert.NoError(t, err, "the repository root %s holds %s", root, name)
	}
	assert.True(t, configtest.IsModuleRoot(root), "the root's go.mod is this module's")
	assert.False(t, configtest.IsModuleRoot(t.TempDir()), "a directory without go.mod is no root")
}

// section decodes one `openwan:` section of a stack file's raw config over the zero value.
func section[T any](t *testing.T, raw map[string]string, key string) T {
	t.Helper()
	require.Contains(t, raw, key, "the stack file sets %s", key)
	var v T
	require.NoError(t, json.Unmarshal([]byte(raw[key]), &v), "%s is JSON text, as the engine passes it", key)
	return v
}

// TestStackIsTheFileOverTheDefaults: what a stack file sets is in its Config, what it does not
// set keeps the guide's default.
func TestStackIsTheFileOverTheDefaults(t *testing.T) {
	for _, name := range []string{"prod", "dev"} {
		t.Run(name, func(t *testing.T) {
			raw := configtest.Raw(t, name)
			cfg := configtest.Stack(t, name)
			capacity := section[config.Capacity](t, raw, "openwan:capacity")
			require.NotZero(t, capacity.Database.MaxConnections, "Pulumi.%s.yaml sets the database limit, which has no default", name)
			assert.Equal(t, capacity.Database.MaxConnections, cfg.Capacity.Database.MaxConnections,
				"openwan:capacity.database.maxConnections comes from Pulumi.%s.yaml", name)
			app := section[config.App](t, raw, "openwan:app")
			assert.Equal(t, app.S3Bucket, cfg.App.S3Bucket, "openwan:app.s3Bucket comes from Pulumi.%s.yaml", name)
			assert.Equal(t, config.Defaults().EC2.API.InstanceType, cfg.EC2.API.InstanceType,
				"openwan:ec2.api.instanceType, set by no stack file, keeps the guide's t3.medium")
		})
	}
	assert.Equal(t, configtest.Stack(t, "prod"), configtest.Prod(t), "Prod is Stack(prod)")
	assert.NotEqual(t, configtest.Prod(t).App.S3Bucket, configtest.Stack(t, "dev").App.S3Bucket, "Stack reads the named file, not always prod's")
}

func TestEachCallReadsAFreshConfig(t *testing.T) {
	want := configtest.Prod(t)
	changed := configtest.Prod(t)
	changed.Capacity.Prices["t3.medium"] = 1000
	delete(changed.EC2.API.Schedules, "scale-down-night")
	changed.Cluster.PublicAccessCIDRs[0] = "0.0.0.0/0"
	assert.Equal(t, want, configtest.Prod(t), "a test's change to the maps and slices of its Prod must not reach the next Prod")
}

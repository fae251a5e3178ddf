package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStackFileOfThePulumiCLI reads a stack file as `pulumi config set --path` and `--secret`
// write it: nested objects, typed leaves, and encrypted values as {secure: ...} at any depth,
// which the offline tools read as a placeholder, never decrypted. A default schedule dropped
// with `enabled: false` (which the CLI can set; null it cannot) is gone.
func TestStackFileOfThePulumiCLI(t *testing.T) {
	dir := t.TempDir()
	// What these commands write, on top of a complete config:
	//   pulumi config set --path 'openwan:api.replicas.max' 12
	//   pulumi config set --secret --path 'openwan:app.redisAddress' redis.internal:6379
	//   pulumi config set --path 'openwan:ec2.api.schedules.scale-down-night.enabled' false
	//   pulumi config set --secret openwan:token s3cr3t
	file := `config:
  openwan:app:
    redisAddress:
      secure: v1:q0oD2f3iXW1HkJm0:bm90IHJlYWxseSBhIHNlY3JldA==
    s3Bucket: media
  openwan:api:
    image: api:1
    replicas:
      max: 12
  openwan:worker:
    image: worker:1
  openwan:cluster:
    publicAccessCidrs: ["203.0.113.0/24"]
  openwan:ec2:
    api:
      schedules:
        scale-down-night:
          enabled: false
    worker:
      queue: {dimensions: {Queue: transcode}}
  openwan:capacity:
    database: {maxConnections: 2000}
  aws:region: us-east-1
  other:token:
    secure: v1:AAAA:BBBB
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.cli.yaml"), []byte(file), 0o644))
	raw, err := ReadStackFile(dir, "cli")
	require.NoError(t, err)
	assert.Equal(t, SecretPlaceholder, raw["other:token"], "a top-level secret is opaque")
	cfg, err := FromStackFile(dir, "cli")
	require.NoError(t, err, "the CLI's file parses")
	assert.Equal(t, SecretPlaceholder, cfg.App.RedisAddress, "a secret under --path is opaque, never decrypted")
	assert.Equal(t, 12, cfg.API.Replicas.Max, "a typed leaf under --path")
	assert.Equal(t, Defaults().API.Replicas.Min, cfg.API.Replicas.Min, "the rest of the object keeps its default")
	assert.NotContains(t, cfg.EC2.API.Schedules, "scale-down-night", "enabled: false drops a default schedule")
	assert.Contains(t, cfg.EC2.API.Schedules, "scale-up-business-hours")
}

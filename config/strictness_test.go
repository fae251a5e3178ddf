package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A misspelt namespace is read by no one: `openwn:alerts` would silently drop the alert
// e-mails. Every namespace but ours, our policy pack's and the engine's and providers' is refused,
// naming the key.
func TestUnknownNamespaceIsRefused(t *testing.T) {
	err := CheckKeys([]string{"aws:region", "openwan:alerts", "openwan-policy:min-capacity", "kubernetes:context", "pulumi:tags", "openwn:alerts"})
	require.Error(t, err)
	assert.Equal(t, `openwn:alerts: unknown config namespace "openwn" (known: openwan, openwan-policy, aws, kubernetes, pulumi); is it a misspelling of openwan?`, err.Error())
	assert.NoError(t, CheckKeys([]string{"aws:region", "openwan:alerts", "openwan-policy:min-capacity"}))
}

// An image without a tag or digest is :latest, whatever it is the day a node pulls it.
func TestUnpinnedImagesAreRefused(t *testing.T) {
	for key, change := range map[string]func(*Config){
		"openwan:api.image":        func(c *Config) { c.API.Image = "ghcr.io/openwan/openwan-api" },
		"openwan:worker.image":     func(c *Config) { c.Worker.Image = "ghcr.io/openwan/openwan-worker:latest" },
		"openwan:ec2.worker.image": func(c *Config) { c.EC2.Worker.Image = "localhost:5000/openwan-worker" },
	} {
		c := valid()
		change(&c)
		err := c.Validate()
		require.Error(t, err, key)
		assert.Contains(t, err.Error(), key+": ", key)
		assert.Contains(t, err.Error(), "is not pinned", key)
	}
	c := valid()
	c.API.Image = "ghcr.io/openwan/openwan-api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	c.EC2.API.Image = c.API.Image
	assert.NoError(t, c.Validate(), "a digest pins")
}

// The AWS provider creates in aws:region; the app, its endpoints (the S3 endpoint's service
// name) and the prices assume openwan:app.region. They must be one, and set, on a stack that
// creates AWS resources.
func TestAWSRegionMustBeTheAppsRegion(t *testing.T) {
	c := valid()
	require.Equal(t, "us-east-1", c.App.Region)
	assert.NoError(t, CheckRegion(c, "us-east-1"))
	assert.EqualError(t, CheckRegion(c, "eu-west-1"), `aws:region: "eu-west-1" differs from openwan:app.region "us-east-1": set both to the region the stack runs in`)
	assert.EqualError(t, CheckRegion(c, ""), `aws:region: must be set to openwan:app.region "us-east-1": pulumi config set aws:region us-east-1`)
	c.Cluster.Existing.Enabled, c.EC2.Enabled = true, false
	assert.NoError(t, CheckRegion(c, ""), "a stack on an existing cluster creates nothing in AWS")
}

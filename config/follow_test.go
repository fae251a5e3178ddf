package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The EC2 fleets run the services' images unless a stack names another: one value, one place.
func TestEC2ImagesFollowTheServices(t *testing.T) {
	raw := map[string]string{
		"app":    `{"s3Bucket": "media", "redisAddress": "redis:6379"}`,
		"api":    `{"image": "openwan/api:2.0.0"}`,
		"worker": `{"image": "openwan/worker:2.0.0"}`,
		"ec2":    `{"worker": {"image": "openwan/worker:2.0.1-ec2", "queue": {"dimensions": {"Queue": "transcode"}}}}`,
		// What has no default, unrelated to images.
		"cluster":  `{"endpointPublicAccess": false}`,
		"capacity": `{"database": {"maxConnections": 2000}}`,
	}
	cfg, err := Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "openwan/api:2.0.0", cfg.EC2.API.Image, "ec2.api.image unset: follows openwan:api.image")
	assert.Equal(t, "openwan/worker:2.0.1-ec2", cfg.EC2.Worker.Image, "ec2.worker.image set: the stack's value wins")
}

func TestEC2ImageWithoutServiceImageNamesBothKeys(t *testing.T) {
	raw := map[string]string{
		"app":      `{"s3Bucket": "media", "redisAddress": "redis:6379"}`,
		"cluster":  `{"enabled": false}`,
		"capacity": `{"database": {"maxConnections": 2000}}`,
		"ec2":      `{"worker": {"image": "openwan/worker:2.0.0", "queue": {"dimensions": {"Queue": "transcode"}}}}`,
	}
	_, err := Parse(raw)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "openwan:ec2.api.image: must not be empty: set it or openwan:api.image, which it defaults to")
	assert.NotContains(t, err.Error(), "openwan:ec2.worker.image", "the worker fleet names its own image")
}

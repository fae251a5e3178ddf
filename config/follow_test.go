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

// A scheduled action's bounds are its group's size unless the action sets them: raising
// openwan:ec2.api.size.max reaches every action that does not cap it, and after Parse each action
// has both bounds.
func TestScheduleBoundsFollowTheGroup(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "size": {"min": 2, "max": 20},
		"schedules": {"scale-down-night": {"recurrence": "0 22 * * *", "desired": 2},
		              "capped": {"recurrence": "0 1 * * *", "max": 8, "desired": 4}}},
		"worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	size := cfg.EC2.API.Size
	require.Equal(t, Range{Min: 2, Max: 20}, size, "precondition: the stack raised the group's max")
	bounds := map[string]Range{}
	for name, a := range cfg.EC2.API.Schedules {
		require.NotNil(t, a.Min, "%s has its min after Parse", name)
		require.NotNil(t, a.Max, "%s has its max after Parse", name)
		bounds[name] = Range{Min: *a.Min, Max: *a.Max}
	}
	assert.Equal(t, map[string]Range{
		"scale-down-night":        size,                    // sets neither: the group's size
		"capped":                  {Min: size.Min, Max: 8}, // caps the max, follows the min
		"scale-up-business-hours": {Min: 3, Max: size.Max}, // the default raises the min to the guide's 3
	}, bounds, "each action's bounds, as its group's size where it sets none")
}

func TestScheduleBoundsDefaultToTheSize(t *testing.T) {
	a := ScheduledAction{Recurrence: "0 8 * * *", Min: new(4), Desired: 5}
	assert.Equal(t, Range{Min: 4, Max: 20}, a.Bounds(Range{Min: 2, Max: 20}), "its own min, the size's max")
	assert.Equal(t, Range{Min: 2, Max: 20}, ScheduledAction{Desired: 3}.Bounds(Range{Min: 2, Max: 20}), "neither set: the size")
}

// The EC2 API fleet runs the API's image, so the load balancer reaches it on the API's port and
// routes to it only once the app's readiness endpoint says so, as EKS's readiness probe does; the
// liveness path answers before the app has its database and queue.
func TestEC2TargetGroupChecksTheAPIReadiness(t *testing.T) {
	raw := completeRaw()
	raw["api"] = `{"image": "api:1", "port": 9000, "readinessPath": "/readyz"}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "/readyz", cfg.EC2.API.HealthPath, "ec2.api.healthPath unset: follows openwan:api.readinessPath")
	assert.Equal(t, 9000, cfg.EC2.API.Port, "ec2.api.port unset: follows openwan:api.port")

	shipped, err := Parse(completeRaw())
	require.NoError(t, err)
	assert.Equal(t, shipped.API.ReadinessPath, shipped.EC2.API.HealthPath, "by default the target group checks readiness")
	assert.NotEqual(t, shipped.API.LivenessPath, shipped.EC2.API.HealthPath, "not liveness")

	raw["ec2"] = `{"api": {"healthPath": "/lb-ready", "port": 9100}, "worker": {"queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err = Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "/lb-ready", cfg.EC2.API.HealthPath, "a stack's own path wins")
	assert.Equal(t, 9100, cfg.EC2.API.Port, "a stack's own port wins")
}

package components_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

// TestStackFileMistakesAreRefusedByKey: a misspelt section, a value of the wrong type and an
// empty queue dimension in prod's stack file each stop the program before it declares anything,
// naming the full key.
func TestStackFileMistakesAreRefusedByKey(t *testing.T) {
	known := strings.Join(config.Sections(), ", ")
	prod := configtest.Raw(t, "prod")
	misspelt := maps.Clone(prod)
	misspelt["openwan:wroker"] = `{"image": "ghcr.io/openwan/openwan-worker:1.8.2"}`
	tests := []struct {
		name string
		raw  map[string]string
		want string
	}{
		{"unknown section", misspelt, "openwan:wroker: unknown config key (known sections: " + known + ")"},
		{"number for a string", withConfig(t, prod, "openwan:app", "redisAddress", 12345),
			"openwan:app.redisAddress: expected a string, got 12345"},
		{"empty queue dimension", withConfig(t, prod, "openwan:ec2", "worker.queue.dimensions.Queue", ""),
			"openwan:ec2.worker.queue.dimensions.Queue: must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, refuse(t, tt.raw), "invalid stack config:\n"+tt.want)
		})
	}
}

// TestMainReadsItsKeysFromPulumiConfig: the compiled program (main.go) learns its stack's keys
// from the JSON the engine passes in PULUMI_CONFIG, and refuses the unknown one among them.
func TestMainReadsItsKeysFromPulumiConfig(t *testing.T) {
	raw := configtest.Raw(t, "prod")
	raw["openwan:wroker"] = `{}`
	env, err := json.Marshal(raw)
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(env))
	p, err := plan.Run("prod", raw, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, stacks.Main(ctx) }, plan.Options{})
	assert.ErrorContains(t, err, "openwan:wroker: unknown config key")
	assert.Empty(t, p.Resources, "a refused stack declares nothing")
}

func TestConfigKeys(t *testing.T) {
	keys, err := stacks.ConfigKeys(`{"openwan:api": "{\"image\": \"api:1\"}", "aws:region": "us-east-1", "openwan:wroker": "{}"}`)
	require.NoError(t, err)
	assert.Equal(t, []string{"aws:region", "openwan:api", "openwan:wroker"}, keys, "every key of the engine's config, sorted")
	keys, err = stacks.ConfigKeys("")
	assert.NoError(t, err)
	assert.Empty(t, keys, "a stack without config")
	_, err = stacks.ConfigKeys(`["openwan:api"]`)
	assert.ErrorContains(t, err, "PULUMI_CONFIG: not a JSON object of config values", "a PULUMI_CONFIG the engine never writes")
}

// TestProgramToldTooFewKeysIsRefused: a runner that does not tell the program its stack's keys
// (here none) would skip the check of their names; the program refuses to run instead.
func TestProgramToldTooFewKeysIsRefused(t *testing.T) {
	raw := configtest.Raw(t, "prod")
	var held []string
	for _, section := range config.Sections() {
		if _, ok := raw[config.Namespace+":"+section]; ok {
			held = append(held, config.Namespace+":"+section)
		}
	}
	require.NotEmpty(t, held, "precondition: prod sets sections")
	p, err := plan.Run("prod", raw, stacks.Build(nil), plan.Options{})
	assert.EqualError(t, err, fmt.Sprintf("the program was told the config keys [] but the stack holds %s too: run it with all of the stack's keys (stacks.Main reads them from PULUMI_CONFIG)",
		strings.Join(held, ", ")))
	assert.Empty(t, p.Resources, "a refused stack declares nothing")
}

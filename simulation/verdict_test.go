package simulation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestVerdict(t *testing.T) {
	t.Parallel()
	assert.Empty(t, FleetResult{MaxTimeToCapacity: 4 * time.Minute, CapacityWithin: 5 * time.Minute}.Verdict(), "within every target")
	assert.Equal(t, map[string]string{
		CheckOverload: "overloaded 2.5 min",
		CheckCapacity: "capacity after 6m30s > 5m0s",
		CheckFlapping: "3 reversals",
	}, FleetResult{OverloadMinutes: 2.5, MaxTimeToCapacity: 390 * time.Second, CapacityWithin: 5 * time.Minute, Reversals: 3}.Verdict())
	assert.Equal(t, "never back at its target after a load step", FleetResult{MaxTimeToCapacity: -1}.Verdict()[CheckCapacity])
}
